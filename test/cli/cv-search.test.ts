/** cv and search on iris through the real command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IRIS, backprop, json, temporaryDirectory } from './helpers.js';

test('cv: stratified, seeded folds; mean and standard deviation of each metric', () => {
  const args = ['cv', IRIS, '--target', 'species', '--folds', '3', '--epochs', '15', '--lr', '0.01', '--json'];
  const result = backprop(args);
  assert.equal(result.status, 0, result.stderr);
  const cv = json(result);
  assert.equal(cv.folds.length, 3);
  assert.deepEqual(cv.folds.map((f: { rows: number }) => f.rows), [50, 50, 50]);
  const accuracies = cv.folds.map((f: { metrics: { accuracy: number } }) => f.metrics.accuracy);
  const mean = accuracies.reduce((a: number, b: number) => a + b, 0) / 3;
  assert.ok(Math.abs(cv.mean.accuracy - mean) < 1e-12);
  const std = Math.sqrt(accuracies.reduce((a: number, b: number) => a + (b - mean) ** 2, 0) / 3);
  assert.ok(Math.abs(cv.std.accuracy - std) < 1e-12);
  assert.ok(cv.mean.accuracy > 0.7, `mean accuracy ${cv.mean.accuracy}`);
  for (const key of ['macroPrecision', 'macroRecall', 'macroF1']) assert.equal(typeof cv.mean[key], 'number');
  assert.deepEqual(json(backprop(args)), cv, 'the same seed gives the same folds and scores');
  const text = backprop(args.slice(0, -1));
  assert.match(text.stdout, /accuracy\s+[\d.]+\s+[\d.]+/);
});

test('search --grid ranks every combination by k-fold score and saves the best trained on all rows', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const out = join(dir, 'best.json');
  const result = backprop(['search', IRIS, '--target', 'species', '--grid', 'lr=1e-2,1e-4 layers=8|16,8', '--folds', '3', '--epochs', '10', '--out', out, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const search = json(result);
  assert.equal(search.metric, 'accuracy');
  assert.equal(search.ranking.length, 4);
  assert.deepEqual(search.ranking.map((r: { settings: string }) => r.settings).sort(), ['lr=0.0001 layers=16,8', 'lr=0.0001 layers=8', 'lr=0.01 layers=16,8', 'lr=0.01 layers=8']);
  const means = search.ranking.map((r: { mean: { accuracy: number } }) => r.mean.accuracy);
  assert.deepEqual(means, [...means].sort((a, b) => b - a), 'ranked best first');
  // 10 epochs at lr 1e-4 barely move the weights; lr 1e-2 must win.
  assert.equal(search.best.lr, 0.01);
  const saved = JSON.parse(readFileSync(out, 'utf8'));
  assert.deepEqual(saved.training.config.layers, search.best.layers);
  assert.equal(saved.training.config.lr, search.best.lr);
  assert.equal(saved.metadata.rows, 150);
  assert.equal(search.trainedRows, 150, 'the refit trains on every row, none held out');
  assert.equal(saved.training.config.validationSplit, 0);
  assert.equal(search.validation, null);
  assert.equal(saved.metadata.metrics.validation, null);
});

test('search with early stopping refits holding out the validation share, and says so', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const args = ['search', IRIS, '--target', 'species', '--grid', 'lr=1e-2', '--folds', '2', '--epochs', '3', '--early-stopping', '2', '--out', join(dir, 'best.json')];
  const text = backprop(args);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /best: lr=0\.01; trained on 135 rows \(15 more held out for early stopping\) and saved to /);
  assert.equal(json(backprop([...args, '--json'])).trainedRows, 135);
  const all = backprop(args.filter((_, i) => i !== args.indexOf('--early-stopping') && i !== args.indexOf('--early-stopping') + 1));
  assert.match(all.stdout, /best: lr=0\.01; trained on all 150 rows and saved to /);
});

test('search --random draws the requested number of configurations from --space', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const args = ['search', IRIS, '--target', 'species', '--random', '3', '--space', 'lr=1e-3..1e-1:log dropout=0..0.3 batch-size=16|32', '--folds', '2', '--epochs', '5', '--out', join(dir, 'r.json'), '--json'];
  const search = json(backprop(args));
  assert.equal(search.ranking.length, 3);
  for (const { config } of search.ranking) {
    assert.ok(config.lr >= 1e-3 && config.lr <= 1e-1, `lr ${config.lr}`);
    assert.ok(config.dropout >= 0 && config.dropout <= 0.3, `dropout ${config.dropout}`);
    assert.ok([16, 32].includes(config.batchSize));
    assert.equal(config.epochs, 5);
  }
  assert.deepEqual(json(backprop(args)).ranking.map((r: { settings: string }) => r.settings), search.ranking.map((r: { settings: string }) => r.settings), 'seeded');
});

test('cv and search say when training diverged instead of showing bare Infinity scores', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const cv = backprop(['cv', IRIS, '--target', 'petal_width', '--lr', '1e30', '--epochs', '2', '--folds', '3', '--json']);
  assert.equal(cv.status, 0, cv.stderr);
  assert.match(cv.stderr, /^backprop: warning: training diverged in 3 of 3 folds, so their scores are meaningless; fold 1: non-finite .*learning rate 1e\+30/);
  assert.ok(json(cv).folds.every((fold: { problem: string | null }) => typeof fold.problem === 'string'));
  const healthy = backprop(['cv', IRIS, '--target', 'petal_width', '--epochs', '2', '--folds', '3', '--json']);
  assert.equal(healthy.stderr, '');
  assert.ok(json(healthy).folds.every((fold: { problem: string | null }) => fold.problem === null));
  const search = backprop(['search', IRIS, '--target', 'petal_width', '--grid', 'lr=1e30,1e-2', '--epochs', '2', '--folds', '2', '--out', join(dir, 's.json')]);
  assert.equal(search.status, 0, search.stderr);
  assert.match(search.stdout, /lr=1e\+30: r2 -Infinity ± NaN \(diverged: the non-finite guard stopped training\)/);
  assert.doesNotMatch(search.stdout, /lr=0\.01: r2 [\d.]+ ± [\d.]+ \(diverged/);
});

test('search ranks a diverged configuration last on every backend, whether its score is −∞ or NaN', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  // On the wasm backend the diverged folds score NaN; a comparator of plain differences ranked it first.
  for (const backend of ['js', 'wasm', 'native']) {
    const args = ['search', IRIS, '--target', 'petal_width', '--grid', 'lr=1e30,1e-2', '--epochs', '2', '--folds', '2', '--out', join(dir, `${backend}.json`), '--json'];
    const run = backprop(args, { env: { BACKPROP_BACKEND: backend } });
    if (run.status === 2 && /not available here/.test(run.stderr)) continue;
    assert.equal(run.status, 0, `${backend}: ${run.stderr}`);
    assert.equal(JSON.parse(readFileSync(join(dir, `${backend}.json`), 'utf8')).training.config.lr, 0.01, `${backend}: the refit uses lr 0.01`);
  }
});
