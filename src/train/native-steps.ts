import { backend } from '../kernels/index.js';
import type { Backend, DenseTrainingLayer, DenseTrainingPlan } from '../kernels/index.js';
import { Adam, AdamW, SGD, isWeight } from '../optim/index.js';
import type { Optimizer } from '../optim/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import type { FusedTrainingStep } from './fused.js';
import type { NonFiniteGuard } from './guard.js';
import type { Dataset, FitOptions } from './types.js';

/**
 * Whole training steps in one backend call (`Backend.trainDenseSteps`, which the native addon has):
 * for a network of Dense layers, the fused step (fused.ts) and the optimiser's update run in the
 * addon for many batches at a time, so a small network's step costs no JavaScript at all, and no
 * JIT warm-up. The weights, optimiser state, losses and accuracy come out bit for bit as the
 * step-by-step loop computes them (the addon calls the same kernels in the same order; the
 * trainer's tests compare the two).
 *
 * Used by `Trainer` for the batches of an epoch when everything a step does is covered: a
 * float32 `Sequential` of Dense layers with identity, relu, tanh or sigmoid; softmaxCrossEntropy
 * with labels or mse (with or without l1/l2 penalties); SGD, Adam or AdamW (one parameter group holding
 * exactly the model's parameters); no gradient clipping, per-step schedule, onBatchEnd or time limit. The trainer
 * still runs the last batch of an epoch itself when it measures gradient health, and any batch
 * while a layer records its activations or a stop was requested.
 */
export class NativeSteps {
  readonly plan: DenseTrainingPlan;
  /** The most steps one call may run: about MAX_CALL_WORK multiply-adds, so `fitAsync` still yields often. */
  readonly maxSteps: number;
  private readonly kernels: Backend;
  private readonly optimizer: Optimizer;
  /** The model's parameters in the plan's order, and the gradient arrays the plan holds. */
  private readonly params: readonly Tensor[];
  private readonly grads: readonly Float32Array[];
  /** Each parameter's index among the optimiser's (its state's). */
  private readonly stateIndex: readonly number[];
  /** The gradients `create` made, until a step has run. */
  private created: Tensor[];

  private constructor(plan: DenseTrainingPlan, maxSteps: number, kernels: Backend, optimizer: Optimizer, params: Tensor[], grads: Float32Array[], stateIndex: number[], created: Tensor[]) {
    this.plan = plan;
    this.maxSteps = maxSteps;
    this.kernels = kernels;
    this.optimizer = optimizer;
    this.params = params;
    this.grads = grads;
    this.stateIndex = stateIndex;
    this.created = created;
  }

  /** Whether `create` would make native steps for this run (without creating anything). */
  static covers(fused: FusedTrainingStep | null, options: Readonly<FitOptions>, train: Dataset, modelParams: readonly Tensor[]): boolean {
    return coveredRun(fused, options, train, modelParams) !== null;
  }

  /**
   * The native steps for this training run, or null when the backend lacks them or a step needs
   * something they do not cover (the trainer then takes its step-by-step loop). Creates the
   * parameters' missing `.grad` (zero-filled, as the first step would; put back to null by `run`
   * when the first step stops before its backward pass, as it would have left them).
   */
  static create(fused: FusedTrainingStep | null, options: Readonly<FitOptions>, train: Dataset, order: Int32Array, batchSize: number, modelParams: readonly Tensor[], guard: NonFiniteGuard | null): NativeSteps | null {
    const covered = coveredRun(fused, options, train, modelParams);
    if (covered === null) return null;
    const { kernels, dense, optimizer, kind, labels, targets, params, outputs } = covered;
    const isAdam = kind !== 'sgd';
    const optimized = optimizer.parameters;
    const x = train.x;
    const rows = x.shape[0];
    const buffers: (Float32Array | null)[][] = [];
    const stateIndex = params.map((p) => optimized.indexOf(p));
    for (const [i, p] of params.entries()) {
      const state = optimizer.parameterState(stateIndex[i]).buffers;
      const names = isAdam ? ADAM_BUFFERS : SGD_BUFFERS;
      const list = names.map((name) => state[name] ?? null);
      if (!list.every((buffer) => buffer === null || buffer instanceof Float32Array)) return null;
      buffers.push(list as (Float32Array | null)[]);
    }
    const created: Tensor[] = [];
    const grads = params.map((p) => {
      if (p.grad === null) {
        p.grad = new Tensor(allocate(p.dtype, p.size), p.shape);
        created.push(p);
      }
      return p.grad.data as Float32Array;
    });

    let next = 0;
    const layers: DenseTrainingLayer[] = dense.map((layer) => {
      const weight = next++;
      const bias = layer.bias ? next++ : -1;
      return {
        inputs: layer.inputs, units: layer.units, op: layer.op,
        weight: layer.weight.data as Float32Array, bias: bias >= 0 ? (params[bias].data as Float32Array) : null,
        gradWeight: grads[weight], gradBias: bias >= 0 ? grads[bias] : null,
      };
    });
    const work = batchSize * dense.reduce((sum, layer) => sum + 3 * layer.inputs * layer.units, 0);
    const batches = Math.ceil(rows / batchSize);
    const maxSteps = Math.max(1, Math.min(batches, Math.floor(MAX_CALL_WORK / work)));
    const copies = guard ? params.map((p) => guard.copies[modelParams.indexOf(p)] as Float32Array) : null;
    if (copies && !copies.every((copy) => copy instanceof Float32Array)) return null;
    const plan: DenseTrainingPlan = {
      layers, loss: options.loss as 'softmaxCrossEntropy' | 'mse', x: x.data as Float32Array, labels, targets, rows, features: x.shape[1], outputs, order, batchSize,
      optimizer: {
        kind, lr: 0, momentum: 0, weightDecay: 0, nesterov: false, textbook: false, beta1: 0, beta2: 0, eps: 0,
        stepSizes: new Float64Array(maxSteps), sqrtBiasCorrections2: new Float64Array(maxSteps),
      },
      buffers, guardCopies: copies,
      // As FusedPenalty: l1 then l2 (factor λ/2) over `isWeight` parameters.
      penalties: { l1: options.l1 || 0, l2Half: options.l2 ? options.l2 / 2 : 0 }, penalised: params.map((p) => isWeight(p)), losses: new Float64Array(maxSteps), correct: new Int32Array(maxSteps),
    };
    return new NativeSteps(plan, maxSteps, kernels, optimizer, params, grads, stateIndex, created);
  }

  /** Whether the plan still holds the model's arrays and the backend that made it is the current one. */
  usable(): boolean {
    if (backend() !== this.kernels) return false;
    // The data set's arrays still whole (the caller's own: a transferred buffer is detached).
    const plan = this.plan;
    if (plan.x.length !== plan.rows * plan.features || plan.order.length !== plan.rows) return false;
    if (plan.labels !== null ? plan.labels.length !== plan.rows : plan.targets!.length !== plan.rows * plan.outputs) return false;
    // The gradients and the optimiser's buffers still the arrays the plan holds (`loadStateDict` replaces buffers).
    const names = this.plan.optimizer.kind === 'sgd' ? SGD_BUFFERS : ADAM_BUFFERS;
    for (let i = 0; i < this.params.length; i++) {
      if (this.params[i].grad?.data !== this.grads[i]) return false;
      const buffers = this.optimizer.parameterState(this.stateIndex[i]).buffers;
      const planned = this.plan.buffers[i];
      for (let k = 0; k < names.length; k++) if ((buffers[names[k]] ?? null) !== planned[k]) return false;
    }
    if (this.plan.optimizer.kind !== 'sgd') {
      // One t for every parameter (a restored state could hold different ones).
      const t = this.optimizer.parameterState(0).step;
      for (let i = 1; i < this.params.length; i++) if (this.optimizer.parameterState(i).step !== t) return false;
    }
    return true;
  }

  /**
   * Runs `count` ≤ maxSteps steps from the batch whose first row is `order[first]` with the
   * optimiser's current settings, and counts them in the optimiser's step counts.
   */
  run(first: number, count: number): { steps: number; stop: 'none' | 'loss' | 'weight' } {
    const o = this.plan.optimizer;
    const options = this.optimizer.groups[0].options as unknown as Record<string, number | boolean | string>;
    o.lr = options.lr as number;
    o.weightDecay = options.weightDecay as number;
    if (o.kind === 'sgd') {
      o.momentum = options.momentum as number;
      o.nesterov = options.nesterov as boolean;
      o.textbook = options.momentumConvention === 'textbook';
    } else {
      const beta1 = (o.beta1 = options.beta1 as number);
      const beta2 = (o.beta2 = options.beta2 as number);
      o.eps = options.eps as number;
      // As src/optim/adam.ts computes them at step t.
      const t0 = this.optimizer.parameterState(0).step;
      for (let k = 0; k < count; k++) {
        const t = t0 + 1 + k;
        o.stepSizes[k] = o.lr / (1 - Math.pow(beta1, t));
        o.sqrtBiasCorrections2[k] = Math.sqrt(1 - Math.pow(beta2, t));
      }
    }
    const outcome = this.kernels.trainDenseSteps!(this.plan, first, count);
    this.optimizer.countSteps(outcome.steps);
    // A first step that stopped before backpropagating leaves the gradients it would not have made
    // as it found them (this plan is then no longer usable; the trainer steps on by itself).
    if (outcome.steps === 0) for (const p of this.created) p.grad = null;
    this.created = [];
    return outcome;
  }
}

/** The optimisers' state buffers the plan holds, in its order. */
const SGD_BUFFERS = ['velocity'];
const ADAM_BUFFERS = ['firstMoment', 'secondMoment', 'maxSecondMoment'];

/** The activations the addon's training loop has. */
const NATIVE_OPS: ReadonlySet<string> = new Set(['identity', 'relu', 'tanh', 'sigmoid']);

/** Multiply-adds one call may do at most (a few milliseconds at worst). */
const MAX_CALL_WORK = 1 << 22;

/** What a run covered by the native steps uses, or null when it is not covered. */
function coveredRun(fused: FusedTrainingStep | null, options: Readonly<FitOptions>, train: Dataset, modelParams: readonly Tensor[]) {
  const kernels = backend();
  if (!kernels.trainDenseSteps || fused === null || fused.dtype !== 'float32') return null;
  if (options.clipNorm !== undefined || options.clipValue !== undefined || options.onBatchEnd || options.timeLimitMs !== undefined) return null;
  if (options.schedule && options.scheduleUnit === 'step') return null;
  const dense = fused.denseLayersOnly();
  if (dense === null || !dense.every((layer) => NATIVE_OPS.has(layer.op))) return null;
  const optimizer: Optimizer = options.optimizer;
  const rule: unknown = optimizer.constructor;
  if ((rule !== SGD && rule !== Adam && rule !== AdamW) || optimizer.groups.length !== 1) return null;
  const x = train.x;
  if (!(x.data instanceof Float32Array)) return null;
  const rows = x.shape[0];
  const outputs = fused.outputs;
  let labels: Int32Array | null = null;
  let targets: Float32Array | null = null;
  if (options.loss === 'softmaxCrossEntropy' && train.y instanceof Int32Array) {
    labels = train.y;
    for (let i = 0; i < rows; i++) if (!(labels[i] >= 0 && labels[i] < outputs)) return null;
  } else if (options.loss === 'mse' && train.y instanceof Tensor && train.y.data instanceof Float32Array && train.y.size === rows * outputs) {
    targets = train.y.data;
  } else {
    return null;
  }
  // The parameters in the plan's order (each layer's weight, then bias), each the optimiser's, in
  // the model's order (the penalties sum over the weights in that order).
  const optimized = optimizer.parameters;
  const params: Tensor[] = dense.flatMap((layer) => (layer.bias ? [layer.weight, layer.bias] : [layer.weight]));
  if (params.length !== optimized.length || params.length !== modelParams.length) return null;
  if (!params.every((p, i) => p.requiresGrad && optimized.includes(p) && modelParams[i] === p && p.data instanceof Float32Array)) return null;
  // Adam's bias corrections are computed once per step for all parameters: one t for all.
  if (rule !== SGD && optimized.some((_, i) => optimizer.parameterState(i).step !== optimizer.parameterState(0).step)) return null;
  return { kernels, dense, optimizer, kind: rule === SGD ? 'sgd' as const : rule === Adam ? 'adam' as const : 'adamw' as const, labels, targets, params, outputs };
}
