/**
 * backward() keeps the storage of the intermediate gradients it releases and hands it to later
 * gradients of the same size, and rules that write a whole gradient in one kernel call overwrite
 * new storage instead of adding into zeros: stale values must never leak into a gradient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';
import { randomTensor } from '../helpers.js';

/** Intermediate gradients of these sizes (≥ 4096 elements) go through the reuse pool. */
const BATCH = 64, INPUTS = 96, HIDDEN = 128;

function gradientsOf(x: Tensor, w1: Tensor, b1: Tensor, w2: Tensor, target: Tensor): Float64Array[] {
  for (const t of [x, w1, b1, w2]) t.zeroGrad();
  const hidden = ops.relu(ops.linear(x, w1, b1));
  const output = ops.tanh(ops.matmul(hidden, w2, { transB: true }));
  ops.mseLoss(output, target).backward();
  return [x, w1, b1, w2].map((t) => Float64Array.from(t.grad!.data));
}

test('gradients are identical whether their storage is new or reused from an earlier backward', () => {
  const rng = new Rng(5);
  const x = randomTensor([BATCH, INPUTS], rng);
  const w1 = randomTensor([HIDDEN, INPUTS], rng, -0.3, 0.3);
  const b1 = randomTensor([HIDDEN], rng);
  const w2 = randomTensor([HIDDEN, HIDDEN], rng, -0.3, 0.3);
  const target = randomTensor([BATCH, HIDDEN], rng, -1, 1, false);
  const first = gradientsOf(x, w1, b1, w2, target);
  // Other values leave other numbers in the released storage; the same inputs must then give the same gradients.
  const other = [x, w1, b1, w2].map((t) => new Tensor(t.data.map((v) => 3 * v + 1), t.shape, true));
  gradientsOf(other[0], other[1], other[2], other[3], target);
  gradientsOf(other[0], other[1], other[2], other[3], target);
  const again = gradientsOf(x, w1, b1, w2, target);
  first.forEach((gradient, i) => assert.deepEqual(again[i], gradient, `input ${i}`));
});

test('a retained gradient is not reused by a later backward', () => {
  const rng = new Rng(6);
  const x = randomTensor([BATCH, INPUTS], rng);
  const w = randomTensor([HIDDEN, INPUTS], rng, -0.3, 0.3);
  const z = ops.linear(x, w).retainGrad();
  ops.sum(ops.square(ops.relu(z))).backward();
  const kept = Float64Array.from(z.grad!.data);
  for (let run = 0; run < 3; run++) ops.sum(ops.square(ops.relu(ops.linear(x, w)))).backward();
  assert.deepEqual(Float64Array.from(z.grad!.data), kept);
});

test('matmul of a tensor with itself adds both products into reused storage', () => {
  // L = Σ (A·Aᵀ) for A = relu(X) with X > 0: ∂L/∂A = 2·J·A (J all ones), so every row of ∂L/∂X is twice A's column sums.
  const rng = new Rng(7);
  const rows = 64, cols = 96;
  for (let run = 0; run < 3; run++) {
    const x = randomTensor([rows, cols], rng, 0.5, 2);
    const a = ops.relu(x);
    ops.sum(ops.matmul(a, a, { transB: true })).backward();
    for (let j = 0; j < cols; j++) {
      let columnSum = 0;
      for (let i = 0; i < rows; i++) columnSum += x.data[i * cols + j];
      for (let i = 0; i < rows; i++) assert.ok(Math.abs(x.grad!.data[i * cols + j] - 2 * columnSum) < 1e-9, `run ${run}: ∂L/∂x[${i},${j}]`);
    }
  }
});

test('a backward rule that throws is not run again, and the next backward() is unaffected', async () => {
  const { record } = await import('../../src/autograd/index.js');
  const a = new Tensor(Float32Array.of(1, 2), [2], true);
  let runs = 0;
  const bad = record(new Tensor(Float32Array.of(3, 4), [2]), [a], () => {
    runs++;
    throw new Error('rule failed');
  });
  const lossBad = ops.sum(bad);
  assert.throws(() => lossBad.backward(), /rule failed/);
  assert.throws(() => lossBad.backward(), /already released/);
  assert.equal(runs, 1);
  const b = new Tensor(Float32Array.of(5, 6), [2], true);
  ops.sum(ops.mul(b, b)).backward();
  assert.deepEqual(Array.from(b.grad!.data), [10, 12]);
});

test('a scalar loss seeds its rule with ∂C/∂C = 1 and keeps no gradient unless retained; a given gradient or a retained root still gets one', () => {
  const w = new Tensor(Float32Array.from([1.5, -2, 0.25]), [3], true);
  const x = new Tensor(Float32Array.from([2, 3, 4]), [3]);
  const loss = ops.sum(ops.mul(w, x));
  loss.backward();
  assert.deepEqual(Array.from(w.grad!.data), [2, 3, 4]);
  assert.equal(loss.grad, null);
  assert.throws(() => loss.backward(), /already released/);
  w.grad = null;
  const retained = ops.sum(ops.mul(w, x)).retainGrad();
  retained.backward();
  assert.deepEqual(Array.from(retained.grad!.data), [1]);
  assert.deepEqual(Array.from(w.grad!.data), [2, 3, 4]);
  w.grad = null;
  ops.sum(ops.mul(w, x)).backward(new Tensor(Float32Array.from([0.5]), []));
  assert.deepEqual(Array.from(w.grad!.data), [1, 1.5, 2]);
  // A leaf as the root: ∂w/∂w summed, nothing else to run.
  const leaf = new Tensor(Float32Array.from([3]), [], true);
  leaf.backward();
  assert.deepEqual(Array.from(leaf.grad!.data), [1]);
});
