/**
 * Optimisers, learning-rate schedules and regularisation helpers. A training step:
 *
 *     const optimizer = createOptimizer('adam', model.parameters(), { lr: 1e-3 });
 *     const schedule = parseSchedule('warmup:5+cosine', { totalSteps: epochs });
 *     for (let epoch = 0; epoch < epochs; epoch++) {
 *       schedule.apply(optimizer, epoch);              // ε for this epoch (or call it per step)
 *       for (const batch of batches) {
 *         optimizer.zeroGrad();
 *         add(loss(batch), l2Penalty(model.parameters(), 1e-4)).backward();
 *         clipGradNorm(model.parameters(), 1);         // optional
 *         optimizer.step();
 *       }
 *       schedule.observe(validationLoss);              // used by reduce-on-plateau only
 *     }
 *
 * Checkpoints keep `optimizer.stateDict()` and `schedule.stateDict()` (plain JSON); loading them
 * into freshly built ones continues bit-identically.
 */
export { Optimizer } from './optimizer.js';
export type { BaseOptions, OptionValue, OptimizerConfig, OptimizerStateDict, ParamGroup, ParamGroupSpec, ParamsInput, ParameterState } from './optimizer.js';
export { SGD, SGD_DEFAULTS } from './sgd.js';
export type { SGDOptions, MomentumConvention } from './sgd.js';
export { Adagrad, ADAGRAD_DEFAULTS } from './adagrad.js';
export type { AdagradOptions } from './adagrad.js';
export { RMSprop, RMSPROP_DEFAULTS } from './rmsprop.js';
export type { RMSpropOptions } from './rmsprop.js';
export { Adam, AdamW, ADAM_DEFAULTS, ADAMW_DEFAULTS } from './adam.js';
export type { AdamOptions } from './adam.js';
export { createOptimizer, OPTIMIZER_NAMES } from './create.js';
export type { OptimizerName } from './create.js';
export type { JsonNumber } from './checks.js';
export { LrSchedule, ConstantLr, StepLr, MultiStepLr, ExponentialLr, InverseTimeLr, CosineAnnealingLr, LinearWarmup } from './schedules.js';
export type { ScheduleConfig, ScheduleStateDict } from './schedules.js';
export { ReduceLrOnPlateau } from './plateau.js';
export type { ReduceLrOnPlateauOptions } from './plateau.js';
export { parseSchedule, scheduleFromConfig, SCHEDULE_SPECS } from './parse-schedule.js';
export type { ParseScheduleOptions } from './parse-schedule.js';
export { clipGradNorm, clipGradValue } from './clip.js';
export { l1Penalty, l2Penalty, isWeight } from './penalty.js';
export type { PenaltyOptions } from './penalty.js';
