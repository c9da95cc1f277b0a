import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ACTIVATIONS, ACTIVATION_NAMES, Activation, formatActivation, resolveActivation } from '../../src/nn/index.js';
import { tensor } from '../../src/tensor/index.js';

test('the registry holds every activation of src/ops/activations.ts', () => {
  assert.deepEqual([...ACTIVATION_NAMES].sort(), [
    'elu', 'gelu', 'identity', 'leakyRelu', 'logSoftmax', 'noisyRelu', 'relu', 'selu', 'sigmoid', 'silu', 'softmax', 'softplus', 'tanh',
  ]);
  for (const name of ACTIVATION_NAMES) assert.ok(ACTIVATIONS[name].formula.length > 0, name);
});

test('resolveActivation fills defaults, accepts aliases and spellings, and names bad values', () => {
  assert.deepEqual(resolveActivation('leakyRelu'), { name: 'leakyRelu', slope: 0.01 });
  assert.deepEqual(resolveActivation('leaky_relu'), { name: 'leakyRelu', slope: 0.01 });
  assert.deepEqual(resolveActivation({ name: 'LeakyReLU', slope: 0.2 }), { name: 'leakyRelu', slope: 0.2 });
  assert.deepEqual(resolveActivation('elu'), { name: 'elu', alpha: 1 });
  assert.deepEqual(resolveActivation('noisy-relu'), { name: 'noisyRelu', std: 1 });
  assert.deepEqual(resolveActivation('swish'), { name: 'silu' });
  assert.deepEqual(resolveActivation('linear'), { name: 'identity' });
  assert.deepEqual(resolveActivation('logistic'), { name: 'sigmoid' });
  assert.throws(() => resolveActivation('relu6'), /^ValueError: activation: unknown activation "relu6"; expected one of "identity", "sigmoid", .*"logSoftmax"$/);
  assert.throws(() => resolveActivation({ name: 'elu', alpha: 'big' }), /activation: alpha must be a finite number, got "big"/);
  assert.throws(() => resolveActivation({ name: 'noisyRelu', std: -1 }), /activation: std must be a finite number >= 0, got -1/);
  assert.throws(() => resolveActivation({ name: 'relu', alpha: 1 }), /activation "relu" has no parameter "alpha"/);
  assert.throws(() => resolveActivation(null), /activation must be a name or an object with a name, got null/);
  assert.equal(formatActivation(resolveActivation({ name: 'leakyRelu', slope: 0.2 })), 'leakyRelu(slope=0.2)');
  assert.equal(formatActivation({ name: 'tanh' }), 'tanh');
});

test('Activation layers compute their functions (hand values) and have no parameters', () => {
  const z = tensor([[-2, 0, 3]], { dtype: 'float64' });
  const values = (spec: Parameters<typeof resolveActivation>[0]): number[] => Array.from(new Activation(spec as never).forward(z).data);
  assert.deepEqual(values('relu'), [0, 0, 3]);
  assert.deepEqual(values({ name: 'leakyRelu', slope: 0.1 }), [-0.2, 0, 3]);
  assert.deepEqual(values('identity'), [-2, 0, 3]);
  const elu = values({ name: 'elu', alpha: 2 });
  assert.ok(Math.abs(elu[0] - 2 * (Math.exp(-2) - 1)) < 1e-15 && elu[2] === 3);
  const softmax = values('softmax');
  const total = Math.exp(-2) + 1 + Math.exp(3);
  softmax.forEach((v, i) => assert.ok(Math.abs(v - Math.exp([-2, 0, 3][i]) / total) < 1e-15));
  const logSoftmax = values('logSoftmax');
  logSoftmax.forEach((v, i) => assert.ok(Math.abs(v - ([-2, 0, 3][i] - Math.log(total))) < 1e-14));
  assert.equal(new Activation('tanh').parameterCount(), 0);
  assert.equal(new Activation('tanh').rng, null);
});

test('noisy ReLU adds seeded noise in training mode only', () => {
  const z = tensor([Array.from({ length: 2000 }, () => 1)]);
  const layer = new Activation({ name: 'noisyRelu', std: 0.5 }, { seed: 9 });
  const noisy = Array.from(layer.forward(z).data);
  const mean = noisy.reduce((s, v) => s + v, 0) / noisy.length;
  const variance = noisy.reduce((s, v) => s + (v - mean) ** 2, 0) / noisy.length;
  // max(0, 1 + ε) with ε ~ N(0, 0.25) is almost always 1 + ε: mean ≈ 1, variance ≈ 0.25.
  assert.ok(Math.abs(mean - 1) < 0.05 && Math.abs(variance - 0.25) < 0.03, `mean ${mean}, variance ${variance}`);
  assert.deepEqual(Array.from(new Activation({ name: 'noisyRelu', std: 0.5 }, { seed: 9 }).forward(z).data), noisy, 'same seed, same noise');
  layer.eval();
  assert.ok(layer.forward(z).data.every((v) => v === 1), 'plain ReLU in evaluation mode');
});
