import { gradBufferToOverwrite, needsGrad, record } from '../autograd/index.js';
import { releaseScratch, scratch } from '../autograd/graph.js';
import { backend, denseBackward, denseForward, derivativeUsesInput } from '../kernels/index.js';
import type { UnaryOp } from '../kernels/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import { ShapeError, ValueError, formatShape } from '../util/errors.js';

export interface MatmulOptions {
  /** Use Aᵀ (A stored [k, m]). */
  transA?: boolean;
  /** Use Bᵀ (B stored [n, k]). */
  transB?: boolean;
}

function check2d(where: string, name: string, t: Tensor): void {
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
 * matters for small layers (`Dense` uses it unless it records its activations).
 * Backward, with δ = ∂C/∂y ⊙ f′(z) of shape [batch, out]: ∂C/∂W = δᵀ·a, ∂C/∂b = Σ_batch δ,
 * ∂C/∂a = δ·W.
 */
export function linearActivation(input: Tensor, weight: Tensor, bias: Tensor | null, op: UnaryOp, param: number): Tensor {
  checkLinear(input, weight, bias);
  const [batch, inFeatures] = input.shape;
  const outFeatures = weight.shape[0];
  const kernels = backend();
  const dtype = input.dtype;
  const out = new Tensor(allocate(dtype, batch * outFeatures), [batch, outFeatures]);
  const recording = needsGrad(input, weight, bias);
  // z is kept for the backward pass only, where f′ needs it (not for tanh or sigmoid, whose f′
  // comes from the output; the identity's z is the output itself).
  const preActivation = recording && derivativeUsesInput(op) ? scratch(dtype, batch * outFeatures) : null;
  denseForward(kernels, input.data, weight.data, bias ? bias.data : null, batch, inFeatures, outFeatures, op, param, out.data, preActivation);
  if (recording) {
    record(out, bias ? [input, weight, bias] : [input, weight], (gradOut) => {
      // Each gradient is added into existing storage or written into new storage. Reading every
      // flag before the first kernel runs keeps the order of the separate calls: if input and
      // weight were one tensor, its second product would add to its first.
      const accumulateBias = bias !== null && bias.grad !== null;
      const gradBias = bias ? gradBufferToOverwrite(bias) : null;
      const accumulateWeight = weight.grad !== null;
      const gradWeight = gradBufferToOverwrite(weight);
      const accumulateInput = input.grad !== null;
      const gradInput = gradBufferToOverwrite(input);
      // δ = ∂C/∂y ⊙ f′(z); ∂C/∂y is dropped after this rule unless retained, so δ may take its place.
      const delta = op !== 'identity' && out.retainsGrad ? allocate(dtype, batch * outFeatures) : gradOut;
      denseBackward(kernels, op, param, batch, inFeatures, outFeatures, input.data, weight.data, preActivation, out.data, gradOut, delta,
        gradBias, accumulateBias, gradWeight, accumulateWeight, gradInput, accumulateInput);
      if (preActivation !== null) releaseScratch(preActivation);
    });
  }
  return out;
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
