/**
 * Backend selection in Node: loads the backends that need Node (the native addon) and picks one.
 * Order for "auto": native, then wasm, then js. `BACKPROP_BACKEND=js|wasm|native|auto` overrides.
 */
import { backend, createWasmBackend, jsBackend, registerBackend } from '../src/kernels/index.js';
import { installBackend } from '../src/kernels/registry.js';
import type { Backend, WorkerHandle } from '../src/kernels/index.js';
import { Worker } from 'node:worker_threads';
import { createNativeBackend } from './native.js';

/**
 * Runs a Web Worker's source in a worker thread: `self.onmessage` receives the first message (the
 * port holds it until the listener is attached). A dynamic import rather than `require`: the
 * evaluated source is read as an ES module when the parent ran with `--input-type=module` (as
 * `node --input-type=module -e …` does), which a worker inherits.
 */
const WEB_WORKER_BRIDGE = "globalThis.self = globalThis; import('node:worker_threads').then(({ parentPort }) => parentPort.once('message', (data) => self.onmessage({ data })));\n";

/**
 * The wasm backend's helper thread in Node; unref'd so it never keeps the process alive. Typed as
 * the backend's WorkerHandle so that the package's declarations need no Node types.
 */
export function spawnNodeWorker(source: string): WorkerHandle {
  const worker = new Worker(WEB_WORKER_BRIDGE + source, { eval: true });
  worker.unref();
  return worker;
}

/** A backend family and what loading it gave: the backend, or why it is unavailable. */
export interface BackendAvailability {
  family: BackendFamily;
  backend: Backend | null;
  problem: string | null;
}

export type BackendFamily = 'native' | 'wasm' | 'js';
const FAMILIES: readonly BackendFamily[] = ['native', 'wasm', 'js'];

let availability: BackendAvailability[] | null = null;

/**
 * The wasm backend's threads in Node: BACKPROP_WASM_THREADS (1 or 2), by default 2 (a worker
 * thread, started with the first product large enough to share; see createWasmBackend).
 */
function wasmThreadsFromEnvironment(): number {
  const value = process.env.BACKPROP_WASM_THREADS?.trim();
  if (!value) return 2;
  if (value === '1' || value === '2') return Number(value);
  throw new Error(`BACKPROP_WASM_THREADS must be 1 or 2, got ${JSON.stringify(value)}`);
}

function tryLoad(family: BackendFamily, load: () => Backend): BackendAvailability {
  try {
    const loaded = load();
    registerBackend(loaded);
    return { family, backend: loaded, problem: null };
  } catch (error) {
    const notBuilt = (error as { code?: string }).code === 'MODULE_NOT_FOUND';
    const message = notBuilt
      ? `the ${family} addon is not built (npm run build:native; needs a C++ compiler)`
      : error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { family, backend: null, problem: message };
  }
}

/** Loads and registers every backend this process can use (once); reports each family, best first. */
export function nodeBackends(): readonly BackendAvailability[] {
  availability ??= [
    tryLoad('native', () => createNativeBackend()),
    tryLoad('wasm', () => createWasmBackend({ threads: wasmThreadsFromEnvironment(), spawnWorker: spawnNodeWorker })),
    { family: 'js', backend: jsBackend, problem: null },
  ];
  return availability;
}

/**
 * Makes `request` the backend of every following operation and returns it: "auto" (the fastest
 * available), a family ("native", "wasm", "js") or a registered backend name ("native-avx512").
 * Throws naming the request and what is available when it cannot be used.
 */
export function selectBackend(request: string): Backend {
  const available = nodeBackends();
  const usable = available.filter((entry) => entry.backend !== null).map((entry) => entry.backend as Backend);
  if (request === 'auto') {
    installBackend(usable[0]);
    return backend();
  }
  const family = available.find((entry) => entry.family === request);
  if (family) {
    if (!family.backend) {
      throw new Error(`backend ${JSON.stringify(request)} is not available here: ${family.problem}; available: ${usable.map((b) => b.name).join(', ')}`);
    }
    installBackend(family.backend);
    return backend();
  }
  const named = usable.find((b) => b.name === request);
  if (!named) {
    throw new Error(`unknown backend ${JSON.stringify(request)}; expected one of auto, ${FAMILIES.join(', ')} (available here: ${usable.map((b) => b.name).join(', ')})`);
  }
  installBackend(named);
  return backend();
}

/** Selects the backend named by the BACKPROP_BACKEND environment variable, or `fallback` when it is unset or empty. */
export function selectBackendFromEnvironment(fallback: string): Backend {
  const requested = process.env.BACKPROP_BACKEND?.trim();
  try {
    return selectBackend(requested ? requested : fallback);
  } catch (error) {
    if (!requested) throw error;
    throw new Error(`BACKPROP_BACKEND=${requested}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
