// Builds the optional native backend (native/, binding.gyp) with node-gyp during `npm install`/`npm ci`.
// Never fails the install: without a compiler, Node headers or node-gyp it prints one line and the
// portable backends are used. Nothing is downloaded: node-gyp gets a local header directory
// (npm's `nodedir` setting, or the headers installed beside this node binary) or the build is skipped.
//
// BACKPROP_SKIP_NATIVE=1 skips the build.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const logFile = join(root, 'build', 'native-build.log');

function say(line) {
  console.log(`backprop: ${line}`);
}

/** node-gyp's entry script: npm's own copy (npm passes its path to install scripts), else one beside this node. */
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((file) => file && existsSync(file));
}

/** A directory holding include/node/node.h and v8.h (the addon uses the V8 API), so node-gyp need not download headers. */
function findNodeDir() {
  const candidates = [process.env.npm_config_nodedir, resolve(dirname(process.execPath), '..')];
  return candidates.find((dir) => dir && existsSync(join(dir, 'include', 'node', 'node.h')) && existsSync(join(dir, 'include', 'node', 'v8.h')));
}

/**
 * Whether the program of a command line (its first word: CXX may be "ccache g++") can be started;
 * its exit status does not matter (BSD make refuses --version).
 */
function runs(commandLine) {
  const program = commandLine.trim().split(/\s+/)[0];
  if (!program) return false;
  const result = spawnSync(program, ['--version'], { encoding: 'utf8' });
  return !result.error;
}

/** The first tool node-gyp needs that is missing here, named for the message, or null. */
function missingTool() {
  const python = process.env.npm_config_python || process.env.PYTHON;
  if (!(python ? runs(python) : runs('python3') || runs('python'))) return 'no Python (node-gyp needs python3)';
  if (!runs('make')) return 'no make';
  const compiler = process.env.CXX;
  if (!(compiler ? runs(compiler) : runs('c++') || runs('g++') || runs('clang++'))) return 'no C++ compiler';
  return null;
}

function main() {
  if (process.env.BACKPROP_SKIP_NATIVE === '1') return say('native backend skipped (BACKPROP_SKIP_NATIVE=1); using the portable backends');
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) return say('native backend not built (node-gyp not found); using the portable backends');
  const nodeDir = findNodeDir();
  if (!nodeDir) return say('native backend not built (no local Node headers; set npm_config_nodedir); using the portable backends');
  const missing = missingTool();
  if (missing) return say(`native backend not built (${missing}); using the portable backends`);
  const result = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`], { cwd: root, encoding: 'utf8' });
  const log = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  mkdirSync(dirname(logFile), { recursive: true });
  writeFileSync(logFile, log);
  if (result.status !== 0) {
    const reason = /not found|No such file|command not found/i.test(log) && /(g\+\+|c\+\+|make|python)/i.test(log) ? 'no C++ toolchain' : 'compile failed';
    return say(`native backend not built (${reason}, see build/native-build.log); using the portable backends`);
  }
  say('native backend built (build/Release/backprop_native.node)');
}

try {
  main();
} catch (error) {
  say(`native backend not built (${error instanceof Error ? error.message : String(error)}); using the portable backends`);
}
