export * from './metrics.js';
export * from './diagnostics.js';
export * from './losses.js';
export * from './types.js';
export { Trainer, fit, fitAsync } from './trainer.js';
export type { TrainerState } from './trainer.js';
export { toDataset } from './dataset.js';
export { explainStep } from './explain.js';
export type { Explanation, ExplainedLayer, ExplainOptions } from './explain.js';
