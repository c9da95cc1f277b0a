import { backend } from '../kernels/index.js';
import type { DType, FloatArray, UnaryOp } from '../kernels/index.js';
import { binaryCrossEntropyElement, binaryCrossEntropyWithLogitsElement, huberElement } from '../ops/index.js';
import type { ElementLoss } from '../ops/index.js';
import { allocate } from '../tensor/index.js';
import { ValueError } from '../util/errors.js';

/**
 * The loss stage of the fused training step (fused.ts): the batch loss C of the network output y
 * [batch, outputs] and the targets, and ∂C/∂y, into buffers allocated once per batch size.
 *
 * Every named loss of `LOSSES` is here, each computed as its autograd composition in src/ops/losses.ts
 * computes it: the same kernel calls with the same arguments in the same order, each gradient
 * accumulated into a zero-filled buffer as `backward()` does, so the numbers are bit-identical.
 *
 *   softmaxCrossEntropy   Cᵢ = −log softmax(yᵢ)_{labelᵢ},  C = (1/B)·Σᵢ Cᵢ;
 *                         ∂C/∂yᵢⱼ = g·softmax(yᵢ)ⱼ − g·[j = labelᵢ], g = 1/B rounded to the dtype
 *   mse, mae              C = (1/N)·Σ e(y − t), e = square or abs over all N = B·outputs elements
 *   halfSquaredError      C = (1/B)·Σᵢ ½·Σⱼ (yᵢⱼ − tᵢⱼ)²
 *   binaryCrossEntropy(WithLogits), huber   C = (1/N)·Σ ℓ(y, t) with ℓ and ℓ′ from ops (ElementLoss)
 */
export type FusedLossName = 'softmaxCrossEntropy' | 'mse' | 'mae' | 'halfSquaredError' | 'binaryCrossEntropy' | 'binaryCrossEntropyWithLogits' | 'huber';

export const FUSED_LOSSES: readonly FusedLossName[] = ['softmaxCrossEntropy', 'mse', 'mae', 'halfSquaredError', 'binaryCrossEntropy', 'binaryCrossEntropyWithLogits', 'huber'];

const ELEMENT_LOSSES: Partial<Record<FusedLossName, ElementLoss>> = {
  binaryCrossEntropy: binaryCrossEntropyElement,
  binaryCrossEntropyWithLogits: binaryCrossEntropyWithLogitsElement,
  huber: huberElement(1),
};

/** The unary op applied to the difference y − t by the difference losses. */
const DIFFERENCE_OPS: Partial<Record<FusedLossName, UnaryOp>> = { mse: 'square', mae: 'abs', halfSquaredError: 'square' };

/** The upstream gradient of the loss itself: ∂C/∂C = 1. */
const SEED = { float32: Float32Array.of(1), float64: Float64Array.of(1) };

export class FusedLoss {
  readonly name: FusedLossName;
  readonly batch: number;
  readonly outputs: number;
  private readonly elementLoss: ElementLoss | null;
  private readonly differenceOp: UnaryOp | null;
  private readonly seed: FloatArray;
  /** Σ of the terms, C = Σ·(1/count), and ∂C/∂Σ. */
  private readonly total: FloatArray;
  private readonly loss: FloatArray;
  private readonly gradTotal: FloatArray;
  /** What the mean runs over, per sample (softmaxCrossEntropy, halfSquaredError) or per element, and its gradient. */
  private readonly terms: FloatArray;
  private readonly gradTerms: FloatArray;
  /** log softmax(y) (softmaxCrossEntropy), ℓ′ per element (ElementLoss), or d = y − t (difference losses). */
  private readonly local: FloatArray;
  /** Difference losses: e(d) per element (the terms themselves for mse and mae), its gradient, and ∂C/∂d. */
  private readonly errors: FloatArray;
  private readonly gradErrors: FloatArray;
  private readonly gradDifference: FloatArray;
  /** halfSquaredError: Σⱼ (yᵢⱼ − tᵢⱼ)² per sample and its gradient. */
  private readonly rowSum: FloatArray;
  private readonly gradRowSum: FloatArray;
  /** Shapes passed to the broadcasting `binary` kernel, as the autograd rules pass them. */
  private readonly termsShape: number[];
  private readonly scalarShape = [1, 1, 1];
  private readonly matrixShape: number[];
  private readonly rowsShape: number[];
  private readonly rowShape: number[];

  constructor(name: FusedLossName, dtype: DType, batch: number, outputs: number) {
    this.name = name;
    this.batch = batch;
    this.outputs = outputs;
    this.elementLoss = ELEMENT_LOSSES[name] ?? null;
    this.differenceOp = DIFFERENCE_OPS[name] ?? null;
    const size = batch * outputs;
    const half = name === 'halfSquaredError';
    const termCount = name === 'softmaxCrossEntropy' || half ? batch : size;
    this.seed = SEED[dtype];
    this.total = allocate(dtype, 1);
    this.loss = allocate(dtype, 1);
    this.gradTotal = allocate(dtype, 1);
    this.terms = allocate(dtype, termCount);
    this.gradTerms = allocate(dtype, termCount);
    this.local = allocate(dtype, size);
    this.errors = half ? allocate(dtype, size) : this.terms;
    this.gradErrors = half ? allocate(dtype, size) : this.gradTerms;
    // Also softmaxCrossEntropy's softmax in the backward pass.
    this.gradDifference = allocate(dtype, this.differenceOp || name === 'softmaxCrossEntropy' ? size : 0);
    this.rowSum = allocate(dtype, half ? batch : 0);
    this.gradRowSum = allocate(dtype, half ? batch : 0);
    this.termsShape = [1, termCount, 1];
    this.matrixShape = [batch, outputs];
    this.rowsShape = [batch, outputs, 1];
    this.rowShape = [batch, 1, 1];
  }

  /** C for the network output y [batch, outputs] and the targets (labels, or values shaped like y). */
  forward(y: FloatArray, target: FloatArray | Int32Array): number {
    const kernels = backend();
    const { batch, outputs } = this;
    if (this.name === 'softmaxCrossEntropy') {
      const labels = target as Int32Array;
      for (let i = 0; i < batch; i++) {
        const label = labels[i];
        if (!(label >= 0 && label < outputs)) throw new ValueError(`softmaxCrossEntropy: label ${i} must be an integer in [0, ${outputs}), got ${label}`);
      }
      kernels.softmax(y, batch, outputs, this.local, true);
      for (let i = 0; i < batch; i++) this.terms[i] = -this.local[i * outputs + labels[i]];
    } else if (this.elementLoss) {
      const values = target as FloatArray;
      for (let i = 0; i < y.length; i++) this.terms[i] = this.elementLoss(y[i], values[i], this.local, i);
    } else {
      kernels.binary('sub', y, this.matrixShape, target as FloatArray, this.matrixShape, this.local, this.matrixShape);
      kernels.unary(this.differenceOp!, this.local, this.errors, 0);
      if (this.name === 'halfSquaredError') {
        kernels.reduce('sum', this.errors, batch, outputs, 1, this.rowSum, false);
        kernels.unary('mulScalar', this.rowSum, this.terms, 0.5);
      }
    }
    kernels.reduce('sum', this.terms, 1, this.terms.length, 1, this.total, false);
    kernels.unary('mulScalar', this.total, this.loss, 1 / this.terms.length);
    return this.loss[0];
  }

  /** Writes ∂C/∂y into `gradY` (overwritten) for the y and targets of the last `forward`. */
  backward(target: FloatArray | Int32Array, gradY: FloatArray): void {
    const kernels = backend();
    const { batch, outputs } = this;
    // The mean C = Σ·(1/count); then the sum hands ∂C/∂Σ to every term.
    this.gradTotal[0] = 0;
    kernels.unaryBackward('mulScalar', this.total, this.loss, this.seed, this.gradTotal, 1 / this.terms.length, true);
    this.gradTerms.fill(0);
    kernels.binary('add', this.gradTerms, this.termsShape, this.gradTotal, this.scalarShape, this.gradTerms, this.termsShape);
    gradY.fill(0);
    if (this.name === 'softmaxCrossEntropy') {
      const labels = target as Int32Array;
      // softmax(y) = e^(log softmax(y)), by the backend's exp as the autograd rule computes it.
      const probability = this.gradDifference;
      kernels.unary('exp', this.local, probability, 0);
      for (let i = 0; i < batch; i++) {
        const base = i * outputs;
        const g = this.gradTerms[i];
        for (let j = 0; j < outputs; j++) gradY[base + j] += g * probability[base + j];
        gradY[base + labels[i]] -= g;
      }
      return;
    }
    if (this.elementLoss) {
      for (let i = 0; i < gradY.length; i++) gradY[i] += this.gradTerms[i] * this.local[i];
      return;
    }
    if (this.name === 'halfSquaredError') {
      // C-terms are ½·rowSum; the row sum hands its gradient to every element of the row.
      this.gradRowSum.fill(0);
      kernels.unaryBackward('mulScalar', this.rowSum, this.terms, this.gradTerms, this.gradRowSum, 0.5, true);
      this.gradErrors.fill(0);
      kernels.binary('add', this.gradErrors, this.rowsShape, this.gradRowSum, this.rowShape, this.gradErrors, this.rowsShape);
    }
    this.gradDifference.fill(0);
    kernels.unaryBackward(this.differenceOp!, this.local, this.errors, this.gradErrors, this.gradDifference, 0, true);
    // d = y − t: ∂C/∂y = ∂C/∂d (accumulated into the zero-filled gradY, as broadcasting's backward does).
    kernels.binary('add', gradY, this.matrixShape, this.gradDifference, this.matrixShape, gradY, this.matrixShape);
  }
}
