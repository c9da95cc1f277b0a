import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/ops/index.js';
import { Tensor, tensor, zeros, ones } from '../../src/tensor/index.js';
import { ShapeError, ValueError } from '../../src/util/errors.js';

const finite = (t: Tensor) => Array.from(t.data).every(Number.isFinite);

test('activations and losses stay finite at extreme inputs (float32 and float64)', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const z = tensor([-1000, -50, 0, 50, 1000], { dtype, requiresGrad: true });
    for (const [name, fn] of Object.entries({ sigmoid: ops.sigmoid, tanh: ops.tanh, softplus: ops.softplus, gelu: ops.gelu, silu: ops.silu, elu: ops.elu, selu: ops.selu }) as [string, (t: Tensor) => Tensor][]) {
      const out = fn(z);
      assert.ok(finite(out), `${name}(${dtype}) gave ${Array.from(out.data)}`);
      ops.sum(out).backward();
      assert.ok(finite(z.grad!), `${name}′(${dtype}) gave ${Array.from(z.grad!.data)}`);
      z.zeroGrad();
    }
    assert.deepEqual(Array.from(ops.sigmoid(tensor([-1000, 1000], { dtype })).data), [0, 1]);
    const logits = tensor([[1000, 999, 998], [-1000, 0, 1000]], { dtype, requiresGrad: true });
    assert.ok(finite(ops.softmax(logits)) && finite(ops.logSoftmax(logits)));
    const ce = ops.softmaxCrossEntropy(logits, [2, 0]);
    assert.ok(Number.isFinite(ce.item()) && ce.item() > 1000);
    ce.backward();
    assert.ok(finite(logits.grad!));
    const bce = ops.binaryCrossEntropy(tensor([0, 1, 1e-30], { dtype }), tensor([1, 0, 1], { dtype }));
    assert.ok(Number.isFinite(bce.item()), `bce with p = 0 or 1 gave ${bce.item()}`);
    const bceLogits = ops.binaryCrossEntropyWithLogits(tensor([-1000, 1000], { dtype }), tensor([1, 0], { dtype }));
    assert.ok(Math.abs(bceLogits.item() - 1000) < 1e-3, `bce with logits ±1000 gave ${bceLogits.item()}`);
  }
});

test('shape and value errors name the operation, the shapes and the bad value', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['matmul inner sizes', () => ops.matmul(zeros([32, 784]), zeros([256, 128])), /^matmul: \[32,784\] × \[256,128\]: inner sizes 784 and 256 differ$/],
    ['matmul rank', () => ops.matmul(zeros([3]), zeros([3, 2])), /matmul: A must be 2-D, got shape \[3\]/],
    ['broadcast', () => ops.add(zeros([2, 3]), zeros([4])), /add: shapes \[2,3\] and \[4\] do not broadcast: axis -1 has sizes 3 and 4/],
    ['linear features', () => ops.linear(zeros([4, 3]), zeros([2, 5])), /linear: input \[4,3\] has 3 features but weight \[2,5\] expects 5/],
    ['loss shapes', () => ops.mseLoss(zeros([32, 1]), zeros([32])), /mseLoss: prediction \[32,1\] and target \[32\] must have the same shape/],
    ['label range', () => ops.softmaxCrossEntropy(zeros([2, 3]), [0, 3]), /softmaxCrossEntropy: label 1 must be an integer in \[0, 3\), got 3/],
    ['reduction', () => ops.mseLoss(zeros([2]), zeros([2]), { reduction: 'avg' as never }), /mseLoss: reduction must be "mean", "sum" or "none", got "avg"/],
    ['reshape', () => ops.reshape(zeros([2, 3]), [4, 2]), /reshape: cannot reshape \[2,3\] \(size 6\) to \[4,2\]/],
    ['ragged', () => tensor([[1, 2], [3]]), /tensor: ragged nested array: element \[1\] has length 1, expected 2/],
    ['non-number', () => tensor([1, 'a' as never]), /tensor: element \[1\] must be a number, got "a"/],
    ['dtype', () => zeros([2], { dtype: 'int8' as never }), /zeros: dtype must be "float32" or "float64", got "int8"/],
    ['mixed dtypes', () => ops.add(zeros([2]), zeros([2], { dtype: 'float64' })), /add: operands have different dtypes float32 and float64/],
    ['axis', () => ops.sum(zeros([2, 3]), 2), /sum: axis 2 is out of range for a tensor of rank 2/],
    ['gather index', () => ops.gatherRows(zeros([3, 2]), [0, 5]), /gatherRows: index 1 is 5, outside \[0, 3\)/],
    ['huber delta', () => ops.huberLoss(zeros([2]), zeros([2]), { delta: -1 }), /huberLoss: delta must be a finite number > 0, got -1/],
    ['backward of non-scalar', () => ops.mul(ones([2], { requiresGrad: true }), 2).backward(), /backward: tensor of shape \[2\] is not a scalar/],
  ];
  for (const [label, fn, message] of cases) {
    assert.throws(fn, (error: Error) => {
      assert.ok(error instanceof ShapeError || error instanceof ValueError || error.name === 'BackpropError', `${label}: wrong error class ${error.name}`);
      assert.match(error.message, message, label);
      return true;
    });
  }
});

test('tensors are float32 by default and float64 on request', () => {
  assert.equal(tensor([1, 2]).dtype, 'float32');
  assert.equal(tensor([1, 2], { dtype: 'float64' }).dtype, 'float64');
  assert.ok(tensor([[1, 2], [3, 4]]).data instanceof Float32Array);
  assert.deepEqual(tensor([[1, 2], [3, 4]]).toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(tensor([1, 2, 3, 4, 5, 6], [2, 3]).shape, [2, 3]);
  assert.equal(ops.add(tensor([1]), 2).dtype, 'float32');
});

test('gradients accumulate until zeroed, and noGrad records nothing', async () => {
  const { noGrad } = await import('../../src/autograd/index.js');
  const w = tensor([1, 2, 3], { requiresGrad: true });
  ops.sum(ops.mul(w, w)).backward();
  ops.sum(ops.mul(w, w)).backward();
  assert.deepEqual(Array.from(w.grad!.data), [4, 8, 12]);
  w.zeroGrad();
  assert.equal(w.grad, null);
  const y = noGrad(() => ops.mul(w, 2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.parents, null);
});

test('a second backward through a released graph is an error, not a silent no-op', () => {
  const w = tensor([1, 2], { requiresGrad: true });
  const loss = ops.sum(ops.mul(w, w));
  loss.backward();
  assert.throws(() => loss.backward(), /backward: the graph of this tensor was already released by an earlier backward\(\)/);
  assert.deepEqual(Array.from(w.grad!.data), [2, 4]);
});

test('a zero multiplier does not hide an infinite or NaN weight, whatever the row', () => {
  for (const rows of [1, 4, 5]) {
    const out = ops.matmul(zeros([rows, 1]), tensor([[Infinity, NaN]]));
    for (const v of out.data) assert.ok(Number.isNaN(v), `0·∞ with ${rows} rows gave ${v}`);
  }
});

test('intermediate gradients are freed unless retained', () => {
  const x = tensor([1, 2], { requiresGrad: true });
  const kept = ops.mul(x, 3).retainGrad();
  const dropped = ops.mul(x, 2);
  ops.sum(ops.add(ops.mul(kept, kept), dropped)).backward();
  assert.deepEqual(Array.from(kept.grad!.data), [6, 12]); // ∂(k²)/∂k = 2k with k = 3x
  assert.equal(dropped.grad, null);
  assert.deepEqual(Array.from(x.grad!.data), [2 * 3 * 3 + 2, 2 * 6 * 3 + 2]);
});

test('softmaxCrossEntropy with labels: every label type, reduction and dtype gives the numbers of the per-sample losses reduced as a tensor would be, bit for bit; bad labels are named', () => {
  // The labelled path (one kernel each way on the native addon for float32 Int32Array labels)
  // against the general one: one-hot targets as a tensor, through 'none' then sum or mean.
  const rows = 7, classes = 4;
  const values = Array.from({ length: rows * classes }, (_, i) => 3 * Math.sin(i * 1.7));
  const labels = [3, 0, 1, 1, 2, 0, 3];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const reduction of ['mean', 'sum'] as const) {
      const expected = (() => {
        const z = new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), [rows, classes], true);
        const perSample = ops.softmaxCrossEntropy(z, labels, { reduction: 'none' });
        const loss = reduction === 'mean' ? ops.mean(perSample) : ops.sum(perSample);
        loss.backward();
        return { loss: loss.item(), grad: Array.from(z.grad!.data) };
      })();
      for (const form of [Int32Array.from(labels), Uint8Array.from(labels), labels]) {
        const z = new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), [rows, classes], true);
        const loss = ops.softmaxCrossEntropy(z, form, { reduction });
        loss.backward();
        assert.equal(loss.item(), expected.loss, `${dtype} ${reduction} ${form.constructor.name}: loss`);
        assert.deepEqual(Array.from(z.grad!.data), expected.grad, `${dtype} ${reduction} ${form.constructor.name}: gradient`);
        // A second pass adds into the existing gradient (the general rule).
        ops.softmaxCrossEntropy(z, form, { reduction }).backward();
        assert.deepEqual(Array.from(z.grad!.data), expected.grad.map((g) => (dtype === 'float32' ? Math.fround(g + g) : g + g)), `${dtype} ${reduction} ${form.constructor.name}: accumulated`);
      }
    }
  }
  for (const bad of [Int32Array.from([0, 1, 4]), Int32Array.from([0, -1, 2]), [0, 1.5, 2], Uint8Array.from([0, 9, 1])]) {
    const row = Array.from(bad).findIndex((label) => !Number.isInteger(label) || label < 0 || label >= classes);
    assert.throws(() => ops.softmaxCrossEntropy(zeros([3, classes]), bad), { name: 'ValueError', message: `softmaxCrossEntropy: label ${row} must be an integer in [0, ${classes}), got ${bad[row]}` });
  }
});

test('binary cross-entropy refuses targets outside [0, 1] (a negative loss otherwise) and probabilities outside it, naming the element', () => {
  assert.throws(() => ops.binaryCrossEntropy(tensor([[0.7], [0.2]]), tensor([[1], [2]])), { name: 'ValueError', message: 'binaryCrossEntropy: the target at element 1 must be in [0, 1], got 2' });
  assert.throws(() => ops.binaryCrossEntropy(tensor([[0.7]]), tensor([[-0.5]])), /the target at element 0 must be in \[0, 1\], got -0.5/);
  assert.throws(() => ops.binaryCrossEntropy(tensor([[1.5]]), tensor([[1]])), /binaryCrossEntropy: the probability at element 0 must be in \[0, 1\], got 1.5/);
  assert.throws(() => ops.binaryCrossEntropyWithLogits(tensor([[3], [0]]), tensor([[0], [NaN]])), /binaryCrossEntropyWithLogits: the target at element 1 must be in \[0, 1\], got NaN/);
  // Soft targets inside [0, 1] stay allowed.
  assert.ok(Number.isFinite(ops.binaryCrossEntropy(tensor([[0.7]]), tensor([[0.25]])).item()));
});

test('ops given a plain array instead of a tensor say so and how to make one', () => {
  const t = tensor([[1], [2]]);
  const cases: [() => unknown, string][] = [
    [() => ops.matmul([[1, 2]] as never, t), 'matmul: A must be a Tensor, got [[1,2]] (make one with tensor(…))'],
    [() => ops.matmul(t, [1] as never), 'matmul: B must be a Tensor, got [1] (make one with tensor(…))'],
    [() => ops.linear([[1]] as never, t), 'linear: input must be a Tensor, got [[1]] (make one with tensor(…))'],
    [() => ops.relu([1, -2] as never), 'relu: input must be a Tensor, got [1,-2] (make one with tensor(…))'],
    [() => ops.exp(Float32Array.from([1]) as never), /exp: input must be a Tensor, got .* \(make one with tensor\(…\)\)$/ as never],
    [() => ops.softmax([1, 2] as never), 'softmax: input must be a Tensor, got [1,2] (make one with tensor(…))'],
    [() => ops.sum([1] as never), 'sum: input must be a Tensor, got [1] (make one with tensor(…))'],
    [() => ops.mean([1] as never, 0), 'mean: input must be a Tensor, got [1] (make one with tensor(…))'],
    [() => ops.sigmoid(undefined as never), 'sigmoid: input must be a Tensor, got undefined'],
  ];
  for (const [call, message] of cases) assert.throws(call, typeof message === 'string' ? { name: 'ValueError', message } : message);
});
