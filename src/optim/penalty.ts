import { abs, add, scale, square, sum } from '../ops/index.js';
import { Tensor } from '../tensor/index.js';
import { ValueError, formatValue } from '../util/errors.js';
import { checkNonNegative } from './checks.js';

/**
 * Which parameters a penalty applies to by default: weights, not biases (as most texts do; a bias
 * only shifts a unit's input and penalising it does not reduce the network's capacity to overfit).
 * A named tensor counts as a weight when its name is "weight" or ends in ".weight" (the layers name
 * theirs "dense1.weight", "dense1.bias"); an unnamed tensor when it has rank ≥ 2 (a matrix, not a
 * bias vector).
 */
export function isWeight(param: Tensor): boolean {
  if (param.name !== undefined) return param.name === 'weight' || param.name.endsWith('.weight');
  return param.rank >= 2;
}

export interface PenaltyOptions {
  /** Which parameters to penalise; default `isWeight`. Pass `() => true` for all. */
  include?: (param: Tensor) => boolean;
}

function selected(where: string, params: readonly Tensor[], options: PenaltyOptions): Tensor[] {
  if (!Array.isArray(params)) throw new ValueError(`${where}: params must be a list of tensors, got ${formatValue(params)}`);
  const include = options.include ?? isWeight;
  return params.filter((param, i) => {
    if (!(param instanceof Tensor)) throw new ValueError(`${where}: params[${i}] must be a Tensor, got ${formatValue(param)}`);
    return include(param);
  });
}

function total(terms: Tensor[], dtype: Tensor['dtype']): Tensor {
  if (terms.length === 0) return new Tensor(dtype === 'float64' ? new Float64Array(1) : new Float32Array(1), []);
  return terms.reduce((accumulated, term) => add(accumulated, term));
}

/**
 * The L1 penalty λ·Σ|w| over the selected parameters, a scalar tensor to add to the loss. Its
 * gradient λ·sign(w) pushes weights to exactly zero at a constant rate (sparse weights).
 * `strength` λ ≥ 0. With no selected parameters the result is a constant 0.
 */
export function l1Penalty(params: readonly Tensor[], strength: number, options: PenaltyOptions = {}): Tensor {
  checkNonNegative('l1Penalty', 'strength', strength);
  const chosen = selected('l1Penalty', params, options);
  return scale(total(chosen.map((w) => sum(abs(w))), chosen[0]?.dtype ?? 'float32'), strength);
}

/**
 * The L2 penalty (λ/2)·Σw² over the selected parameters, a scalar tensor to add to the loss.
 * The ½ is there so the gradient is exactly λ·w: adding `l2Penalty(params, λ)` to the loss is
 * the same as an optimiser's `weightDecay: λ` (g ← ∇C + λw) on those parameters. (Some texts and
 * Keras's `l2(λ)` write λ·Σw², whose gradient is 2λw: Keras's λ is half of ours.)
 *
 * L2 in the loss vs decoupled weight decay: with plain SGD both shrink w by ε·λ·w per step. With
 * adaptive optimisers (Adagrad, RMSprop, Adam) the L2 gradient is rescaled per weight like the
 * rest of the gradient, so it is not a uniform decay; AdamW's decoupled decay is (see AdamW).
 */
export function l2Penalty(params: readonly Tensor[], strength: number, options: PenaltyOptions = {}): Tensor {
  checkNonNegative('l2Penalty', 'strength', strength);
  const chosen = selected('l2Penalty', params, options);
  return scale(total(chosen.map((w) => sum(square(w))), chosen[0]?.dtype ?? 'float32'), strength / 2);
}
