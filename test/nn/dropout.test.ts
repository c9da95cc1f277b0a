import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dropout } from '../../src/nn/index.js';
import { sum } from '../../src/ops/index.js';
import { ones, tensor } from '../../src/tensor/index.js';

const x = ones([500, 200]); // 100 000 units of activation 1

function stats(values: ArrayLike<number>): { mean: number; keptShare: number; distinct: number[] } {
  let total = 0;
  let kept = 0;
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    total += values[i];
    if (values[i] !== 0) kept++;
    distinct.add(values[i]);
  }
  return { mean: total / values.length, keptShare: kept / values.length, distinct: [...distinct].sort() };
}

test('inverted dropout: keeps a share p = 1 − rate, scales kept units by 1/p, preserves the mean; identity in eval', () => {
  const layer = new Dropout({ rate: 0.3, seed: 1 });
  const { mean, keptShare, distinct } = stats(layer.forward(x).data);
  // Standard error of the kept share: √(0.7·0.3/100 000) ≈ 0.0014.
  assert.ok(Math.abs(keptShare - 0.7) < 0.006, `kept ${keptShare}`);
  assert.deepEqual(distinct, [0, Math.fround(1 / 0.7)]);
  assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
  layer.eval();
  assert.equal(layer.forward(x), x, 'evaluation mode returns the input unchanged');
});

test('classic dropout: training multiplies by the mask unscaled; evaluation multiplies by p, the training-time mean', () => {
  const layer = new Dropout({ rate: 0.25, mode: 'classic', seed: 2 });
  const training = stats(layer.forward(x).data);
  assert.deepEqual(training.distinct, [0, 1]);
  assert.ok(Math.abs(training.mean - 0.75) < 0.006, `mean ${training.mean}`);
  layer.eval();
  const evaluation = layer.forward(tensor([[2, -4]])).data;
  assert.deepEqual(Array.from(evaluation), [1.5, -3]);
  assert.equal(layer.keepProbability, 0.75);
});

test('dropout masks are reproducible from the seed and differ between seeds and between calls', () => {
  const first = new Dropout({ rate: 0.5, seed: 7 });
  const again = new Dropout({ rate: 0.5, seed: 7 });
  const maskA = first.forward(x).data;
  assert.deepEqual(again.forward(x).data, maskA);
  assert.notDeepEqual(first.forward(x).data, maskA, 'a new mask each forward pass');
  assert.notDeepEqual(new Dropout({ rate: 0.5, seed: 8 }).forward(x).data, maskA);
});

test('the gradient flows through the same mask: ∂C/∂x = m/p', () => {
  const input = ones([4, 50], { requiresGrad: true });
  const layer = new Dropout({ rate: 0.5, seed: 3 });
  const y = layer.forward(input);
  sum(y).backward();
  assert.deepEqual(Array.from(input.grad!.data), Array.from(y.data), 'for x = 1 the output is the mask m/p, and so is the gradient');
  assert.ok(input.grad!.data.some((g) => g === 0) && input.grad!.data.some((g) => g === 2));
});

test('rate 0 is the identity; bad options are named', () => {
  const layer = new Dropout({ rate: 0 });
  assert.equal(layer.forward(x), x);
  assert.throws(() => new Dropout({ rate: 1 }), /Dropout: rate must be < 1 \(a rate of 1 drops every unit\), got 1/);
  assert.throws(() => new Dropout({ rate: -0.1 }), /Dropout: rate must be a finite number >= 0, got -0.1/);
  assert.throws(() => new Dropout({ rate: 0.5, mode: 'scaled' as never }), /Dropout: mode must be "inverted" or "classic", got "scaled"/);
});
