/** Every differentiable op, activation and loss against float64 central finite differences. */
import { test } from 'node:test';
import * as ops from '../../src/ops/index.js';
import { Tensor, tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';
import { assertGradcheck, randomTensor } from '../helpers.js';

interface Case {
  name: string;
  fn: (...inputs: Tensor[]) => Tensor;
  /** Shapes of the inputs and their value ranges. */
  inputs: { shape: number[]; low?: number; high?: number; requiresGrad?: boolean }[];
}

// Inputs away from kinks (|x| ≥ 0.05 is not guaranteed, so kinked functions draw from ranges that
// exclude 0 where finite differences would straddle the kink).
const positive = { low: 0.2, high: 3 };
const cases: Case[] = [
  { name: 'add', fn: ops.add, inputs: [{ shape: [3, 4] }, { shape: [3, 4] }] },
  { name: 'add row broadcast', fn: ops.add, inputs: [{ shape: [5, 3] }, { shape: [3] }] },
  { name: 'sub general broadcast', fn: ops.sub, inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1] }] },
  { name: 'mul general broadcast', fn: ops.mul, inputs: [{ shape: [2, 3, 1] }, { shape: [1, 4] }] },
  { name: 'div', fn: ops.div, inputs: [{ shape: [3, 4] }, { shape: [3, 4], ...positive }] },
  { name: 'pow', fn: ops.pow, inputs: [{ shape: [3, 2], ...positive }, { shape: [2] }] },
  { name: 'maximum', fn: ops.maximum, inputs: [{ shape: [4, 3] }, { shape: [3] }] },
  { name: 'minimum', fn: ops.minimum, inputs: [{ shape: [4, 3] }, { shape: [4, 1] }] },
  { name: 'scalar operand', fn: (x) => ops.mul(ops.add(x, 2), 3), inputs: [{ shape: [2, 3] }] },
  { name: 'neg', fn: ops.neg, inputs: [{ shape: [5] }] },
  { name: 'exp', fn: ops.exp, inputs: [{ shape: [5] }] },
  { name: 'log', fn: ops.log, inputs: [{ shape: [5], ...positive }] },
  { name: 'sqrt', fn: ops.sqrt, inputs: [{ shape: [5], ...positive }] },
  { name: 'abs', fn: ops.abs, inputs: [{ shape: [5], ...positive }] },
  { name: 'square', fn: ops.square, inputs: [{ shape: [5] }] },
  { name: 'reciprocal', fn: ops.reciprocal, inputs: [{ shape: [5], ...positive }] },
  { name: 'powScalar', fn: (x) => ops.powScalar(x, 2.5), inputs: [{ shape: [5], ...positive }] },
  { name: 'erf', fn: ops.erf, inputs: [{ shape: [6] }] },
  { name: 'clamp', fn: (x) => ops.clamp(x, -1, 1), inputs: [{ shape: [8], low: -0.9, high: 0.9 }] },
  { name: 'where', fn: (a, b) => ops.where(ops.greater(a, b), a, b), inputs: [{ shape: [3, 4] }, { shape: [4] }] },
  { name: 'sum all', fn: (x) => ops.sum(x), inputs: [{ shape: [3, 4] }] },
  { name: 'sum axis 0 keepDims', fn: (x) => ops.sum(x, 0, { keepDims: true }), inputs: [{ shape: [3, 4] }] },
  { name: 'mean axis -1', fn: (x) => ops.mean(x, -1), inputs: [{ shape: [2, 3, 4] }] },
  { name: 'max axis 1', fn: (x) => ops.max(x, 1), inputs: [{ shape: [3, 5] }] },
  { name: 'min all', fn: (x) => ops.min(x), inputs: [{ shape: [3, 5] }] },
  { name: 'matmul', fn: (a, b) => ops.matmul(a, b), inputs: [{ shape: [3, 4] }, { shape: [4, 2] }] },
  { name: 'matmul transA', fn: (a, b) => ops.matmul(a, b, { transA: true }), inputs: [{ shape: [4, 3] }, { shape: [4, 2] }] },
  { name: 'matmul transB', fn: (a, b) => ops.matmul(a, b, { transB: true }), inputs: [{ shape: [3, 4] }, { shape: [2, 4] }] },
  { name: 'matmul transA transB', fn: (a, b) => ops.matmul(a, b, { transA: true, transB: true }), inputs: [{ shape: [4, 3] }, { shape: [2, 4] }] },
  { name: 'linear', fn: (x, w, b) => ops.linear(x, w, b), inputs: [{ shape: [5, 3] }, { shape: [2, 3] }, { shape: [2] }] },
  { name: 'linear without bias', fn: (x, w) => ops.linear(x, w), inputs: [{ shape: [5, 3] }, { shape: [2, 3] }] },
  { name: 'linearActivation sigmoid', fn: (x, w, b) => ops.linearActivation(x, w, b, 'sigmoid', 0), inputs: [{ shape: [5, 3] }, { shape: [2, 3] }, { shape: [2] }] },
  { name: 'linearActivation tanh', fn: (x, w, b) => ops.linearActivation(x, w, b, 'tanh', 0), inputs: [{ shape: [5, 3] }, { shape: [2, 3] }, { shape: [2] }] },
  { name: 'linearActivation elu without bias', fn: (x, w) => ops.linearActivation(x, w, null, 'elu', 0.7), inputs: [{ shape: [5, 3] }, { shape: [2, 3] }] },
  { name: 'denseStack relu, tanh, identity', fn: (x, w1, b1, w2, w3, b3) => ops.denseStack(x, [
    { weight: w1, bias: b1, op: 'relu', param: 0 }, { weight: w2, bias: null, op: 'tanh', param: 0 }, { weight: w3, bias: b3, op: 'identity', param: 0 }]),
  inputs: [{ shape: [4, 3] }, { shape: [5, 3] }, { shape: [5] }, { shape: [2, 5] }, { shape: [3, 2] }, { shape: [3] }] },
  { name: 'linearActivation silu', fn: (x, w, b) => ops.linearActivation(x, w, b, 'silu', 0), inputs: [{ shape: [4, 3] }, { shape: [3, 3] }, { shape: [3] }] },
  { name: 'reshape', fn: (x) => ops.mul(ops.reshape(x, [2, -1]), ops.reshape(x, [2, 6])), inputs: [{ shape: [3, 4] }] },
  { name: 'transpose', fn: (x) => ops.matmul(ops.transpose(x), x), inputs: [{ shape: [3, 2] }] },
  { name: 'sliceRows', fn: (x) => ops.sliceRows(x, 1, 3), inputs: [{ shape: [4, 3] }] },
  { name: 'gatherRows with repeats', fn: (x) => ops.gatherRows(x, [2, 0, 2]), inputs: [{ shape: [3, 2] }] },
  { name: 'concat axis 1', fn: (a, b) => ops.concat([a, b], 1), inputs: [{ shape: [2, 3] }, { shape: [2, 1] }] },
  { name: 'sigmoid', fn: ops.sigmoid, inputs: [{ shape: [6], low: -8, high: 8 }] },
  { name: 'tanh', fn: ops.tanh, inputs: [{ shape: [6], low: -4, high: 4 }] },
  { name: 'relu', fn: ops.relu, inputs: [{ shape: [6], ...positive }] },
  { name: 'relu negative side', fn: ops.relu, inputs: [{ shape: [6], low: -3, high: -0.2 }] },
  { name: 'leakyRelu', fn: (x) => ops.leakyRelu(x, 0.2), inputs: [{ shape: [6], low: -3, high: -0.2 }] },
  { name: 'elu', fn: (x) => ops.elu(x, 0.7), inputs: [{ shape: [6], low: -3, high: -0.2 }] },
  { name: 'selu', fn: ops.selu, inputs: [{ shape: [6], low: -3, high: -0.2 }] },
  { name: 'softplus', fn: ops.softplus, inputs: [{ shape: [6], low: -30, high: 30 }] },
  { name: 'gelu', fn: ops.gelu, inputs: [{ shape: [8], low: -6, high: 6 }] },
  { name: 'silu', fn: ops.silu, inputs: [{ shape: [8], low: -6, high: 6 }] },
  { name: 'noisyRelu (fixed noise seed)', fn: (x) => ops.noisyRelu(x, { training: true, rng: new Rng(3), std: 0.1 }), inputs: [{ shape: [6], ...positive }] },
  { name: 'softmax', fn: ops.softmax, inputs: [{ shape: [3, 4], low: -5, high: 5 }] },
  { name: 'softmax of large logits', fn: ops.softmax, inputs: [{ shape: [2, 3], low: 995, high: 1000 }] },
  { name: 'logSoftmax', fn: ops.logSoftmax, inputs: [{ shape: [3, 4], low: -5, high: 5 }] },
  { name: 'mseLoss', fn: (p, t) => ops.mseLoss(p, t), inputs: [{ shape: [4, 2] }, { shape: [4, 2], requiresGrad: false }] },
  { name: 'halfSquaredError', fn: (p, t) => ops.halfSquaredError(p, t), inputs: [{ shape: [4, 2] }, { shape: [4, 2], requiresGrad: false }] },
  { name: 'halfSquaredError sum', fn: (p, t) => ops.halfSquaredError(p, t, { reduction: 'sum' }), inputs: [{ shape: [4, 2] }, { shape: [4, 2], requiresGrad: false }] },
  { name: 'maeLoss', fn: (p, t) => ops.maeLoss(p, t), inputs: [{ shape: [4, 2], low: 2.1, high: 3 }, { shape: [4, 2], low: -2, high: 2, requiresGrad: false }] },
  { name: 'huberLoss', fn: (p, t) => ops.huberLoss(p, t, { delta: 0.5 }), inputs: [{ shape: [6] }, { shape: [6], requiresGrad: false }] },
  { name: 'binaryCrossEntropy', fn: (p, t) => ops.binaryCrossEntropy(p, t), inputs: [{ shape: [5], low: 0.05, high: 0.95 }, { shape: [5], low: 0, high: 1, requiresGrad: false }] },
  { name: 'binaryCrossEntropyWithLogits', fn: (z, t) => ops.binaryCrossEntropyWithLogits(z, t), inputs: [{ shape: [5], low: -20, high: 20 }, { shape: [5], low: 0, high: 1, requiresGrad: false }] },
  { name: 'softmaxCrossEntropy labels', fn: (z) => ops.softmaxCrossEntropy(z, [1, 0, 2]), inputs: [{ shape: [3, 3], low: -4, high: 4 }] },
  { name: 'softmaxCrossEntropy soft targets, sum', fn: (z, t) => ops.softmaxCrossEntropy(z, ops.softmax(t), { reduction: 'sum' }), inputs: [{ shape: [3, 3] }, { shape: [3, 3], requiresGrad: false }] },
];

for (const c of cases) {
  test(`gradcheck: ${c.name}`, () => {
    const rng = new Rng(c.name.length * 7919);
    const inputs = c.inputs.map((spec) => randomTensor(spec.shape, rng, spec.low ?? -2, spec.high ?? 2, spec.requiresGrad ?? true));
    assertGradcheck(c.name, c.fn, inputs);
  });
}

test('gradcheck: a composed two-layer network with a softmax cross-entropy', () => {
  const rng = new Rng(11);
  const x = randomTensor([4, 3], rng, -1, 1, false);
  const w1 = randomTensor([5, 3], rng);
  const b1 = randomTensor([5], rng);
  const w2 = randomTensor([2, 5], rng);
  const labels = [0, 1, 1, 0];
  assertGradcheck('mlp', (wa, ba, wb) => ops.softmaxCrossEntropy(ops.linear(ops.tanh(ops.linear(x, wa, ba)), wb), labels), [w1, b1, w2]);
});

test('gradcheck catches a wrong gradient', async () => {
  const { gradcheck } = await import('../../src/autograd/index.js');
  const { record, gradBuffer, needsGrad } = await import('../../src/autograd/index.js');
  const wrongSquare = (x: Tensor): Tensor => {
    const out = new Tensor(x.data.map((v) => v * v), x.shape);
    if (needsGrad(x)) record(out, [x], (g) => { const gx = gradBuffer(x)!; for (let i = 0; i < g.length; i++) gx[i] += g[i] * x.data[i]; });
    return out;
  };
  const report = gradcheck(wrongSquare, [tensor([1, 2, 3], { dtype: 'float64', requiresGrad: true })]);
  if (report.passed) throw new Error('gradcheck passed a gradient that is off by a factor of 2');
});
