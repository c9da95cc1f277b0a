/** The shared run configuration: defaults, validation naming the option, text parsing and buildRun. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DEFAULT_CONFIG, buildRun, parseConfigValue, resolveConfig, validationRows } from '../../src/train/config.js';
import { Dense, Sequential } from '../../src/nn/index.js';

const flag = (key: string) => `--${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`;

test('the defaults resolve to themselves; given fields replace them', () => {
  assert.deepEqual(resolveConfig({}), { ...DEFAULT_CONFIG });
  const config = resolveConfig({ lr: 0.1, layers: [8, 4], earlyStopping: 5 });
  assert.equal(config.lr, 0.1);
  assert.deepEqual(config.layers, [8, 4]);
  assert.equal(config.earlyStopping, 5);
  assert.equal(config.optimizer, 'adam');
});

test('every invalid value is a ConfigError naming the option as the caller labels it and the value', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ lr: -1 }, /^--lr: must be a number > 0, got -1$/],
    [{ lr: NaN }, /^--lr: must be a number > 0, got NaN$/],
    [{ layers: [64, 0] }, /^--layers: must be a list of positive integer widths/],
    [{ optimizer: 'adamm' }, /^--optimizer: must be one of sgd, adagrad, rmsprop, adam, adamw, got "adamm"$/],
    [{ activation: 'relu6' }, /^--activation: must be a known activation.*got "relu6"$/],
    [{ loss: 'hinge' }, /^--loss: must be one of auto, .*got "hinge"$/],
    [{ schedule: 'step:x:0.5' }, /^--schedule: is not a valid schedule/],
    [{ momentum: 0.9 }, /^--momentum: applies to sgd and rmsprop only, not adam, got 0\.9$/],
    [{ batchSize: 0 }, /^--batch-size: must be an integer >= 1, got 0$/],
    [{ dropout: 1 }, /^--dropout: must be a drop rate in \[0, 1\), got 1$/],
    [{ validationSplit: 1 }, /^--validation-split: must be a share in \[0, 1\), got 1$/],
    [{ earlyStopping: 0 }, /^--early-stopping: must be a patience/],
    [{ seed: -1 }, /^--seed: must be an integer in \[0, 4294967295\], got -1$/],
    [{ scale: 'robust' }, /^--scale: must be one of standard, minmax, none, got "robust"$/],
    [{ init: 'orthogonal' }, /^--init: must be auto or one of/],
    [{ clipNorm: 0 }, /^--clip-norm: must be a number > 0, got 0$/],
    [{ learningRate: 0.1 }, /^learningRate: unknown option; valid options: task, layers/],
  ];
  for (const [partial, message] of cases) {
    assert.throws(() => resolveConfig(partial, flag as never), (error: Error) => error instanceof ConfigError && message.test(error.message), JSON.stringify(partial));
  }
  assert.equal(resolveConfig({ optimizer: 'sgd', momentum: 0.9 }).momentum, 0.9);
});

test('parseConfigValue reads strict decimals, lists and "none"; never Number()\'s surprises', () => {
  assert.deepEqual(parseConfigValue('layers', '64, 32'), [64, 32]);
  assert.deepEqual(parseConfigValue('layers', 'none'), []);
  assert.throws(() => parseConfigValue('layers', ''), /layers: must be a list of positive integer widths such as 64,32, or none for no hidden layer, got ""/);
  assert.equal(parseConfigValue('lr', '1e-3'), 0.001);
  assert.equal(parseConfigValue('earlyStopping', 'none'), null);
  assert.equal(parseConfigValue('scaleTarget', 'no'), false);
  for (const text of ['', ' ', '0x10', '1e999', '3.2abc', 'NaN', 'Infinity', '1_000']) {
    assert.throws(() => parseConfigValue('lr', text), ConfigError, JSON.stringify(text));
  }
  assert.throws(() => parseConfigValue('layers', '64,x'), /layers: must be a list of positive integer widths/);
});

test('buildRun: logits and softmax cross-entropy for classes, identity and mse for values, a sigmoid for binaryCrossEntropy', () => {
  const classes = buildRun(resolveConfig({ layers: [5] }), { features: 4, task: 'classification', classes: 3 });
  assert.equal(classes.loss, 'softmaxCrossEntropy');
  assert.equal(classes.targets, 'labels');
  assert.equal(classes.outputsProbabilities, false);
  const dense = (classes.model as Sequential).layers.filter((l): l is Dense => l instanceof Dense);
  assert.deepEqual(dense.map((l) => [l.inputs, l.units, l.activation.name]), [[4, 5, 'relu'], [5, 3, 'identity']]);
  assert.equal(classes.fitOptions.optimizer.lr, 0.001);
  assert.equal(classes.fitOptions.l2, 1e-3);

  const values = buildRun(resolveConfig({ layers: [] }), { features: 2, task: 'regression' });
  assert.equal(values.loss, 'mse');
  assert.equal(values.targets, 'values');
  assert.deepEqual((values.model as Sequential).layers.map((l) => (l as Dense).units), [1]);

  const binary = buildRun(resolveConfig({ loss: 'binaryCrossEntropy' }), { features: 2, task: 'classification', classes: 2 });
  assert.equal(binary.targets, 'binary');
  assert.equal(binary.outputActivation, 'sigmoid');
  assert.equal(binary.outputsProbabilities, true);
  assert.throws(() => buildRun(resolveConfig({ loss: 'binaryCrossEntropy' }), { features: 2, task: 'classification', classes: 3 }), /loss: needs exactly 2 classes, the target has 3/);
  assert.throws(() => buildRun(resolveConfig({ outputActivation: 'softmax' }), { features: 2, task: 'classification', classes: 3 }), /outputActivation: would be applied twice/);
  assert.throws(() => buildRun(resolveConfig({ loss: 'softmaxCrossEntropy' }), { features: 2, task: 'regression' }), /loss: needs class labels but the task is regression/);

  const same = buildRun(resolveConfig({ layers: [5] }), { features: 4, task: 'classification', classes: 3 });
  assert.deepEqual(same.model.parameters().map((p) => Array.from(p.data)), classes.model.parameters().map((p) => Array.from(p.data)), 'one seed, one model');
});

test('validationRows: a seeded, stratified share, or none', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
  const { train, validation } = validationRows(resolveConfig({ validationSplit: 0.1 }), 100, labels);
  assert.equal(validation!.length, 10);
  assert.equal(train.length, 90);
  assert.equal(Array.from(validation!).filter((i) => labels[i] === 1).length, 2, 'stratified: 2 of the 20 ones');
  assert.deepEqual(validationRows(resolveConfig({ validationSplit: 0.1 }), 100, labels), { train, validation });
  assert.equal(validationRows(resolveConfig({ validationSplit: 0 }), 100).validation, null);
  assert.equal(validationRows(resolveConfig({ validationSplit: 0.1 }), 4).validation, null, '0.1 of 4 rows is no row');
});
