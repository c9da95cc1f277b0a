/** `backprop cv <data.csv> --target <column> --folds 5`: k-fold cross-validation of a configuration. */
import { plural } from '../report.js';
import { Command, Option } from 'commander';
import { crossValidate, divergenceWarning, foldPlans } from '../cross-validate.js';
import { loadTable } from '../data.js';
import { addDataOptions, addTargetOption, addTrainingOptions, categoricalColumns, configFromOptions, requireTarget, describeConfig } from '../options.js';
import { encodeForTraining } from '../pipeline.js';
import { WorkProgress, formatNumber, outputMode, say, table } from '../terminal.js';
import { parseNumberOption } from '../options.js';

export function cvCommand(): Command {
  const command = addTargetOption(new Command('cv')
    .description('k-fold cross-validation (stratified for classes, seeded): mean ± standard deviation of each metric')
    .argument('<data.csv>', 'data with a header row ("-" reads stdin)'))
    .option('--folds <k>', 'number of folds', '5');
  addDataOptions(command);
  addTrainingOptions(command);
  command.addOption(new Option('--json', 'print the folds and the mean and standard deviation of each metric as JSON'));
  command.addOption(new Option('--quiet', 'print nothing but errors'));
  return command.action((file: string, options: Record<string, unknown> & { target: string; folds: string }) => {
    requireTarget(options);
    const mode = outputMode(options);
    const folds = parseNumberOption('--folds', options.folds, { integer: true, min: 2 });
    const config = configFromOptions(options);
    const { table: data } = loadTable(file);
    const encoded = encodeForTraining(data, options.target, config, categoricalColumns(options));
    foldPlans(encoded, config, folds); // the options checked before anything is printed
    say(mode, `${file}: ${plural(encoded.x.rows, 'row')}, ${encoded.task}; ${folds}-fold cross-validation; ${describeConfig(config)}`);
    const progress = new WorkProgress(mode, folds * config.epochs);
    let result;
    try {
      result = crossValidate(encoded, config, folds, {
        run: { onEpochEnd: () => progress.epoch() },
        onFold: (fold) => progress.finished(`fold ${fold.fold}/${folds}: ${plural(fold.rows, 'row')}, ${plural(fold.epochs, 'epoch')}, ${Object.entries(fold.metrics).slice(0, 1).map(([k, v]) => `${k} ${formatNumber(v)}`).join(', ')}`, fold.epochs, config.epochs),
      });
    } finally {
      progress.stop();
    }
    const warning = divergenceWarning(result);
    if (warning && !mode.quiet) process.stderr.write(`backprop: warning: ${warning}\n`);
    if (mode.json) {
      process.stdout.write(JSON.stringify({ task: encoded.task, folds: result.folds, mean: result.mean, std: result.std, config }) + '\n');
      return;
    }
    say(mode);
    if (mode.tty) {
      const names = Object.keys(result.mean);
      say(mode, table(['fold', 'rows', 'epochs', ...names], result.folds.map((f) => [String(f.fold), f.rows, f.epochs, ...names.map((n) => f.metrics[n])])) + '\n');
    }
    say(mode, table(['metric', 'mean', '± std'], Object.keys(result.mean).map((key) => [key, result.mean[key], result.std[key]])));
  });
}
