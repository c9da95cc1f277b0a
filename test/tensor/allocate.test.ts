/** Tensor storage: small arrays share slabs, and every array behaves as a fresh zero-filled one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocate } from '../../src/tensor/index.js';

test('allocate gives zero-filled arrays of the dtype that never overlap, whatever their size', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const arrays = [];
    for (const size of [0, 1, 3, 17, 48, 256, 1000, 2048, 4096, 5000, 100000]) {
      for (let copy = 0; copy < 70; copy++) arrays.push(allocate(dtype, size));
    }
    for (const array of arrays) {
      assert.equal(array instanceof (dtype === 'float64' ? Float64Array : Float32Array), true);
      assert.ok(array.every((v) => v === 0));
    }
    // Writing a distinct value into every element of every array leaves every other array intact.
    arrays.forEach((array, i) => array.fill(i + 1));
    arrays.forEach((array, i) => assert.ok(array.every((v) => v === i + 1), `array ${i} (length ${array.length}) was overwritten`));
  }
});

test('small arrays are views into shared slabs of one length; large ones own their buffer', () => {
  const small = [allocate('float32', 48), allocate('float32', 48)];
  assert.equal(small[0].buffer, small[1].buffer);
  assert.ok(small[0].buffer.byteLength <= 262144 && small[0].buffer.byteLength >= 4 * 48 * 4);
  assert.notEqual(allocate('float32', 49).buffer, small[0].buffer);
  const large = allocate('float32', 8192);
  assert.equal(large.byteOffset, 0);
  assert.equal(large.buffer.byteLength, 8192 * 4);
});
