import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { encodeTable, fitEncoder, parseCsv, stratifiedKFold } from '../../src/data/index.js';
import { Rng } from '../../src/util/rng.js';

// Compiled to dist/test/data/, so the repository root is three levels up.
const bundled = (name: string) => parseCsv(readFileSync(new URL(`../../../data/${name}`, import.meta.url), 'utf8'), name);

function classCounts(labels: Int32Array | Float32Array | null, classCount: number): number[] {
  assert.ok(labels instanceof Int32Array);
  const counts = new Array<number>(classCount).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

test('data/iris.csv: 150 rows, 4 numeric features, 3 classes of 50', () => {
  const table = bundled('iris.csv');
  assert.deepEqual(table.columns, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'species']);
  const encoder = fitEncoder(table, { target: 'species' });
  assert.deepEqual(encoder.featureNames, ['sepal_length', 'sepal_width', 'petal_length', 'petal_width']);
  assert.deepEqual(encoder.target, { name: 'species', task: 'classification', classes: ['setosa', 'versicolor', 'virginica'], labelsAreNumbers: false });
  const { x, y } = encodeTable(encoder, table);
  assert.deepEqual([x.rows, x.columns], [150, 4]);
  assert.deepEqual(classCounts(y, 3), [50, 50, 50]);
  assert.deepEqual([...x.data.subarray(0, 4)], [5.1, 3.5, 1.4, 0.2].map(Math.fround));
  // Summary statistics from the data set's description: sepal length mean 5.84, petal width max 2.5.
  let sum = 0;
  let maxPetalWidth = 0;
  for (let i = 0; i < 150; i++) {
    sum += x.data[i * 4];
    maxPetalWidth = Math.max(maxPetalWidth, x.data[i * 4 + 3]);
  }
  assert.ok(Math.abs(sum / 150 - 5.843) < 0.001);
  assert.equal(maxPetalWidth, Math.fround(2.5));
});

test('data/digits.csv: 1797 rows, 64 pixel features in 0..16, 10 classes with the documented counts', () => {
  const table = bundled('digits.csv');
  const encoder = fitEncoder(table, { target: 'digit' });
  assert.equal(encoder.featureNames.length, 64);
  assert.equal(encoder.featureNames[9], 'pixel_1_1');
  assert.equal(encoder.target.task, 'classification');
  const { x, y } = encodeTable(encoder, table);
  assert.deepEqual([x.rows, x.columns], [1797, 64]);
  assert.ok(x.data.every((v) => Number.isInteger(v) && v >= 0 && v <= 16));
  assert.deepEqual(classCounts(y, 10), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  // Stratified 5-fold keeps every digit within one of a fifth of its count in each fold.
  const labels = y as Int32Array;
  for (const fold of stratifiedKFold(labels, 5, new Rng(0))) {
    classCounts(Int32Array.from(fold.validation, (i) => labels[i]), 10).forEach((count, digit) => {
      const expected = classCounts(labels, 10)[digit] / 5;
      assert.ok(Math.abs(count - expected) < 1, `digit ${digit}: ${count} vs ${expected}`);
    });
  }
});
