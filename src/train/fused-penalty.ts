import { backend } from '../kernels/index.js';
import type { DType, FloatArray, UnaryOp } from '../kernels/index.js';
import { isWeight } from '../optim/index.js';
import { Tensor, allocate } from '../tensor/index.js';

/**
 * The l1 and l2 penalties of `fit` for the fused step, computed as the graph computes
 * `add(add(C, l1Penalty(params, λ₁)), l2Penalty(params, λ₂))` (src/optim/penalty.ts):
 *
 *   P₁ = λ₁·Σ|w|,  ∂P₁/∂w = λ₁·sign(w);   P₂ = (λ₂/2)·Σw²,  ∂P₂/∂w = λ₂·w   (weights only, `isWeight`)
 *
 * with the same kernels, in the same order and rounding. `backward()` graph order matters: the
 * graph's reverse topological order runs the penalty rules before the network's (l2 before l1), so
 * the penalty gradients go into `.grad` first and the data gradient is added onto them; call
 * `addGradients()` before `FusedTrainingStep.backward()`.
 */
export class FusedPenalty {
  private readonly terms: { op: UnaryOp; strength: number; factor: number }[];
  private readonly weights: Tensor[];
  private readonly dtype: DType;
  /** Per weight: |w| or w² (the values the sum runs over) and the upstream gradient of those values. */
  private readonly values: FloatArray[];
  private readonly upstream: FloatArray[];
  private readonly one: FloatArray;
  private readonly sum: FloatArray;
  private readonly partial: FloatArray;
  private readonly scaled: FloatArray;
  private readonly total: FloatArray;
  private readonly gradSum: FloatArray;
  private readonly scalarShape: number[] = [];

  constructor(params: readonly Tensor[], l1: number, l2: number) {
    this.weights = params.filter((p) => isWeight(p));
    this.dtype = this.weights[0]?.dtype ?? 'float32';
    // The trainer adds l1 first, so the graph runs l2's rule first.
    this.terms = [];
    if (l1) this.terms.push({ op: 'abs', strength: l1, factor: l1 });
    if (l2) this.terms.push({ op: 'square', strength: l2, factor: l2 / 2 });
    this.values = this.weights.map((w) => allocate(this.dtype, w.size));
    this.upstream = this.weights.map((w) => allocate(this.dtype, w.size));
    this.one = allocate(this.dtype, 1);
    this.one[0] = 1;
    this.sum = allocate(this.dtype, 1);
    this.partial = allocate(this.dtype, 1);
    this.scaled = allocate(this.dtype, 1);
    this.total = allocate(this.dtype, 1);
    this.gradSum = allocate(this.dtype, 1);
  }

  /** Whether the penalties apply (a weight to penalise and a positive strength). */
  get active(): boolean {
    return this.terms.length > 0 && this.weights.length > 0;
  }

  /** C + P₁ + P₂ for the data loss C, rounded as the graph's additions round it. */
  totalLoss(dataLoss: number): number {
    const kernels = backend();
    this.total[0] = dataLoss;
    for (const term of this.terms) {
      this.penalty(term.op);
      kernels.unary('mulScalar', this.sum, this.scaled, term.factor);
      kernels.binary('add', this.total, this.scalarShape, this.scaled, this.scalarShape, this.total, this.scalarShape);
    }
    return this.total[0];
  }

  /** Adds ∂P₂/∂w, then ∂P₁/∂w, into each weight's `.grad` (created when missing). */
  addGradients(): void {
    const kernels = backend();
    for (let t = this.terms.length - 1; t >= 0; t--) {
      const term = this.terms[t];
      // ∂P/∂Σ = factor; the sums and the additions between them pass it on unchanged (0 + g = g).
      this.gradSum[0] = 0;
      kernels.unaryBackward('mulScalar', this.sum, this.scaled, this.one, this.gradSum, term.factor, true);
      const g = this.gradSum[0];
      for (let i = 0; i < this.weights.length; i++) {
        const w = this.weights[i];
        if (!w.requiresGrad) continue;
        if (w.grad === null) w.grad = new Tensor(allocate(w.dtype, w.size), w.shape);
        this.upstream[i].fill(g);
        // abs′ and square′ are read from w alone, so `values` need not hold this term's e(w).
        kernels.unaryBackward(term.op, w.data, this.values[i], this.upstream[i], w.grad.data, 0, true);
      }
    }
  }

  /** Σ over the weights of Σ e(w) (e = abs or square), added term by term as `total` in penalty.ts adds them, into `sum`. */
  private penalty(op: UnaryOp): void {
    const kernels = backend();
    for (let i = 0; i < this.weights.length; i++) {
      const w = this.weights[i];
      kernels.unary(op, w.data, this.values[i], 0);
      kernels.reduce('sum', this.values[i], 1, w.size, 1, i === 0 ? this.sum : this.partial, false);
      if (i > 0) kernels.binary('add', this.sum, this.scalarShape, this.partial, this.scalarShape, this.sum, this.scalarShape);
    }
  }
}
