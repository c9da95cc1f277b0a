export type { Backend, BinaryOp, DenseStack, DenseStackGradients, DenseStackLayer, DenseTrainingLayer, DenseTrainingPlan, DType, FloatArray, LabelArray, ReduceOp, UnaryOp } from './backend.js';
export {
  composedBiasActivationBackward, denseBackward, denseForward, denseStackSavedPerRow, derivativeUsesInput, softmaxCrossEntropyLabels, softmaxCrossEntropyLabelsBackward, withFallback,
} from './backend.js';
export { jsBackend } from './js/index.js';
export { createWasmBackend, createWasmBackendAsync } from './wasm/index.js';
export type { SpawnWorker, WasmBackendAsyncOptions, WasmBackendOptions, WorkerHandle } from './wasm/index.js';
export { erfc, normalCdf } from './js/special.js';
export { backend, backendNames, registerBackend, setBackend } from './registry.js';
