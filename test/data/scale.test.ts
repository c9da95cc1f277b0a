import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyScaler, fitScaler, invertScaler, parseScaler, takeRows, type Matrix } from '../../src/data/index.js';
import { ShapeError, ValueError } from '../../src/util/errors.js';

/** Columns: a varies, b is constant, c is a one-hot column. Row 3 is the "validation" row. */
const matrix: Matrix = { data: Float32Array.from([1, 5, 0, 2, 5, 1, 3, 5, 0, 100, 7, 1]), rows: 4, columns: 3 };
const trainRows = [0, 1, 2];

const close = (actual: readonly number[], expected: readonly number[], tolerance = 1e-6) => {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) <= tolerance, `index ${i}: ${value} vs ${expected[i]}`));
};

test('standard scaling: mean and population std of the training rows only; a constant column gets scale 1', () => {
  const scaler = fitScaler(matrix, 'standard', { rows: trainRows });
  // Column a over rows 0..2 is 1, 2, 3: mean 2, std √(2/3). Row 3's 100 must not count.
  close(scaler.offset, [2, 5, 1 / 3]);
  close(scaler.scale, [Math.sqrt(2 / 3), 1, Math.sqrt(2 / 9)]);
  const scaled = applyScaler(scaler, matrix);
  const s = Math.sqrt(2 / 3);
  close([...scaled.data.subarray(0, 3)], [-1 / s, 0, (0 - 1 / 3) / Math.sqrt(2 / 9)]);
  close([scaled.data[9]], [98 / s], 1e-4);
  assert.deepEqual([...matrix.data.subarray(0, 3)], [1, 5, 0], 'applyScaler copies unless inPlace');
});

test('the same statistics come from the training rows whether indexed or copied out', () => {
  for (const method of ['standard', 'minmax'] as const) {
    assert.deepEqual(fitScaler(matrix, method, { rows: trainRows }), fitScaler(takeRows(matrix, trainRows), method));
    assert.notDeepEqual(fitScaler(matrix, method, { rows: trainRows }), fitScaler(matrix, method));
  }
});

test('minmax maps the training range to [0, 1]; none is the identity; masked columns are left alone', () => {
  const minmax = fitScaler(matrix, 'minmax', { rows: trainRows, columns: [true, true, false] });
  assert.deepEqual(minmax.offset, [1, 5, 0]);
  assert.deepEqual(minmax.scale, [2, 1, 1]);
  assert.deepEqual([...applyScaler(minmax, matrix).data], [0, 0, 0, 0.5, 0, 1, 1, 0, 0, 49.5, 2, 1]);
  const none = fitScaler(matrix, 'none');
  assert.deepEqual([...applyScaler(none, matrix).data], [...matrix.data]);
});

test('invertScaler undoes applyScaler, and inPlace writes into the given matrix', () => {
  const scaler = fitScaler(matrix, 'standard');
  const copy: Matrix = { data: matrix.data.slice(), rows: 4, columns: 3 };
  const result = applyScaler(scaler, copy, { inPlace: true });
  assert.equal(result.data, copy.data);
  invertScaler(scaler, copy, { inPlace: true });
  close([...copy.data], [...matrix.data], 1e-4);
});

test('a scaler survives JSON and parseScaler rejects corrupt ones', () => {
  const scaler = fitScaler(matrix, 'standard', { rows: trainRows });
  assert.deepEqual(parseScaler(JSON.parse(JSON.stringify(scaler)), 'model.json', 3), scaler);
  const cases: [unknown, string][] = [
    [{ ...scaler, method: 'robust' }, 'model.json: scaler.method must be "standard", "minmax" or "none", got "robust"'],
    [{ ...scaler, scale: [1, 0, 1] }, 'model.json: scaler.scale must be an array of finite non-zero numbers, got [1,0,1]'],
    [{ ...scaler, offset: [1, null, 2] }, 'model.json: scaler.offset must be an array of finite numbers, got [1,null,2]'],
    [{ ...scaler, scale: [1, 1] }, 'model.json: scaler.scale has 2 numbers but the model has 3 feature columns'],
  ];
  for (const [doc, message] of cases) assert.throws(() => parseScaler(doc, 'model.json', 3), { name: 'DataError', message });
  assert.throws(() => parseScaler({ ...scaler, scale: [1, 1] }, 'model.json'), { name: 'DataError', message: 'model.json: scaler.scale has 2 numbers but scaler.offset has 3' });
});

test('scaling rejects a bad method, a width mismatch and bad rows', () => {
  assert.throws(() => fitScaler(matrix, 'zscore' as never), { name: 'ValueError', message: 'fitScaler: method must be one of standard, minmax, none, got "zscore"' });
  const scaler = fitScaler(matrix, 'standard');
  assert.throws(() => applyScaler(scaler, { data: new Float32Array(4), rows: 2, columns: 2 }), (error: unknown) => error instanceof ShapeError && error.message === 'applyScaler: the scaler was fitted on 3 columns but the matrix has 2');
  assert.throws(() => fitScaler(matrix, 'standard', { rows: [0, 4] }), (error: unknown) => error instanceof ValueError && error.message === 'fitScaler: row index must be an integer in [0, 4), got 4');
  assert.throws(() => fitScaler(matrix, 'minmax', { rows: [] }), { message: 'fitScaler: rows must not be empty, got 0 rows' });
});
