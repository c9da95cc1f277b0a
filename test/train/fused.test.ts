import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gradcheck, noGrad } from '../../src/autograd/index.js';
import type { DType, FloatArray } from '../../src/kernels/index.js';
import { Activation, Dense, Dropout, Module, mlp, recordActivations, sequential } from '../../src/nn/index.js';
import type { ActivationLike } from '../../src/nn/index.js';
import { softmaxCrossEntropy } from '../../src/ops/index.js';
import { Adam, SGD, parseSchedule } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { FUSED_LOSSES, LOSSES, Trainer, fusedStepBlocker, fusedTrainingStep } from '../../src/train/index.js';
import type { Dataset, FitOptions, FitResult, FusedLossName } from '../../src/train/index.js';
import { Rng } from '../../src/util/rng.js';

const ACTIVATIONS: ActivationLike[] = ['identity', 'relu', { name: 'leakyRelu', slope: 0.2 }, 'tanh', 'sigmoid', { name: 'elu', alpha: 0.7 }, 'selu', 'softplus', 'gelu', 'silu'];

/** Byte-for-byte equality of two typed arrays (NaN and −0 included). */
function sameBits(a: FloatArray, b: FloatArray): boolean {
  return a.constructor === b.constructor && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function assertSameParameters(fused: Module, graph: Module, label: string): void {
  const a = fused.namedParameters();
  const b = graph.namedParameters();
  assert.equal(a.length, b.length);
  a.forEach(([name, p], i) => assert.ok(sameBits(p.data, b[i][1].data), `${label}: ${name} differs`));
}

/** n rows of `features` inputs in [−2, 2) and targets suited to `loss`: labels, 0/1 values, or smooth values. */
function dataset(loss: FusedLossName, n: number, features: number, outputs: number, dtype: DType, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Tensor(dtype === 'float64' ? new Float64Array(n * features) : new Float32Array(n * features), [n, features]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniformRange(-2, 2);
  if (loss === 'softmaxCrossEntropy') return { x, y: Int32Array.from({ length: n }, (_, i) => (i * 7 + seed) % outputs) };
  const y = new Tensor(dtype === 'float64' ? new Float64Array(n * outputs) : new Float32Array(n * outputs), [n, outputs]);
  const binary = loss === 'binaryCrossEntropy' || loss === 'binaryCrossEntropyWithLogits';
  for (let i = 0; i < y.size; i++) y.data[i] = binary ? (rng.uniform() < 0.5 ? 1 : 0) : Math.sin(3 * x.data[i % x.size]) * 1.5;
  return { x, y };
}

interface Case {
  loss: FusedLossName;
  activation: ActivationLike;
  dtype: DType;
  bias: boolean;
  batchSize: number;
}

/** Trains the same model twice, through the fused step and through the graph; returns both models and results. */
function trainBoth(c: Case, extra: Partial<FitOptions> = {}, build?: (seed: number) => Module) {
  const outputs = c.loss === 'softmaxCrossEntropy' ? 3 : 2;
  const data = dataset(c.loss, 19, 3, outputs, c.dtype, 5);
  const run = (fused: boolean) => {
    const outputActivation = c.loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity';
    const model = build ? build(7) : mlp({ sizes: [3, 6, 5, outputs], activation: c.activation, outputActivation, bias: c.bias, dtype: c.dtype, seed: 7 });
    const trainer = new Trainer(model, data, {
      loss: c.loss, optimizer: new SGD(model.parameters(), { lr: 0.05, momentum: 0.5 }), epochs: 4, batchSize: c.batchSize, seed: 3, now: () => 0, fused, ...extra,
    });
    const result = trainer.fit();
    return { model, result, trainer };
  };
  return { fused: run(true), graph: run(false) };
}

function assertSameRun(fused: { model: Module; result: FitResult }, graph: { model: Module; result: FitResult }, label: string): void {
  assertSameParameters(fused.model, graph.model, label);
  assert.deepEqual(fused.result, graph.result, `${label}: history, metrics and gradient health`);
}

test('fit through the fused step gives bit-identical weights, losses, metrics and health to the graph: every activation', () => {
  for (const activation of [...ACTIVATIONS, { name: 'noisyRelu', std: 0.5 } as const])
    for (const dtype of ['float32', 'float64'] as const)
      for (const bias of [true, false])
        for (const batchSize of [1, 3, 16, 19]) {
          // 19: full batch, so the health probe (every training row) has the batch's size.
          const c: Case = { loss: 'softmaxCrossEntropy', activation, dtype, bias, batchSize };
          const label = JSON.stringify(c);
          const { fused, graph } = trainBoth(c);
          assert.equal(fused.trainer.unfusedReason, null, label);
          assert.equal(graph.trainer.unfusedReason, 'the option fused is false', label);
          assertSameRun(fused, graph, label);
          assert.deepEqual(fused.model.namedRngs().map(([, rng]) => rng.getState()), graph.model.namedRngs().map(([, rng]) => rng.getState()), `${label}: generators`);
        }
});

test('fit through the fused step is bit-identical for every fused loss, dtype, bias and batch size (with a partial last batch)', () => {
  assert.deepEqual([...FUSED_LOSSES].sort(), Object.keys(LOSSES).sort(), 'every named loss is fused');
  for (const loss of FUSED_LOSSES)
    for (const dtype of ['float32', 'float64'] as const)
      for (const bias of [true, false])
        for (const [i, batchSize] of [1, 3, 16].entries()) {
          // 19 rows: batches of 3 leave 1, of 16 leave 3.
          const c: Case = { loss, activation: ACTIVATIONS[(i + FUSED_LOSSES.indexOf(loss)) % ACTIVATIONS.length], dtype, bias, batchSize };
          const label = JSON.stringify(c);
          const { fused, graph } = trainBoth(c);
          assert.equal(fused.trainer.unfusedReason, null, label);
          assertSameRun(fused, graph, label);
          const initial = mlp({ sizes: [3, 6, 5, loss === 'softmaxCrossEntropy' ? 3 : 2], activation: c.activation, bias, dtype, seed: 7 });
          assert.ok(!sameBits(initial.parameters()[0].data, fused.model.parameters()[0].data), `${label}: training moved the weights`);
        }
});

test('Activation layers, Dropout of rate 0, a lone Dense and stacked activations take the fused step bit-identically', () => {
  const builds: [string, (seed: number) => Module][] = [
    ['Dense + Activation', (seed) => sequential([new Dense({ inputs: 3, units: 6, seed }), new Activation('tanh'), new Dense({ inputs: 6, units: 3, seed: seed + 1 })])],
    ['Dense(relu) + Activation(sigmoid)', (seed) => sequential([new Dense({ inputs: 3, units: 6, activation: 'relu', seed }), new Activation('sigmoid'), new Dense({ inputs: 6, units: 3, seed: seed + 1 })])],
    ['Dropout(0) and identity Activation', (seed) => sequential([new Dense({ inputs: 3, units: 6, activation: 'gelu', seed }), new Dropout({ rate: 0 }), new Activation('identity'), new Dense({ inputs: 6, units: 3, seed: seed + 1 })])],
    ['lone Dense', (seed) => new Dense({ inputs: 3, units: 3, seed })],
    ['output activation', (seed) => mlp({ sizes: [3, 4, 3], activation: 'selu', outputActivation: 'softplus', seed })],
    ['noisy ReLU layer', (seed) => sequential([new Dense({ inputs: 3, units: 6, seed }), new Activation('noisyRelu', { seed: seed + 2 }), new Dense({ inputs: 6, units: 3, seed: seed + 1 })])],
    ['noisy ReLU without noise', (seed) => mlp({ sizes: [3, 6, 3], activation: { name: 'noisyRelu', std: 0 }, seed })],
  ];
  for (const [name, build] of builds)
    for (const batchSize of [1, 3, 16]) {
      const { fused, graph } = trainBoth({ loss: 'softmaxCrossEntropy', activation: 'identity', dtype: 'float32', bias: true, batchSize }, {}, build);
      assert.equal(fused.trainer.unfusedReason, null, name);
      assertSameRun(fused, graph, `${name}, batch ${batchSize}`);
    }
});

test('Dropout (inverted and classic) takes the fused step: the same masks from the same generators, bit-identical weights', () => {
  for (const dropoutMode of ['inverted', 'classic'] as const)
    for (const batchSize of [1, 3, 16]) {
      const build = (seed: number) => mlp({ sizes: [3, 8, 6, 3], activation: 'relu', dropout: 0.3, dropoutMode, seed });
      const { fused, graph } = trainBoth({ loss: 'softmaxCrossEntropy', activation: 'identity', dtype: 'float32', bias: true, batchSize }, {}, build);
      const label = `${dropoutMode}, batch ${batchSize}`;
      assert.equal(fused.trainer.unfusedReason, null, label);
      assertSameRun(fused, graph, label);
      assert.deepEqual(fused.model.namedRngs().map(([, rng]) => rng.getState()), graph.model.namedRngs().map(([, rng]) => rng.getState()), `${label}: generators`);
    }
  // In evaluation mode Dropout is the identity (inverted) or scales by p (classic); the step follows the layer's mode.
  for (const dropoutMode of ['inverted', 'classic'] as const) {
    const models = [0, 1].map(() => mlp({ sizes: [3, 5, 2], activation: 'tanh', dropout: 0.4, dropoutMode, seed: 8 }).eval());
    const { x, y } = dataset('mse', 4, 3, 2, 'float32', 3);
    const step = fusedTrainingStep(models[0], 'mse')!;
    const loss = step.forward(x, y);
    step.backward();
    const reference = LOSSES.mse.fn(models[1].forward(x), y);
    reference.backward();
    assert.equal(loss, reference.item());
    models[0].parameters().forEach((p, i) => assert.ok(sameBits(p.grad!.data, models[1].parameters()[i].grad!.data), `${dropoutMode} evaluation: ${p.name}`));
  }
});

test('Adam, clipping, a step schedule and validation data leave the fused and graph runs bit-identical', () => {
  const data = dataset('mse', 40, 3, 2, 'float32', 9);
  const run = (fused: boolean) => {
    const model = mlp({ sizes: [3, 8, 2], activation: 'tanh', seed: 4 });
    const result = new Trainer(model, data, {
      loss: 'mse', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 6, batchSize: 7, clipNorm: 0.5, clipValue: 0.2, validationSplit: 0.25,
      scheduleUnit: 'step', schedule: parseSchedule('exp:0.97'),
      now: () => 0, fused,
    }).fit();
    return { model, result };
  };
  assertSameRun(run(true), run(false), 'adam');
});

test('l1 and l2 penalties take the fused step with bit-identical weights, losses and guard', () => {
  for (const [l1, l2] of [[1e-3, 0], [0, 1e-2], [2e-3, 5e-3]])
    for (const dtype of ['float32', 'float64'] as const)
      for (const batchSize of [1, 3, 16]) {
        const c: Case = { loss: 'mse', activation: 'tanh', dtype, bias: true, batchSize };
        const label = `l1 ${l1}, l2 ${l2}, ${JSON.stringify(c)}`;
        const { fused, graph } = trainBoth(c, { l1, l2 });
        assert.equal(fused.trainer.unfusedReason, null, label);
        assertSameRun(fused, graph, label);
      }
  // A penalty that overflows trips the guard identically.
  const { fused, graph } = trainBoth({ loss: 'softmaxCrossEntropy', activation: 'relu', dtype: 'float32', bias: true, batchSize: 3 }, { l2: 1e38 });
  assert.equal(fused.result.stoppedBy, 'nonFinite');
  assertSameRun(fused, graph, 'overflowing penalty');
});

test('a diverging run stops at the same step with the same message and weights on both paths', () => {
  const data = dataset('mse', 32, 3, 2, 'float32', 2);
  const run = (fused: boolean) => {
    const model = mlp({ sizes: [3, 16, 2], activation: 'relu', seed: 41 });
    const result = new Trainer(model, data, { loss: 'mse', optimizer: new SGD(model.parameters(), { lr: 1e6 }), epochs: 50, batchSize: 8, now: () => 0, fused }).fit();
    return { model, result };
  };
  const fused = run(true);
  assert.equal(fused.result.stoppedBy, 'nonFinite');
  assertSameRun(fused, run(false), 'diverging');
});

test('one fused step fills the same gradients as backward(), which gradcheck verifies', () => {
  for (const activation of ACTIVATIONS)
    for (const batch of [1, 3]) {
      const model = mlp({ sizes: [3, 4, 3], activation, dtype: 'float64', seed: 11 });
      const { x, y } = dataset('softmaxCrossEntropy', batch, 3, 3, 'float64', 12);
      const labels = y as Int32Array;
      const params = model.parameters();
      const report = gradcheck((..._inputs) => softmaxCrossEntropy(model.forward(x), labels), params, { step: 1e-6, atol: 1e-7, rtol: 1e-5 });
      assert.ok(report.passed, `${JSON.stringify(activation)}: gradcheck ${JSON.stringify(report.inputs)}`);
      for (const p of params) p.zeroGrad();
      softmaxCrossEntropy(model.forward(x), labels).backward();
      const autograd = params.map((p) => p.grad!.data.slice());
      for (const p of params) p.grad!.data.fill(0);
      const step = fusedTrainingStep(model, 'softmaxCrossEntropy')!;
      const loss = step.forward(x, labels);
      step.backward();
      assert.equal(loss, softmaxCrossEntropy(model.forward(x), labels).item());
      params.forEach((p, i) => assert.ok(sameBits(p.grad!.data, autograd[i]), `${JSON.stringify(activation)}, batch ${batch}: ${p.name}`));
    }
});

test('the fused step adds into existing gradients as backward() does, skips frozen parameters and reuses its buffers', () => {
  const build = () => {
    const model = mlp({ sizes: [2, 3, 2], activation: 'tanh', seed: 2 });
    model.parameters()[0].requiresGrad = false;
    return model;
  };
  const fusedModel = build();
  const graphModel = build();
  const x = new Tensor(Float32Array.of(0.5, -1, 2, 0.25), [2, 2]);
  const y = new Tensor(Float32Array.of(1, 0, 0, 1), [2, 2]);
  const step = fusedTrainingStep(fusedModel, 'halfSquaredError')!;
  step.forward(x, y);
  step.backward();
  const output = step.output(2);
  step.forward(x, y);
  step.backward();
  assert.equal(step.output(2), output, 'the same buffer serves every step of a batch size');
  for (let i = 0; i < 2; i++) LOSSES.halfSquaredError.fn(graphModel.forward(x), y).backward();
  const fusedParams = fusedModel.parameters();
  assert.equal(fusedParams[0].grad, null, 'a frozen weight gets no gradient');
  graphModel.parameters().forEach((p, i) => {
    if (i > 0) assert.ok(sameBits(fusedParams[i].grad!.data, p.grad!.data), `${p.name} after two accumulated steps`);
  });
  assert.throws(() => step.backward(), /call forward first/);
  assert.throws(() => step.forward(new Tensor(new Float32Array(3), [1, 3]), y), /expected x \[batch, 2\]/);
});

test('predict gives the values of noGrad(model.forward(x)) in the layers\' current mode, with each Dense layer\'s z and a', () => {
  for (const dropoutMode of ['inverted', 'classic'] as const) {
    const build = () => sequential([new Dense({ inputs: 3, units: 6, activation: { name: 'noisyRelu', std: 0.3 }, seed: 2 }), new Dropout({ rate: 0.25, mode: dropoutMode, seed: 3 }), new Dense({ inputs: 6, units: 4, activation: 'tanh', seed: 4 }), new Dense({ inputs: 4, units: 2, seed: 5 })]);
    const fusedModel = build().eval();
    const graphModel = build().eval();
    const { x } = dataset('mse', 5, 3, 2, 'float32', 6);
    const step = fusedTrainingStep(fusedModel, 'mse')!;
    const output = step.predict(x);
    const layers = recordActivations(graphModel, true);
    const expected = noGrad(() => graphModel.forward(x));
    assert.ok(sameBits(output, expected.data), `${dropoutMode}: output`);
    const denses = fusedModel.layers.filter((layer): layer is Dense => layer instanceof Dense);
    layers.filter(([, layer]) => layer instanceof Dense).forEach(([, layer], i) => {
      const record = step.predictedRecord(denses[i], 5)!;
      assert.ok(sameBits(record.preActivation, layer.lastForward!.preActivation.data), `${dropoutMode}: z of layer ${i}`);
      assert.ok(sameBits(record.activation, layer.lastForward!.activation.data), `${dropoutMode}: a of layer ${i}`);
    });
  }
});

test('models and options the fused step does not cover say why and train through the graph', () => {
  const dense = (activation: ActivationLike = 'relu') => new Dense({ inputs: 2, units: 2, activation, seed: 1 });
  const shared = dense();
  class Custom extends Dense {}
  const cases: [Module, unknown, RegExp][] = [
    [sequential([new Dropout({ rate: 0.5 }), dense()]), 'mse', /Dropout before the first Dense/],
    [sequential([dense({ name: 'softmax' })]), 'mse', /softmax, which the fused step does not cover/],
    [sequential([dense(), new Activation('softmax')]), 'mse', /activation softmax/],
    [sequential([shared, shared]), 'mse', /appears more than once/],
    [sequential([new Custom({ inputs: 2, units: 2 })]), 'mse', /is a Custom/],
    [sequential([new Activation('tanh'), dense()]), 'mse', /before the first Dense/],
    [sequential([dense()]), (p: Tensor) => p, /custom loss function needs the graph/],
  ];
  for (const [model, loss, reason] of cases) {
    assert.match(fusedStepBlocker(model, loss) ?? 'null', reason);
    assert.equal(fusedTrainingStep(model, loss), null);
  }
  const data = dataset('mse', 8, 2, 2, 'float32', 1);
  const model = mlp({ sizes: [2, 3, 2], seed: 1 });
  const optimizer = new SGD(model.parameters());
  assert.equal(new Trainer(model, data, { loss: 'mse', optimizer }).unfusedReason, null);
  const float64Data = dataset('mse', 8, 2, 2, 'float64', 1);
  // Data of another dtype than the model is refused before either path is chosen.
  assert.throws(() => new Trainer(model, float64Data, { loss: 'mse', optimizer }), /fit: training data: x is float64 but the model's parameters are float32/);
});

test('a step where a layer records its forward pass (lastForward) goes through the graph, with the same results', () => {
  const data = dataset('softmaxCrossEntropy', 12, 3, 3, 'float32', 4);
  const run = (fused: boolean) => {
    const model = mlp({ sizes: [3, 5, 3], activation: 'relu', seed: 6 });
    const seen: (number[] | null)[] = [];
    const result = new Trainer(model, data, {
      loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1, batchSize: 4, now: () => 0, fused, diagnostics: false,
      onBatchEnd: (info) => {
        const first = model.layers[0] as Dense;
        seen.push(first.lastForward ? Array.from(first.lastForward.preActivation.grad!.data) : null);
        if (info.batch === 0) first.recordActivations = true;
      },
    }).fit();
    return { model, result, seen };
  };
  const fused = run(true);
  const graph = run(false);
  assertSameRun(fused, graph, 'recording');
  assert.equal(fused.seen[0], null);
  assert.ok(fused.seen[1] !== null && fused.seen[1].some((v) => v !== 0), 'δ of the first layer is recorded once the layer records');
  assert.deepEqual(fused.seen, graph.seen);
});

test('a bad label is rejected before training, naming the data row, whichever path would train', () => {
  const data = { x: new Tensor(new Float32Array(8), [4, 2]), y: Int32Array.of(0, 1, 5, 1) };
  for (const fused of [true, false]) {
    const model = mlp({ sizes: [2, 3, 2], seed: 1 });
    assert.throws(
      () => new Trainer(model, data, { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), epochs: 1, batchSize: 4, shuffle: false, fused }),
      /^ValueError: fit: training data: label 5 in row 2 is outside \[0, 2\) for a model with 2 outputs$/,
    );
  }
});
