export * from './metrics.js';
export * from './diagnostics.js';
export * from './losses.js';
export * from './types.js';
export { Trainer, fit, fitAsync } from './trainer.js';
export type { TrainerState } from './trainer.js';
export { toDataset } from './dataset.js';
