import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSin, makeSpiral } from '../../src/data/index.js';
import { Dense, mlp, recordActivations, sequential } from '../../src/nn/index.js';
import { Adam, SGD, parseSchedule } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { huberLoss, mseLoss, softmaxCrossEntropy } from '../../src/ops/index.js';
import { Trainer, fit, fitAsync, healthWarnings, predict, toDataset } from '../../src/train/index.js';
import type { Dataset, FitOptions, LayerHealth, LossName } from '../../src/train/index.js';

function spiral(n = 400, seed = 1): Dataset {
  const data = makeSpiral({ n, noise: 0.05, seed });
  return toDataset(data.x, data.y as Int32Array);
}

function sine(n = 256, seed = 2): Dataset<Tensor> {
  const data = makeSin({ n, noise: 0, seed });
  return toDataset(data.x, data.y as Float32Array);
}

test('mini-batch training separates a 2-class spiral (≥ 95% accuracy)', () => {
  const data = spiral();
  const model = mlp({ sizes: [2, 64, 64, 2], activation: 'relu', seed: 3 });
  const result = fit(model, data, { loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 150, batchSize: 32, seed: 4 });
  const accuracy = result.history.at(-1)!.metrics.accuracy;
  assert.ok(accuracy >= 0.95, `spiral accuracy ${accuracy}`);
  assert.equal(result.stoppedBy, 'epochs');
  assert.ok(result.history[0].loss > result.history.at(-1)!.loss);
});

test('full-batch and stochastic gradient descent both converge on a regression problem', () => {
  const data = sine(128);
  for (const batchSize of ['full', 1] as const) {
    const model = mlp({ sizes: [1, 32, 1], activation: 'tanh', outputActivation: 'identity', seed: 5 });
    const lr = batchSize === 1 ? 0.01 : 0.1;
    const result = fit(model, data, { loss: 'mse', optimizer: new SGD(model.parameters(), { lr, momentum: 0.9 }), epochs: batchSize === 1 ? 60 : 1500, batchSize, seed: 6, diagnostics: false });
    const finalLoss = result.history.at(-1)!.loss;
    assert.ok(finalLoss < 0.01, `batchSize ${batchSize}: final MSE ${finalLoss} (first ${result.history[0].loss})`);
    assert.equal(result.steps, batchSize === 1 ? 60 * 128 : 1500);
  }
});

test('the same seed reproduces a run exactly, and async fit equals sync fit', async () => {
  const run = async (asyncMode: boolean) => {
    const model = mlp({ sizes: [2, 16, 2], activation: 'relu', dropout: 0.2, seed: 9 });
    const options: FitOptions = { loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters()), epochs: 5, batchSize: 16, validationSplit: 0.25, seed: 10 };
    const result = asyncMode ? await fitAsync(model, spiral(100), options) : fit(model, spiral(100), options);
    return { weights: model.parameters().map((p) => Array.from(p.data)), losses: result.history.map((h) => [h.loss, h.valLoss]) };
  };
  const first = await run(false);
  assert.deepEqual(await run(false), first);
  assert.deepEqual(await run(true), first);
});

test('early stopping stops after `patience` epochs without improvement and restores the best weights', () => {
  // Tiny training set, large network, no regularisation: validation loss turns up early.
  const train = spiral(24, 11);
  const validation = spiral(200, 12);
  const model = mlp({ sizes: [2, 128, 128, 2], activation: 'relu', seed: 13 });
  const snapshots: number[][][] = [];
  const result = fit(model, train, {
    loss: 'softmaxCrossEntropy',
    optimizer: new Adam(model.parameters(), { lr: 0.01 }),
    epochs: 500,
    batchSize: 8,
    validationData: validation,
    earlyStopping: { patience: 5 },
    onEpochEnd: () => snapshots.push(model.parameters().map((p) => Array.from(p.data))),
  });
  assert.equal(result.stoppedBy, 'earlyStopping');
  const valLosses = result.history.map((h) => h.valLoss!);
  const best = Math.min(...valLosses);
  const bestEpoch = valLosses.indexOf(best) + 1;
  assert.equal(result.bestEpoch, bestEpoch);
  assert.equal(result.history.length, bestEpoch + 5, 'stops exactly `patience` epochs after the best one');
  assert.deepEqual(model.parameters().map((p) => Array.from(p.data)), snapshots[bestEpoch - 1], 'best weights restored');
});

test('resuming from a saved state gives bit-identical final weights (interrupted at several points)', () => {
  const makeRun = () => {
    const model = mlp({ sizes: [2, 12, 12, 2], activation: 'relu', dropout: 0.1, seed: 21 });
    const options: FitOptions = {
      loss: 'softmaxCrossEntropy',
      optimizer: new Adam(model.parameters(), { lr: 0.01 }),
      schedule: parseSchedule('plateau:2:0.5'),
      epochs: 8,
      batchSize: 10,
      validationSplit: 0.2,
      earlyStopping: { patience: 50 },
      seed: 22,
    };
    return { model, options };
  };
  const data = spiral(90, 23);
  const reference = makeRun();
  fit(reference.model, data, reference.options);
  const expected = reference.model.parameters().map((p) => Array.from(p.data));
  for (const stopAt of [1, 3, 7]) {
    const first = makeRun();
    const trainer = new Trainer(first.model, data, { ...first.options, onEpochEnd: (info) => info.record.epoch === stopAt && info.stop() });
    trainer.fit();
    const saved = JSON.parse(JSON.stringify(trainer.state()));
    const second = makeRun(); // a fresh process: new model, optimiser and schedule
    const resumed = new Trainer(second.model, data, second.options).restore(saved);
    const result = resumed.fit();
    assert.equal(result.history.length, 8);
    assert.deepEqual(second.model.parameters().map((p) => Array.from(p.data)), expected, `resumed after epoch ${stopAt}`);
  }
});

test('a deep sigmoid network with small initial weights warns of vanishing gradients; ReLU with He initialisation does not', () => {
  const data = spiral(128, 31);
  const deep = (activation: 'sigmoid' | 'relu', init: 'normal' | 'heNormal') => {
    const layers = [];
    let inputs = 2;
    for (let i = 0; i < 10; i++) {
      layers.push(new Dense({ inputs, units: 16, activation, init: init === 'normal' ? { name: 'normal', std: 0.1 } : 'heNormal', seed: 32 + i }));
      inputs = 16;
    }
    layers.push(new Dense({ inputs, units: 2, seed: 50 }));
    return sequential(layers);
  };
  const warningsOf = (activation: 'sigmoid' | 'relu', init: 'normal' | 'heNormal') => {
    const model = deep(activation, init);
    const result = fit(model, data, { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters(), { lr: 0.01 }), epochs: 2, batchSize: 32 });
    return result.history.flatMap((h) => h.warnings);
  };
  const sigmoidWarnings = warningsOf('sigmoid', 'normal');
  assert.ok(sigmoidWarnings.some((w) => w.kind === 'vanishing' && /ReLU|He initialisation/.test(w.message)), JSON.stringify(sigmoidWarnings));
  const reluWarnings = warningsOf('relu', 'heNormal');
  assert.ok(!reluWarnings.some((w) => w.kind === 'vanishing'), JSON.stringify(reluWarnings));
});

test('a huge learning rate trips the non-finite guard, which names the layer and keeps finite weights', () => {
  const data = sine(64);
  const model = mlp({ sizes: [1, 16, 16, 1], activation: 'relu', outputActivation: 'identity', seed: 41 });
  const result = fit(model, data, { loss: 'mse', optimizer: new SGD(model.parameters(), { lr: 1e6 }), epochs: 50, batchSize: 16 });
  assert.equal(result.stoppedBy, 'nonFinite');
  assert.match(result.problem!, /^non-finite (loss|gradient|weight) .*at epoch \d+, step \d+/);
  assert.match(result.problem!, /layer \d \(Dense\(\d+→\d+, (relu|identity)\)\)|in \d\.(weight|bias)/, `names the layer: ${result.problem}`);
  assert.match(result.problem!, /likely cause: the learning rate 1000000 is probably too large/);
  for (const p of model.parameters()) for (const v of p.data) assert.ok(Number.isFinite(v), `${p.name} holds ${v}`);
});

test('termination by target loss and by callback; history records the learning rate', () => {
  const data = sine(64);
  const model = mlp({ sizes: [1, 16, 1], activation: 'tanh', outputActivation: 'identity', seed: 51 });
  const result = fit(model, data, { loss: 'mse', optimizer: new Adam(model.parameters(), { lr: 0.02 }), epochs: 1000, batchSize: 16, targetLoss: 0.05, schedule: parseSchedule('exp:0.99') });
  assert.equal(result.stoppedBy, 'targetLoss');
  assert.ok(result.history.at(-1)!.loss <= 0.05);
  assert.ok(Math.abs(result.history[1].lr - 0.02 * 0.99) < 1e-12, `lr of epoch 2: ${result.history[1].lr}`);
  const stopped = fit(model, data, { loss: 'mse', optimizer: new SGD(model.parameters(), { lr: 0.01 }), epochs: 100, onBatchEnd: (info) => info.step === 3 && info.stop() });
  assert.equal(stopped.stoppedBy, 'callback');
  assert.equal(stopped.steps, 3);
});

test('fit validates its options and data, naming the bad value', () => {
  const data = sine(8);
  const model = mlp({ sizes: [1, 2, 1], seed: 1 });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const cases: [Partial<FitOptions>, RegExp][] = [
    [{ loss: 'squared' as never }, /fit: loss: unknown loss "squared"; valid losses: mse, /],
    [{ epochs: -1 }, /fit: epochs must be an integer >= 0, got -1/],
    [{ batchSize: 0 }, /fit: batchSize must be an integer >= 1, got 0/],
    [{ validationSplit: 1.5 }, /fit: validationSplit must be a finite number > 0 < 1, got 1.5/],
    [{ validationSplit: 1 }, /fit: validationSplit must be a finite number > 0 < 1, got 1/],
    [{ schedule: 'exp:0.9' as never }, /fit: schedule must be parseSchedule\("exp:0.9"\), got "exp:0.9"/],
    [{ schedule: { lr: 0.1 } as never }, /fit: schedule must be an LrSchedule, e\.g\. parseSchedule\('exp:0\.95'\) or new StepLr\(…\), got Object/],
    [{ earlyStopping: { patience: 2, monitor: 'valLoss' } }, /fit: earlyStopping.monitor is valLoss but there is no validation data/],
    [{ loss: 'softmaxCrossEntropy' }, /fit: training data: this loss takes integer class labels/],
  ];
  for (const [options, message] of cases) assert.throws(() => fit(model, data, { loss: 'mse', optimizer, ...options }), message);
  const bad = { x: new Tensor(Float32Array.from([1, NaN]), [2, 1]), y: new Tensor(new Float32Array(2), [2, 1]) };
  assert.throws(() => fit(model, bad, { loss: 'mse', optimizer }), /fit: training data: x\[1\]\[0\] is NaN; inputs must be finite/);
});

test('fit refuses an output activation that does not suit the loss, and binary targets outside [0, 1], before any step', () => {
  const x = new Tensor(Float32Array.from([0, 1, 2, 3]), [4, 1]);
  const labels = { x, y: Int32Array.from([0, 1, 0, 1]) };
  const binary = { x, y: new Tensor(Float32Array.from([0, 1, 0, 1]), [4, 1]) };
  const cases: [string, Dataset, string, RegExp][] = [
    ['softmax', labels, 'softmaxCrossEntropy', /fit: loss softmaxCrossEntropy with the model's output activation softmax: it would be applied twice: softmaxCrossEntropy takes logits and applies softmax itself; use identity/],
    ['sigmoid', labels, 'softmaxCrossEntropy', /output activation sigmoid: it squashes the logits before softmaxCrossEntropy applies softmax to them; use identity/],
    ['sigmoid', binary, 'binaryCrossEntropyWithLogits', /output activation sigmoid: it would be applied twice: binaryCrossEntropyWithLogits takes logits and applies sigmoid itself/],
    ['identity', binary, 'binaryCrossEntropy', /fit: loss binaryCrossEntropy with the model's output activation identity: it does not give probabilities in \[0, 1\]/],
    ['relu', binary, 'binaryCrossEntropy', /output activation relu: it does not give probabilities/],
  ];
  for (const [outputActivation, data, loss, message] of cases) {
    const model = mlp({ sizes: [1, 3, 2], outputActivation: outputActivation as never, seed: 1 });
    const before = model.parameters().map((p) => Array.from(p.data));
    assert.throws(() => fit(model, data, { loss: loss as never, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1 }), message);
    assert.deepEqual(model.parameters().map((p) => Array.from(p.data)), before, `${outputActivation} + ${loss}: weights unchanged`);
  }
  // The pairs that suit: logits losses after identity, probabilities after sigmoid.
  for (const [outputActivation, data, loss] of [['identity', labels, 'softmaxCrossEntropy'], ['identity', binary, 'binaryCrossEntropyWithLogits'], ['sigmoid', binary, 'binaryCrossEntropy']] as [string, Dataset, LossName][]) {
    const model = mlp({ sizes: [1, 3, loss === 'softmaxCrossEntropy' ? 2 : 1], outputActivation: outputActivation as never, seed: 1 });
    assert.equal(fit(model, data, { loss, optimizer: new SGD(model.parameters(), { lr: 0.1 }), epochs: 1 }).stoppedBy, 'epochs');
  }
  for (const loss of ['binaryCrossEntropy', 'binaryCrossEntropyWithLogits'] as const) {
    const model = mlp({ sizes: [1, 3, 1], outputActivation: loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity', seed: 1 });
    const outside = { x, y: new Tensor(Float32Array.from([0, 1, 2, 1]), [4, 1]) };
    assert.throws(() => fit(model, outside, { loss, optimizer: new SGD(model.parameters(), { lr: 0.1 }) }), new RegExp(`fit: training data: y element 2 is 2; ${loss} takes targets in \\[0, 1\\]`));
  }
});

test('toDataset refuses what is not a data-layer matrix, naming it', () => {
  assert.throws(() => toDataset([[1, 2], [3, 4]] as never, Int32Array.from([0])), /toDataset: x must be a matrix \{ data: Float32Array, rows, columns \}.*got an array \(for arrays of rows use \{ x: tensor\(rows\), y: … \} directly\)/);
  const x = { data: new Float32Array(4), rows: 2, columns: 2 };
  assert.throws(() => toDataset(x, [0, 1] as never), /toDataset: y must be an Int32Array of labels, a Float32Array of targets or a matrix/);
  assert.throws(() => toDataset({ data: new Float32Array(3), rows: 2, columns: 2 }, Int32Array.from([0, 1])), /toDataset: x must be a matrix .* with data\.length = rows × columns/);
  assert.throws(() => toDataset(x, Int32Array.from([0])), /toDataset: 2 rows of x but 1 labels/);
  assert.deepEqual(toDataset(x, Int32Array.from([0, 1])).x.shape, [2, 2]);
});

test('a run stopped within an epoch resumes from the next batch, bit for bit (callback and time limit)', () => {
  const makeRun = () => {
    const model = mlp({ sizes: [2, 10, 2], activation: 'relu', dropout: 0.2, seed: 61 });
    return { model, options: { loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 4, batchSize: 8, validationSplit: 0.25, seed: 62 } as FitOptions };
  };
  const data = spiral(64, 63);
  const reference = makeRun();
  const full = fit(reference.model, data, reference.options);
  const expected = reference.model.parameters().map((p) => Array.from(p.data));
  for (const stopAtStep of [3, 7, 13]) {
    const first = makeRun();
    const trainer = new Trainer(first.model, data, { ...first.options, onBatchEnd: (info) => info.step === stopAtStep && info.stop() });
    const partial = trainer.fit();
    assert.equal(partial.stoppedBy, 'callback');
    const saved = JSON.parse(JSON.stringify(trainer.state()));
    assert.ok(saved.position, 'stopped within an epoch');
    const second = makeRun();
    const result = new Trainer(second.model, data, second.options).restore(saved).fit();
    assert.equal(result.steps, full.steps);
    assert.deepEqual(result.history.map((h) => h.loss), full.history.map((h) => h.loss));
    assert.deepEqual(second.model.parameters().map((p) => Array.from(p.data)), expected, `resumed after step ${stopAtStep}`);
  }
  // A time limit stops within an epoch too (a fake clock: 1 ms per call).
  let clock = 0;
  const timed = makeRun();
  const trainer = new Trainer(timed.model, data, { ...timed.options, timeLimitMs: 20, now: () => clock++ });
  assert.equal(trainer.fit().stoppedBy, 'timeLimit');
  const second = makeRun();
  new Trainer(second.model, data, second.options).restore(JSON.parse(JSON.stringify(trainer.state()))).fit();
  assert.deepEqual(second.model.parameters().map((p) => Array.from(p.data)), expected, 'resumed after the time limit');
});

test('dead-unit shares come from a probe of the training rows, not from a last batch of one row', () => {
  const data = spiral(321, 71);
  const model = mlp({ sizes: [2, 32, 2], activation: 'relu', seed: 72 });
  const result = fit(model, data, { loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 5, batchSize: 32 });
  for (const record of result.history) {
    assert.ok(!record.warnings.some((w) => w.kind === 'dead-relu'), JSON.stringify(record.warnings));
    assert.ok(record.health![0].deadShare! < 0.5, `dead share ${record.health![0].deadShare}`);
  }
});

test('gradient norms are reported before clipping, so clipping does not hide exploding gradients', () => {
  const data = sine(64);
  const run = (clipNorm?: number) => {
    const model = mlp({ sizes: [1, 16, 1], activation: 'tanh', outputActivation: 'identity', seed: 81 });
    const result = fit(model, data, { loss: 'mse', optimizer: new SGD(model.parameters(), { lr: 1e-4 }), epochs: 1, batchSize: 64, clipNorm, shuffle: false });
    return result.history[0].health!.map((h) => h.gradNorm);
  };
  assert.deepEqual(run(1e-3), run());
});

test('fit rejects an optimiser over another model, unknown options, and leaves the model in evaluation mode', async () => {
  const data = sine(16);
  const model = mlp({ sizes: [1, 4, 1], seed: 91 });
  const other = mlp({ sizes: [1, 4, 1], seed: 92 });
  assert.throws(() => fit(model, data, { loss: 'mse', optimizer: new SGD(other.parameters()) }), /fit: the optimizer updates none of the model's parameters/);
  assert.throws(() => fit(model, data, { loss: 'mse', optimizer: new SGD(model.parameters()), epoch: 3 } as never), /fit: unknown option "epoch"; valid options: loss, optimizer, epochs/);
  assert.throws(() => fit(model, { x: data.x, y: new Float32Array(16) as never }, { loss: 'mse', optimizer: new SGD(model.parameters()) }), /y must be a Tensor of targets or an Int32Array of class labels, got Float32Array/);
  fit(model, data, { loss: 'mse', optimizer: new SGD(model.parameters()), epochs: 1 });
  assert.equal(model.training, false);
  const { predict } = await import('../../src/train/index.js');
  const dropoutModel = mlp({ sizes: [1, 8, 1], dropout: 0.5, seed: 93 });
  const first = predict(dropoutModel, data.x, { batchSize: 5 });
  // Evaluation mode: no dropout, so batched and unbatched agree (to float32 rounding: a fast
  // backend may sum products in another order for another number of rows).
  const whole = predict(dropoutModel, data.x);
  first.data.forEach((v, i) => assert.ok(Math.abs(v - whole.data[i]) <= 1e-6 * Math.max(1, Math.abs(v)), `row ${i}: ${v} vs ${whole.data[i]}`));
  assert.equal(dropoutModel.training, true, 'predict restores the mode');
  assert.deepEqual(first.shape, [16, 1]);
});

test('a caller\'s activation recording survives fit\'s gradient-health probe and the NaN guard\'s search', () => {
  const x = new Tensor(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [10, 4]);
  const y = Int32Array.from({ length: 10 }, (_, i) => i % 3);
  for (const fused of [true, false]) {
    const model = mlp({ sizes: [4, 5, 3], seed: 1 });
    const layers = recordActivations(model, true).map(([, layer]) => layer);
    const recorded: boolean[] = [];
    new Trainer(model, { x, y }, {
      loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), epochs: 3, batchSize: 4, fused,
      onEpochEnd: () => recorded.push(layers.every((layer) => layer.recordActivations)),
    }).fit();
    assert.deepEqual(recorded, [true, true, true], `fused ${fused}: recording switched off`);
    // The last record is the last training step's (its batch of 2 rows), not the probe's 10 rows.
    for (const layer of layers) assert.equal(layer.lastForward?.activation.shape[0], 2, `fused ${fused}`);
    // A non-finite loss: the guard searches the layers, and leaves the caller's recording on.
    const stopped = new Trainer(model, { x, y }, { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters(), { lr: 1e38 }), epochs: 3, batchSize: 4, fused }).fit();
    assert.equal(stopped.stoppedBy, 'nonFinite');
    assert.ok(layers.every((layer) => layer.recordActivations), `fused ${fused}: the guard switched recording off`);
  }
});

test('the vanishing-gradient warning states a zero first-layer gradient plainly, and gives the ratio otherwise', () => {
  const layer = (name: string, gradNorm: number) => ({ name, gradNorm, weightNorm: 1, updateRatio: 0, deadShare: null, saturatedShare: null }) satisfies LayerHealth;
  const [zero] = healthWarnings([layer('0', 0), layer('1', 0.5)]);
  assert.equal(zero.kind, 'vanishing');
  assert.match(zero.message, /^vanishing gradients: the first layer's gradient is zero while the last layer's norm is 5\.00e-1; try ReLU/);
  const [small] = healthWarnings([layer('0', 1e-6), layer('1', 0.5)]);
  assert.match(small.message, /the first layer's gradient norm \(1\.00e-6\) is 5\.0e\+5× smaller than the last layer's \(5\.00e-1\)/);
});

test('a custom loss receives the data set\'s target type: the library\'s losses and lambdas over them type-check and train', () => {
  const data = sine(16);
  const model = mlp({ sizes: [1, 4, 1], activation: 'tanh', seed: 3 });
  // Compiles only because the loss's target is the data set's Tensor (not Tensor | Int32Array).
  const direct = fit(model, data, { loss: mseLoss, optimizer: new SGD(model.parameters(), { lr: 0.05 }), epochs: 2, batchSize: 8 });
  const lambda = fit(model, data, { loss: (p, t) => huberLoss(p, t, { delta: 0.5 }), optimizer: new SGD(model.parameters(), { lr: 0.05 }), epochs: 2, batchSize: 8 });
  assert.ok(direct.history.every((epoch) => Number.isFinite(epoch.loss)) && lambda.history.every((epoch) => Number.isFinite(epoch.loss)));
  // With labels the target is an Int32Array: a values loss is a compile error.
  const labels = { x: new Tensor(Float32Array.from([0, 1]), [2, 1]), y: Int32Array.from([0, 1]) };
  const classifier = mlp({ sizes: [1, 2], seed: 4 });
  const custom = fit(classifier, labels, { loss: (p, t) => softmaxCrossEntropy(p, t), optimizer: new SGD(classifier.parameters(), { lr: 0.1 }), epochs: 1 });
  assert.equal(custom.stoppedBy, 'epochs');
  // @ts-expect-error mseLoss takes a Tensor of targets, not labels
  assert.throws(() => fit(classifier, labels, { loss: mseLoss, optimizer: new SGD(classifier.parameters(), { lr: 0.1 }), epochs: 1 }));
});

test('fit refuses a custom loss result it cannot train on, naming the loss and the fix', () => {
  const data = sine(8);
  const model = mlp({ sizes: [1, 2, 1], seed: 5 });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const perSample = (p: Tensor, t: Tensor) => mseLoss(p, t, { reduction: 'none' });
  assert.throws(() => fit(model, data, { loss: perSample, optimizer }), { name: 'ValueError', message: "fit: loss: the custom loss perSample returned a tensor of shape [8,1]; it must return a scalar (reduce it, e.g. with mean(…) or reduction: 'mean')" });
  assert.throws(() => fit(model, data, { loss: (() => 0.5) as never, optimizer }), /fit: loss: the custom loss returned 0\.5; it must return a scalar tensor/);
  assert.throws(() => fit(model, data, { loss: (p, t) => mseLoss(p.detach(), t), optimizer }), /fit: loss: the custom loss returned a tensor that does not depend on the prediction/);
  assert.equal(fit(model, data, { loss: (p, t) => mseLoss(p, t), optimizer, epochs: 1 }).stoppedBy, 'epochs');
});

test('a values loss given class labels says how to give the targets', () => {
  const x = new Tensor(Float32Array.from([0, 1, 2]), [3, 1]);
  const model = mlp({ sizes: [1, 2, 1], outputActivation: 'sigmoid', seed: 6 });
  const labels = { x, y: Int32Array.from([0, 1, 1]) };
  assert.throws(() => fit(model, labels, { loss: 'binaryCrossEntropy', optimizer: new SGD(model.parameters(), { lr: 0.1 }) }), {
    message: "fit: training data: loss binaryCrossEntropy takes y as a tensor of targets shaped like the model's output, got an Int32Array of class labels; for 0/1 labels use new Tensor(Float32Array.from(y), [3, 1])",
  });
  const regression = mlp({ sizes: [1, 2, 1], seed: 6 });
  assert.throws(() => fit(regression, labels, { loss: 'mse', optimizer: new SGD(regression.parameters(), { lr: 0.1 }) }), /loss mse takes y as a tensor of targets .*; use softmaxCrossEntropy for class labels, or give a Tensor of target values$/);
});

test('fit refuses data of another dtype than the model, saying how to convert', () => {
  const model = mlp({ sizes: [1, 2, 1], seed: 7 });
  const x = new Tensor(Float32Array.from([0, 1]), [2, 1]);
  const y = new Tensor(Float32Array.from([0, 1]), [2, 1]);
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  assert.throws(() => fit(model, { x: x.to('float64'), y }, { loss: 'mse', optimizer }), {
    message: "fit: training data: x is float64 but the model's parameters are float32; convert the data with x.to('float32'), or build the model with dtype 'float64' (e.g. mlp({ …, dtype: 'float64' }))",
  });
  assert.throws(() => fit(model, { x, y: y.to('float64') }, { loss: 'mse', optimizer }), { message: "fit: training data: y is float64 but the model's parameters are float32; convert the targets with y.to('float32')" });
  assert.throws(() => fit(model, { x, y }, { loss: 'mse', optimizer, validationData: { x: x.to('float64'), y } }), /^ValueError: fit: validation data: x is float64/);
});

test('predict refuses a plain array and data of another dtype, saying what to do', () => {
  const model = mlp({ sizes: [2, 1], seed: 8 });
  assert.throws(() => predict(model, [[1, 2]] as never), { message: 'predict: x must be a Tensor, got [[1,2]] (make one with tensor(…))' });
  assert.throws(() => predict(model, new Tensor(new Float64Array(2), [1, 2])), { message: "predict: x is float64 but the model's parameters are float32; convert it with x.to('float32')" });
  assert.deepEqual(predict(model, new Tensor(new Float32Array(2), [1, 2])).shape, [1, 1]);
});

test('a labels loss given a tensor of targets says how to get labels from it', () => {
  const model = mlp({ sizes: [1, 2], seed: 9 });
  const x = new Tensor(Float32Array.from([0, 1]), [2, 1]);
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const oneHot = new Tensor(Float32Array.from([1, 0, 0, 1]), [2, 2]);
  assert.throws(() => fit(model, { x, y: oneHot }, { loss: 'softmaxCrossEntropy', optimizer }), {
    message: 'fit: training data: this loss takes integer class labels (an Int32Array) as y, got a Tensor [2,2]; for one-hot rows use argmax(y), which gives their labels',
  });
  assert.throws(() => fit(model, { x, y: new Tensor(Float32Array.from([0, 1]), [2]) }, { loss: 'softmaxCrossEntropy', optimizer }), /got a Tensor \[2\]; for labels held as numbers use Int32Array\.from\(y\.data\)$/);
});
