import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SGD, clipGradNorm, clipGradValue, isWeight, l1Penalty, l2Penalty } from '../../src/optim/index.js';
import { add, mul, sum } from '../../src/ops/index.js';
import { tensor } from '../../src/tensor/index.js';
import { assertClose, param, setGrad } from './helpers.js';

test('clipGradNorm: the global L2 norm over all gradients, scaled by maxNorm/(norm + 1e-6), returned before clipping', () => {
  const a = param([0, 0]);
  const b = param([0]);
  const unused = param([100]); // no gradient: ignored
  setGrad(a, [1, 2]);
  setGrad(b, [2]);
  // ‖g‖ = √(1 + 4 + 4) = 3; coefficient 1.5/(3 + 1e-6) ≈ ½
  const norm = clipGradNorm([a, b, unused], 1.5);
  assert.equal(norm, 3);
  const coefficient = 1.5 / (3 + 1e-6);
  assertClose(a.grad!.data, [coefficient, 2 * coefficient], 1e-15);
  assertClose(b.grad!.data, [2 * coefficient], 1e-15);
  // The clipped gradient's norm is just under maxNorm.
  assert.ok(clipGradNorm([a, b], 10) < 1.5);
});

test('clipGradNorm leaves gradients within the limit untouched', () => {
  const w = param([0, 0]);
  setGrad(w, [3, 4]);
  assert.equal(clipGradNorm([w], 5.5), 5);
  assert.deepEqual([...w.grad!.data], [3, 4]);
});

test('clipGradNorm returns a non-finite norm and leaves the gradients for the NaN guard', () => {
  const w = param([0, 0]);
  setGrad(w, [NaN, 1]);
  assert.ok(Number.isNaN(clipGradNorm([w], 1)));
  assert.ok(Number.isNaN(w.grad!.data[0]));
  assert.equal(w.grad!.data[1], 1);
  setGrad(w, [Infinity, 1]);
  assert.equal(clipGradNorm([w], 1), Infinity);
});

test('clipGradValue clips each element into [−limit, limit]', () => {
  const w = param([0, 0, 0, 0, 0]);
  setGrad(w, [-3, 0.5, 2, -1, NaN]);
  clipGradValue([w], 1);
  assert.deepEqual([...w.grad!.data], [-1, 0.5, 1, -1, NaN]);
});

test('clipping validates its limit', () => {
  assert.throws(() => clipGradNorm([param([1])], -1), { message: 'clipGradNorm: maxNorm must be a finite number >= 0, got -1' });
  assert.throws(() => clipGradValue([param([1])], NaN), { message: 'clipGradValue: limit must be a finite number >= 0, got NaN' });
});

test('isWeight: names ending in "weight" when named, rank ≥ 2 when not', () => {
  assert.equal(isWeight(param([1], 'float64', 'dense1.weight')), true);
  assert.equal(isWeight(param([1], 'float64', 'weight')), true);
  assert.equal(isWeight(param([1], 'float64', 'dense1.bias')), false);
  assert.equal(isWeight(param([1], 'float64', 'dense1.weights')), false);
  assert.equal(isWeight(tensor([[1, 2]], { requiresGrad: true })), true);
  assert.equal(isWeight(tensor([1, 2], { requiresGrad: true })), false);
});

test('l2Penalty = (λ/2)·Σw² over the weights only; its gradient is λw', () => {
  const weight = param([1, 2], 'float64', 'dense.weight');
  const bias = param([3], 'float64', 'dense.bias');
  const penalty = l2Penalty([weight, bias], 0.5);
  // (0.5/2)·(1 + 4) = 1.25; the bias is not included
  assert.equal(penalty.item(), 1.25);
  penalty.backward();
  assert.deepEqual([...weight.grad!.data], [0.5, 1]);
  assert.equal(bias.grad, null);
  // include: () => true takes the bias too: 0.25·(1 + 4 + 9) = 3.5
  assert.equal(l2Penalty([weight, bias], 0.5, { include: () => true }).item(), 3.5);
});

test('l1Penalty = λ·Σ|w| over the weights; its gradient is λ·sign(w)', () => {
  const weight = param([1, -2, 0], 'float64', 'dense.weight');
  const penalty = l1Penalty([weight, param([5], 'float64', 'dense.bias')], 0.1);
  // 0.1·(1 + 2 + 0) = 0.3
  assertClose([penalty.item()], [0.3], 1e-15);
  penalty.backward();
  assertClose(weight.grad!.data, [0.1, -0.1, 0], 1e-15);
});

test('a penalty over no weights is a constant 0', () => {
  const penalty = l2Penalty([param([1], 'float64', 'bias')], 1);
  assert.equal(penalty.item(), 0);
  assert.equal(penalty.requiresGrad, false);
});

test('adding l2Penalty(λ) to the loss equals SGD weightDecay λ', () => {
  const target = [0.5, -1];
  const dataLoss = (w: ReturnType<typeof param>) => sum(mul(add(w, tensor(target, { dtype: 'float64' })), w)); // Σ (w + t)·w
  const withPenalty = param([1, 2], 'float64', 'weight');
  const withDecay = param([1, 2], 'float64', 'weight');
  const sgdPenalty = new SGD([withPenalty], { lr: 0.125 });
  const sgdDecay = new SGD([withDecay], { lr: 0.125, weightDecay: 0.5 });
  for (let t = 0; t < 3; t++) {
    sgdPenalty.zeroGrad();
    add(dataLoss(withPenalty), l2Penalty([withPenalty], 0.5)).backward();
    sgdPenalty.step();
    sgdDecay.zeroGrad();
    dataLoss(withDecay).backward();
    sgdDecay.step();
  }
  assertClose(withPenalty.data, [...withDecay.data], 1e-15);
});
