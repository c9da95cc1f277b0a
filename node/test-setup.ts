/**
 * Preloaded by `npm test` (node --import): registers the Node backends, and when BACKPROP_BACKEND
 * is set selects it, so `BACKPROP_BACKEND=native npm test` runs every test on the native backend.
 * Without it the tests run on the TypeScript backend (browsers default to the wasm backend where
 * they have WebAssembly SIMD; the suites run on it too, test/backends/suite-per-backend.test.ts).
 */
import { selectBackendFromEnvironment } from './backends.js';

selectBackendFromEnvironment('js');
