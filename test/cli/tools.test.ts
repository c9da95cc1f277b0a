/** gradcheck, data make and help through the real command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IRIS, backprop, json, temporaryDirectory } from './helpers.js';

test('gradcheck passes on a trained model and fails (exit status 3) with zero tolerance', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const model = join(dir, 'm.json');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--layers', '5', '--activation', 'tanh', '--epochs', '2', '--out', model, '--quiet']).status, 0);
  const passed = backprop(['gradcheck', model, '--json']);
  assert.equal(passed.status, 0, passed.stderr);
  const report = json(passed);
  assert.equal(report.passed, true);
  assert.equal(report.loss, 'softmaxCrossEntropy');
  assert.deepEqual(report.layers.map((l: { layer: string }) => l.layer), ['0', '1']);
  for (const layer of report.layers) assert.ok(layer.maxAbsError < 1e-6, `layer ${layer.layer}: ${layer.maxAbsError}`);
  const onData = backprop(['gradcheck', model, '--data', IRIS, '--rows', '10', '--json']);
  assert.equal(json(onData).rows, 10);
  const strict = backprop(['gradcheck', model, '--atol', '0', '--rtol', '0']);
  assert.equal(strict.status, 3, 'finite differences never match to the last bit');
  assert.match(strict.stdout, /FAILED/);
});

test('data make writes each toy set as CSV, seeded', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  for (const name of ['xor', 'circles', 'moons', 'spiral', 'blobs']) {
    const result = backprop(['data', 'make', name, '--n', '50', '--noise', '0.1', '--seed', '1']);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines[0], 'x1,x2,label', name);
    assert.equal(lines.length, 51, name);
    assert.equal(backprop(['data', 'make', name, '--n', '50', '--noise', '0.1', '--seed', '1']).stdout, result.stdout, `${name} is seeded`);
    assert.notEqual(backprop(['data', 'make', name, '--n', '50', '--noise', '0.1', '--seed', '2']).stdout, result.stdout, `${name} depends on the seed`);
  }
  const out = join(dir, 'moons.csv');
  assert.equal(backprop(['data', 'make', 'moons', '--out', out]).status, 0);
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 201, 'default n = 200');
});

test('--help documents every option of every command', () => {
  const root = backprop(['--help']);
  assert.equal(root.status, 0);
  for (const command of ['train', 'evaluate', 'predict', 'cv', 'search', 'explain', 'gradcheck', 'info', 'data']) assert.match(root.stdout, new RegExp(`\\n  ${command} `), command);
  const train = backprop(['train', '--help']).stdout;
  for (const flag of ['--target', '--layers', '--activation', '--output-activation', '--loss', '--optimizer', '--lr', '--momentum', '--schedule', '--batch-size', '--epochs', '--dropout', '--l1', '--l2', '--init', '--clip-norm', '--validation-split', '--early-stopping', '--seed', '--scale', '--task', '--out', '--checkpoint', '--resume', '--json', '--quiet']) {
    assert.match(train, new RegExp(`${flag}\\b`), `train --help lists ${flag}`);
  }
  assert.match(train, /--lr <rate>\s+learning rate \(default: 0\.001\)/);
  for (const [command, flags] of Object.entries({ cv: ['--folds'], search: ['--grid', '--random', '--space', '--folds'], explain: ['--model', '--layers', '--input', '--target', '--data', '--loss', '--format', '--json'], gradcheck: ['--data', '--rows', '--atol'], predict: ['--out'], evaluate: ['--json'] })) {
    const help = backprop([command, '--help']);
    assert.equal(help.status, 0);
    for (const flag of flags) assert.match(help.stdout, new RegExp(`${flag}\\b`), `${command} --help lists ${flag}`);
  }
});

test('a file written by hand: info and gradcheck work without preprocessing', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const path = join(dir, 'xor.json');
  writeFileSync(path, JSON.stringify({
    format: 'backprop.model', version: 1,
    layers: [
      { type: 'dense', inputs: 2, units: 2, activation: 'sigmoid', weights: [[20, 20], [-20, -20]], biases: [-10, 30] },
      { type: 'dense', inputs: 2, units: 1, activation: 'sigmoid', weights: [[20, 20]], biases: [-30] },
    ],
  }));
  assert.match(backprop(['info', path]).stdout, /2 → 2 sigmoid → 1 sigmoid \(9 parameters\)/);
  assert.equal(json(backprop(['gradcheck', path, '--json'])).passed, true);
});

test('--categorical reads a numeric-looking column as categories, and predict follows the model', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const data = join(dir, 'codes.csv');
  writeFileSync(data, 'code,size,y\n7,1,a\n9,2,b\n7,3,a\n9,4,b\n0x10,5,a\n9,6,b\n');
  const model = join(dir, 'codes.json');
  assert.equal(backprop(['train', data, '--target', 'y', '--epochs', '2', '--out', model, '--quiet']).status, 2, 'without it, 0x10 is a bad number');
  const trained = backprop(['train', data, '--target', 'y', '--categorical', 'code', '--epochs', '2', '--out', model, '--quiet']);
  assert.equal(trained.status, 0, trained.stderr);
  const info = json(backprop(['info', model, '--json']));
  assert.deepEqual(info.preprocessing.features, [{ name: 'code', type: 'categorical', categories: 3 }, { name: 'size', type: 'numeric' }]);
  const predicted = backprop(['predict', model, data]);
  assert.equal(predicted.status, 0, predicted.stderr);
  assert.equal(predicted.stdout.trim().split('\n').length, 7);
});

test('the engine backend: the fastest available by default, BACKPROP_BACKEND chooses, a bad name is a user error', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const path = join(dir, 'm.json');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--epochs', '1', '--out', path, '--quiet']).status, 0);
  assert.equal(json(backprop(['info', path, '--json'], { env: { BACKPROP_BACKEND: 'js' } })).backend, 'js');
  assert.equal(json(backprop(['info', path, '--json'], { env: { BACKPROP_BACKEND: 'wasm' } })).backend, 'wasm');
  assert.equal(typeof json(backprop(['info', path, '--json'], { env: { BACKPROP_BACKEND: '' } })).backend, 'string');
  const bad = backprop(['info', path], { env: { BACKPROP_BACKEND: 'gpu' } });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^backprop: BACKPROP_BACKEND=gpu: unknown backend "gpu"; expected one of auto, native, wasm, js/);
});

test('info shows whatever the free-form metadata and training areas hold, without an internal error', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const model = join(dir, 'm.json');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--layers', '4', '--epochs', '1', '--out', model, '--quiet']).status, 0);
  const document = JSON.parse(readFileSync(model, 'utf8'));
  const edits: ((d: any) => void)[] = [
    (d) => (d.metadata.metrics.training.accuracy = null),
    (d) => (d.metadata.metrics.training.accuracy = { value: 1 }),
    (d) => (d.metadata.metrics.validation = 'n/a'),
    (d) => (d.metadata.metrics.validation.accuracy = [1]),
    (d) => (d.metadata.metrics = 3),
    (d) => (d.training.config.lr = { value: 0.1 }),
  ];
  for (const edit of edits) {
    const edited = structuredClone(document);
    edit(edited);
    writeFileSync(model, JSON.stringify(edited));
    const result = backprop(['info', model]);
    assert.equal(result.status, 0, `${edit}: ${result.stderr}`);
    assert.equal(result.stderr, '');
  }
  writeFileSync(model, JSON.stringify({ ...document, metadata: { ...document.metadata, metrics: { training: { accuracy: 'high', macroF1: null } } } }));
  assert.match(backprop(['info', model]).stdout, /accuracy\s+high\n\s+macroF1\s+–/);
});
