import type { Module } from '../nn/index.js';
import type { LrSchedule, Optimizer } from '../optim/index.js';
import type { Tensor } from '../tensor/index.js';
import type { HealthThresholds, HealthWarning, LayerHealth } from './diagnostics.js';
import type { LossName, Targets } from './losses.js';
import type { OptimizerStateDict, ScheduleStateDict } from '../optim/index.js';
import type { RngState } from '../util/rng.js';
import type { EarlyStoppingState } from './early-stopping.js';

/**
 * Inputs x of shape [n, features] and their targets (a tensor [n, outputs] or n integer labels).
 * `Y` is the targets' type, so that a custom loss of `FitOptions<Y>` receives that type.
 */
export interface Dataset<Y extends Targets = Targets> {
  x: Tensor;
  y: Y;
}

/**
 * A custom loss for fit: the model's output for a batch and the batch's targets, of the data set's
 * target type (a Tensor of values, or an Int32Array of labels); returns a scalar tensor.
 */
export type CustomLoss<Y extends Targets = Targets> = (prediction: Tensor, target: Y) => Tensor;

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** What to watch: 'valLoss' (default with validation data), 'loss', 'valAccuracy' or 'accuracy'. */
  monitor?: 'valLoss' | 'loss' | 'valAccuracy' | 'accuracy';
  /** Put back the weights of the best epoch when training ends. Default true. */
  restoreBestWeights?: boolean;
}

/** Why training ended. */
export type StopReason = 'epochs' | 'targetLoss' | 'timeLimit' | 'earlyStopping' | 'callback' | 'nonFinite';

export interface FitOptions<Y extends Targets = Targets> {
  /** A loss by name (see LOSSES) or a function of (prediction, targets) returning a scalar tensor. */
  loss: LossName | CustomLoss<Y>;
  optimizer: Optimizer;
  /** Number of passes over the training data. Default 100. */
  epochs?: number;
  /** Samples per step: 1 is stochastic, 'full' (or ≥ n) full-batch, anything between mini-batch. Default 32. */
  batchSize?: number | 'full';
  /** Shuffle the training order every epoch from the run's seed. Default true. */
  shuffle?: boolean;
  /** The seed of every random choice the trainer makes (validation split, shuffling). Default 0. */
  seed?: number;
  /** Held-out data evaluated after every epoch. */
  validationData?: Dataset<Y>;
  /** Or: the share of the training data (0–1) held out, stratified for class labels. */
  validationSplit?: number;
  /** Learning-rate schedule, applied per epoch (default) or per step (`scheduleUnit`). */
  schedule?: LrSchedule;
  scheduleUnit?: 'epoch' | 'step';
  /** L1 penalty λ·Σ|w| on weights (not biases). Default 0. */
  l1?: number;
  /** L2 penalty (λ/2)·Σw² on weights (not biases). Default 0. */
  l2?: number;
  /** Rescale gradients so their global L2 norm is at most this. */
  clipNorm?: number;
  /** Clip every gradient element to [−clipValue, clipValue]. */
  clipValue?: number;
  earlyStopping?: EarlyStoppingOptions;
  /** Stop once an epoch's training loss is at or below this. */
  targetLoss?: number;
  /** Stop after this many milliseconds of training (checked after every step). */
  timeLimitMs?: number;
  /** Gradient-health measurements every epoch (default true), optionally with thresholds. */
  diagnostics?: boolean | HealthThresholds;
  /** Stop at the first non-finite loss, gradient or weight, keeping the last good weights. Default true. */
  nanGuard?: boolean;
  /**
   * Run eligible steps through the fused, allocation-free step (src/train/fused.ts) instead of the
   * autograd graph. Default true. The weights, losses and metrics are bit-identical either way;
   * `false` forces the graph (e.g. to compare, or to debug a layer). Steps take the fused path when
   * the model is a Sequential of Dense layers with elementwise activations (noisy ReLU included;
   * plus Activation and Dropout layers) and the loss is a named one (penalties included);
   * `Trainer.unfusedReason` says why not otherwise. With the native backend, `true` also runs
   * many fused steps per call into the addon where a step allows it (Dense layers with identity,
   * relu, tanh or sigmoid, softmaxCrossEntropy or mse, SGD, Adam or AdamW, l1/l2 allowed, no clipping, per-step
   * schedule, onBatchEnd or time limit; `Trainer.batchedSteps` tells), again bit-identical;
   * `'stepwise'` keeps the fused step but one step per call.
   */
  fused?: boolean | 'stepwise';
  /**
   * Called after every step; call `info.stop()` to end training. A run with it takes every step
   * one call at a time (no batched native steps, see `fused`); for a progress display use `onSteps`.
   */
  onBatchEnd?: (info: BatchInfo) => void;
  /**
   * Called after every step, or after each run of steps the backend took in one call (see
   * `fused`), with how many steps that was: for progress displays. `Trainer.requestStop()` called
   * from it stops training after the steps it reports (where `onBatchEnd`'s `stop()` stops after
   * one step, and keeps every step one call at a time).
   */
  onSteps?: (info: StepsInfo) => void;
  /** Called after every epoch with its record; call `info.stop()` to end training. */
  onEpochEnd?: (info: EpochInfo) => void;
  /** Milliseconds clock; default performance.now. */
  now?: () => number;
}

export interface BatchInfo {
  epoch: number;
  /** Steps taken since the start of training (1-based after the first step). */
  step: number;
  /** Index of this batch within the epoch (0-based) and the number of batches per epoch. */
  batch: number;
  batches: number;
  /** The batch's loss. */
  loss: number;
  lr: number;
  stop(): void;
}

/** What `onSteps` receives. */
export interface StepsInfo {
  epoch: number;
  /** Steps taken since the start of training, these included. */
  step: number;
  /** Steps these were (1 unless the backend took several in one call). */
  count: number;
  /** Index of the last of them within the epoch (0-based) and the number of batches per epoch. */
  batch: number;
  batches: number;
}

/** One epoch of the training history. */
export interface EpochRecord {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean of the data loss over the epoch's samples (penalties not included). */
  loss: number;
  valLoss: number | null;
  /**
   * Training-set metrics accumulated over the epoch's batches as the model changed, in training
   * mode (accuracy for classification), as Keras reports them; no extra pass over the data.
   */
  metrics: Record<string, number>;
  valMetrics: Record<string, number> | null;
  /** Learning rate used during the epoch (the first group's, at its last step). */
  lr: number;
  /** Wall-clock milliseconds of the epoch (training and evaluation). */
  timeMs: number;
  /** Gradient-health measurements of the epoch's last step, first layer first. */
  health: LayerHealth[] | null;
  warnings: HealthWarning[];
}

export interface EpochInfo {
  record: EpochRecord;
  history: readonly EpochRecord[];
  stop(): void;
}

export interface FitResult {
  history: EpochRecord[];
  stoppedBy: StopReason;
  /** For early stopping: the best epoch (1-based) and its monitored value. */
  bestEpoch: number | null;
  bestValue: number | null;
  /** The non-finite guard's message when stoppedBy is 'nonFinite'. */
  problem: string | null;
  /** Total steps and milliseconds. */
  steps: number;
  timeMs: number;
}

export type { Module };

/** Where a run stopped inside an epoch, so that it can continue from the next batch. */
export interface EpochPosition {
  /** Batches of the epoch already done. */
  batch: number;
  /** The shuffling generator's state before this epoch's shuffle (replayed to rebuild the order). */
  shuffleRng: RngState;
  /** Running sums of the epoch so far. */
  lossSum: number;
  seen: number;
  correct: number;
}

/** Everything needed to continue a run exactly where it stopped, at an epoch boundary or within an epoch. */
export interface TrainerState {
  format: 'backprop.trainer-state';
  version: 1;
  /** Completed epochs. */
  epoch: number;
  step: number;
  elapsedMs: number;
  /** Set when the run stopped within epoch `epoch + 1`. */
  position: EpochPosition | null;
  shuffleRng: RngState;
  moduleRngs: Record<string, RngState>;
  optimizer: OptimizerStateDict;
  schedule: ScheduleStateDict | null;
  earlyStopping: (EarlyStoppingState & { bestWeights: Record<string, number[]> | null }) | null;
  history: EpochRecord[];
  /** Parameter values by name (float32 values are exact in JSON). */
  parameters: Record<string, number[]>;
}
