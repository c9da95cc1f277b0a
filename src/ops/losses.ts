import { gradBuffer, gradBufferToOverwrite, needsGrad, record } from '../autograd/index.js';
import { releaseScratch, scratch } from '../autograd/graph.js';
import type { DType, FloatArray } from '../kernels/index.js';
import { backend, softmaxCrossEntropyLabels, softmaxCrossEntropyLabelsBackward } from '../kernels/index.js';
import { sigmoid as sigmoidScalar, softplus as softplusScalar } from '../kernels/js/elementwise.js';
import { Tensor, allocate } from '../tensor/index.js';
import { ShapeError, ValueError, checkNumber, formatShape, formatValue } from '../util/errors.js';
import { abs, scale, square, sub } from './elementwise.js';
import { mean, sum } from './reduce.js';

/**
 * Loss functions C(y, t) of predictions y and targets t. Each documents exactly how it reduces:
 *   'mean' (default) — the mean stated for that loss (over all elements, or over the batch);
 *   'sum'            — the sum over everything;
 *   'none'           — the unreduced values (per element, or per sample).
 */
export type Reduction = 'mean' | 'sum' | 'none';

export interface LossOptions {
  reduction?: Reduction;
}

function checkReduction(where: string, reduction: unknown): Reduction {
  if (reduction === undefined) return 'mean';
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'none') {
    throw new ValueError(`${where}: reduction must be "mean", "sum" or "none", got ${formatValue(reduction)}`);
  }
  return reduction;
}

function checkSameShape(where: string, prediction: Tensor, target: Tensor): void {
  if (prediction.size !== target.size || prediction.rank !== target.rank || prediction.shape.some((d, i) => d !== target.shape[i])) {
    throw new ShapeError(`${where}: prediction ${formatShape(prediction.shape)} and target ${formatShape(target.shape)} must have the same shape`);
  }
  if (prediction.dtype !== target.dtype) throw new ValueError(`${where}: prediction is ${prediction.dtype} but target is ${target.dtype}`);
}

function reduceElements(values: Tensor, reduction: Reduction): Tensor {
  return reduction === 'mean' ? mean(values) : reduction === 'sum' ? sum(values) : values;
}

/** One element of each dtype: rounds a scalar as that dtype stores it, without allocating. */
const ROUNDING = { float32: new Float32Array(1), float64: new Float64Array(1) };

/**
 * The gradient every term receives from a 'sum' or 'mean' reduction (∂C/∂termᵢ is the same for all
 * i): for the mean, (∂C/∂C)·(1/n) rounded to the dtype, as `mulScalar`'s backward stores it; then
 * 0 + that value, as broadcasting's backward adds it into zero-filled storage.
 */
function termGradient(dtype: DType, gradOut: number, reduction: Reduction, count: number): number {
  const rounded = ROUNDING[dtype];
  rounded[0] = reduction === 'mean' ? 0 + gradOut * (1 / count) : gradOut;
  return 0 + rounded[0];
}

/**
 * A loss from its terms (per element or per sample, of shape `shape`) as one graph node:
 * 'none' returns the terms, 'sum' is Σ terms and 'mean' is (Σ terms)·(1/n), with the same kernel
 * calls and arithmetic in the same order as `sum`/`mean` of a tensor of the terms, so the values are identical
 * (the fused training step, src/train/fused-loss.ts, repeats them). `backwardTerms` adds the
 * gradient into the loss's inputs given ∂C/∂termᵢ: under 'none' as the array `gradTerms`, under
 * 'sum' and 'mean' (where every term gets the same value) as the number `gradTerm` with
 * `gradTerms` null. `terms` comes from `scratch`: under 'sum' and 'mean' it is given back here.
 * One node instead of three matters for small batches.
 */
function reduceTerms(terms: FloatArray, shape: readonly number[], reduction: Reduction, parents: Tensor[],
  backwardTerms: (gradTerms: FloatArray | null, gradTerm: number) => void): Tensor {
  const recording = parents.length === 1 ? needsGrad(parents[0]) : parents.some((p) => needsGrad(p));
  if (reduction === 'none') {
    const out = new Tensor(terms, shape);
    if (recording) record(out, parents, (gradOut) => backwardTerms(gradOut, 0));
    return out;
  }
  const dtype = parents[0].dtype;
  const count = terms.length;
  const value = allocate(dtype, 1);
  backend().reduce('sum', terms, 1, count, 1, value, false);
  releaseScratch(terms);
  // The arithmetic of unary('mulScalar') (no backend has its own), written out: a call into the
  // TypeScript backend's general loop costs more than this one product.
  if (reduction === 'mean') value[0] = value[0] * (1 / count);
  const out = new Tensor(value, []);
  if (recording) record(out, parents, (gradOut) => backwardTerms(null, termGradient(dtype, gradOut[0], reduction, count)));
  return out;
}

/** Mean squared error: (1/N)·Σ(y − t)² over all N elements ('mean'), or the sum. */
export function mseLoss(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction('mseLoss', options.reduction);
  checkSameShape('mseLoss', prediction, target);
  return reduceElements(square(sub(prediction, target)), reduction);
}

/**
 * The textbook quadratic cost C = ½·Σⱼ(yⱼ − tⱼ)² per sample (sum over output units), so that
 * ∂C/∂y = y − t. 'mean' averages the per-sample costs over the batch (first axis), 'sum' adds
 * them, 'none' returns them (shape [batch]).
 */
export function halfSquaredError(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction('halfSquaredError', options.reduction);
  checkSameShape('halfSquaredError', prediction, target);
  const squared = square(sub(prediction, target));
  // A rank-1 prediction is one sample; otherwise sum over the output units (last axis).
  const perSample = scale(prediction.rank >= 2 ? sum(squared, -1) : sum(squared), 0.5);
  if (reduction === 'none') return perSample;
  return reduction === 'mean' ? mean(perSample) : sum(perSample);
}

/** Mean absolute error: (1/N)·Σ|y − t| over all elements; the derivative at y = t is 0. */
export function maeLoss(prediction: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction('maeLoss', options.reduction);
  checkSameShape('maeLoss', prediction, target);
  return reduceElements(abs(sub(prediction, target)), reduction);
}

/**
 * The loss of one element of prediction y and target t; writes ∂loss/∂y into `gradient[i]`.
 * Exported so the fused training step (src/train/fused.ts) computes exactly the same numbers.
 */
export type ElementLoss = (y: number, t: number, gradient: FloatArray, i: number) => number;

/** A loss computed elementwise by `fn`, reduced over all elements. */
function elementwiseLoss(where: string, prediction: Tensor, target: Tensor, reduction: Reduction, fn: ElementLoss): Tensor {
  checkSameShape(where, prediction, target);
  const n = prediction.size;
  const values = reduction === 'none' ? allocate(prediction.dtype, n) : scratch(prediction.dtype, n);
  const localGrad = scratch(prediction.dtype, n);
  for (let i = 0; i < n; i++) values[i] = fn(prediction.data[i], target.data[i], localGrad, i);
  if (!needsGrad(prediction)) releaseScratch(localGrad);
  return reduceTerms(values, prediction.shape, reduction, [prediction], (gradTerms, gradTerm) => {
    const gradY = gradBuffer(prediction)!;
    if (gradTerms === null) for (let i = 0; i < n; i++) gradY[i] += gradTerm * localGrad[i];
    else for (let i = 0; i < n; i++) gradY[i] += gradTerms[i] * localGrad[i];
    releaseScratch(localGrad);
  });
}

export interface HuberOptions extends LossOptions {
  /** The threshold δ between the quadratic and linear parts. Default 1. */
  delta?: number;
}

/**
 * Huber loss per element, d = y − t: ½d² for |d| ≤ δ, else δ(|d| − ½δ); mean over all elements.
 * Derivative: d inside, δ·sign(d) outside.
 */
export function huberLoss(prediction: Tensor, target: Tensor, options: HuberOptions = {}): Tensor {
  const reduction = checkReduction('huberLoss', options.reduction);
  const delta = checkNumber('huberLoss', 'delta', options.delta ?? 1, { min: 0, exclusiveMin: true });
  return elementwiseLoss('huberLoss', prediction, target, reduction, huberElement(delta));
}

/** One element of the Huber loss with threshold δ (see huberLoss). */
export function huberElement(delta: number): ElementLoss {
  return (y, t, gradient, i) => {
    const d = y - t;
    if (Math.abs(d) <= delta) {
      gradient[i] = d;
      return 0.5 * d * d;
    }
    gradient[i] = d > 0 ? delta : -delta;
    return delta * (Math.abs(d) - 0.5 * delta);
  };
}

/**
 * Binary cross-entropy from probabilities p ∈ [0, 1] and targets t ∈ [0, 1]:
 * −[t·ln p + (1 − t)·ln(1 − p)], mean over all elements. Each logarithm is clamped at −100
 * (as PyTorch) so p = 0 or 1 gives a finite loss; the derivative is (p − t) / (p(1 − p)) with the
 * denominator kept ≥ 1e-12. Prefer `binaryCrossEntropyWithLogits` when you have the logits.
 */
export function binaryCrossEntropy(probability: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction('binaryCrossEntropy', options.reduction);
  return elementwiseLoss('binaryCrossEntropy', probability, target, reduction, binaryCrossEntropyElement);
}

/** One element of binaryCrossEntropy; throws for a probability outside [0, 1]. */
export const binaryCrossEntropyElement: ElementLoss = (p, t, gradient, i) => {
  if (!(p >= 0 && p <= 1)) throw new ValueError(`binaryCrossEntropy: the probability at element ${i} must be in [0, 1], got ${p}`);
  if (!(t >= 0 && t <= 1)) throw new ValueError(`binaryCrossEntropy: the target at element ${i} must be in [0, 1], got ${t}`);
  const logP = Math.max(Math.log(p), -100);
  const logNotP = Math.max(Math.log1p(-p), -100);
  gradient[i] = (p - t) / Math.max(p * (1 - p), 1e-12);
  return -(t * logP + (1 - t) * logNotP);
};

/**
 * Binary cross-entropy from logits x (p = σ(x)), stable for any x:
 * max(x, 0) − x·t + ln(1 + e^(−|x|)), mean over all elements. Derivative σ(x) − t.
 */
export function binaryCrossEntropyWithLogits(logits: Tensor, target: Tensor, options: LossOptions = {}): Tensor {
  const reduction = checkReduction('binaryCrossEntropyWithLogits', options.reduction);
  return elementwiseLoss('binaryCrossEntropyWithLogits', logits, target, reduction, binaryCrossEntropyWithLogitsElement);
}

/** One element of binaryCrossEntropyWithLogits. */
export const binaryCrossEntropyWithLogitsElement: ElementLoss = (x, t, gradient, i) => {
  if (!(t >= 0 && t <= 1)) throw new ValueError(`binaryCrossEntropyWithLogits: the target at element ${i} must be in [0, 1], got ${t}`);
  gradient[i] = sigmoidScalar(x) - t;
  return softplusScalar(x) - x * t;
};

/** Integer class labels, one per row. */
export type Labels = Int32Array | Uint8Array | readonly number[];

/**
 * Softmax cross-entropy from logits z of shape [batch, classes], stable through log-sum-exp:
 * per sample Cᵢ = log Σⱼ e^(zᵢⱼ) − Σⱼ tᵢⱼ·zᵢⱼ·… i.e. −Σⱼ tᵢⱼ·log softmax(zᵢ)ⱼ, with targets as
 * integer labels (tᵢ one-hot) or as a [batch, classes] tensor of one-hot or soft targets.
 * 'mean' averages over the batch. Gradient: ∂Cᵢ/∂zᵢⱼ = softmax(zᵢ)ⱼ·Σₖ tᵢₖ − tᵢⱼ.
 */
export function softmaxCrossEntropy(logits: Tensor, target: Labels | Tensor, options: LossOptions = {}): Tensor {
  const reduction = options.reduction === undefined ? 'mean' : checkReduction('softmaxCrossEntropy', options.reduction);
  if (logits.rank !== 2) throw new ShapeError(`softmaxCrossEntropy: logits must be [batch, classes], got ${formatShape(logits.shape)}`);
  const batch = logits.shape[0], classes = logits.shape[1];
  if (target instanceof Tensor) {
    checkSameShape('softmaxCrossEntropy', logits, target);
  } else {
    if (target.length !== batch) throw new ShapeError(`softmaxCrossEntropy: ${target.length} labels for a batch of ${batch}`);
    if (reduction !== 'none') return labelCrossEntropy(logits, target, reduction, batch, classes);
  }
  const kernels = backend();
  const logProb = scratch(logits.dtype, logits.size);
  const perSample = reduction === 'none' ? allocate(logits.dtype, batch) : scratch(logits.dtype, batch);
  if (target instanceof Tensor) {
    kernels.softmax(logits.data, batch, classes, logProb, true);
    for (let i = 0; i < batch; i++) {
      const base = i * classes;
      let s = 0;
      for (let j = 0; j < classes; j++) {
        const t = target.data[base + j];
        if (t !== 0) s -= t * logProb[base + j];
      }
      perSample[i] = s;
    }
  } else {
    const bad = softmaxCrossEntropyLabels(kernels, logits.data, target, batch, classes, logProb, perSample, null);
    if (bad >= 0) {
      releaseScratch(logProb);
      throw labelError(target, bad, classes);
    }
  }
  // log softmax(z) is kept for the backward rule, which gives it back.
  if (!needsGrad(logits)) releaseScratch(logProb);
  return reduceTerms(perSample, [batch], reduction, [logits], (gradTerms, gradTerm) => {
    addSoftmaxCrossEntropyGradient(logits, target, logProb, gradTerms, gradTerm);
    releaseScratch(logProb);
  });
}

function labelError(labels: Labels, row: number, classes: number): ValueError {
  return new ValueError(`softmaxCrossEntropy: label ${row} must be an integer in [0, ${classes}), got ${labels[row]}`);
}

/**
 * softmaxCrossEntropy with integer labels under 'mean' or 'sum', the loss of every classification
 * step: the same numbers as reduceTerms of the per-sample losses (the backend's kernel sums them as
 * `reduce` does), in fewer calls and with a smaller rule, which matter while a training loop warms
 * up and for small batches.
 */
function labelCrossEntropy(logits: Tensor, labels: Labels, reduction: 'mean' | 'sum', batch: number, classes: number): Tensor {
  const dtype = logits.dtype;
  const logProb = scratch(dtype, logits.size);
  const perSample = scratch(dtype, batch);
  const value = allocate(dtype, 1);
  const bad = softmaxCrossEntropyLabels(backend(), logits.data, labels, batch, classes, logProb, perSample, value);
  releaseScratch(perSample);
  if (bad >= 0) {
    releaseScratch(logProb);
    throw labelError(labels, bad, classes);
  }
  // The arithmetic of unary('mulScalar'), as reduceTerms writes it.
  if (reduction === 'mean') value[0] = value[0] * (1 / batch);
  const out = new Tensor(value, []);
  if (!needsGrad(logits)) {
    releaseScratch(logProb);
    return out;
  }
  return record(out, [logits], (gradOut) => {
    const gradTerm = termGradient(dtype, gradOut[0], reduction, batch);
    if (logits.grad === null) {
      // softmax(z) = e^(log softmax(z)) (by the backend's exp, as src/train/fused-loss.ts computes it)
      // written straight into the new ∂C/∂z, then 0 + g·softmax(z)ⱼ − g·[j = label].
      softmaxCrossEntropyLabelsBackward(backend(), logProb, labels, batch, classes, gradTerm, gradBufferToOverwrite(logits)!);
    } else {
      addSoftmaxCrossEntropyGradient(logits, labels, logProb, null, gradTerm);
    }
    releaseScratch(logProb);
  });
}

/**
 * The general case of softmaxCrossEntropy's rule (soft targets, 'none', or logits that already
 * have a gradient): ∂C/∂z added into the logits' gradient. Kept apart so the common case's rule
 * stays small (it is compiled while a training loop warms up).
 */
function addSoftmaxCrossEntropyGradient(logits: Tensor, target: Labels | Tensor, logProb: FloatArray, gradTerms: FloatArray | null, gradTerm: number): void {
  const [batch, classes] = logits.shape;
  const gradZ = gradBuffer(logits)!;
  const probability = scratch(logits.dtype, logits.size);
  backend().unary('exp', logProb, probability, 0);
  for (let i = 0; i < batch; i++) {
    const base = i * classes;
    const g = gradTerms === null ? gradTerm : gradTerms[i];
    if (target instanceof Tensor) {
      let targetSum = 0;
      for (let j = 0; j < classes; j++) targetSum += target.data[base + j];
      for (let j = 0; j < classes; j++) gradZ[base + j] += g * (probability[base + j] * targetSum - target.data[base + j]);
    } else {
      for (let j = 0; j < classes; j++) gradZ[base + j] += g * probability[base + j];
      gradZ[base + target[i]] -= g;
    }
  }
  releaseScratch(probability);
}
