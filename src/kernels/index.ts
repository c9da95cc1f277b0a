import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

export type { Backend, BinaryOp, DType, FloatArray, ReduceOp, UnaryOp } from './backend.js';
export { composedBiasActivationBackward, denseBackward, denseForward, derivativeUsesInput, withFallback } from './backend.js';
export { jsBackend } from './js/index.js';
export { createWasmBackend } from './wasm/index.js';
import { createWasmBackend } from './wasm/index.js';
export { erfc, normalCdf } from './js/special.js';

const registry = new Map<string, Backend>([['js', jsBackend]]);
/** The backend in use; null until the first `backend()` or `setBackend()` (see defaultBackend). */
let current: Backend | null = null;

/** The backend every tensor operation uses now (on first use, the default: see defaultBackend). */
export function backend(): Backend {
  return current ?? (current = defaultBackend());
}

/**
 * The backend used where nobody chose one (browsers, workers, and runtimes other than Node's entry,
 * which selects its own when imported): WebAssembly SIMD on one thread where the runtime has it,
 * else TypeScript. The wasm backend leaves tiny products and small arrays to the TypeScript
 * kernels, so it is not slower than the TypeScript backend on any shape measured
 * (bench/README.md). `setBackend('js')` chooses TypeScript.
 */
function defaultBackend(): Backend {
  try {
    const wasm = createWasmBackend();
    // A backend registered under that name already (Node's, with its worker thread) stays the named one.
    if (!registry.has(wasm.name)) registerBackend(wasm);
    return wasm;
  } catch {
    return jsBackend;
  }
}

/** Makes a backend available to `setBackend` under its name (the faster backends register themselves when loaded). */
export function registerBackend(b: Backend): void {
  registry.set(b.name, b);
}

/** Names of the backends registered so far. */
export function backendNames(): string[] {
  return [...registry.keys()];
}

/**
 * Selects the backend by name (or passes one in); returns the previous one (the default, made
 * then, when none was in use yet).
 */
export function setBackend(which: string | Backend): Backend {
  const previous = backend();
  if (typeof which === 'string') {
    const found = registry.get(which);
    if (!found) throw new Error(`setBackend: unknown backend ${JSON.stringify(which)}; available: ${[...registry.keys()].join(', ')}`);
    current = found;
  } else {
    current = which;
  }
  return previous;
}
