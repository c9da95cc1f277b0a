import { Tensor } from '../tensor/index.js';
import { ValueError, formatValue } from '../util/errors.js';
import { checkNonNegative } from './checks.js';

function gradientsOf(where: string, params: readonly Tensor[]): Tensor[] {
  if (!Array.isArray(params)) throw new ValueError(`${where}: params must be a list of tensors, got ${formatValue(params)}`);
  const grads: Tensor[] = [];
  params.forEach((param, i) => {
    if (!(param instanceof Tensor)) throw new ValueError(`${where}: params[${i}] must be a Tensor, got ${formatValue(param)}`);
    if (param.grad !== null) grads.push(param.grad);
  });
  return grads;
}

/**
 * Clips gradients by their global L2 norm, in place. With every gradient gᵢ of every parameter
 * (those whose `.grad` is null are ignored) seen as one vector g:
 *
 *     ‖g‖ = √(Σᵢ gᵢ²)     (accumulated in float64)
 *     if ‖g‖ > maxNorm:  g ← g · maxNorm / (‖g‖ + 1e-6)
 *
 * so the direction is kept and only the length shrinks (to just under maxNorm; the 1e-6 guards
 * against dividing by a tiny norm, as PyTorch's clip_grad_norm_). Returns ‖g‖ before clipping,
 * worth logging: a norm that keeps hitting the limit means the learning rate is too high.
 * A non-finite norm (a NaN or ±∞ gradient) is returned and the gradients are left as they are,
 * for the caller's NaN guard to report.
 */
export function clipGradNorm(params: readonly Tensor[], maxNorm: number): number {
  checkNonNegative('clipGradNorm', 'maxNorm', maxNorm);
  const grads = gradientsOf('clipGradNorm', params);
  let sumSquares = 0;
  for (const grad of grads) for (let i = 0; i < grad.data.length; i++) sumSquares += grad.data[i] * grad.data[i];
  const norm = Math.sqrt(sumSquares);
  if (!Number.isFinite(norm)) return norm;
  const coefficient = maxNorm / (norm + 1e-6);
  if (coefficient < 1) for (const grad of grads) for (let i = 0; i < grad.data.length; i++) grad.data[i] *= coefficient;
  return norm;
}

/**
 * Clips every gradient element into [−limit, limit], in place (PyTorch's clip_grad_value_). Unlike
 * clipping by norm this changes the gradient's direction. NaN elements stay NaN.
 */
export function clipGradValue(params: readonly Tensor[], limit: number): void {
  checkNonNegative('clipGradValue', 'limit', limit);
  for (const grad of gradientsOf('clipGradValue', params)) {
    const data = grad.data;
    for (let i = 0; i < data.length; i++) {
      if (data[i] > limit) data[i] = limit;
      else if (data[i] < -limit) data[i] = -limit;
    }
  }
}
