/** Property tests for NumPy broadcasting: shapes, values and the backward pass's reduction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/index.js';

/** A pair of shapes that broadcast: start from an output shape and set random axes to 1 or drop leading ones. */
const broadcastablePair = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((outShape) =>
    fc.tuple(
      fc.constant(outShape),
      fc.array(fc.boolean(), { minLength: outShape.length, maxLength: outShape.length }),
      fc.array(fc.boolean(), { minLength: outShape.length, maxLength: outShape.length }),
      fc.integer({ min: 0, max: outShape.length }),
    ),
  )
  .map(([outShape, onesA, onesB, dropA]) => {
    const a = outShape.map((d, i) => (onesA[i] ? 1 : d)).slice(dropA);
    const b = outShape.map((d, i) => (onesB[i] ? 1 : d));
    return { a, b };
  });

function filled(shape: number[], offset: number): Tensor {
  const size = shape.reduce((x, y) => x * y, 1);
  return new Tensor(Float64Array.from({ length: size }, (_, i) => i * 0.5 + offset), shape, true);
}

/** Reference: element of `t` seen at output multi-index `index` under broadcasting. */
function at(t: Tensor, index: number[]): number {
  const rank = index.length;
  let offset = 0;
  let stride = 1;
  for (let axis = t.rank - 1; axis >= 0; axis--) {
    const i = t.shape[axis] === 1 ? 0 : index[rank - t.rank + axis];
    offset += i * stride;
    stride *= t.shape[axis];
  }
  return t.data[offset];
}

test('broadcast shape is the axis-wise maximum and is symmetric', () => {
  fc.assert(
    fc.property(broadcastablePair, ({ a, b }) => {
      const ab = ops.broadcastShapes('test', a, b);
      assert.deepEqual(ab, ops.broadcastShapes('test', b, a));
      const rank = Math.max(a.length, b.length);
      assert.equal(ab.length, rank);
      for (let i = 0; i < rank; i++) {
        const da = a[a.length - rank + i] ?? 1;
        const db = b[b.length - rank + i] ?? 1;
        assert.equal(ab[i], Math.max(da, db));
      }
    }),
    { seed: 42, numRuns: 200 },
  );
});

test('broadcast add and mul agree with an index-by-index reference, and gradients sum over broadcast axes', () => {
  fc.assert(
    fc.property(broadcastablePair, ({ a, b }) => {
      const ta = filled(a, 1);
      const tb = filled(b, -2);
      const sum = ops.add(ta, tb);
      const product = ops.mul(ta, tb);
      const outShape = sum.shape;
      const index = new Array<number>(outShape.length).fill(0);
      for (let flat = 0; flat < sum.size; flat++) {
        let rest = flat;
        for (let axis = outShape.length - 1; axis >= 0; axis--) {
          index[axis] = rest % outShape[axis];
          rest = Math.floor(rest / outShape[axis]);
        }
        assert.equal(sum.data[flat], at(ta, index) + at(tb, index));
        assert.equal(product.data[flat], at(ta, index) * at(tb, index));
      }
      // d(Σ a+b)/da counts how many output elements each element of a feeds.
      ops.sum(sum).backward();
      const copies = sum.size / Math.max(ta.size, 1);
      for (const g of ta.grad!.data) assert.equal(g, copies);
      for (const g of tb.grad!.data) assert.equal(g, sum.size / tb.size);
    }),
    { seed: 7, numRuns: 200 },
  );
});

test('incompatible shapes are always rejected', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), (m, n) => {
      fc.pre(m !== n);
      assert.throws(() => ops.add(filled([m], 0), filled([n], 0)), /do not broadcast/);
    }),
    { seed: 3 },
  );
});
