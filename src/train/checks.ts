import { Dense, Sequential } from '../nn/index.js';
import type { Module } from '../nn/index.js';
import { Tensor } from '../tensor/index.js';
import { ShapeError, ValueError, checkKnownKeys, checkNumber, formatShape, formatValue } from '../util/errors.js';
import { firstNonFinite } from './guard.js';
import { LOSSES, outputActivationProblem } from './losses.js';
import type { LossDefinition, Targets } from './losses.js';
import type { Dataset, FitOptions } from './types.js';

const FIT_OPTIONS: readonly (keyof FitOptions)[] = [
  'loss', 'optimizer', 'epochs', 'batchSize', 'shuffle', 'seed', 'validationData', 'validationSplit', 'schedule', 'scheduleUnit',
  'l1', 'l2', 'clipNorm', 'clipValue', 'earlyStopping', 'targetLoss', 'timeLimitMs', 'diagnostics', 'nanGuard', 'fused',
  'onBatchEnd', 'onSteps', 'onEpochEnd', 'now',
];

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return formatValue(value);
  return (value as object).constructor?.name ?? 'an object';
}

/** Row count of targets. */
export function targetRows(y: Targets): number {
  return y instanceof Tensor ? y.shape[0] : y.length;
}

/** The number of outputs of the model's last Dense layer, when it has one. */
function outputUnits(model: Module): number | null {
  const dense = model.namedModules().filter(([, m]) => m instanceof Dense);
  return dense.length > 0 ? (dense[dense.length - 1][1] as Dense).units : null;
}

/**
 * Checks a data set against the loss and the model, naming the row and value of the first problem:
 * x a finite 2-D tensor; y a tensor (same rows, finite) or an Int32Array of labels in
 * [0, outputs) for losses that take labels.
 */
export function checkDataset(where: string, data: Dataset, loss: LossDefinition & { name?: string }, model: Module): void {
  if (!(data?.x instanceof Tensor) || data.x.rank !== 2) throw new ShapeError(`${where}: x must be a 2-D tensor [samples, features], got ${data?.x instanceof Tensor ? formatShape(data.x.shape) : describe(data?.x)}`);
  if (!(data.y instanceof Tensor) && !(data.y instanceof Int32Array)) {
    throw new ValueError(`${where}: y must be a Tensor of targets or an Int32Array of class labels, got ${describe(data.y)}`);
  }
  if (targetRows(data.y) !== data.x.shape[0]) throw new ShapeError(`${where}: x has ${data.x.shape[0]} rows but y has ${targetRows(data.y)}`);
  if (loss.targets === 'labels' && !(data.y instanceof Int32Array)) {
    const y = data.y;
    const hint = y.rank === 2 && y.shape[1] > 1 ? `; for one-hot rows use argmax(y), which gives their labels` : y.rank <= 2 ? '; for labels held as numbers use Int32Array.from(y.data)' : '';
    throw new ValueError(`${where}: this loss takes integer class labels (an Int32Array) as y, got a Tensor ${formatShape(y.shape)}${hint}`);
  }
  if (loss.targets === 'values' && data.y instanceof Int32Array && loss.name !== undefined && Object.prototype.hasOwnProperty.call(LOSSES, loss.name)) {
    const n = data.y.length;
    throw new ValueError(
      `${where}: loss ${loss.name} takes y as a tensor of targets shaped like the model's output, got an Int32Array of class labels; ` +
        (loss.name.startsWith('binaryCrossEntropy') ? `for 0/1 labels use new Tensor(Float32Array.from(y), [${n}, 1])` : 'use softmaxCrossEntropy for class labels, or give a Tensor of target values'),
    );
  }
  const weights = model.parameters();
  if (weights.length > 0 && data.x.dtype !== weights[0].dtype) {
    throw new ValueError(`${where}: x is ${data.x.dtype} but the model's parameters are ${weights[0].dtype}; convert the data with x.to('${weights[0].dtype}'), or build the model with dtype '${data.x.dtype}' (e.g. mlp({ …, dtype: '${data.x.dtype}' }))`);
  }
  const named = loss.name !== undefined && Object.prototype.hasOwnProperty.call(LOSSES, loss.name);
  if (named && data.y instanceof Tensor && weights.length > 0 && data.y.dtype !== weights[0].dtype) {
    throw new ValueError(`${where}: y is ${data.y.dtype} but the model's parameters are ${weights[0].dtype}; convert the targets with y.to('${weights[0].dtype}')`);
  }
  const features = data.x.shape[1];
  const inputs = data.x.data;
  const badInput = firstNonFinite(inputs);
  if (badInput >= 0) throw new ValueError(`${where}: x[${Math.floor(badInput / features)}][${badInput % features}] is ${inputs[badInput]}; inputs must be finite`);
  if (data.y instanceof Tensor) {
    const targets = data.y.data;
    const badTarget = firstNonFinite(targets);
    if (badTarget >= 0) throw new ValueError(`${where}: y element ${badTarget} is ${targets[badTarget]}; targets must be finite`);
    if (loss.name === 'binaryCrossEntropy' || loss.name === 'binaryCrossEntropyWithLogits') {
      const outside = targets.findIndex((t) => t < 0 || t > 1);
      if (outside >= 0) throw new ValueError(`${where}: y element ${outside} is ${targets[outside]}; ${loss.name} takes targets in [0, 1]`);
    }
  } else {
    const classes = outputUnits(model);
    for (let i = 0; i < data.y.length; i++) {
      const label = data.y[i];
      if (label < 0 || (classes !== null && label >= classes)) {
        throw new ValueError(`${where}: label ${label} in row ${i} is outside [0, ${classes ?? '∞'})${classes !== null ? ` for a model with ${classes} outputs` : ''}`);
      }
    }
  }
}

/** The activation of the model's output layer: a Dense model's, or a Sequential's whose last layer is Dense; else null. */
function outputActivation(model: Module): string | null {
  const last = model instanceof Sequential ? model.layers[model.layers.length - 1] : model;
  return last instanceof Dense ? last.activation.name : null;
}

/** Refuses a named loss with an output activation that does not suit it (see outputActivationProblem). */
export function checkLossAndOutput(loss: LossDefinition & { name: string }, model: Module): void {
  const activation = outputActivation(model);
  const problem = activation === null ? null : outputActivationProblem(loss.name, activation);
  if (problem !== null) throw new ValueError(`fit: loss ${loss.name} with the model's output activation ${activation}: it ${problem}`);
}

/** Validates the options fit reads itself (the optimiser and schedule validate their own). */
export function checkFitOptions(options: FitOptions, model: Module, hasValidation: boolean, measuresAccuracy: boolean): void {
  checkKnownKeys('fit', options, FIT_OPTIONS);
  const optimizer = options.optimizer as { step?: unknown; parameters?: unknown } | undefined;
  if (!optimizer || typeof optimizer.step !== 'function') throw new ValueError(`fit: optimizer must be an Optimizer (e.g. new Adam(model.parameters())), got ${describe(options.optimizer)}`);
  const updated = new Set(Array.isArray(optimizer.parameters) ? (optimizer.parameters as Tensor[]) : []);
  const params = model.parameters();
  if (params.length > 0 && !params.some((p) => updated.has(p))) {
    throw new ValueError('fit: the optimizer updates none of the model\'s parameters (was it built over another model\'s parameters? use new Adam(model.parameters()))');
  }
  checkNumber('fit', 'epochs', options.epochs ?? 100, { min: 0, integer: true });
  checkNumber('fit', 'seed', options.seed ?? 0, { integer: true });
  if (options.batchSize !== undefined && options.batchSize !== 'full') checkNumber('fit', 'batchSize', options.batchSize, { min: 1, integer: true });
  if (options.validationSplit !== undefined && options.validationSplit !== 0) {
    checkNumber('fit', 'validationSplit', options.validationSplit, { min: 0, max: 1, exclusiveMin: true, exclusiveMax: true });
    if (options.validationData) throw new ValueError('fit: give validationData or validationSplit, not both');
  }
  for (const key of ['l1', 'l2'] as const) if (options[key] !== undefined) checkNumber('fit', key, options[key], { min: 0 });
  if (options.clipNorm !== undefined) checkNumber('fit', 'clipNorm', options.clipNorm, { min: 0, exclusiveMin: true });
  if (options.clipValue !== undefined) checkNumber('fit', 'clipValue', options.clipValue, { min: 0, exclusiveMin: true });
  if (options.targetLoss !== undefined) checkNumber('fit', 'targetLoss', options.targetLoss);
  if (options.fused !== undefined && options.fused !== true && options.fused !== false && options.fused !== 'stepwise') {
    throw new ValueError(`fit: fused must be true, false or "stepwise", got ${formatValue(options.fused)}`);
  }
  if (options.timeLimitMs !== undefined) checkNumber('fit', 'timeLimitMs', options.timeLimitMs, { min: 0 });
  const schedule = options.schedule as unknown;
  if (schedule !== undefined && (schedule === null || typeof schedule !== 'object' || typeof (schedule as { apply?: unknown }).apply !== 'function')) {
    const hint = typeof schedule === 'string' ? `parseSchedule(${JSON.stringify(schedule)})` : "an LrSchedule, e.g. parseSchedule('exp:0.95') or new StepLr(…)";
    throw new ValueError(`fit: schedule must be ${hint}, got ${describe(schedule)}`);
  }
  if (options.scheduleUnit !== undefined && options.scheduleUnit !== 'epoch' && options.scheduleUnit !== 'step') {
    throw new ValueError(`fit: scheduleUnit must be "epoch" or "step", got ${formatValue(options.scheduleUnit)}`);
  }
  const es = options.earlyStopping;
  if (es) {
    checkKnownKeys('fit: earlyStopping', es, ['patience', 'minDelta', 'monitor', 'restoreBestWeights']);
    checkNumber('fit', 'earlyStopping.patience', es.patience, { min: 0, integer: true });
    if (es.minDelta !== undefined) checkNumber('fit', 'earlyStopping.minDelta', es.minDelta, { min: 0 });
    const monitor = es.monitor ?? (hasValidation ? 'valLoss' : 'loss');
    if (!['valLoss', 'loss', 'valAccuracy', 'accuracy'].includes(monitor)) throw new ValueError(`fit: earlyStopping.monitor must be valLoss, loss, valAccuracy or accuracy, got ${formatValue(monitor)}`);
    if (monitor.startsWith('val') && !hasValidation) throw new ValueError(`fit: earlyStopping.monitor is ${monitor} but there is no validation data (give validationData or validationSplit)`);
    if (monitor.endsWith('ccuracy') && !measuresAccuracy) throw new ValueError(`fit: earlyStopping.monitor ${monitor} needs class labels or a binary cross-entropy loss; monitor valLoss or loss instead`);
  }
}
