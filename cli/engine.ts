/**
 * The one place the command imports the engine from: the library plus the Node backends. The
 * backend itself is chosen by `selectEngineBackend` when the command starts (not on import), so
 * that a bad BACKPROP_BACKEND is reported like any other bad input.
 */
import { selectBackendFromEnvironment } from '../node/backends.js';
import { UsageError } from './errors.js';

export * from '../src/index.js';
export { nodeBackends } from '../node/backends.js';

/** The fastest backend available (native, then wasm, then TypeScript), or the one BACKPROP_BACKEND names. */
export function selectEngineBackend(): void {
  try {
    selectBackendFromEnvironment('auto');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
