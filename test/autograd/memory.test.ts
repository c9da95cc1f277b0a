/** The graph is released after backward: memory stays flat over many training steps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { noGrad } from '../../src/autograd/index.js';
import * as ops from '../../src/ops/index.js';
import { Tensor, normal, zeros } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

test('heap does not grow over many forward/backward/update steps', async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, 'run the tests with node --expose-gc (npm test does) so the heap can be measured after collection');
  const rng = new Rng(1);
  const w1 = normal([16, 8], rng, 0, 0.3, { requiresGrad: true });
  const b1 = zeros([16], { requiresGrad: true });
  const w2 = normal([3, 16], rng, 0, 0.3, { requiresGrad: true });
  const x = normal([32, 8], rng);
  const labels = Array.from({ length: 32 }, (_, i) => i % 3);
  const params: Tensor[] = [w1, b1, w2];
  // The caller keeps every loss tensor (as a logging loop might): only the released graph keeps
  // memory flat, since an unreleased loss would hold its whole graph (~20 kB of buffers) alive.
  const kept: Tensor[] = [];
  const step = () => {
    const loss = ops.softmaxCrossEntropy(ops.linear(ops.relu(ops.linear(x, w1, b1)), w2), labels);
    loss.backward();
    kept.push(loss);
    noGrad(() => {
      for (const p of params) {
        for (let i = 0; i < p.size; i++) p.data[i] -= 0.01 * p.grad!.data[i];
        p.zeroGrad();
      }
    });
  };
  // Typed-array storage lives outside the JS heap: count both.
  const measure = () => {
    gc!();
    const usage = process.memoryUsage();
    return usage.heapUsed + usage.arrayBuffers;
  };
  for (let i = 0; i < 2000; i++) step();
  const before = measure();
  for (let i = 0; i < 20000; i++) step();
  const after = measure();
  // Each step allocates ~20 kB of tensors; a leak of one graph per step would add > 400 MB.
  // The kept scalar losses themselves take ~0.3 kB each (6 MB).
  const growthMb = (after - before) / 2 ** 20;
  assert.ok(growthMb < 24, `heap and buffers grew by ${growthMb.toFixed(1)} MB over 20,000 steps`);
  assert.equal(kept.length, 22000);
  assert.equal(w1.parents, null);
});
