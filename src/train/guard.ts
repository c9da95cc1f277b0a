import { backend } from '../kernels/index.js';
import type { FloatArray } from '../kernels/index.js';
import { noGrad } from '../autograd/index.js';
import { withRecordedActivations } from '../nn/index.js';
import type { Module } from '../nn/index.js';
import type { Tensor } from '../tensor/index.js';
import { allocate } from '../tensor/index.js';

/** Columns of the [rows, 64] view whose column sums decide whether a scan is needed. */
const WIDTH = 64;
const sums32 = new Float32Array(WIDTH);
const sums64 = new Float64Array(WIDTH);

/**
 * Index of the first non-finite element, or −1. The values, seen as rows of 64, are summed per
 * column by the backend's `reduce` (vectorised in the native backend): each sum is finite when its
 * column is, and NaN or ±∞ when one element is not. Only then (or when finite values overflowed a
 * sum) does an element-by-element scan run.
 */
export function firstNonFinite(values: FloatArray): number {
  const n = values.length;
  const rows = Math.floor(n / WIDTH);
  let probe = 0;
  if (rows > 0) {
    const sums = values instanceof Float64Array ? sums64 : sums32;
    backend().reduce('sum', values, 1, rows, WIDTH, sums, false);
    for (let i = 0; i < WIDTH; i++) probe += sums[i] * 0;
  }
  for (let i = rows * WIDTH; i < n; i++) probe += values[i] * 0;
  if (probe === 0) return -1;
  for (let j = 0; j < n; j++) if (!Number.isFinite(values[j])) return j;
  return -1;
}

function likelyCause(lr: number): string {
  return lr > 0.5
    ? `the learning rate ${lr} is probably too large: lower it (e.g. ×0.1), or clip gradients (clipNorm)`
    : 'exploding activations or gradients: lower the learning rate, clip gradients (clipNorm), scale the inputs, or check the loss for log(0)';
}

/**
 * The NaN/Inf guard: checks the loss before backpropagation and every weight after the update
 * (which a non-finite gradient always spoils; the gradients are then searched for the culprit). On the first non-finite value it returns a message naming the parameter (layer), the
 * epoch, the step and the likely cause; after a bad update it first puts back the weights saved
 * by `snapshot()`, so the model keeps its last good weights.
 */
export class NonFiniteGuard {
  private readonly params: readonly Tensor[];
  private readonly saved: FloatArray[];

  constructor(params: readonly Tensor[]) {
    this.params = params;
    this.saved = params.map((p) => allocate(p.dtype, p.size));
  }

  /** `locate` names where the first non-finite value appears (see locateNonFinite). */
  checkLoss(value: number, epoch: number, step: number, lr: number, locate: () => string): string | null {
    if (Number.isFinite(value)) return null;
    return `non-finite loss (${value}) at epoch ${epoch}, step ${step}: ${locate()}; the weights are those of the last good step; likely cause: ${likelyCause(lr)}`;
  }

  checkGradients(epoch: number, step: number, lr: number): string | null {
    for (const p of this.params) {
      if (!p.grad) continue;
      const i = firstNonFinite(p.grad.data);
      if (i >= 0) {
        return `non-finite gradient (${p.grad.data[i]}) in ${p.name ?? 'a parameter'} (element ${i}) at epoch ${epoch}, step ${step}; the weights are those of the last good step; likely cause: ${likelyCause(lr)}`;
      }
    }
    return null;
  }

  /** @internal The copies `snapshot()` fills, one per parameter (the native training loop fills them itself). */
  get copies(): readonly FloatArray[] {
    return this.saved;
  }

  /** Saves the weights before an update. */
  snapshot(): void {
    this.params.forEach((p, i) => this.saved[i].set(p.data));
  }

  /**
   * Checks the weights after an update (one pass over them per step: a non-finite gradient always
   * makes a non-finite weight, so the gradients are scanned only then). On a non-finite weight
   * the snapshot is restored and the message names the first non-finite gradient if there is one,
   * else the weight.
   */
  checkWeights(epoch: number, step: number, lr: number): string | null {
    for (const p of this.params) {
      const i = firstNonFinite(p.data);
      if (i >= 0) {
        const value = p.data[i];
        this.params.forEach((q, k) => q.data.set(this.saved[k]));
        const gradientProblem = this.checkGradients(epoch, step, lr);
        if (gradientProblem) return gradientProblem.replace('the weights are those of the last good step', 'the update was undone');
        return `non-finite weight (${value}) in ${p.name ?? 'a parameter'} (element ${i}) after the update of epoch ${epoch}, step ${step}; the weights before that update were restored; likely cause: ${likelyCause(lr)}`;
      }
    }
    return null;
  }

}

/**
 * Runs the batch forward again with recording on and names the first layer whose pre-activation
 * or output holds a non-finite value, or says that every layer output is finite (the loss itself
 * overflowed, e.g. log(0)).
 */
export function locateNonFinite(model: Module, input: Tensor): string {
  return withRecordedActivations(model, (layers) => {
    noGrad(() => model.forward(input));
    for (const [path, layer] of layers) {
      const record = layer.lastForward;
      if (!record) continue;
      for (const [what, tensor] of [['pre-activation z', record.preActivation], ['output', record.activation]] as const) {
        const i = firstNonFinite(tensor.data);
        if (i >= 0) return `the first non-finite value (${tensor.data[i]}) is in the ${what} of layer ${path} (${layer})`;
      }
    }
    const last = layers.at(-1);
    const output = last?.[1].lastForward?.activation.data;
    let largest = 0;
    if (output) for (const v of output) largest = Math.max(largest, Math.abs(v));
    return last
      ? `every layer output is finite, so the loss itself overflowed on outputs as large as ${largest.toExponential(2)} from the output layer ${last[0]} (${last[1]}) (or took the log of a probability of 0)`
      : 'the loss itself overflowed';
  });
}
