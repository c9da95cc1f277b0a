/** train → evaluate → predict → info on the bundled data, through the real command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IRIS, backprop, json, temporaryDirectory } from './helpers.js';

test('train → evaluate → predict on iris: the saved model scores what train reported and predicts every row', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const model = join(dir, 'iris.json');
  const trained = backprop(['train', IRIS, '--target', 'species', '--epochs', '40', '--lr', '0.01', '--validation-split', '0.2', '--out', model, '--json']);
  assert.equal(trained.status, 0, trained.stderr);
  const report = json(trained);
  assert.equal(report.task, 'classification');
  assert.equal(report.history.length, 40);
  assert.equal(report.config.lr, 0.01);
  assert.ok(report.history[39].loss < report.history[0].loss, 'the training loss fell');
  assert.ok(report.training.accuracy > 0.9, `training accuracy ${report.training.accuracy}`);
  assert.ok(existsSync(model));

  const document = JSON.parse(readFileSync(model, 'utf8'));
  assert.equal(document.format, 'backprop.model');
  assert.deepEqual(document.preprocessing.encoder.target.classes, ['setosa', 'versicolor', 'virginica']);
  assert.equal(document.preprocessing.scaler.method, 'standard');
  assert.equal(document.training.config.task, 'classification');
  assert.equal(document.training.loss, 'softmaxCrossEntropy');
  assert.equal(document.metadata.data, 'iris.csv');
  assert.equal(document.metadata.metrics.training.accuracy, report.training.accuracy);

  const evaluated = backprop(['evaluate', model, IRIS, '--json']);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const scores = json(evaluated);
  assert.equal(scores.rows, 150);
  assert.ok(scores.accuracy > 0.85, `accuracy ${scores.accuracy}`);
  assert.deepEqual(scores.confusion.map((row: number[]) => row.reduce((a, b) => a + b, 0)), [50, 50, 50]);
  const correct = scores.confusion.reduce((sum: number, row: number[], k: number) => sum + row[k], 0);
  assert.equal(correct / 150, scores.accuracy);

  // predict reads raw rows (the target column is ignored); stdin works too.
  const predicted = backprop(['predict', model, '-'], { input: readFileSync(IRIS, 'utf8') });
  assert.equal(predicted.status, 0, predicted.stderr);
  const lines = predicted.stdout.trim().split('\n');
  assert.equal(lines[0], 'species,P(species=setosa),P(species=versicolor),P(species=virginica)');
  assert.equal(lines.length, 151);
  const truth = readFileSync(IRIS, 'utf8').trim().split('\n').slice(1).map((line) => line.split(',')[4]);
  let agree = 0;
  lines.slice(1).forEach((line, i) => {
    const [label, ...probabilities] = line.split(',');
    const p = probabilities.map(Number);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${i} probabilities sum to 1`);
    assert.equal(label, ['setosa', 'versicolor', 'virginica'][p.indexOf(Math.max(...p))]);
    if (label === truth[i]) agree++;
  });
  assert.equal(agree / 150, scores.accuracy, 'predict and evaluate agree');

  // Columns are found by name: another order and an extra column change nothing.
  const shuffled = join(dir, 'shuffled.csv');
  const irisLines = readFileSync(IRIS, 'utf8').trim().split('\n').map((line) => line.split(','));
  writeFileSync(shuffled, irisLines.map(([a, b, c, d], i) => [i === 0 ? 'note' : 'n/a', d, c, b, a].join(',')).join('\n') + '\n');
  assert.equal(backprop(['predict', model, shuffled]).stdout, predicted.stdout);

  const out = join(dir, 'predictions.csv');
  const toFile = backprop(['predict', model, IRIS, '--out', out]);
  assert.equal(toFile.status, 0, toFile.stderr);
  assert.equal(toFile.stdout, '');
  assert.equal(readFileSync(out, 'utf8'), predicted.stdout);
});

test('train and evaluate a regression: evaluate --json reports mse, rmse, mae and r2 in the target\'s units', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const data = join(dir, 'sin.csv');
  assert.equal(backprop(['data', 'make', 'sin', '--n', '300', '--seed', '2', '--out', data]).status, 0);
  const model = join(dir, 'sin.json');
  const trained = backprop(['train', data, '--target', 'y', '--layers', '32,32', '--activation', 'tanh', '--lr', '0.01', '--epochs', '60', '--out', model, '--quiet']);
  assert.equal(trained.status, 0, trained.stderr);
  assert.equal(trained.stdout, '', '--quiet prints nothing');
  const scores = json(backprop(['evaluate', model, data, '--json']));
  assert.equal(scores.task, 'regression');
  assert.ok(scores.r2 > 0.8, `r2 ${scores.r2}`);
  assert.ok(Math.abs(scores.rmse - Math.sqrt(scores.mse)) < 1e-12);
  const predicted = backprop(['predict', model, data]).stdout.trim().split('\n');
  assert.equal(predicted[0], 'y');
  const truth = readFileSync(data, 'utf8').trim().split('\n').slice(1).map((line) => Number(line.split(',')[1]));
  const mse = predicted.slice(1).reduce((sum, value, i) => sum + (Number(value) - truth[i]) ** 2, 0) / truth.length;
  assert.ok(Math.abs(mse - scores.mse) / scores.mse < 1e-4, `predict's values give the evaluated MSE (${mse} vs ${scores.mse})`);
});

test('info shows architecture, parameters, preprocessing and the training configuration', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const model = join(dir, 'm.json');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--layers', '8,6', '--epochs', '3', '--out', model, '--quiet']).status, 0);
  const info = json(backprop(['info', model, '--json']));
  assert.equal(info.parameters, 4 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3);
  assert.deepEqual(info.layers.map((l: { shape: string }) => l.shape), ['4 → 8', '8 → 6', '6 → 3']);
  assert.equal(info.preprocessing.scaling, 'standard');
  assert.deepEqual(info.training.config.layers, [8, 6]);
  assert.equal(typeof info.backend, 'string');
  const text = backprop(['info', model]);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /4 → 8 relu → 6 relu → 3 identity \(115 parameters\)/);
  assert.match(text.stdout, /target: species, classification into setosa, versicolor, virginica/);
});
