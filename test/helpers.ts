/** Shared test helpers: seeded float64 inputs, gradient checks and closeness assertions. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gradcheck } from '../src/autograd/index.js';
import type { GradcheckOptions } from '../src/autograd/index.js';
import { Tensor } from '../src/tensor/index.js';
import { Rng } from '../src/util/rng.js';

/** A float64 tensor of uniform draws in [low, high) that requires a gradient. */
export function randomTensor(shape: number[], rng: Rng, low = -2, high = 2, requiresGrad = true): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(size);
  for (let i = 0; i < size; i++) data[i] = rng.uniformRange(low, high);
  return new Tensor(data, shape, requiresGrad);
}

/**
 * Asserts that backpropagation through `fn` matches float64 central finite differences for every
 * input that requires a gradient; the one helper every op, activation, loss and layer test uses.
 */
export function assertGradcheck(label: string, fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): void {
  const report = gradcheck(fn, inputs, options);
  for (const input of report.inputs) {
    assert.ok(
      input.passed,
      `${label}: gradient of input ${input.index} differs from finite differences: max abs error ${input.maxAbsError.toExponential(2)} at element ${input.worstElement}`,
    );
  }
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| elementwise. */
export function assertClose(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, atol = 1e-12, rtol = 1e-9): void {
  assert.equal(actual.length, expected.length, `${label}: length ${actual.length}, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const ok = (Number.isNaN(a) && Number.isNaN(e)) || a === e || Math.abs(a - e) <= atol + rtol * Math.abs(e);
    assert.ok(ok, `${label}: element ${i} is ${a}, expected ${e}`);
  }
}

/** Reads a JSON fixture from test/fixtures (the tests run from dist/test/...). */
export function readFixture<T>(name: string): T {
  const url = new URL(`../../test/fixtures/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}
