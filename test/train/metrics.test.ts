import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, classificationReport, confusionMatrix, regressionReport } from '../../src/train/metrics.js';

test('classification report on a hand-counted example', () => {
  // truth:     0 0 0 1 1 2 2 2 2
  // predicted: 0 1 0 1 1 2 0 2 1
  const actual = [0, 0, 0, 1, 1, 2, 2, 2, 2];
  const predicted = [0, 1, 0, 1, 1, 2, 0, 2, 1];
  assert.deepEqual(confusionMatrix(predicted, actual, 3), [
    [2, 1, 0],
    [0, 2, 0],
    [1, 1, 2],
  ]);
  const report = classificationReport(predicted, actual, 3);
  assert.equal(report.accuracy, 6 / 9);
  // class 0: TP 2, predicted 3, support 3 → P = R = 2/3
  // class 1: TP 2, predicted 4, support 2 → P = 1/2, R = 1, F1 = 2/3
  // class 2: TP 2, predicted 2, support 4 → P = 1, R = 1/2, F1 = 2/3
  const expected = [
    { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3, support: 3 },
    { precision: 0.5, recall: 1, f1: 2 / 3, support: 2 },
    { precision: 1, recall: 0.5, f1: 2 / 3, support: 4 },
  ];
  report.perClass.forEach((scores, c) => {
    for (const key of ['precision', 'recall', 'f1', 'support'] as const) assert.ok(Math.abs(scores[key] - expected[c][key]) < 1e-15, `class ${c} ${key}`);
  });
  assert.ok(Math.abs(report.macro.precision - (2 / 3 + 0.5 + 1) / 3) < 1e-15);
  assert.ok(Math.abs(report.macro.f1 - 2 / 3) < 1e-15);
});

test('a class never predicted has precision 0, not NaN', () => {
  const report = classificationReport([0, 0], [0, 1], 2);
  assert.equal(report.perClass[1].precision, 0);
  assert.equal(report.perClass[1].f1, 0);
});

test('regression report on a hand-computed example', () => {
  const actual = [1, 2, 3, 4];
  const predicted = [1.5, 2, 2, 5];
  // errors 0.5, 0, −1, 1 → SS_res = 2.25, MSE = 0.5625, MAE = 0.625; mean t = 2.5, SS_tot = 5
  const r = regressionReport(predicted, actual);
  assert.equal(r.mse, 0.5625);
  assert.equal(r.rmse, 0.75);
  assert.equal(r.mae, 0.625);
  assert.ok(Math.abs(r.r2 - (1 - 2.25 / 5)) < 1e-15);
  assert.equal(regressionReport([3, 3], [3, 3]).r2, 1);
});

test('metric inputs are validated', () => {
  assert.throws(() => accuracy([1], [1, 2]), /accuracy: 1 predictions for 2 targets/);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), /predicted label 1 must be an integer in \[0, 3\), got 3/);
});
