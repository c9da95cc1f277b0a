/** Forward values and gradients of every op against PyTorch float64 (test/fixtures/make_ops_fixtures.py). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { assertClose, readFixture } from '../helpers.js';

interface FixtureTensor { shape: number[]; data: number[] }
interface FixtureCase {
  name: string;
  params: Record<string, number | number[]>;
  inputs: FixtureTensor[];
  output: FixtureTensor;
  upstream: number[];
  grads: (number[] | null)[];
}

type Op = (inputs: Tensor[], params: FixtureCase['params']) => Tensor;
const table: Record<string, Op> = {
  sigmoid: ([x]) => ops.sigmoid(x),
  tanh: ([x]) => ops.tanh(x),
  relu: ([x]) => ops.relu(x),
  leakyRelu: ([x], p) => ops.leakyRelu(x, p.slope as number),
  elu: ([x], p) => ops.elu(x, p.alpha as number),
  selu: ([x]) => ops.selu(x),
  softplus: ([x]) => ops.softplus(x),
  gelu: ([x]) => ops.gelu(x),
  silu: ([x]) => ops.silu(x),
  softmax: ([x]) => ops.softmax(x),
  logSoftmax: ([x]) => ops.logSoftmax(x),
  exp: ([x]) => ops.exp(x),
  log: ([x]) => ops.log(x),
  sqrt: ([x]) => ops.sqrt(x),
  abs: ([x]) => ops.abs(x),
  erf: ([x]) => ops.erf(x),
  pow: ([a, b]) => ops.pow(a, b),
  'add broadcast': ([a, b]) => ops.add(a, b),
  'mul broadcast': ([a, b]) => ops.mul(a, b),
  'div broadcast': ([a, b]) => ops.div(a, b),
  matmul: ([a, b]) => ops.matmul(a, b),
  linear: ([a, w, b]) => ops.linear(a, w, b),
  'linearActivation tanh': ([a, w, b]) => ops.linearActivation(a, w, b, 'tanh', 0),
  'linearActivation gelu': ([a, w, b]) => ops.linearActivation(a, w, b, 'gelu', 0),
  'linearActivation leakyRelu without bias': ([a, w], p) => ops.linearActivation(a, w, null, 'leakyRelu', p.slope as number),
  'sum axis 1': ([x]) => ops.sum(x, 1),
  'mean axis 0': ([x]) => ops.mean(x, 0),
  'max axis 1': ([x]) => ops.max(x, 1),
  mseLoss: ([p, t]) => ops.mseLoss(p, t),
  maeLoss: ([p, t]) => ops.maeLoss(p, t),
  huberLoss: ([p, t], params) => ops.huberLoss(p, t, { delta: params.delta as number }),
  binaryCrossEntropy: ([p, t]) => ops.binaryCrossEntropy(p, t),
  binaryCrossEntropyWithLogits: ([z, t]) => ops.binaryCrossEntropyWithLogits(z, t),
  'softmaxCrossEntropy labels': ([z], p) => ops.softmaxCrossEntropy(z, p.labels as number[]),
  'softmaxCrossEntropy soft': ([z, t]) => ops.softmaxCrossEntropy(z, t),
};

const fixture = readFixture<{ cases: FixtureCase[] }>('ops.json');

test('the fixture covers every op in the table', () => {
  const names = new Set(fixture.cases.map((c) => c.name.replace(' (extreme)', '')));
  for (const name of Object.keys(table)) assert.ok(names.has(name), `no PyTorch reference for ${name}`);
});

for (const c of fixture.cases) {
  test(`${c.name}: forward and backward match PyTorch (float64)`, () => {
    const op = table[c.name.replace(' (extreme)', '')];
    assert.ok(op, `no op for fixture case ${c.name}`);
    const inputs = c.inputs.map((t, i) => new Tensor(Float64Array.from(t.data), t.shape, c.grads[i] !== null));
    const output = op(inputs, c.params);
    assert.deepEqual(output.shape, c.output.shape, `${c.name}: output shape`);
    assertClose(`${c.name} forward`, output.data, c.output.data, 1e-12, 1e-10);
    for (const value of output.data) assert.ok(Number.isFinite(value), `${c.name}: non-finite output ${value}`);
    output.backward(new Tensor(Float64Array.from(c.upstream), output.shape));
    c.grads.forEach((expected, i) => {
      if (expected === null) return;
      assert.ok(inputs[i].grad, `${c.name}: input ${i} got no gradient`);
      assertClose(`${c.name} gradient of input ${i}`, inputs[i].grad!.data, expected, 1e-11, 1e-9);
    });
  });
}
