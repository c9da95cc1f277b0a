import type { FloatArray } from '../kernels/index.js';
import { Dense } from '../nn/index.js';
import type { Module, RecordsActivations } from '../nn/index.js';
import { add } from '../ops/index.js';
import { clipGradNorm, clipGradValue, l1Penalty, l2Penalty } from '../optim/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import { BackpropError, ValueError, formatValue } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { stratifiedTrainValidationSplit, trainValidationSplit } from '../data/index.js';
import { checkDataset, checkFitOptions, checkLossAndOutput } from './checks.js';
import { countCorrect, evaluateModel, measuresAccuracy } from './evaluate.js';
import { LayerHealth, healthWarnings } from './diagnostics.js';
import type { HealthThresholds } from './diagnostics.js';
import { EarlyStopping } from './early-stopping.js';
import { FusedTrainingStep, fusedStepBlocker, fusedTrainingStep } from './fused.js';
import { FusedPenalty } from './fused-penalty.js';
import { fillBatch, makeBatch, subset } from './dataset.js';
import { measureHealth } from './health-probe.js';
import { NonFiniteGuard, locateNonFinite } from './guard.js';
import { NativeSteps } from './native-steps.js';
import { checkTrainerState } from './state-check.js';
import { LossDefinition, Targets, resolveLoss } from './losses.js';
import type { Dataset, EpochPosition, EpochRecord, FitOptions, FitResult, StopReason, TrainerState } from './types.js';


/**
 * The default clock: one function for every trainer, so compiled code that calls it stays valid
 * from one fit to the next (a new closure per trainer made V8 discard the optimised training loop).
 */
function monotonicNow(): number {
  return performance.now();
}

/**
 * Trains a model by mini-batch gradient descent: per step, forward a batch, average the loss over
 * it, backpropagate, (clip,) update; per epoch, evaluate, schedule, check early stopping and
 * gradient health. `fit()` runs synchronously, `fitAsync()` yields to the event loop between
 * steps so a page stays responsive; both run the same steps. `state()` after any stop and
 * `restore(state)` on a fresh trainer (same model architecture, data and options) continue the run
 * bit-identically, also from within an epoch. When training ends the model is left in evaluation mode.
 */
export class Trainer<Y extends Targets = Targets> {
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
  private readonly early: EarlyStopping | null;
  /** The fused step when training steps take it (see `unfusedReason`). */
  private readonly fusedStep: FusedTrainingStep | null;
  /** The l1/l2 penalties for the fused step, when any. */
  private readonly fusedPenalty: FusedPenalty | null;
  /**
   * Why training steps go through the autograd graph rather than the fused, allocation-free step
   * (src/train/fused.ts), or null when they take the fused step. Both give bit-identical results.
   */
  readonly unfusedReason: string | null;
  /**
   * Whether eligible batches run many fused steps per backend call (src/train/native-steps.ts: the
   * native addon's `trainDenseSteps`), bit for bit the step-by-step results; false when the backend
   * lacks it, `fused` is not true, or a step needs something it does not cover.
   */
  readonly batchedSteps: boolean;
  /** The shuffled row order of the current epoch. */
  private readonly order: Int32Array;
  private epoch = 0;
  private step = 0;
  private elapsedMs = 0;
  private position: EpochPosition | null = null;
  /** The weights at the stop, kept when the best epoch's weights were put back (state() resumes from these). */
  private weightsAtStop: FloatArray[] | null = null;
  readonly history: EpochRecord[] = [];
  private stopRequested: StopReason | null = null;

  constructor(model: Module, data: Dataset<Y>, fitOptions: FitOptions<Y>) {
    // Inside, a custom loss takes the data set's targets as Targets (they are the data's own type).
    const options = fitOptions as unknown as FitOptions;
    if (!options || typeof options !== 'object') throw new ValueError(`fit: options must be an object, got ${formatValue(options)}`);
    this.model = model;
    this.options = options;
    this.loss = resolveLoss(options.loss, 'fit: loss');
    const hasValidation = Boolean(options.validationData) || Boolean(options.validationSplit);
    const measuresAccuracy = data?.y instanceof Int32Array || this.loss.name === 'binaryCrossEntropy' || this.loss.name === 'binaryCrossEntropyWithLogits';
    checkFitOptions(options, model, hasValidation, measuresAccuracy);
    checkLossAndOutput(this.loss, model);
    checkDataset('fit: training data', data, this.loss, model);
    this.epochs = options.epochs ?? 100;
    const root = new Rng(options.seed ?? 0);
    const splitRng = root.fork();
    this.shuffleRng = root.fork();
    let train: Dataset = data;
    let validation = options.validationData ?? null;
    if (options.validationSplit) {
      const split = data.y instanceof Int32Array ? stratifiedTrainValidationSplit(data.y, options.validationSplit, splitRng) : trainValidationSplit(data.x.shape[0], options.validationSplit, splitRng);
      train = subset(data, split.train);
      validation = subset(data, split.validation);
    }
    if (validation) checkDataset('fit: validation data', validation, this.loss, model);
    this.train = train;
    this.validation = validation;
    const n = train.x.shape[0];
    if (n === 0) throw new ValueError('fit: the training data has no rows');
    const batchOption = options.batchSize ?? 32;
    this.batchSize = batchOption === 'full' ? n : Math.min(n, batchOption);
    this.early = options.earlyStopping ? new EarlyStopping(options.earlyStopping, validation !== null) : null;
    this.now = options.now ?? monotonicNow;
    this.diagnostics = options.diagnostics === false ? null : options.diagnostics === true || options.diagnostics === undefined ? {} : options.diagnostics;
    this.params = model.parameters();
    this.guard = options.nanGuard === false ? null : new NonFiniteGuard(this.params);
    let unfusedReason = options.fused === false ? 'the option fused is false' : fusedStepBlocker(model, options.loss);
    let fusedStep = unfusedReason === null ? fusedTrainingStep(model, options.loss) : null;
    if (fusedStep && !fusedStep.accepts(train.x, train.y)) {
      // The autograd path reports what is wrong with the data.
      fusedStep = null;
      unfusedReason = 'the data does not fit the model';
    }
    this.fusedStep = fusedStep;
    this.unfusedReason = unfusedReason;
    this.fusedPenalty = fusedStep && (options.l1 || options.l2) ? new FusedPenalty(this.params, options.l1 ?? 0, options.l2 ?? 0) : null;
    this.order = new Int32Array(train.x.shape[0]);
    this.batchedSteps = (options.fused === true || options.fused === undefined) && NativeSteps.covers(fusedStep, options, train, this.params);
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

  /** Asks a running fit to stop after the current step (e.g. from a UI button or Ctrl-C). */
  requestStop(): void {
    this.stopRequested = 'callback';
  }

  /** The steps of training, one `yield` per step. */
  private *run(): Generator<void, FitResult> {
    const { model, options } = this;
    const n = this.train.x.shape[0];
    const batches = Math.ceil(n / this.batchSize);
    const order = this.order;
    // 0, 1, …, n − 1, copied into the order each epoch (a copy costs less than a loop before the JIT has compiled it).
    const identity = Int32Array.from({ length: n }, (_, i) => i);
    const fullBatch = makeBatch(this.train, this.batchSize);
    const lastSize = n - (batches - 1) * this.batchSize;
    const lastBatch = lastSize === this.batchSize ? fullBatch : makeBatch(this.train, lastSize);
    // The fused step's buffers for both batch sizes now, so the per-step code never takes the
    // allocating path (a fresh trainer's first step would otherwise discard its compiled code).
    this.fusedStep?.prepare(this.batchSize);
    this.fusedStep?.prepare(lastSize);
    const penalty = this.fusedPenalty;
    // Made for each run (`restore` may have replaced the optimiser's buffers), when first needed.
    let native: NativeSteps | null | undefined = this.batchedSteps ? undefined : null;
    const recordingLayers = model.namedModules().map(([, module]) => module).filter((module): module is Module & RecordsActivations => 'recordActivations' in module);
    const denseLayers = model.namedModules().filter((entry): entry is [string, Dense] => entry[1] instanceof Dense);
    const layerNames = denseLayers.map(([path, layer]) => `${path || 'model'} ${layer}`);
    const previousWeights = this.diagnostics ? denseLayers.map(([, layer]) => allocate(layer.weight.dtype, layer.weight.size)) : [];
    const gradientsBeforeClipping = this.diagnostics ? denseLayers.map(([, layer]) => allocate(layer.weight.dtype, layer.weight.size)) : [];
    const started = this.now() - this.elapsedMs;
    this.stopRequested = null;
    this.weightsAtStop = null;
    let stoppedBy: StopReason = 'epochs';
    let problem: string | null = null;

    // A run resumed from the state of its stopping epoch stops again at once.
    if (this.early?.due) stoppedBy = 'earlyStopping';
    training: while (this.epoch < this.epochs && stoppedBy === 'epochs') {
      const epochStart = this.now();
      const epochNumber = this.epoch + 1;
      model.train();
      const resumed = this.position;
      this.position = null;
      if (resumed) {
        this.shuffleRng.setState(resumed.shuffleRng);
      } else if (options.schedule && (options.scheduleUnit ?? 'epoch') === 'epoch') {
        options.schedule.apply(options.optimizer, this.epoch);
      }
      const epochShuffleState = this.shuffleRng.getState();
      order.set(identity);
      if (options.shuffle ?? true) this.shuffleRng.shuffle(order);
      let lossSum = resumed?.lossSum ?? 0;
      let seen = resumed?.seen ?? 0;
      let correct = resumed?.correct ?? 0;
      let health: LayerHealth[] | null = null;
      // The batch whose step measures gradient health (it takes the step-by-step loop).
      const measured = this.diagnostics !== null ? batches - 1 : -1;
      for (let b = resumed?.batch ?? 0; b < batches; b++) {
        if (native !== null && b !== measured && this.stopRequested === null && !anyRecording(recordingLayers) &&
            (native ??= NativeSteps.create(this.fusedStep, options, this.train, order, this.batchSize, this.params, this.guard)) !== null && native.usable()) {
          // Many steps in one call (native-steps.ts), bit for bit the steps below.
          const count = Math.min((measured > b ? measured : batches) - b, native.maxSteps);
          const { steps, stop } = native.run(b * this.batchSize, count);
          const { losses, correct: corrects } = native.plan;
          const good = stop === 'weight' ? steps - 1 : steps;
          for (let k = 0; k < good; k++) {
            const size = Math.min(this.batchSize, n - (b + k) * this.batchSize);
            lossSum += losses[k] * size;
            seen += size;
            correct += corrects[k];
          }
          this.step += steps;
          if (good > 0) options.onSteps?.({ epoch: epochNumber, step: this.step - (steps - good), count: good, batch: b + good - 1, batches });
          if (stop === 'weight') {
            problem = this.guard!.checkWeights(epochNumber, this.step, options.optimizer.lr);
            break training;
          }
          b += steps;
          if (stop === 'none') {
            b--;
            if (this.stopRequested && b + 1 < batches) {
              // Asked from onSteps: stopped after these steps, within the epoch (as below).
              this.position = { batch: b + 1, shuffleRng: epochShuffleState, lossSum, seen, correct };
              stoppedBy = this.stopRequested;
              break training;
            }
            yield;
            continue;
          }
          // A non-finite loss at batch b: the loop below runs that step again and handles it.
        }
        const batch = b === batches - 1 ? lastBatch : fullBatch;
        fillBatch(this.train, batch, order, b * this.batchSize);
        if (options.schedule && options.scheduleUnit === 'step') options.schedule.apply(options.optimizer, this.step);
        const measure = this.diagnostics !== null && b === batches - 1;
        // A layer the caller asked to record (lastForward, δ) needs the graph for this step.
        const fused = this.fusedStep !== null && !anyRecording(recordingLayers) ? this.fusedStep : null;
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
        problem = Number.isFinite(totalValue) ? null : this.guard?.checkLoss(totalValue, epochNumber, this.step + 1, options.optimizer.lr, () => locateNonFinite(model, batch.x)) ?? null;
        if (problem) break training;
        if (graph) {
          graph.total.backward();
        } else {
          penalty?.addGradients();
          fused!.backward();
        }
        if (measure) {
          // Gradient norms are reported as backpropagation computed them, before any clipping.
          denseLayers.forEach(([, layer], i) => {
            previousWeights[i].set(layer.weight.data);
            if (layer.weight.grad) gradientsBeforeClipping[i].set(layer.weight.grad.data);
          });
        }
        if (options.clipNorm !== undefined) clipGradNorm(this.params, options.clipNorm);
        if (options.clipValue !== undefined) clipGradValue(this.params, options.clipValue);
        this.guard?.snapshot();
        options.optimizer.step();
        this.step++;
        problem = this.guard?.checkWeights(epochNumber, this.step, options.optimizer.lr) ?? null;
        if (problem) break training;
        if (measure) health = measureHealth(model, this.fusedStep, this.train, this.batchSize, denseLayers, layerNames, gradientsBeforeClipping, previousWeights);
        lossSum += lossValue * batch.size;
        seen += batch.size;
        correct += graph ? this.countCorrect(graph.output.data, graph.output.shape[1], batch.y) : this.countCorrect(fused!.output(batch.size), fused!.outputs, batch.y);
        options.onBatchEnd?.({ epoch: epochNumber, step: this.step, batch: b, batches, loss: lossValue, lr: options.optimizer.lr, stop: () => (this.stopRequested = 'callback') });
        options.onSteps?.({ epoch: epochNumber, step: this.step, count: 1, batch: b, batches });
        if (options.timeLimitMs !== undefined && this.now() - started >= options.timeLimitMs) this.stopRequested ??= 'timeLimit';
        if (this.stopRequested && b + 1 < batches) {
          // Stopped within the epoch: it is not finished (nor in the history); state() resumes it.
          this.position = { batch: b + 1, shuffleRng: epochShuffleState, lossSum, seen, correct };
          stoppedBy = this.stopRequested;
          break training;
        }
        yield;
      }
      this.epoch++;
      const trainMetrics: Record<string, number> = {};
      if (this.measuresAccuracy()) trainMetrics.accuracy = correct / (this.train.y instanceof Tensor ? (seen * this.train.y.size) / n : seen);
      const record = this.finishEpoch(epochNumber, seen > 0 ? lossSum / seen : NaN, trainMetrics, health, epochStart);
      this.elapsedMs = this.now() - started;
      options.onEpochEnd?.({ record, history: this.history, stop: () => (this.stopRequested = 'callback') });
      if (this.stopRequested) stoppedBy = this.stopRequested;
      else if (this.early?.due) stoppedBy = 'earlyStopping';
      else if (options.targetLoss !== undefined && record.loss <= options.targetLoss) stoppedBy = 'targetLoss';
      if (stoppedBy !== 'epochs') break;
      yield;
    }
    if (problem) stoppedBy = 'nonFinite';
    // Training that ended (not one interrupted by a callback or the guard) ends on the best weights;
    // the weights at the stop are kept for state(), so any run can be resumed exactly.
    if (this.early && !(['callback', 'nonFinite'] as StopReason[]).includes(stoppedBy)) {
      const current = this.params.map((p) => p.data.slice());
      if (this.early.restoreBest(this.params)) this.weightsAtStop = current;
    }
    model.eval();
    this.elapsedMs = this.now() - started;
    return {
      history: this.history,
      stoppedBy,
      bestEpoch: this.early?.state.bestEpoch ?? null,
      bestValue: this.early?.state.best ?? null,
      problem,
      steps: this.step,
      timeMs: this.elapsedMs,
    };
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
    this.early?.observe(record, this.params);
    record.timeMs = this.now() - epochStart;
    this.history.push(record);
    return record;
  }

  /** Mean loss and metrics (accuracy where measured) over a data set, in evaluation mode, without a graph. */
  evaluate(data: Dataset): { loss: number; metrics: Record<string, number> } {
    return evaluateModel(this.model, data, this.loss);
  }

  private measuresAccuracy(): boolean {
    return measuresAccuracy(this.train.y, this.loss.name);
  }

  private countCorrect(output: FloatArray, classes: number, y: Targets): number {
    return countCorrect(output, classes, y, this.loss.name);
  }

  /** The state to resume from: after the last completed epoch, or within the epoch where the run stopped. */
  state(): TrainerState {
    const named = this.model.namedParameters();
    const values = (i: number, p: Tensor) => Array.from(this.weightsAtStop?.[i] ?? p.data);
    const early = this.early;
    return {
      format: 'backprop.trainer-state',
      version: 1,
      epoch: this.epoch,
      step: this.step,
      elapsedMs: this.elapsedMs,
      position: this.position ? structuredClone(this.position) : null,
      shuffleRng: this.shuffleRng.getState(),
      moduleRngs: Object.fromEntries(this.model.namedRngs().map(([name, rng]) => [name, rng.getState()])),
      optimizer: this.options.optimizer.stateDict(),
      schedule: this.options.schedule?.stateDict() ?? null,
      earlyStopping: early
        ? { ...early.state, bestWeights: early.bestWeights ? Object.fromEntries(early.bestWeights.map((w, i) => [named[i][0], Array.from(w)])) : null }
        : null,
      history: structuredClone(this.history),
      parameters: Object.fromEntries(named.map(([name, p], i) => [name, values(i, p)])),
    };
  }

  /** Continues from `state` (taken from a trainer with the same model architecture, data and options). */
  restore(state: TrainerState): this {
    const named = this.model.namedParameters();
    checkTrainerState(state, named.map(([name, p]) => [name, p.size] as const));
    for (const [name, p] of named) p.data.set(state.parameters[name]);
    this.epoch = state.epoch;
    this.step = state.step;
    this.elapsedMs = state.elapsedMs;
    this.position = state.position ? structuredClone(state.position) : null;
    this.shuffleRng.setState(state.shuffleRng);
    for (const [name, rng] of this.model.namedRngs()) {
      if (!state.moduleRngs[name]) throw new BackpropError(`Trainer.restore: no random state for module ${name}`);
      rng.setState(state.moduleRngs[name]);
    }
    this.options.optimizer.loadStateDict(state.optimizer);
    if (this.options.schedule && state.schedule) this.options.schedule.loadStateDict(state.schedule);
    if (this.early && state.earlyStopping) {
      const { bestWeights, ...saved } = state.earlyStopping;
      this.early.state = { ...saved };
      this.early.bestWeights = bestWeights
        ? named.map(([name, p]) => {
            const buffer = allocate(p.dtype, p.size);
            buffer.set(bestWeights[name]);
            return buffer;
          })
        : null;
    }
    this.history.length = 0;
    this.history.push(...structuredClone(state.history));
    return this;
  }
}

/** Whether any of `layers` keeps its forward pass (a graph step is then needed to fill lastForward). */
function anyRecording(layers: readonly RecordsActivations[]): boolean {
  for (let i = 0; i < layers.length; i++) if (layers[i].recordActivations) return true;
  return false;
}

/** Trains `model` on `data` synchronously; see FitOptions and Trainer. */
export function fit<Y extends Targets>(model: Module, data: Dataset<Y>, options: FitOptions<Y>): FitResult {
  return new Trainer(model, data, options).fit();
}

/** Trains `model` on `data`, yielding to the event loop between steps (browser pages, servers). */
export function fitAsync<Y extends Targets>(model: Module, data: Dataset<Y>, options: FitOptions<Y>): Promise<FitResult> {
  return new Trainer(model, data, options).fitAsync();
}
