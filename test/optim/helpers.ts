import assert from 'node:assert/strict';
import { Tensor, tensor } from '../../src/tensor/index.js';
import type { DType } from '../../src/kernels/index.js';

/** A parameter (a leaf that requires a gradient) holding `values`. */
export function param(values: number[], dtype: DType = 'float64', name?: string): Tensor {
  const t = tensor(values, { dtype, requiresGrad: true });
  t.name = name;
  return t;
}

/** Sets ∂C/∂p to `values`. */
export function setGrad(p: Tensor, values: number[]): void {
  p.grad = tensor(values, { dtype: p.dtype });
}

/** Asserts |actual[i] − expected[i]| ≤ tolerance for every i. */
export function assertClose(actual: ArrayLike<number>, expected: readonly number[], tolerance: number, label = ''): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= tolerance;
    assert.ok(ok, `${label}[${i}]: got ${actual[i]}, expected ${expected[i]} (±${tolerance})`);
  }
}
