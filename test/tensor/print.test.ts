/** A tensor prints its values (as PyTorch does), in String(t) and in Node's console.log. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { Tensor, tensor, zeros } from '../../src/tensor/index.js';

test('a tensor prints its values, dtype and whether it requires a gradient; console.log shows the same', () => {
  assert.equal(String(tensor([[1, 2], [3, 4]])), 'tensor([[1, 2],\n        [3, 4]], float32)');
  assert.equal(String(tensor([[0.123456, -2.5e-7]], { requiresGrad: true, dtype: 'float64' })), 'tensor([[0.1235, -2.5e-7]], float64, requiresGrad)');
  assert.equal(String(tensor(5)), 'tensor(5, float32)');
  assert.equal(String(new Tensor(Float32Array.from([NaN, Infinity]), [2])), 'tensor([NaN, Infinity], float32)');
  assert.equal(String(zeros([0, 3])), 'tensor([], shape [0,3], float32)');
  assert.equal(String(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])), 'tensor([[[1, 2],\n         [3, 4]],\n        [[5, 6],\n         [7, 8]]], float32)');
  assert.equal(inspect(tensor([1, 2])), 'tensor([1, 2], float32)');
});

test('a tensor of more than 1,000 elements shows three entries each side of "…" on its longer axes', () => {
  const big = new Tensor(Float32Array.from({ length: 1200 }, (_, i) => i), [40, 30]);
  const lines = String(big).split('\n');
  assert.equal(lines.length, 7);
  assert.equal(lines[0], 'tensor([[0, 1, 2, …, 27, 28, 29],');
  assert.equal(lines[3], '        …,');
  assert.equal(lines[6], '        [1170, 1171, 1172, …, 1197, 1198, 1199]], float32)');
  // 1,000 elements or fewer: every value.
  assert.ok(!String(new Tensor(new Float32Array(1000), [1000])).includes('…'));
});
