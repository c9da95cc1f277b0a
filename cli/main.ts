/**
 * The `backprop` command: parses the arguments, runs one command, and turns errors into one line
 * on stderr with exit status 2 (user errors) or a stack trace with status 1 (internal errors).
 * See `backprop --help` and docs in the README's "Command line" section.
 */
import { Command, CommanderError } from 'commander';
import { cvCommand } from './commands/cv.js';
import { dataCommand } from './commands/data.js';
import { evaluateCommand } from './commands/evaluate.js';
import { explainCommand } from './commands/explain.js';
import { gradcheckCommand } from './commands/gradcheck.js';
import { infoCommand } from './commands/info.js';
import { predictCommand } from './commands/predict.js';
import { searchCommand } from './commands/search.js';
import { trainCommand } from './commands/train.js';
import { selectEngineBackend } from './engine.js';
import { EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, isUserError, userMessage } from './errors.js';
import { packageVersion } from './model-file.js';

/** The program with every command; commander errors are thrown, not exits. */
export function program(): Command {
  const root = new Command('backprop')
    .description('Train, evaluate and explain neural networks on CSV data (backpropagation, in TypeScript).')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for backprop or a command')
    .showSuggestionAfterError(true)
    .enablePositionalOptions(false);
  for (const command of [trainCommand(), evaluateCommand(), predictCommand(), cvCommand(), searchCommand(), explainCommand(), gradcheckCommand(), infoCommand(), dataCommand()]) {
    root.addCommand(command);
  }
  root.addHelpText('after', `
Exit status: 0 success, 1 internal error, 2 bad input (option, data or model file), 3 gradient check failed.

A session from CSV to predictions:
  backprop train data/iris.csv --target species --out iris.json
  backprop evaluate iris.json data/iris.csv
  backprop predict iris.json data/iris.csv --out predictions.csv
Run "backprop <command> --help" for a command's options.`);
  configure(root);
  return root;
}

/** Every command throws instead of exiting and writes commander's own messages as one line. */
function configure(command: Command): void {
  command.exitOverride();
  command.configureOutput({ outputError: (text, write) => write(`backprop: ${text.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')}\n`) });
  for (const sub of command.commands) configure(sub);
}

/** Runs the command line `argv` (without node and the script) and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  // A reader that stops early (`backprop predict … | head`) is not an error, and must not stop
  // the command (train still saves its model): later output is dropped.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
    throw error;
  });
  const root = program();
  try {
    selectEngineBackend();
    if (argv.length === 0) {
      root.outputHelp();
      return EXIT_OK;
    }
    await root.parseAsync(argv as string[], { from: 'user' });
    return process.exitCode === undefined ? EXIT_OK : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
    }
    if (isUserError(error)) {
      process.stderr.write(userMessage(error) + '\n');
      return EXIT_USAGE;
    }
    process.stderr.write(`backprop: internal error (please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return EXIT_INTERNAL;
  }
}
