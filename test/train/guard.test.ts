import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor } from '../../src/tensor/index.js';
import { NonFiniteGuard } from '../../src/train/guard.js';

test('the guard finds the first non-finite gradient or weight at any position, and restores the weights', () => {
  for (const size of [1, 3, 4, 7, 16, 64, 130])
    for (let position = 0; position < size; position++)
      for (const bad of [Infinity, -Infinity, NaN]) {
        const weight = new Tensor(new Float32Array(size).fill(-0.5), [size]);
        weight.name = 'w';
        weight.grad = new Tensor(new Float32Array(size).fill(0.25), [size]);
        const guard = new NonFiniteGuard([weight]);
        assert.equal(guard.checkGradients(1, 1, 0.1), null);
        weight.grad.data[position] = bad;
        assert.match(guard.checkGradients(1, 1, 0.1) ?? '', new RegExp(`non-finite gradient \\(${bad}\\) in w \\(element ${position}\\)`));
        guard.snapshot();
        assert.equal(guard.checkWeights(1, 1, 0.1), null);
        // A bad weight after the update: the culprit gradient is named and the update undone.
        weight.data[position] = bad;
        assert.match(guard.checkWeights(1, 1, 0.1) ?? '', new RegExp(`non-finite gradient \\(${bad}\\) in w \\(element ${position}\\).*the update was undone`));
        assert.ok(weight.data.every((v) => v === -0.5), 'the snapshot is restored');
        // With finite gradients (an overflowing update), the weight itself is named.
        weight.grad.data[position] = 0.25;
        weight.data[position] = bad;
        assert.match(guard.checkWeights(1, 1, 0.1) ?? '', new RegExp(`non-finite weight \\(${bad}\\) in w \\(element ${position}\\)`));
        assert.ok(weight.data.every((v) => v === -0.5), 'the snapshot is restored');
      }
});
