import { gradBufferToOverwrite, needsGrad, record } from '../autograd/index.js';
import { backend } from '../kernels/index.js';
import type { UnaryOp } from '../kernels/index.js';
import { Tensor, allocate, requireTensor } from '../tensor/index.js';
import { ShapeError, ValueError, formatShape } from '../util/errors.js';
import { stackForward } from './stack.js';
import type { DenseStage } from './stack.js';

export type { DenseStage } from './stack.js';

export interface MatmulOptions {
  /** Use Aᵀ (A stored [k, m]). */
  transA?: boolean;
  /** Use Bᵀ (B stored [n, k]). */
  transB?: boolean;
}

function check2d(where: string, name: string, t: Tensor): void {
  requireTensor(where, name, t);
  if (t.rank !== 2) throw new ShapeError(`${where}: ${name} must be 2-D, got shape ${formatShape(t.shape)}`);
}

/**
 * C = op(A)·op(B) for 2-D tensors, op being identity or transpose (no copies are made).
 * Backward: ∂C/∂op(A) = G·op(B)ᵀ and ∂C/∂op(B) = op(A)ᵀ·G, each computed by one gemm call
 * with the right transpose flags.
 */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  const transA = options.transA ?? false;
  const transB = options.transB ?? false;
  check2d('matmul', 'A', a);
  check2d('matmul', 'B', b);
  if (a.dtype !== b.dtype) throw new ValueError(`matmul: operands have different dtypes ${a.dtype} and ${b.dtype}`);
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [kB, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (k !== kB) {
    const describe = (t: Tensor, transposed: boolean) => formatShape(t.shape) + (transposed ? 'ᵀ' : '');
    throw new ShapeError(`matmul: ${describe(a, transA)} × ${describe(b, transB)}: inner sizes ${k} and ${kB} differ`);
  }
  const out = new Tensor(allocate(a.dtype, m * n), [m, n]);
  const kernels = backend();
  kernels.gemm(transA, transB, m, n, k, a.data, b.data, out.data, false);
  if (needsGrad(a, b)) {
    record(out, [a, b], (gradOut) => {
      // Each gradient is one gemm: it adds into existing storage or overwrites new storage.
      const accumulateA = a.grad !== null;
      const gradA = gradBufferToOverwrite(a);
      if (gradA) {
        if (!transA) kernels.gemm(false, !transB, m, k, n, gradOut, b.data, gradA, accumulateA); // G·op(B)ᵀ
        else kernels.gemm(transB, true, k, m, n, b.data, gradOut, gradA, accumulateA); // (G·op(B)ᵀ)ᵀ = op(B)·Gᵀ
      }
      // b may be a itself (a·aᵀ): then the second product adds to the first.
      const accumulateB = b.grad !== null;
      const gradB = gradBufferToOverwrite(b);
      if (gradB) {
        if (!transB) kernels.gemm(!transA, false, k, n, m, a.data, gradOut, gradB, accumulateB); // op(A)ᵀ·G
        else kernels.gemm(true, transA, n, k, m, gradOut, a.data, gradB, accumulateB); // (op(A)ᵀ·G)ᵀ = Gᵀ·op(A)
      }
    });
  }
  return out;
}

/**
 * The dense-layer affine map z = a·Wᵀ + b for a batch: a is [batch, in], W is [out, in] (row j holds
 * the weights into neuron j, the textbook W of shape (n, m)), b is [out] or null.
 * Backward, with δ = ∂C/∂z of shape [batch, out]: ∂C/∂W = δᵀ·a, ∂C/∂b = Σ_batch δ, ∂C/∂a = δ·W.
 */
export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return linearActivation(input, weight, bias, 'identity', 0);
}

/**
 * A whole dense layer in one op: y = f(a·Wᵀ + b) for an elementwise activation f, given as the
 * kernel's op and parameter (as `unaryOp` takes them: leakyRelu's slope, elu's α). The values are
 * those of f applied to `linear(a, W, b)`; one graph node and two kernel calls replace four, which
 * matters for small layers (`Dense` uses it unless it records its activations). It is a
 * `denseStack` of one stage.
 * Backward, with δ = ∂C/∂y ⊙ f′(z) of shape [batch, out]: ∂C/∂W = δᵀ·a, ∂C/∂b = Σ_batch δ,
 * ∂C/∂a = δ·W.
 */
export function linearActivation(input: Tensor, weight: Tensor, bias: Tensor | null, op: UnaryOp, param: number): Tensor {
  checkLinear(input, weight, bias);
  return stackForward(input, [{ weight, bias, op, param }]);
}

function checkLinear(input: Tensor, weight: Tensor, bias: Tensor | null): void {
  check2d('linear', 'input', input);
  check2d('linear', 'weight', weight);
  const inFeatures = input.shape[1];
  const [outFeatures, weightIn] = weight.shape;
  if (inFeatures !== weightIn) {
    throw new ShapeError(`linear: input ${formatShape(input.shape)} has ${inFeatures} features but weight ${formatShape(weight.shape)} expects ${weightIn}`);
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ShapeError(`linear: bias must have shape [${outFeatures}], got ${formatShape(bias.shape)}`);
  }
  if (input.dtype !== weight.dtype || (bias && bias.dtype !== weight.dtype)) throw new ValueError(`linear: input (${input.dtype}), weight (${weight.dtype})${bias ? ` and bias (${bias.dtype})` : ''} must share a dtype`);
}

/**
 * Dense layers applied in turn as one op, y = f_L(…f_1(x·W_1ᵀ + b_1)…·W_Lᵀ + b_L): the values and
 * gradients of `linearActivation` applied layer by layer, from the same kernel calls with the same
 * arguments in the same order (so bit for bit the same), but with one graph node for the stack
 * (linearActivation is the stack of one).
 * The hidden activations (and their gradients, and z where f′ needs it) live in scratch storage,
 * given back by the backward rule, so a training step creates no tensors for them; for a small
 * network the per-layer tensors, nodes and calls cost more than the arithmetic. Each stage's
 * weight must take the previous stage's units (a ShapeError names the stage otherwise).
 */
export function denseStack(input: Tensor, stages: readonly DenseStage[]): Tensor {
  check2d('denseStack', 'input', input);
  if (stages.length === 0) throw new ValueError('denseStack: needs at least one stage');
  let width = input.shape[1];
  for (let l = 0; l < stages.length; l++) {
    checkStage(stages[l], l, width, input.dtype);
    width = stages[l].weight.shape[0];
  }
  // The backward rule reads the stages: a caller's array changed after this call must not reach it.
  return stackForward(input, Object.isFrozen(stages) && stages.every(Object.isFrozen) ? stages : stages.map((stage) => ({ ...stage })));
}

/** Stage l of a dense stack: W [units, inputs] with inputs = the width it gets, b [units] or null, one dtype. */
function checkStage(stage: DenseStage, l: number, inputs: number, dtype: string): void {
  const { weight, bias } = stage;
  if (weight.rank !== 2) throw new ShapeError(`denseStack: stage ${l}: weight must be 2-D, got shape ${formatShape(weight.shape)}`);
  if (weight.shape[1] !== inputs) throw new ShapeError(`denseStack: stage ${l}: weight ${formatShape(weight.shape)} expects ${weight.shape[1]} inputs but the stage gets ${inputs} features`);
  if (bias !== null && (bias.rank !== 1 || bias.shape[0] !== weight.shape[0])) throw new ShapeError(`denseStack: stage ${l}: bias must have shape [${weight.shape[0]}], got ${formatShape(bias.shape)}`);
  if (weight.dtype !== dtype || (bias !== null && bias.dtype !== dtype)) {
    throw new ValueError(`denseStack: stage ${l}: input (${dtype}), weight (${weight.dtype})${bias ? ` and bias (${bias.dtype})` : ''} must share a dtype`);
  }
}
