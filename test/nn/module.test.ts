import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Activation, Dense, Dropout, Module, Sequential, mlp, sequential } from '../../src/nn/index.js';
import { sum } from '../../src/ops/index.js';
import { Tensor, tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/index.js';

test('parameters have stable dotted names, also on the tensors, through nested models', () => {
  const inner = sequential([new Dense({ inputs: 2, units: 3 }), new Activation('tanh'), new Dense({ inputs: 3, units: 2, bias: false })]);
  assert.deepEqual(inner.namedParameters().map(([name]) => name), ['0.weight', '0.bias', '2.weight']);
  const outer = new Sequential([inner, new Dense({ inputs: 2, units: 1 })]);
  assert.deepEqual(outer.namedParameters().map(([name]) => name), ['0.0.weight', '0.0.bias', '0.2.weight', '1.weight', '1.bias']);
  assert.deepEqual(outer.parameters().map((p) => p.name), ['0.0.weight', '0.0.bias', '0.2.weight', '1.weight', '1.bias']);
  assert.ok(outer.parameters().every((p) => p.requiresGrad));
  assert.equal(outer.parameterCount(), 2 * 3 + 3 + 3 * 2 + 2 + 1);
  assert.deepEqual(outer.namedModules().map(([path, m]) => `${path}:${m.constructor.name}`), [':Sequential', '0:Sequential', '0.0:Dense', '0.1:Activation', '0.2:Dense', '1:Dense']);
});

test('train() and eval() reach every descendant', () => {
  const model = new Sequential([new Dense({ inputs: 2, units: 2 }), new Sequential([new Dropout({ rate: 0.5 }), new Activation('relu')])]);
  const modes = (): boolean[] => model.namedModules().map(([, m]) => m.training);
  assert.deepEqual(modes(), [true, true, true, true, true]);
  assert.equal(model.eval(), model);
  assert.deepEqual(modes(), [false, false, false, false, false]);
  model.train();
  assert.deepEqual(modes(), [true, true, true, true, true]);
  model.train(false);
  assert.deepEqual(modes(), [false, false, false, false, false]);
});

test('gradients accumulate over backward calls until zeroGrad()', () => {
  const model = mlp({ sizes: [2, 3, 1], activation: 'tanh', seed: 4 });
  const x = tensor([[0.5, -1]]);
  sum(model.forward(x)).backward();
  const once = Array.from(model.parameters()[0].grad!.data);
  sum(model.forward(x)).backward();
  model.parameters()[0].grad!.data.forEach((g, i) => assert.ok(Math.abs(g - 2 * once[i]) < 1e-6));
  model.zeroGrad();
  assert.ok(model.parameters().every((p) => p.grad === null));
});

test('mlp builds the layers asked for, and one seed reproduces the whole model', () => {
  const model = mlp({ sizes: [4, 8, 8, 3], activation: 'relu', outputActivation: 'softmax', dropout: 0.2, seed: 12 });
  assert.equal(String(model), 'Sequential(\n  (0) Dense(4→8, relu)\n  (1) Dropout(rate=0.2)\n  (2) Dense(8→8, relu)\n  (3) Dropout(rate=0.2)\n  (4) Dense(8→3, softmax)\n)');
  const again = mlp({ sizes: [4, 8, 8, 3], activation: 'relu', outputActivation: 'softmax', dropout: 0.2, seed: 12 });
  model.parameters().forEach((p, i) => assert.deepEqual(p.data, again.parameters()[i].data));
  const x = tensor([[1, 2, 3, 4], [0, -1, 0.5, 2]]);
  assert.deepEqual(model.forward(x).data, again.forward(x).data, 'same dropout masks in training mode');
  const other = mlp({ sizes: [4, 8, 8, 3], activation: 'relu', outputActivation: 'softmax', dropout: 0.2, seed: 13 });
  assert.notDeepEqual(model.parameters()[0].data, other.parameters()[0].data);
  assert.deepEqual(model.namedRngs().map(([path]) => path), ['1', '3']);
  // The same model from a shared generator draws the same numbers as from its seed.
  const shared = mlp({ sizes: [4, 8, 8, 3], activation: 'relu', outputActivation: 'softmax', dropout: 0.2, rng: new Rng(12) });
  assert.deepEqual(shared.parameters()[4].data, model.parameters()[4].data);
});

test('mlp and Sequential reject bad options with the option named', () => {
  assert.throws(() => mlp({ sizes: [3] }), /mlp: sizes must list at least the input and output widths, got \[3\]/);
  assert.throws(() => mlp({ sizes: [3, 0, 1] }), /mlp: sizes\[1\] must be an integer >= 1, got 0/);
  assert.throws(() => mlp({ sizes: [3, 1], activation: 'sigmoidal' as never }), /mlp: activation: unknown activation "sigmoidal"/);
  assert.throws(() => mlp({ sizes: [3, 1], init: 'orthogonal' as never }), /mlp: init: unknown initialiser "orthogonal"/);
  assert.throws(() => mlp({ sizes: [3, 2, 1], dropout: 1 }), /mlp: dropout must be a drop rate < 1, got 1/);
  assert.throws(() => mlp({ sizes: [3, 2, 1], dropout: -0.5 }), /mlp: dropout must be a finite number >= 0, got -0.5/);
  assert.throws(() => new Sequential([new Dense({ inputs: 1, units: 1 }), {} as Module]), /Sequential: layers\[1\] must be a Module, got \{\}/);
});

test('a custom Module registers its own parameters and children', () => {
  class Residual extends Module {
    readonly inner: Dense;
    readonly gate: Tensor;
    constructor() {
      super();
      this.gate = this.registerParameter('gate', tensor([0.5]));
      this.inner = this.registerModule('inner', new Dense({ inputs: 2, units: 2 }));
    }
    forward(x: Tensor): Tensor {
      return this.inner.forward(x);
    }
  }
  const block = new Residual();
  assert.deepEqual(block.namedParameters().map(([name]) => name), ['gate', 'inner.weight', 'inner.bias']);
  assert.equal(block.gate.requiresGrad, true);
});

test('a Dense noisy ReLU is noisy in training mode and plain ReLU after eval()', () => {
  const model = mlp({ sizes: [3, 50, 2], activation: { name: 'noisyRelu', std: 0.3 }, seed: 5 });
  const plain = mlp({ sizes: [3, 50, 2], activation: 'relu', seed: 5 });
  plain.parameters().forEach((p, i) => p.data.set(model.parameters()[i].data));
  assert.deepEqual(model.namedRngs().map(([path]) => path), ['0']);
  const x = tensor([[1, -2, 0.5], [0.3, 0.3, -1]]);
  const first = Array.from(model.forward(x).data);
  assert.notDeepEqual(Array.from(model.forward(x).data), first, 'fresh noise each training pass');
  model.eval();
  assert.deepEqual(Array.from(model.forward(x).data), Array.from(plain.forward(x).data));
});

test('layers built without a seed fork the default generator: they differ, and setDefaultSeed reproduces them', async () => {
  const { Dense, setDefaultSeed } = await import('../../src/nn/index.js');
  setDefaultSeed(7);
  const a = new Dense({ inputs: 3, units: 3 });
  const b = new Dense({ inputs: 3, units: 3 });
  assert.notDeepEqual(Array.from(a.weight.data), Array.from(b.weight.data));
  setDefaultSeed(7);
  assert.deepEqual(Array.from(new Dense({ inputs: 3, units: 3 }).weight.data), Array.from(a.weight.data));
});

test('misspelt layer options are rejected with the valid names', () => {
  assert.throws(() => new Dense({ inputs: 2, units: 2, activaton: 'relu' } as never), /Dense: unknown option "activaton"; valid options: inputs, units, bias, activation/);
  assert.throws(() => mlp({ sizes: [2, 2], hidden: 3 } as never), /mlp: unknown option "hidden"/);
  assert.throws(() => new Dropout({ rate: 0.1, p: 0.5 } as never), /Dropout: unknown option "p"/);
});
