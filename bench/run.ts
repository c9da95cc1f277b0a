/**
 * `npm run bench -- --workload=W`: backprop's side of ../shared/bench (see its README for the
 * workload definitions). Prints one JSON line per measurement in the peers' format, with the
 * backend and thread count used; select the backend with BACKPROP_BACKEND=js|wasm|native.
 *
 * Workloads: mlp-mnist, mlp-tiny, mlp-wide, gemm (gemm-256, gemm-1024, gemm-4096; --sizes=256,1024
 * to choose), predict-latency (default: these five); gemm-shapes (the products of one mlp-mnist
 * step); mlp-mnist-chromium (the wasm backend in headless Chromium beside tfjs-wasm there, see
 * browser.ts; --runs=N).
 */
import { gemmShapesWorkload, gemmWorkload } from './gemm.js';
import { chromiumMnistWorkload } from './browser.js';
import { mlpMnistWorkload, mlpTinyWorkload, mlpWideWorkload, predictLatencyWorkload } from './mlp.js';
import { parseArguments } from './measure.js';
import { selectBackendFromEnvironment } from '../node/backends.js';

const WORKLOADS: Record<string, (options: Map<string, string>) => void | Promise<void>> = {
  'mlp-mnist': () => mlpMnistWorkload(),
  'mlp-tiny': () => mlpTinyWorkload(),
  'mlp-wide': () => mlpWideWorkload(),
  gemm: (options) => gemmWorkload(gemmSizes(options.get('sizes') ?? '256,1024,4096')),
  'predict-latency': () => predictLatencyWorkload(),
  'gemm-shapes': () => gemmShapesWorkload(),
  'mlp-mnist-chromium': (options) => chromiumMnistWorkload(options),
};
/** --sizes: a comma-separated list of positive integers; anything else is a usage error (exit 2). */
function gemmSizes(text: string): number[] {
  const sizes = text.split(',').map(Number);
  const bad = sizes.findIndex((n) => !Number.isInteger(n) || n < 1 || n > 16384);
  if (bad >= 0) {
    console.error(`bench: --sizes=${text}: ${JSON.stringify(text.split(',')[bad])} is not a matrix size (an integer from 1 to 16384)`);
    process.exit(2);
  }
  return sizes;
}

/** Run by --workload=all: the five workloads of ../shared/bench. */
const DEFAULT_WORKLOADS = ['mlp-mnist', 'mlp-tiny', 'mlp-wide', 'gemm', 'predict-latency'];

// A reader that stops early (`npm run bench | head -1`) ends the run quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

// The backend is chosen here, not on import (the workloads import the library without Node's entry),
// so that a BACKPROP_BACKEND this machine cannot use is a usage error rather than a stack trace.
try {
  selectBackendFromEnvironment('auto');
} catch (error) {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}

const options = parseArguments(process.argv.slice(2));
const KNOWN_OPTIONS = ['workload', 'sizes', 'runs'];
for (const key of options.keys()) {
  if (!KNOWN_OPTIONS.includes(key)) {
    console.error(`bench: unknown option --${key}; known: ${KNOWN_OPTIONS.map((k) => `--${k}`).join(', ')}`);
    process.exit(2);
  }
}
const requested = options.get('workload') ?? 'all';
const names = requested === 'all' ? DEFAULT_WORKLOADS : requested.split(',');
for (const name of names) {
  const run = WORKLOADS[name];
  if (!run) {
    console.error(`bench: unknown or not yet available workload ${JSON.stringify(name)}; available: ${Object.keys(WORKLOADS).join(', ')}`);
    process.exitCode = 2;
    continue;
  }
  await run(options);
}
