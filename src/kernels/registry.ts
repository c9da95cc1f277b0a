/**
 * The backend registry: which backend the operations use (`backend()`), the named backends
 * (`setBackend(name)`), and the default made on first use. src/kernels/index.ts re-exports the
 * public part; `installBackend` is for Node's entry (node/backends.ts), which selects a backend
 * at import without making the default first.
 */
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';
import { createWasmBackend } from './wasm/index.js';

const registry = new Map<string, Backend>([['js', jsBackend]]);
/** The backend in use; null until the first `backend()`, `setBackend()` or `installBackend()` (see defaultBackend). */
let current: Backend | null = null;

/** The backend every tensor operation uses now (on first use, the default: see defaultBackend). */
export function backend(): Backend {
  return current ?? (current = defaultBackend());
}

/** The names a wasm backend registers under (with and without relaxed SIMD). */
const WASM_NAMES = ['wasm-relaxed', 'wasm'];

/**
 * The backend used where nobody chose one (browsers, workers, and runtimes other than Node's entry,
 * which selects its own when imported): WebAssembly SIMD on one thread where the runtime has it
 * (a wasm backend already registered, if any), else TypeScript. The wasm backend leaves tiny
 * products and small arrays to the TypeScript kernels, so it is not slower than the TypeScript
 * backend on any shape measured (bench/README.md). `setBackend('js')` chooses TypeScript.
 */
function defaultBackend(): Backend {
  for (const name of WASM_NAMES) {
    const registered = registry.get(name);
    if (registered) return registered;
  }
  try {
    const wasm = createWasmBackend();
    registerBackend(wasm);
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
  installBackend(which);
  return previous;
}

/** `setBackend` without making the default first when none is in use (for Node's entry at import). */
export function installBackend(which: string | Backend): void {
  if (typeof which === 'string') {
    const found = registry.get(which);
    if (!found) throw new Error(`setBackend: unknown backend ${JSON.stringify(which)}; available: ${[...registry.keys()].join(', ')}`);
    current = found;
  } else {
    current = which;
  }
}
