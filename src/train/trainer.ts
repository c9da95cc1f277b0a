import { noGrad } from '../autograd/index.js';
import type { FloatArray } from '../kernels/index.js';
import { Dense, recordActivations } from '../nn/index.js';
import type { Module } from '../nn/index.js';
import { add, gatherRows } from '../ops/index.js';
import { clipGradNorm, clipGradValue, l1Penalty, l2Penalty } from '../optim/index.js';
import type { OptimizerStateDict, ScheduleStateDict } from '../optim/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import { BackpropError, ShapeError, ValueError, checkNumber, formatShape, formatValue } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { RngState } from '../util/rng.js';
import { stratifiedTrainValidationSplit, trainValidationSplit } from '../data/index.js';
import { LayerHealth, healthWarnings, measureLayer } from './diagnostics.js';
import type { HealthThresholds } from './diagnostics.js';
import { FusedTrainingStep, fusedStepBlocker, fusedTrainingStep } from './fused.js';
import { FusedPenalty } from './fused-penalty.js';
import { NonFiniteGuard, locateNonFinite } from './guard.js';
import { LossDefinition, Targets, resolveLoss } from './losses.js';
import type { Dataset, EpochRecord, FitOptions, FitResult, StopReason } from './types.js';

/** Everything needed to continue a run exactly where it stopped (at an epoch boundary). */
export interface TrainerState {
  format: 'backprop.trainer-state';
  version: 1;
  /** Completed epochs. */
  epoch: number;
  step: number;
  elapsedMs: number;
  shuffleRng: RngState;
  moduleRngs: Record<string, RngState>;
  optimizer: OptimizerStateDict;
  schedule: ScheduleStateDict | null;
  earlyStopping: { best: number | null; bestEpoch: number | null; wait: number; bestWeights: Record<string, number[]> | null } | null;
  history: EpochRecord[];
  /** Parameter values by name (float32 values are exact in JSON). */
  parameters: Record<string, number[]>;
}

const EVAL_BATCH = 1024;

/** Row count of targets. */
function targetRows(y: Targets): number {
  return y instanceof Tensor ? y.shape[0] : y.length;
}

function checkDataset(where: string, data: Dataset, loss: LossDefinition): void {
  if (!(data?.x instanceof Tensor) || data.x.rank !== 2) throw new ShapeError(`${where}: x must be a 2-D tensor [samples, features], got ${data?.x instanceof Tensor ? formatShape(data.x.shape) : formatValue(data?.x)}`);
  if (!(data.y instanceof Tensor) && !(data.y instanceof Int32Array)) throw new ValueError(`${where}: y must be a Tensor or an Int32Array of class labels`);
  if (targetRows(data.y) !== data.x.shape[0]) throw new ShapeError(`${where}: x has ${data.x.shape[0]} rows but y has ${targetRows(data.y)}`);
  if (loss.targets === 'labels' && !(data.y instanceof Int32Array)) throw new ValueError(`${where}: this loss takes integer class labels (an Int32Array) as y`);
  for (let i = 0; i < data.x.size; i++) {
    if (!Number.isFinite(data.x.data[i])) {
      const features = data.x.shape[1];
      throw new ValueError(`${where}: x[${Math.floor(i / features)}][${i % features}] is ${data.x.data[i]}; inputs must be finite`);
    }
  }
  if (data.y instanceof Tensor) for (let i = 0; i < data.y.size; i++) if (!Number.isFinite(data.y.data[i])) throw new ValueError(`${where}: y element ${i} is ${data.y.data[i]}; targets must be finite`);
}

/** Picks rows of a dataset (a copy; used once for the validation split, never per step). */
function subset(data: Dataset, rows: Int32Array): Dataset {
  return { x: noGrad(() => gatherRows(data.x, rows)), y: data.y instanceof Tensor ? noGrad(() => gatherRows(data.y as Tensor, rows)) : Int32Array.from(rows, (r) => (data.y as Int32Array)[r]) };
}

/**
 * Trains a model by mini-batch gradient descent: per step, forward a batch, average the loss over
 * it, backpropagate, (clip,) update; per epoch, evaluate, schedule, check early stopping and
 * gradient health. `fit()` runs synchronously, `fitAsync()` yields to the event loop between
 * steps so a page stays responsive; both run the same steps. `state()` after any epoch and
 * `restore(state)` before running give a continuation bit-identical to an uninterrupted run.
 */
export class Trainer {
  readonly model: Module;
  readonly options: Readonly<FitOptions>;
  private readonly loss: LossDefinition & { name: string };
  private readonly train: Dataset;
  private readonly validation: Dataset | null;
  private readonly epochs: number;
  private readonly batchSize: number;
  private readonly shuffleRng: Rng;
  private readonly now: () => number;
  private readonly diagnostics: HealthThresholds | null;
  private readonly guard: NonFiniteGuard | null;
  private readonly params: Tensor[];
  /** The fused step when training steps take it (see `unfusedReason`). */
  private readonly fusedStep: FusedTrainingStep | null;
  /** The l1/l2 penalties for the fused step, when any. */
  private readonly fusedPenalty: FusedPenalty | null;
  /**
   * Why training steps go through the autograd graph rather than the fused, allocation-free step
   * (src/train/fused.ts), or null when they take the fused step. Both give bit-identical results.
   */
  readonly unfusedReason: string | null;
  private epoch = 0;
  private step = 0;
  private elapsedMs = 0;
  readonly history: EpochRecord[] = [];
  private early: { best: number | null; bestEpoch: number | null; wait: number; bestWeights: FloatArray[] | null } | null = null;
  private stopRequested: StopReason | null = null;

  constructor(model: Module, data: Dataset, options: FitOptions) {
    if (!options || typeof options !== 'object') throw new ValueError(`fit: options must be an object, got ${formatValue(options)}`);
    this.model = model;
    this.options = options;
    this.loss = resolveLoss(options.loss, 'fit: loss');
    if (!options.optimizer || typeof (options.optimizer as { step?: unknown }).step !== 'function') throw new ValueError('fit: optimizer must be an Optimizer (e.g. new Adam(model.parameters()))');
    checkDataset('fit: training data', data, this.loss);
    this.epochs = checkNumber('fit', 'epochs', options.epochs ?? 100, { min: 0, integer: true });
    const seed = checkNumber('fit', 'seed', options.seed ?? 0, { integer: true });
    const root = new Rng(seed);
    const splitRng = root.fork();
    this.shuffleRng = root.fork();
    let train = data;
    let validation = options.validationData ?? null;
    if (options.validationSplit !== undefined && options.validationSplit !== 0) {
      const share = checkNumber('fit', 'validationSplit', options.validationSplit, { min: 0, max: 1, exclusiveMin: true });
      if (validation) throw new ValueError('fit: give validationData or validationSplit, not both');
      if (share >= 1) throw new ValueError(`fit: validationSplit must be < 1, got ${share}`);
      const split = data.y instanceof Int32Array ? stratifiedTrainValidationSplit(data.y, share, splitRng) : trainValidationSplit(data.x.shape[0], share, splitRng);
      train = subset(data, split.train);
      validation = subset(data, split.validation);
    }
    if (validation) checkDataset('fit: validation data', validation, this.loss);
    this.train = train;
    this.validation = validation;
    const n = train.x.shape[0];
    if (n === 0) throw new ValueError('fit: the training data has no rows');
    const batchOption = options.batchSize ?? 32;
    this.batchSize = batchOption === 'full' ? n : Math.min(n, checkNumber('fit', 'batchSize', batchOption, { min: 1, integer: true }));
    for (const key of ['l1', 'l2'] as const) if (options[key] !== undefined) checkNumber('fit', key, options[key], { min: 0 });
    if (options.clipNorm !== undefined) checkNumber('fit', 'clipNorm', options.clipNorm, { min: 0, exclusiveMin: true });
    if (options.clipValue !== undefined) checkNumber('fit', 'clipValue', options.clipValue, { min: 0, exclusiveMin: true });
    if (options.targetLoss !== undefined) checkNumber('fit', 'targetLoss', options.targetLoss);
    if (options.timeLimitMs !== undefined) checkNumber('fit', 'timeLimitMs', options.timeLimitMs, { min: 0 });
    if (options.scheduleUnit !== undefined && options.scheduleUnit !== 'epoch' && options.scheduleUnit !== 'step') {
      throw new ValueError(`fit: scheduleUnit must be "epoch" or "step", got ${formatValue(options.scheduleUnit)}`);
    }
    if (options.earlyStopping) {
      const es = options.earlyStopping;
      checkNumber('fit', 'earlyStopping.patience', es.patience, { min: 0, integer: true });
      if (es.minDelta !== undefined) checkNumber('fit', 'earlyStopping.minDelta', es.minDelta, { min: 0 });
      const monitor = es.monitor ?? (validation ? 'valLoss' : 'loss');
      if (!['valLoss', 'loss', 'valAccuracy', 'accuracy'].includes(monitor)) throw new ValueError(`fit: earlyStopping.monitor must be valLoss, loss, valAccuracy or accuracy, got ${formatValue(monitor)}`);
      if (monitor.startsWith('val') && !validation) throw new ValueError(`fit: earlyStopping.monitor is ${monitor} but there is no validation data (give validationData or validationSplit)`);
      this.early = { best: null, bestEpoch: null, wait: 0, bestWeights: null };
    }
    this.now = options.now ?? (() => performance.now());
    this.diagnostics = options.diagnostics === false ? null : options.diagnostics === true || options.diagnostics === undefined ? {} : options.diagnostics;
    this.params = model.parameters();
    this.guard = options.nanGuard === false ? null : new NonFiniteGuard(this.params);
    this.unfusedReason = options.fused === false ? 'the option fused is false' : fusedStepBlocker(model, options.loss);
    this.fusedStep = this.unfusedReason === null ? fusedTrainingStep(model, options.loss) : null;
    if (this.fusedStep && !this.fusedStep.accepts(train.x, train.y)) {
      // The autograd path reports what is wrong with the data.
      this.fusedStep = null;
      this.unfusedReason = 'the data does not fit the model';
    }
    this.fusedPenalty = this.fusedStep && (options.l1 || options.l2) ? new FusedPenalty(this.params, options.l1 ?? 0, options.l2 ?? 0) : null;
  }

  /** Trains to the end synchronously. */
  fit(): FitResult {
    const run = this.run();
    let next = run.next();
    while (!next.done) next = run.next();
    return next.value;
  }

  /** Trains to the end, yielding to the event loop at least every `yieldEveryMs` (default 15 ms). */
  async fitAsync(yieldEveryMs = 15): Promise<FitResult> {
    const run = this.run();
    let last = this.now();
    let next = run.next();
    while (!next.done) {
      if (this.now() - last >= yieldEveryMs) {
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        last = this.now();
      }
      next = run.next();
    }
    return next.value;
  }

  /** Asks a running fit to stop after the current step (e.g. from a UI button). */
  requestStop(): void {
    this.stopRequested = 'callback';
  }

  /** The steps of training, one `yield` per step. */
  private *run(): Generator<void, FitResult> {
    const { model, options } = this;
    const n = this.train.x.shape[0];
    const features = this.train.x.shape[1];
    const batches = Math.ceil(n / this.batchSize);
    const order = new Int32Array(n);
    const fullBatch = this.makeBatch(this.batchSize, features);
    const lastSize = n - (batches - 1) * this.batchSize;
    const lastBatch = lastSize === this.batchSize ? fullBatch : this.makeBatch(lastSize, features);
    const fused = this.fusedStep;
    const penalty = this.fusedPenalty;
    const denseLayers = model.namedModules().filter((entry): entry is [string, Dense] => entry[1] instanceof Dense);
    const layerNames = denseLayers.map(([path, layer]) => `${path || 'model'} ${layer}`);
    const previousWeights = this.diagnostics ? denseLayers.map(([, layer]) => allocate(layer.weight.dtype, layer.weight.size)) : [];
    const started = this.now() - this.elapsedMs;
    let stoppedBy: StopReason = 'epochs';
    let problem: string | null = null;

    // A run resumed from the state of its stopping epoch stops again at once.
    if (this.earlyStopDue()) stoppedBy = 'earlyStopping';
    training: while (this.epoch < this.epochs && stoppedBy === 'epochs') {
      const epochStart = this.now();
      const epochNumber = this.epoch + 1;
      model.train();
      if (options.schedule && (options.scheduleUnit ?? 'epoch') === 'epoch') options.schedule.apply(options.optimizer, this.epoch);
      for (let i = 0; i < n; i++) order[i] = i;
      if (options.shuffle ?? true) this.shuffleRng.shuffle(order);
      let lossSum = 0;
      let seen = 0;
      let correct = 0;
      let health: LayerHealth[] | null = null;
      for (let b = 0; b < batches; b++) {
        const batch = b === batches - 1 ? lastBatch : fullBatch;
        const start = b * this.batchSize;
        this.fillBatch(batch, order, start);
        if (options.schedule && options.scheduleUnit === 'step') options.schedule.apply(options.optimizer, this.step);
        const measure = this.diagnostics !== null && b === batches - 1;
        // The fused step keeps z and a of every layer in its buffers; the graph records them on the layers.
        if (measure && !fused) recordActivations(model, true);
        options.optimizer.zeroGrad();
        let lossValue: number;
        let totalValue: number;
        let graph: { output: Tensor; total: Tensor } | null = null;
        if (fused) {
          lossValue = fused.forward(batch.x, batch.y);
          totalValue = penalty ? penalty.totalLoss(lossValue) : lossValue;
        } else {
          const output = model.forward(batch.x);
          const dataLoss = this.loss.fn(output, batch.y);
          let total = dataLoss;
          if (options.l1) total = add(total, l1Penalty(this.params, options.l1));
          if (options.l2) total = add(total, l2Penalty(this.params, options.l2));
          lossValue = dataLoss.item();
          totalValue = total.item();
          graph = { output, total };
        }
        const badLoss = Number.isFinite(totalValue) ? null : this.guard?.checkLoss(totalValue, epochNumber, this.step + 1, options.optimizer.lr, () => locateNonFinite(model, batch.x)) ?? null;
        if (badLoss) {
          problem = badLoss;
          stoppedBy = 'nonFinite';
          if (measure) recordActivations(model, false);
          break training;
        }
        if (graph) {
          graph.total.backward();
        } else {
          penalty?.addGradients();
          fused!.backward();
        }
        const badGradient = this.guard?.checkGradients(epochNumber, this.step + 1, options.optimizer.lr) ?? null;
        if (badGradient) {
          problem = badGradient;
          stoppedBy = 'nonFinite';
          if (measure) recordActivations(model, false);
          break training;
        }
        if (options.clipNorm !== undefined) clipGradNorm(this.params, options.clipNorm);
        if (options.clipValue !== undefined) clipGradValue(this.params, options.clipValue);
        if (measure) denseLayers.forEach(([, layer], i) => previousWeights[i].set(layer.weight.data));
        this.guard?.snapshot();
        options.optimizer.step();
        this.step++;
        const badWeight = this.guard?.checkWeights(epochNumber, this.step, options.optimizer.lr) ?? null;
        if (badWeight) {
          problem = badWeight;
          stoppedBy = 'nonFinite';
          if (measure) recordActivations(model, false);
          break training;
        }
        if (measure) {
          health = denseLayers.map(([, layer], i) => {
            const recorded = fused ? fused.forwardRecord(layer, batch.size) : layer.lastForward && { preActivation: layer.lastForward.preActivation.data, activation: layer.lastForward.activation.data };
            return measureLayer(
              {
                name: layerNames[i],
                weights: layer.weight.data,
                gradWeights: layer.weight.grad?.data ?? null,
                activation: layer.activation.name,
                preActivation: recorded?.preActivation ?? null,
                output: recorded?.activation ?? null,
                units: layer.units,
              },
              previousWeights[i],
            );
          });
          if (!fused) recordActivations(model, false);
        }
        lossSum += lossValue * batch.size;
        seen += batch.size;
        correct += graph ? this.countCorrect(graph.output.data, graph.output.shape[1], batch.y) : this.countCorrect(fused!.output(batch.size), fused!.outputs, batch.y);
        options.onBatchEnd?.({ epoch: epochNumber, step: this.step, batch: b, batches, loss: lossValue, lr: options.optimizer.lr, stop: () => (this.stopRequested = 'callback') });
        if (options.timeLimitMs !== undefined && this.now() - started >= options.timeLimitMs) this.stopRequested ??= 'timeLimit';
        if (this.stopRequested) break;
        yield;
      }
      this.epoch++;
      const trainMetrics: Record<string, number> = {};
      if (this.measuresAccuracy()) trainMetrics.accuracy = correct / (this.train.y instanceof Tensor ? (seen * this.train.y.size) / n : seen);
      const record = this.finishEpoch(epochNumber, seen > 0 ? lossSum / seen : NaN, trainMetrics, health, epochStart);
      this.elapsedMs = this.now() - started;
      options.onEpochEnd?.({ record, history: this.history, stop: () => (this.stopRequested = 'callback') });
      if (this.stopRequested) {
        stoppedBy = this.stopRequested;
        break;
      }
      if (this.earlyStopDue()) {
        stoppedBy = 'earlyStopping';
        break;
      }
      if (options.targetLoss !== undefined && record.loss <= options.targetLoss) {
        stoppedBy = 'targetLoss';
        break;
      }
      yield;
    }
    // Training that ended (not one interrupted by a callback or the guard) ends on the best weights;
    // an interrupted run keeps its current weights so that state() resumes it exactly.
    const ended = stoppedBy !== 'callback' && stoppedBy !== 'nonFinite';
    if (ended && this.early?.bestWeights && (options.earlyStopping?.restoreBestWeights ?? true)) {
      this.params.forEach((p, i) => p.data.set(this.early!.bestWeights![i]));
    }
    this.elapsedMs = this.now() - started;
    return {
      history: this.history,
      stoppedBy,
      bestEpoch: this.early?.bestEpoch ?? null,
      bestValue: this.early?.best ?? null,
      problem,
      steps: this.step,
      timeMs: this.elapsedMs,
    };
  }

  private makeBatch(size: number, features: number): { x: Tensor; y: Targets; size: number } {
    const x = new Tensor(allocate(this.train.x.dtype, size * features), [size, features]);
    const source = this.train.y;
    const y = source instanceof Tensor ? new Tensor(allocate(source.dtype, size * (source.size / source.shape[0])), [size, ...source.shape.slice(1)]) : new Int32Array(size);
    return { x, y, size };
  }

  /** Copies the rows order[start..start+size) into the batch buffers (no allocation, not even views). */
  private fillBatch(batch: { x: Tensor; y: Targets; size: number }, order: Int32Array, start: number): void {
    copyRows(this.train.x.data, this.train.x.shape[1], order, start, batch.size, batch.x.data);
    const source = this.train.y;
    if (source instanceof Tensor) {
      copyRows(source.data, source.size / source.shape[0], order, start, batch.size, (batch.y as Tensor).data);
    } else {
      const labels = batch.y as Int32Array;
      for (let i = 0; i < batch.size; i++) labels[i] = source[order[start + i]];
    }
  }

  private finishEpoch(epochNumber: number, trainLoss: number, trainMetrics: Record<string, number>, health: LayerHealth[] | null, epochStart: number): EpochRecord {
    const { options } = this;
    const valEval = this.validation ? this.evaluate(this.validation) : null;
    const record: EpochRecord = {
      epoch: epochNumber,
      loss: trainLoss,
      valLoss: valEval?.loss ?? null,
      metrics: trainMetrics,
      valMetrics: valEval?.metrics ?? null,
      lr: options.optimizer.lr,
      timeMs: 0,
      health,
      warnings: health && this.diagnostics ? healthWarnings(health, this.diagnostics) : [],
    };
    options.schedule?.observe(valEval?.loss ?? trainLoss);
    if (this.early && options.earlyStopping) {
      const monitor = options.earlyStopping.monitor ?? (this.validation ? 'valLoss' : 'loss');
      const value =
        monitor === 'valLoss' ? record.valLoss! : monitor === 'loss' ? record.loss : monitor === 'valAccuracy' ? record.valMetrics?.accuracy ?? NaN : record.metrics.accuracy ?? NaN;
      if (Number.isNaN(value)) throw new ValueError(`fit: earlyStopping.monitor ${monitor} is not measured for this loss (accuracy needs class labels)`);
      const maximise = monitor.toLowerCase().includes('accuracy');
      const minDelta = options.earlyStopping.minDelta ?? 0;
      const improved = this.early.best === null || (maximise ? value > this.early.best + minDelta : value < this.early.best - minDelta);
      if (improved) {
        this.early.best = value;
        this.early.bestEpoch = epochNumber;
        this.early.wait = 0;
        if (options.earlyStopping.restoreBestWeights ?? true) {
          this.early.bestWeights ??= this.params.map((p) => allocate(p.dtype, p.size));
          this.params.forEach((p, i) => this.early!.bestWeights![i].set(p.data));
        }
      } else {
        this.early.wait++;
      }
    }
    record.timeMs = this.now() - epochStart;
    this.history.push(record);
    return record;
  }

  /** Whether `patience` epochs in a row have brought no improvement of the monitored value. */
  private earlyStopDue(): boolean {
    return this.early !== null && this.early.wait > 0 && this.early.wait >= (this.options.earlyStopping?.patience ?? Infinity);
  }

  /** Mean loss and metrics over a data set, in evaluation mode, in batches, without a graph. */
  evaluate(data: Dataset): { loss: number; metrics: Record<string, number> } {
    const { model } = this;
    const wasTraining = model.training;
    model.eval();
    const rows = data.x.shape[0];
    let lossSum = 0;
    let correct = 0;
    noGrad(() => {
      for (let start = 0; start < rows; start += EVAL_BATCH) {
        const end = Math.min(rows, start + EVAL_BATCH);
        const indices = Int32Array.from({ length: end - start }, (_, i) => start + i);
        const x = gatherRows(data.x, indices);
        const y = data.y instanceof Tensor ? gatherRows(data.y, indices) : data.y.subarray(start, end);
        const output = model.forward(x);
        lossSum += this.loss.fn(output, y).item() * (end - start);
        correct += this.countCorrect(output.data, output.shape[1], y);
      }
    });
    model.train(wasTraining);
    const metrics: Record<string, number> = {};
    if (this.measuresAccuracy()) metrics.accuracy = correct / (data.y instanceof Tensor ? data.y.size : rows);
    return { loss: lossSum / rows, metrics };
  }

  /** Accuracy is measured for class labels and for binary cross-entropy targets. */
  private measuresAccuracy(): boolean {
    return this.train.y instanceof Int32Array || this.loss.name === 'binaryCrossEntropy' || this.loss.name === 'binaryCrossEntropyWithLogits';
  }

  /** Correct predictions in a batch: argmax for labels; p > 0.5 (or logit > 0) against 0/1 targets. */
  private countCorrect(output: FloatArray, classes: number, y: Targets): number {
    let correct = 0;
    if (y instanceof Int32Array) {
      for (let r = 0; r < y.length; r++) {
        let best = 0;
        for (let c = 1; c < classes; c++) if (output[r * classes + c] > output[r * classes + best]) best = c;
        if (best === y[r]) correct++;
      }
    } else if (this.loss.name === 'binaryCrossEntropy' || this.loss.name === 'binaryCrossEntropyWithLogits') {
      const threshold = this.loss.name === 'binaryCrossEntropy' ? 0.5 : 0;
      for (let i = 0; i < output.length; i++) if ((output[i] > threshold ? 1 : 0) === y.data[i]) correct++;
    }
    return correct;
  }

  /** The state to resume from after the last completed epoch. */
  state(): TrainerState {
    const weights = (values: ArrayLike<number>) => Array.from(values);
    const names = this.model.namedParameters().map(([name]) => name);
    return {
      format: 'backprop.trainer-state',
      version: 1,
      epoch: this.epoch,
      step: this.step,
      elapsedMs: this.elapsedMs,
      shuffleRng: this.shuffleRng.getState(),
      moduleRngs: Object.fromEntries(this.model.namedRngs().map(([name, rng]) => [name, rng.getState()])),
      optimizer: this.options.optimizer.stateDict(),
      schedule: this.options.schedule?.stateDict() ?? null,
      earlyStopping: this.early
        ? {
            best: this.early.best,
            bestEpoch: this.early.bestEpoch,
            wait: this.early.wait,
            bestWeights: this.early.bestWeights ? Object.fromEntries(this.early.bestWeights.map((w, i) => [names[i], weights(w)])) : null,
          }
        : null,
      history: structuredClone(this.history),
      parameters: Object.fromEntries(this.model.namedParameters().map(([name, p]) => [name, weights(p.data)])),
    };
  }

  /** Continues from `state` (taken from a trainer with the same model, data and options). */
  restore(state: TrainerState): this {
    if (state?.format !== 'backprop.trainer-state' || state.version !== 1) throw new BackpropError(`Trainer.restore: not a trainer state (format ${formatValue(state?.format)}, version ${formatValue(state?.version)})`);
    const named = this.model.namedParameters();
    for (const [name, p] of named) {
      const values = state.parameters[name];
      if (!Array.isArray(values) || values.length !== p.size) throw new BackpropError(`Trainer.restore: parameters.${name} must hold ${p.size} numbers`);
      p.data.set(values);
    }
    this.epoch = state.epoch;
    this.step = state.step;
    this.elapsedMs = state.elapsedMs;
    this.shuffleRng.setState(state.shuffleRng);
    for (const [name, rng] of this.model.namedRngs()) {
      if (!state.moduleRngs[name]) throw new BackpropError(`Trainer.restore: no random state for module ${name}`);
      rng.setState(state.moduleRngs[name]);
    }
    this.options.optimizer.loadStateDict(state.optimizer);
    if (this.options.schedule && state.schedule) this.options.schedule.loadStateDict(state.schedule);
    if (this.early && state.earlyStopping) {
      const saved = state.earlyStopping;
      this.early = {
        best: saved.best,
        bestEpoch: saved.bestEpoch,
        wait: saved.wait,
        bestWeights: saved.bestWeights ? named.map(([name, p]) => {
          const buffer = allocate(p.dtype, p.size);
          buffer.set(saved.bestWeights![name]);
          return buffer;
        }) : null,
      };
    }
    this.history.length = 0;
    this.history.push(...structuredClone(state.history));
    return this;
  }
}

/** Copies rows order[start], …, order[start + count − 1] of `source` (rows of `width`) into `target`, one after another. */
function copyRows(source: FloatArray, width: number, order: Int32Array, start: number, count: number, target: FloatArray): void {
  for (let i = 0; i < count; i++) {
    const from = order[start + i] * width;
    const to = i * width;
    for (let j = 0; j < width; j++) target[to + j] = source[from + j];
  }
}

/** Trains `model` on `data` synchronously; see FitOptions and Trainer. */
export function fit(model: Module, data: Dataset, options: FitOptions): FitResult {
  return new Trainer(model, data, options).fit();
}

/** Trains `model` on `data`, yielding to the event loop between steps (browser pages, servers). */
export function fitAsync(model: Module, data: Dataset, options: FitOptions): Promise<FitResult> {
  return new Trainer(model, data, options).fitAsync();
}
