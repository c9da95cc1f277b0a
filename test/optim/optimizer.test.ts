import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adagrad, Adam, AdamW, OPTIMIZER_NAMES, Optimizer, RMSprop, SGD, clipGradNorm, createOptimizer, parseSchedule } from '../../src/optim/index.js';
import { add, mean, mul, square, sub } from '../../src/ops/index.js';
import type { OptionValue } from '../../src/optim/index.js';
import { Tensor, tensor } from '../../src/tensor/index.js';
import { ValueError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/rng.js';
import { param, setGrad } from './helpers.js';

/** A deterministic gradient that depends on the weights: g = sin(3w) + 0.1·i (not a quadratic, so the state matters). */
function setWavyGradients(params: Tensor[]): void {
  for (const p of params) setGrad(p, Array.from(p.data, (w, i) => Math.sin(3 * w) + 0.1 * i));
}

function randomParams(seed: number, dtype: 'float32' | 'float64'): Tensor[] {
  const rng = new Rng(seed);
  return [param(Array.from({ length: 6 }, () => rng.normal()), dtype), param(Array.from({ length: 3 }, () => rng.normal()), dtype)];
}

const CONFIGS: [string, Record<string, OptionValue>][] = [
  ['sgd', { lr: 0.1 }],
  ['sgd', { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }],
  ['sgd', { lr: 0.1, momentum: 0.9, nesterov: true, momentumConvention: 'textbook' }],
  ['adagrad', { lr: 0.1, initialAccumulator: 0.1 }],
  ['rmsprop', { lr: 0.01, centered: true, momentum: 0.5 }],
  ['adam', { lr: 0.01 }],
  ['adam', { lr: 0.01, amsgrad: true, weightDecay: 0.1 }],
  ['adamw', { lr: 0.01 }],
];

for (const dtype of ['float32', 'float64'] as const) {
  for (const [name, options] of CONFIGS) {
    test(`${name} ${JSON.stringify(options)} ${dtype}: stateDict through JSON continues bit-identically`, () => {
      const params = randomParams(11, dtype);
      const original = createOptimizer(name, params, options);
      for (let t = 0; t < 4; t++) {
        setWavyGradients(params);
        original.step();
        if (t === 1) original.lr = original.lr / 2; // a schedule's change must be saved too
      }
      const savedState = JSON.parse(JSON.stringify(original.stateDict()));
      const savedWeights = params.map((p) => Array.from(p.data));
      // The uninterrupted run.
      for (let t = 0; t < 5; t++) {
        setWavyGradients(params);
        original.step();
      }
      // The resumed run: fresh tensors and optimiser, the saved weights and state.
      const resumedParams = savedWeights.map((values) => param(values, dtype));
      const resumed = createOptimizer(name, resumedParams, options);
      resumed.loadStateDict(savedState);
      assert.equal(resumed.lr, original.lr);
      for (let t = 0; t < 5; t++) {
        setWavyGradients(resumedParams);
        resumed.step();
      }
      resumedParams.forEach((p, i) => assert.deepEqual(p.data, params[i].data, `parameter ${i}`));
      // And the weights moved (so the comparison means something).
      assert.notDeepEqual(Array.from(params[0].data), savedWeights[0]);
    });
  }
}

test('stateDict writes NaN and ±Infinity as strings and reads them back', () => {
  const w = param([1, 2]);
  const adam = new Adam([w], { amsgrad: true });
  setGrad(w, [1, 1]);
  adam.step();
  const dict = adam.stateDict();
  dict.state[0].buffers.maxSecondMoment = ['Infinity', 'NaN'];
  const restored = new Adam([param([1, 2])], { amsgrad: true });
  restored.loadStateDict(JSON.parse(JSON.stringify(dict)));
  assert.deepEqual(Array.from(restored.parameterState(0).buffers.maxSecondMoment), [Infinity, NaN]);
});

test('loadStateDict rejects a state of another optimiser, shape or option set, and leaves the optimiser as it was', () => {
  const adamState = new Adam([param([1, 2])]).stateDict();
  assert.throws(() => new SGD([param([1, 2])]).loadStateDict(adamState as never), { message: 'SGD.loadStateDict: the state is for optimizer "adam", not "sgd"' });
  assert.throws(() => new Adam([param([1, 2, 3])]).loadStateDict(adamState), { message: 'Adam.loadStateDict: parameter 0 buffer firstMoment has 2 values, expected 3' });
  assert.throws(() => new Adam([param([1]), param([2])]).loadStateDict(adamState), { message: 'Adam.loadStateDict: group 0 has 1 parameters in the state, 2 here' });
  const amsgradState = new Adam([param([1, 2])], { amsgrad: true }).stateDict();
  amsgradState.groups[0].options.amsgrad = false; // options and buffers no longer agree
  const target = new Adam([param([1, 2])], { lr: 0.5 });
  assert.throws(() => target.loadStateDict(amsgradState), {
    message: 'Adam.loadStateDict: parameter 0 has buffers [firstMoment, maxSecondMoment, secondMoment] in the state, expected [firstMoment, secondMoment]',
  });
  assert.equal(target.lr, 0.5);
  const badValue = new Adam([param([1, 2])]).stateDict();
  (badValue.state[0].buffers.firstMoment as unknown[])[1] = 'x';
  assert.throws(() => new Adam([param([1, 2])]).loadStateDict(badValue), { message: 'Adam.loadStateDict: parameter 0 buffer firstMoment[1]: expected a number, got "x"' });
});

// Each invalid hyperparameter with the exact message.
const INVALID: [string, () => unknown, string][] = [
  ['negative lr', () => new SGD([param([1])], { lr: -1 }), 'SGD: lr must be a finite number >= 0, got -1'],
  ['NaN lr', () => new Adam([param([1])], { lr: NaN }), 'Adam: lr must be a finite number >= 0, got NaN'],
  ['momentum 1', () => new SGD([param([1])], { momentum: 1 }), 'SGD: momentum must be in [0, 1), got 1'],
  ['nesterov without momentum', () => new SGD([param([1])], { nesterov: true }), 'SGD: nesterov needs momentum > 0, got momentum 0'],
  ['unknown convention', () => new SGD([param([1])], { momentumConvention: 'keras' as never }), 'SGD: momentumConvention must be one of "pytorch", "textbook", got "keras"'],
  ['beta1 1.5', () => new Adam([param([1])], { beta1: 1.5 }), 'Adam: beta1 must be in [0, 1), got 1.5'],
  ['beta2 -0.1', () => new AdamW([param([1])], { beta2: -0.1 }), 'AdamW: beta2 must be in [0, 1), got -0.1'],
  ['eps 0', () => new Adam([param([1])], { eps: 0 }), 'Adam: eps must be a finite number > 0, got 0'],
  ['amsgrad string', () => new Adam([param([1])], { amsgrad: 'yes' as never }), 'Adam: amsgrad must be true or false, got "yes"'],
  ['weightDecay negative', () => new AdamW([param([1])], { weightDecay: -0.01 }), 'AdamW: weightDecay must be a finite number >= 0, got -0.01'],
  ['alpha 1', () => new RMSprop([param([1])], { alpha: 1 }), 'RMSprop: alpha must be in [0, 1), got 1'],
  ['centered number', () => new RMSprop([param([1])], { centered: 1 as never }), 'RMSprop: centered must be true or false, got 1'],
  ['Adagrad eps', () => new Adagrad([param([1])], { eps: -1 }), 'Adagrad: eps must be a finite number > 0, got -1'],
  ['Adagrad initialAccumulator', () => new Adagrad([param([1])], { initialAccumulator: Infinity }), 'Adagrad: initialAccumulator must be a finite number >= 0, got Infinity'],
  ['misspelt option', () => new Adam([param([1])], { learningRate: 0.1 } as never), 'Adam: unknown option "learningRate"; valid options: lr, beta1, beta2, eps, amsgrad, weightDecay'],
  ['bad group option', () => new SGD([{ params: [param([1])] }, { params: [param([2])], lr: -2 }]), 'SGD: group 1: lr must be a finite number >= 0, got -2'],
  ['misspelt group option', () => new SGD([{ params: [param([1])], rate: 1 } as never]), 'SGD: group 0: unknown option "rate"; valid options: lr, momentum, nesterov, momentumConvention, weightDecay'],
  ['no parameters', () => new SGD([]), 'SGD: needs a non-empty list of parameters or parameter groups, got []'],
  ['empty group', () => new SGD([{ params: [] }]), 'SGD: group 0 has no parameters'],
  ['mixed list', () => new SGD([param([1]), { params: [param([2])] }] as never), 'SGD: expected all Tensors or all groups { params: Tensor[], ...options }; item 0 is a Tensor'],
  ['duplicate parameter', () => { const w = param([1], 'float64', 'w'); return new SGD([{ params: [w] }, { params: [w] }]); }, 'SGD: parameter w appears more than once (in group 1)'],
  ['unknown name', () => createOptimizer('adamax', [param([1])]), 'createOptimizer: unknown optimizer "adamax"; valid names: sgd, adagrad, rmsprop, adam, adamw'],
  ['negative lr set', () => { new SGD([param([1])]).lr = -0.5; }, 'SGD: lr must be a finite number >= 0, got -0.5'],
];

for (const [label, make, message] of INVALID) {
  test(`rejects ${label}: ${message}`, () => {
    assert.throws(make, (error: unknown) => {
      assert.ok(error instanceof ValueError, `a ValueError, got ${String(error)}`);
      assert.equal(error.message, message);
      return true;
    });
  });
}

test('createOptimizer builds each optimiser by name (any case) with its defaults', () => {
  const expected: Record<string, [new (...args: never[]) => Optimizer<never>, number]> = {
    sgd: [SGD as never, 0.01], adagrad: [Adagrad as never, 0.01], rmsprop: [RMSprop as never, 0.01], adam: [Adam as never, 0.001], adamw: [AdamW as never, 0.001],
  };
  assert.deepEqual([...OPTIMIZER_NAMES].sort(), Object.keys(expected).sort());
  for (const [name, [Class, lr]] of Object.entries(expected)) {
    const optimizer = createOptimizer(name.toUpperCase(), [param([1])]);
    assert.ok(optimizer instanceof Class, name);
    assert.equal(optimizer.name, name);
    assert.equal(optimizer.lr, lr);
  }
  assert.deepEqual(createOptimizer('adamw', [param([1])], { lr: 0.1 }).config(), {
    name: 'adamw',
    options: { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, amsgrad: false, weightDecay: 0.01 },
  });
});

test('parameter groups: per-group options, and setting lr keeps the groups’ ratios', () => {
  const a = param([1]);
  const b = param([1]);
  const sgd = new SGD([{ params: [a] }, { params: [b], lr: 0.5, momentum: 0.5 }], { lr: 0.25 });
  setGrad(a, [1]);
  setGrad(b, [1]);
  sgd.step();
  // a: 1 − 0.25 = 0.75; b: 1 − 0.5·1 = 0.5
  assert.deepEqual([a.data[0], b.data[0]], [0.75, 0.5]);
  sgd.lr = 0.125; // b's rate was twice a's: becomes 0.25
  assert.deepEqual(sgd.groups.map((g) => g.options.lr), [0.125, 0.25]);
  sgd.step();
  // a: 0.75 − 0.125 = 0.625; b: v = 0.5·1 + 1 = 1.5, 0.5 − 0.25·1.5 = 0.125
  assert.deepEqual([a.data[0], b.data[0]], [0.625, 0.125]);
  assert.equal(sgd.config().options.lr, 0.25, 'config keeps the configured rate');
  assert.deepEqual(sgd.config().groups?.map((g) => g.lr), [0.125, 0.25]);
});

test('step skips parameters without a gradient (their step count stays 0); zeroGrad zero-fills in place', () => {
  const used = param([1, 1]);
  const unused = param([5]);
  const adam = new Adam([used, unused], { lr: 0.1 });
  setGrad(used, [1, -1]);
  adam.step();
  assert.deepEqual([...unused.data], [5]);
  assert.equal(adam.parameterState(0).step, 1);
  assert.equal(adam.parameterState(1).step, 0);
  const gradBuffer = used.grad!.data;
  adam.zeroGrad();
  assert.equal(used.grad!.data, gradBuffer, 'same buffer');
  assert.deepEqual([...gradBuffer], [0, 0]);
  assert.equal(unused.grad, null);
});

test('step rejects a gradient of the wrong size', () => {
  const w = param([1, 2], 'float64', 'layer.weight');
  const sgd = new SGD([w]);
  setGrad(w, [1, 2, 3]);
  assert.throws(() => sgd.step(), { message: 'SGD.step: gradient [3] does not match parameter layer.weight [2]' });
});

test('every optimiser with a schedule and clipping fits y = 2x + 1 through autograd', () => {
  const xs = [-1, -0.5, 0, 0.5, 1, 1.5];
  const x = tensor(xs, { dtype: 'float64' });
  const y = tensor(xs.map((v) => 2 * v + 1), { dtype: 'float64' });
  const settings: [string, Record<string, OptionValue>][] = [
    ['sgd', { lr: 0.2, momentum: 0.5 }], ['adagrad', { lr: 0.5 }], ['rmsprop', { lr: 0.05 }], ['adam', { lr: 0.1 }], ['adamw', { lr: 0.1, weightDecay: 0 }],
  ];
  for (const [name, options] of settings) {
    const weight = param([0], 'float64', 'weight');
    const bias = param([0], 'float64', 'bias');
    const optimizer = createOptimizer(name, [weight, bias], options);
    const schedule = parseSchedule('warmup:5+cosine', { totalSteps: 400 });
    for (let t = 0; t < 400; t++) {
      schedule.apply(optimizer, t);
      optimizer.zeroGrad();
      mean(square(sub(add(mul(x, weight), bias), y))).backward();
      clipGradNorm([weight, bias], 5);
      optimizer.step();
    }
    assert.ok(Math.abs(weight.data[0] - 2) < 1e-2 && Math.abs(bias.data[0] - 1) < 1e-2, `${name}: w = ${weight.data[0]}, b = ${bias.data[0]}`);
  }
});
