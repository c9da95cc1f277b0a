import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

export type { Backend, BinaryOp, DType, FloatArray, ReduceOp, UnaryOp } from './backend.js';
export { composedBiasActivationBackward, denseBackward, denseForward, derivativeUsesInput, withFallback } from './backend.js';
export { jsBackend } from './js/index.js';
export { createWasmBackend } from './wasm/index.js';
export { erfc, normalCdf } from './js/special.js';

const registry = new Map<string, Backend>([['js', jsBackend]]);
let current: Backend = jsBackend;

/** The backend every tensor operation uses now. */
export function backend(): Backend {
  return current;
}

/** Makes a backend available to `setBackend` under its name (the faster backends register themselves when loaded). */
export function registerBackend(b: Backend): void {
  registry.set(b.name, b);
}

/** Names of the backends registered so far. */
export function backendNames(): string[] {
  return [...registry.keys()];
}

/** Selects the backend by name (or passes one in); returns the previous one. */
export function setBackend(which: string | Backend): Backend {
  const previous = current;
  if (typeof which === 'string') {
    const found = registry.get(which);
    if (!found) throw new Error(`setBackend: unknown backend ${JSON.stringify(which)}; available: ${[...registry.keys()].join(', ')}`);
    current = found;
  } else {
    current = which;
  }
  return previous;
}
