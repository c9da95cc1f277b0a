import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradcheck, noGrad } from '../../src/autograd/index.js';
import { Activation, ActivationSpec, Dense, Dropout, Sequential, recordActivations } from '../../src/nn/index.js';
import { halfSquaredError, mul, sum } from '../../src/ops/index.js';
import { Tensor, normal, tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/index.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

function denseWith(weights: number[][], biases: number[] | null, activation: Dense['activation']['name']): Dense {
  const layer = new Dense({ inputs: weights[0].length, units: weights.length, bias: biases !== null, activation, dtype: 'float64' });
  layer.weight.data.set(weights.flat());
  if (biases) layer.bias!.data.set(biases);
  return layer;
}

test('Dense forward equals the hand computation z = Wx + b, a = f(z), row by row of the batch', () => {
  // W = [[0.1, 0.2], [0.3, −0.4]], b = [0.5, −0.5].
  // x₁ = [1, 2]:  z = [0.1 + 0.4 + 0.5, 0.3 − 0.8 − 0.5] = [1, −1]
  // x₂ = [−2, 0.5]: z = [−0.2 + 0.1 + 0.5, −0.6 − 0.2 − 0.5] = [0.4, −1.3]
  const layer = denseWith([[0.1, 0.2], [0.3, -0.4]], [0.5, -0.5], 'sigmoid');
  const x = tensor([[1, 2], [-2, 0.5]], { dtype: 'float64' });
  const a = layer.forward(x).toArray() as number[][];
  const expected = [[sigmoid(1), sigmoid(-1)], [sigmoid(0.4), sigmoid(-1.3)]];
  for (let r = 0; r < 2; r++) for (let c = 0; c < 2; c++) assert.ok(Math.abs(a[r][c] - expected[r][c]) < 1e-12, `a[${r}][${c}] = ${a[r][c]}`);
  assert.equal(sigmoid(1), 0.7310585786300049);

  const noBias = denseWith([[0.1, 0.2], [0.3, -0.4]], null, 'relu');
  const rectified = noBias.forward(tensor([[1, 2]], { dtype: 'float64' })).data; // z = [0.5, −0.5]
  assert.ok(Math.abs(rectified[0] - 0.5) < 1e-15 && rectified[1] === 0, String(rectified));
  assert.equal(noBias.bias, null);
  assert.deepEqual(noBias.namedParameters().map(([name]) => name), ['weight']);
});

test('Dense shapes: weight [units, inputs], bias [units]; bad options and inputs are named', () => {
  const layer = new Dense({ inputs: 3, units: 5 });
  assert.deepEqual(layer.weight.shape, [5, 3]);
  assert.deepEqual(layer.bias!.shape, [5]);
  assert.equal(layer.parameterCount(), 20);
  assert.equal(layer.weight.dtype, 'float32');
  assert.deepEqual(layer.forward(tensor([[1, 2, 3], [4, 5, 6]])).shape, [2, 5]);
  assert.throws(() => layer.forward(tensor([[1, 2]])), /Dense\(3→5, identity\): input must have shape \[batch, 3\], got \[1,2\]/);
  assert.throws(() => new Dense({ inputs: 0, units: 2 }), /Dense: inputs must be an integer >= 1, got 0/);
  assert.throws(() => new Dense({ inputs: 2, units: 2.5 }), /Dense: units must be an integer >= 1, got 2.5/);
  assert.throws(() => new Dense({ inputs: 2, units: 2, bias: 'yes' as never }), /Dense: bias must be true or false, got "yes"/);
  assert.throws(() => new Dense({ inputs: 2, units: 2, activation: 'relu6' as never }), /Dense: activation: unknown activation "relu6"; expected one of "identity", "sigmoid", "tanh", "relu", "leakyRelu", "noisyRelu", "elu", "selu", "softplus", "gelu", "silu", "softmax", "logSoftmax"/);
  assert.throws(() => new Dense({ inputs: 2, units: 2, activation: { name: 'tanh', slope: 1 } as never }), /Dense: activation: activation "tanh" has no parameter "slope"/);
  assert.throws(() => new Dense({ inputs: 2, units: 2, seed: 1, rng: new Rng(1) }), /Dense: pass rng or seed, not both/);
});

test('Dense default initialisers: He for ReLU, LeCun for SELU, Xavier otherwise (visible in the weight scale)', () => {
  const spread = (layer: Dense): number => Math.sqrt(Array.from(layer.weight.data).reduce((s, w) => s + w * w, 0) / layer.weight.size);
  const relu = spread(new Dense({ inputs: 400, units: 100, activation: 'relu', seed: 1 })); // σ = √(2/400) ≈ 0.0707
  const selu = spread(new Dense({ inputs: 400, units: 100, activation: 'selu', seed: 1 })); // σ = √(1/400) = 0.05
  const tanh = spread(new Dense({ inputs: 400, units: 100, activation: 'tanh', seed: 1 })); // √(6/500)/√3 ≈ 0.0632
  assert.ok(Math.abs(relu / Math.sqrt(2 / 400) - 1) < 0.03, `relu ${relu}`);
  assert.ok(Math.abs(selu / 0.05 - 1) < 0.03, `selu ${selu}`);
  assert.ok(Math.abs(tanh / Math.sqrt(2 / 500) - 1) < 0.03, `tanh ${tanh}`);
  assert.ok(new Dense({ inputs: 3, units: 3 }).bias!.data.every((b) => b === 0));
});

const EVERY_ACTIVATION: ActivationSpec[] = [
  { name: 'identity' }, { name: 'sigmoid' }, { name: 'tanh' }, { name: 'relu' }, { name: 'leakyRelu', slope: 0.2 },
  { name: 'noisyRelu', std: 0.5 }, { name: 'elu', alpha: 0.7 }, { name: 'selu' }, { name: 'softplus' }, { name: 'gelu' },
  { name: 'silu' }, { name: 'softmax' }, { name: 'logSoftmax' },
];

test('Dense backward matches float64 finite differences for every activation, with and without bias', () => {
  const rng = new Rng(3);
  for (const activation of EVERY_ACTIVATION) {
    for (const bias of [true, false]) {
      const layer = new Dense({ inputs: 3, units: 4, activation, bias, init: { name: 'normal', std: 0.8 }, dtype: 'float64', rng });
      const x = normal([5, 3], rng, 0, 1.5, { dtype: 'float64', requiresGrad: true });
      // A random upstream gradient, so softmax (whose outputs sum to 1) is checked for real.
      const upstream = normal([5, 4], rng, 0, 1, { dtype: 'float64' });
      const noiseState = layer.rng?.getState();
      const forward = (): Tensor => {
        if (noiseState) layer.rng!.setState(noiseState); // the same noise in every evaluation
        return layer.forward(x);
      };
      const inputs = [x, ...layer.parameters()];
      const report = gradcheck(forward, inputs, { upstream });
      assert.equal(report.inputs.length, bias ? 3 : 2);
      for (const r of report.inputs) assert.ok(r.passed, `${activation.name} bias=${bias} input ${r.index}: max error ${r.maxAbsError}`);
    }
  }
});

test('Dense takes one op (linearActivation) unless it records, and both ways give the same outputs and gradients bit for bit', () => {
  for (const activation of EVERY_ACTIVATION) {
    if (activation.name === 'noisyRelu') continue; // random: its two passes would draw different noise
    for (const dtype of ['float32', 'float64'] as const) {
      const layer = new Dense({ inputs: 3, units: 4, activation, dtype, seed: 5 });
      const x = normal([6, 3], new Rng(6), 0, 2, { dtype, requiresGrad: true });
      const upstream = normal([6, 4], new Rng(7), 0, 1, { dtype });
      const run = (record: boolean) => {
        layer.recordActivations = record;
        for (const t of [x, ...layer.parameters()]) t.zeroGrad();
        const a = layer.forward(x);
        sum(mul(a, upstream)).backward();
        return [a, x, ...layer.parameters()].map((t, i) => Array.from(i === 0 ? t.data : t.grad!.data));
      };
      const twoOps = run(true);
      const oneOp = run(false);
      assert.equal(layer.lastForward?.activation.parents ?? null, null);
      assert.deepEqual(oneOp, twoOps, `${activation.name} ${dtype}`);
    }
  }
});

test('recordActivations keeps z and a of the last pass; after backward z.grad is δ = ∂C/∂z', () => {
  const layer = denseWith([[0.1, 0.2], [0.3, -0.4]], [0.5, -0.5], 'sigmoid');
  const x = tensor([[1, 2]], { dtype: 'float64' });
  layer.forward(x);
  assert.equal(layer.lastForward, null, 'off by default');
  layer.recordActivations = true;
  const a = layer.forward(x);
  const target = tensor([[0, 1]], { dtype: 'float64' });
  halfSquaredError(a, target).backward();
  const record = layer.lastForward!;
  assert.ok(Math.abs(record.preActivation.data[0] - 1) < 1e-15 && Math.abs(record.preActivation.data[1] + 1) < 1e-15);
  assert.equal(record.activation, a);
  // C = ½Σ(a − t)², so ∂C/∂a = a − t and δ = (a − t)·σ′(z) = (a − t)·a(1 − a).
  const s1 = sigmoid(1);
  const s2 = sigmoid(-1);
  const expectedDelta = [(s1 - 0) * s1 * (1 - s1), (s2 - 1) * s2 * (1 - s2)];
  record.preActivation.grad!.data.forEach((d, i) => assert.ok(Math.abs(d - expectedDelta[i]) < 1e-15, `δ[${i}] = ${d}, expected ${expectedDelta[i]}`));
  assert.ok(Math.abs(record.activation.grad!.data[0] - s1) < 1e-15 && Math.abs(record.activation.grad!.data[1] - (s2 - 1)) < 1e-15);
  // ∂C/∂W = δᵀ·x and ∂C/∂b = δ for one sample.
  assert.deepEqual(Array.from(layer.bias!.grad!.data), Array.from(record.preActivation.grad!.data));
  assert.ok(Math.abs(layer.weight.grad!.data[3] - expectedDelta[1] * 2) < 1e-15);
  // Under noGrad the record is kept, without gradients.
  noGrad(() => layer.forward(x));
  assert.equal(layer.lastForward!.preActivation.requiresGrad, false);
  layer.recordActivations = false;
  layer.lastForward = null;
  layer.forward(x);
  assert.equal(layer.lastForward, null);
});

test('recordActivations(model) switches every recording layer of a model and returns them by path', () => {
  const model = new Sequential([new Dense({ inputs: 2, units: 3 }), new Activation('relu'), new Dropout({ rate: 0.5 }), new Dense({ inputs: 3, units: 1 })]);
  const layers = recordActivations(model);
  assert.deepEqual(layers.map(([path]) => path), ['0', '1', '3']);
  model.eval().forward(tensor([[1, -1]]));
  const [dense, relu] = [layers[0][1], layers[1][1]];
  assert.equal(relu.lastForward!.preActivation, dense.lastForward!.activation, 'the activation layer’s z is the dense layer’s output');
  relu.lastForward!.activation.data.forEach((v, i) => assert.equal(v, Math.max(0, relu.lastForward!.preActivation.data[i])));
  recordActivations(model, false);
  assert.ok(layers.every(([, layer]) => !layer.recordActivations && layer.lastForward === null));
});

test('gradients reach the input through a whole Sequential (float64 gradcheck, dropout mask fixed)', () => {
  const rng = new Rng(8);
  const model = new Sequential([
    new Dense({ inputs: 3, units: 5, activation: 'tanh', dtype: 'float64', rng }),
    new Dropout({ rate: 0.4, rng: rng.fork() }),
    new Dense({ inputs: 5, units: 2, activation: 'sigmoid', dtype: 'float64', rng }),
  ]);
  const x = normal([4, 3], rng, 0, 1, { dtype: 'float64', requiresGrad: true });
  const dropoutState = model.layers[1].rng!.getState();
  const forward = (): Tensor => {
    model.layers[1].rng!.setState(dropoutState);
    const y = model.forward(x);
    return sum(mul(y, y));
  };
  const report = gradcheck(forward, [x, ...model.parameters()]);
  for (const r of report.inputs) assert.ok(r.passed, `input ${r.index} (${r.name}): ${r.maxAbsError}`);
});
