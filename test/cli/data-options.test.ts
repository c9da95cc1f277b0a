/** How train reads data: CSV details, the task rule and --task, and scaling fitted on the training rows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IRIS, backprop, json, temporaryDirectory } from './helpers.js';

const irisRows = readFileSync(IRIS, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));

test('a CSV with a byte-order mark, CRLF line ends and quoted fields trains and predicts', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const data = join(dir, 'quoted.csv');
  const lines = ['"height, cm",colour,kind', '"1.5",red,"a"', '2.5,"blue",b', '1.4,red,a', '2.6,blue,b', '1.6,"red",a', '2.4,blue,"b"'];
  writeFileSync(data, '\ufeff' + lines.join('\r\n') + '\r\n');
  const model = join(dir, 'q.json');
  const trained = backprop(['train', data, '--target', 'kind', '--epochs', '3', '--out', model, '--json']);
  assert.equal(trained.status, 0, trained.stderr);
  const info = json(backprop(['info', model, '--json']));
  assert.deepEqual(info.preprocessing.features, [{ name: 'height, cm', type: 'numeric' }, { name: 'colour', type: 'categorical', categories: 2 }]);
  assert.deepEqual(info.preprocessing.target.classes, ['a', 'b']);
  assert.equal(backprop(['predict', model, data]).stdout.split('\n')[0], 'kind,P(kind=a),P(kind=b)');
});

test('the task: a numeric target with fractions is regression, integer classes are classification, --task overrides', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const out = join(dir, 'm.json');
  const task = (...args: string[]) => json(backprop(['train', IRIS, ...args, '--epochs', '1', '--out', out, '--json']));
  assert.equal(task('--target', 'petal_width').task, 'regression');
  assert.equal(task('--target', 'petal_width').loss, 'mse');
  // Measured values are no class labels (as scikit-learn refuses a continuous target)…
  const refusedOut = join(dir, 'refused.json');
  const continuous = backprop(['train', IRIS, '--target', 'petal_width', '--task', 'classification', '--epochs', '1', '--out', refusedOut]);
  assert.equal(continuous.status, 2);
  assert.match(continuous.stderr, /iris\.csv, line 2, column "petal_width": "0\.2" is not an integer: the target is continuous, so its values cannot be class labels; use task regression \(--task regression\), or declare the column categorical/);
  assert.equal(existsSync(refusedOut), false);
  // …unless the column is declared categorical.
  const forced = task('--target', 'petal_width', '--task', 'classification', '--categorical', 'petal_width');
  assert.equal(forced.task, 'classification', 'petal widths as 22 classes');
  assert.equal(forced.loss, 'softmaxCrossEntropy');
  const integers = join(dir, 'integers.csv');
  writeFileSync(integers, 'x,n\n' + Array.from({ length: 40 }, (_, i) => `${i / 10},${i % 4}`).join('\n') + '\n');
  assert.equal(json(backprop(['train', integers, '--target', 'n', '--epochs', '1', '--out', out, '--json'])).task, 'classification', '4 integer values in 40 rows are classes');
  assert.equal(json(backprop(['train', integers, '--target', 'n', '--task', 'regression', '--epochs', '1', '--out', out, '--json'])).task, 'regression');
  const textTarget = backprop(['train', IRIS, '--target', 'species', '--task', 'regression', '--epochs', '1', '--out', out]);
  assert.equal(textTarget.status, 2);
  assert.match(textTarget.stderr, /iris\.csv, line 2, column "species": "setosa" is not a number .*a regression target must be numeric/);
});

test('scaling is fitted on the training rows only and stored in the model', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const column = (j: number) => irisRows.map((row) => Number(row[j]));
  const allRows = join(dir, 'all.json');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--validation-split', '0', '--epochs', '1', '--out', allRows, '--quiet']).status, 0);
  const scaler = JSON.parse(readFileSync(allRows, 'utf8')).preprocessing.scaler;
  assert.equal(scaler.method, 'standard');
  for (let j = 0; j < 4; j++) {
    const values = column(j);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(scaler.offset[j] - mean) < 1e-5, `column ${j} mean`);
    assert.ok(Math.abs(scaler.scale[j] - std) < 1e-5, `column ${j} std`);
  }
  const minmax = join(dir, 'minmax.json');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--scale', 'minmax', '--validation-split', '0.5', '--epochs', '1', '--out', minmax, '--quiet']).status, 0);
  const fitted = JSON.parse(readFileSync(minmax, 'utf8')).preprocessing.scaler;
  const sepalLength = column(0);
  assert.ok(fitted.offset[0] >= Math.min(...sepalLength), 'the minimum of the training half');
  assert.notDeepEqual(fitted.offset, [4.3, 2, 1, 0.1], 'not the minima of all rows (half the rows are held out)');
  const none = join(dir, 'none.json');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--scale', 'none', '--epochs', '1', '--out', none, '--quiet']).status, 0);
  assert.deepEqual(JSON.parse(readFileSync(none, 'utf8')).preprocessing.scaler.scale, [1, 1, 1, 1]);
});
