/**
 * The Node entry of backprop (package.json `exports` condition "node"): the whole library plus the
 * Node-only backends. Importing it loads the native addon when it is built and selects the fastest
 * backend available, or the one named by BACKPROP_BACKEND (js, wasm, native or auto).
 */
import { selectBackendFromEnvironment } from './backends.js';

export * from '../src/index.js';
export { nodeBackends, selectBackend, selectBackendFromEnvironment, spawnNodeWorker } from './backends.js';
export type { BackendAvailability, BackendFamily } from './backends.js';
export { writeTextAtomic, saveModel, loadModel, saveTrainerState, loadTrainerState } from './files.js';

selectBackendFromEnvironment('auto');
