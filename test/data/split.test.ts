import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { batchCount, batches, kFold, stratifiedKFold, stratifiedTrainValidationSplit, trainValidationSplit, type Split } from '../../src/data/index.js';
import { Rng } from '../../src/util/rng.js';

/** Checks that train and validation are ascending, disjoint and together cover 0..n-1. */
function assertPartition({ train, validation }: Split, n: number): void {
  for (const part of [train, validation]) for (let k = 1; k < part.length; k++) assert.ok(part[k - 1] < part[k], 'ascending');
  assert.deepEqual([...train, ...validation].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
}

function countByClass(labels: ArrayLike<number>, rows: ArrayLike<number>, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (let k = 0; k < rows.length; k++) counts[labels[rows[k]]]++;
  return counts;
}

test('trainValidationSplit: round(f·n) validation rows, a partition, reproducible from the seed', () => {
  const split = trainValidationSplit(10, 0.25, new Rng(1));
  assert.equal(split.validation.length, 3); // round(2.5) = 3
  assertPartition(split, 10);
  assert.deepEqual(trainValidationSplit(10, 0.25, new Rng(1)), split);
  const others = [2, 3, 4, 5].map((seed) => [...trainValidationSplit(10, 0.25, new Rng(seed)).validation].join());
  assert.ok(others.some((v) => v !== [...split.validation].join()), 'other seeds choose other rows');
});

test('split and fold options are validated with the bad value named', () => {
  const rng = new Rng(0);
  const cases: [() => unknown, string][] = [
    [() => trainValidationSplit(10, 0, rng), 'trainValidationSplit: validationFraction must be a finite number > 0 <= 1, got 0'],
    [() => trainValidationSplit(10, 1, rng), 'trainValidationSplit: validationFraction 1 of 10 rows leaves no training rows'],
    [() => trainValidationSplit(10, 0.01, rng), 'trainValidationSplit: validationFraction 0.01 of 10 rows leaves no validation rows'],
    [() => trainValidationSplit(1, 0.5, rng), 'trainValidationSplit: rowCount must be an integer >= 2, got 1'],
    [() => kFold(10, 1, rng), 'kFold: folds must be an integer >= 2 <= 10, got 1'],
    [() => kFold(10, 11, rng), 'kFold: folds must be an integer >= 2 <= 10, got 11'],
    [() => stratifiedKFold([0, 1, 1.5], 2, rng), 'stratifiedKFold: labels must be class indices (integers >= 0), got 1.5 at row 2'],
    [() => stratifiedTrainValidationSplit([0, -1, 1, 0], 0.5, rng), 'stratifiedTrainValidationSplit: labels must be class indices (integers >= 0), got -1 at row 1'],
    [() => [...batches(new Int32Array(3), 0)], 'batches: batchSize must be an integer >= 1, got 0'],
  ];
  for (const [call, message] of cases) assert.throws(call, { name: 'ValueError', message });
});

test('stratified split keeps class proportions: 50/50/50 at 20% gives 10 of each', () => {
  const labels = Int32Array.from({ length: 150 }, (_, i) => Math.floor(i / 50));
  const split = stratifiedTrainValidationSplit(labels, 0.2, new Rng(3));
  assertPartition(split, 150);
  assert.deepEqual(countByClass(labels, split.validation, 3), [10, 10, 10]);
  assert.deepEqual(stratifiedTrainValidationSplit(labels, 0.2, new Rng(3)), split);
});

test('stratified split gives leftover rows to the largest remainders but keeps a training row per class', () => {
  // f·n_c = 2.1 and 0.9; round(0.3·10) = 3, so class 1 (remainder 0.9) gets the extra row.
  const labels = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
  assert.deepEqual(countByClass(labels, stratifiedTrainValidationSplit(labels, 0.3, new Rng(0)).validation, 2), [2, 1]);
  // A class of one row stays in training even though its remainder (0.5) ties the largest.
  const lonely = [0, 0, 0, 0, 0, 1];
  assert.deepEqual(countByClass(lonely, stratifiedTrainValidationSplit(lonely, 0.5, new Rng(0)).validation, 2), [3, 0]);
});

test('property: stratified split sizes are within one of f·n_c per class and sum to round(f·n)', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 4, maxLength: 80 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), fc.integer(), (labels, fraction, seed) => {
    const total = Math.round(fraction * labels.length);
    fc.pre(total >= 1 && total < labels.length);
    const split = stratifiedTrainValidationSplit(labels, fraction, new Rng(seed));
    assertPartition(split, labels.length);
    assert.equal(split.validation.length, total);
    const sizes = countByClass(labels, labels.map((_, i) => i), 5);
    countByClass(labels, split.validation, 5).forEach((count, c) => assert.ok(Math.abs(count - fraction * sizes[c]) < 1 + 1e-9, `class ${c}: ${count} of ${sizes[c]}`));
  }));
});

test('kFold: every row validates exactly once, fold sizes differ by at most one, same seed same folds', () => {
  const folds = kFold(11, 3, new Rng(5));
  assert.equal(folds.length, 3);
  assert.deepEqual(folds.map((f) => f.validation.length).sort(), [3, 4, 4]);
  folds.forEach((fold) => assertPartition(fold, 11));
  assert.deepEqual([...folds.flatMap((f) => [...f.validation])].sort((a, b) => a - b), Array.from({ length: 11 }, (_, i) => i));
  assert.deepEqual(kFold(11, 3, new Rng(5)), folds);
  assert.notDeepEqual(kFold(11, 3, new Rng(6)), folds);
});

test('stratifiedKFold on iris-like labels: each fold holds 10 of each class', () => {
  const labels = Int32Array.from({ length: 150 }, (_, i) => Math.floor(i / 50));
  const folds = stratifiedKFold(labels, 5, new Rng(9));
  for (const fold of folds) {
    assert.deepEqual(countByClass(labels, fold.validation, 3), [10, 10, 10]);
    assert.deepEqual(countByClass(labels, fold.train, 3), [40, 40, 40]);
  }
});

test('property: stratifiedKFold spreads every class evenly and covers every row once', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 2, maxLength: 120 }), fc.integer({ min: 2, max: 10 }), fc.integer(), (labels, k, seed) => {
    fc.pre(k <= labels.length);
    const folds = stratifiedKFold(labels, k, new Rng(seed));
    assert.equal(folds.length, k);
    const seen = new Array<number>(labels.length).fill(0);
    for (const fold of folds) {
      assertPartition(fold, labels.length);
      for (const row of fold.validation) seen[row]++;
    }
    assert.ok(seen.every((times) => times === 1), 'each row validates once');
    const sizes = folds.map((f) => f.validation.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `fold sizes ${sizes}`);
    for (let c = 0; c <= 5; c++) {
      const perFold = folds.map((f) => countByClass(labels, f.validation, 6)[c]);
      assert.ok(Math.max(...perFold) - Math.min(...perFold) <= 1, `class ${c}: ${perFold}`);
    }
    assert.deepEqual(stratifiedKFold(labels, k, new Rng(seed)), folds);
  }));
});

test('batches are views of the order, in order, the last one shorter', () => {
  const order = new Rng(2).permutation(10);
  const list = [...batches(order, 4)];
  assert.deepEqual(list.map((b) => b.length), [4, 4, 2]);
  assert.ok(list.every((b) => b.buffer === order.buffer), 'no copies');
  assert.deepEqual(list.flatMap((b) => [...b]), [...order]);
  assert.equal(batchCount(10, 4), 3);
  assert.deepEqual([...batches(order, 100)].map((b) => b.length), [10]);
  assert.equal(batchCount(10, 1), 10);
});
