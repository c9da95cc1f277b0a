/**
 * The page side of the Chromium benchmark (bundled by bench/browser.ts with esbuild): trains
 * mlp-mnist with bench/workloads.ts on the backend named in the query (?backend=wasm|js&runs=3,
 * and &threads=2 for the wasm backend's worker, awaited with createWasmBackendAsync before any
 * timing) and leaves { rates, backend, threads } or { error } in globalThis.benchResult.
 */
import { backend, createWasmBackend, createWasmBackendAsync, setBackend } from '../src/index.js';
import { mnistTrainingRates } from './workloads.js';

interface PageGlobals {
  location: { search: string };
  performance: { now(): number };
  benchResult?: unknown;
}

const page = globalThis as unknown as PageGlobals;
const query = new URLSearchParams(page.location.search);
try {
  if (query.get('backend') === 'wasm') setBackend(query.get('threads') === '2' ? await createWasmBackendAsync({ threads: 2 }) : createWasmBackend());
  const rates = mnistTrainingRates(() => page.performance.now() / 1000, Number(query.get('runs') ?? '3'));
  page.benchResult = { rates, backend: backend().name, threads: backend().threads };
} catch (error) {
  page.benchResult = { error: String(error) };
}
