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

const WORKLOADS: Record<string, (options: Map<string, string>) => void | Promise<void>> = {
  'mlp-mnist': () => mlpMnistWorkload(),
  'mlp-tiny': () => mlpTinyWorkload(),
  'mlp-wide': () => mlpWideWorkload(),
  gemm: (options) => gemmWorkload((options.get('sizes') ?? '256,1024,4096').split(',').map(Number)),
  'predict-latency': () => predictLatencyWorkload(),
  'gemm-shapes': () => gemmShapesWorkload(),
  'mlp-mnist-chromium': (options) => chromiumMnistWorkload(options),
};
/** Run by --workload=all: the five workloads of ../shared/bench. */
const DEFAULT_WORKLOADS = ['mlp-mnist', 'mlp-tiny', 'mlp-wide', 'gemm', 'predict-latency'];

// A reader that stops early (`npm run bench | head -1`) ends the run quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});

const options = parseArguments(process.argv.slice(2));
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
