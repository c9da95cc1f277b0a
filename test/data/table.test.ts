import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnIndex, dropRowsWithMissing, parseCsv, selectRows, takeRows, takeValues, type Matrix } from '../../src/data/index.js';

test('dropRowsWithMissing removes rows with an empty cell in the named columns and reports their lines', () => {
  const table = parseCsv('a,b,c\n1,2,3\n,5,6\n7,,9\n10,11,\n', 'd.csv');
  const all = dropRowsWithMissing(table);
  assert.deepEqual(all.table.rows, [['1', '2', '3']]);
  assert.deepEqual(all.droppedLines, [3, 4, 5]);
  const some = dropRowsWithMissing(table, ['a', 'b']);
  assert.deepEqual(some.table.rows, [['1', '2', '3'], ['10', '11', '']]);
  assert.deepEqual(some.table.lines, [2, 5]);
  assert.throws(() => dropRowsWithMissing(table, ['d']), { name: 'DataError', message: 'd.csv, column "d": no column "d"; the columns are "a", "b", "c"' });
});

test('selectRows keeps lines with their rows; columnIndex finds columns by name', () => {
  const table = parseCsv('a,b\n1,2\n3,4\n5,6\n', 'd.csv');
  const picked = selectRows(table, [2, 0]);
  assert.deepEqual(picked.rows, [['5', '6'], ['1', '2']]);
  assert.deepEqual(picked.lines, [4, 2]);
  assert.equal(columnIndex(table, 'b'), 1);
});

test('takeRows and takeValues copy the chosen rows, and reject indices out of range', () => {
  const matrix: Matrix = { data: Float32Array.from([1, 2, 3, 4, 5, 6]), rows: 3, columns: 2 };
  assert.deepEqual(takeRows(matrix, [2, 0]), { data: Float32Array.from([5, 6, 1, 2]), rows: 2, columns: 2 });
  const labels = Int32Array.from([7, 8, 9]);
  const taken = takeValues(labels, [1, 1]);
  assert.ok(taken instanceof Int32Array);
  assert.deepEqual([...taken], [8, 8]);
  assert.throws(() => takeRows(matrix, [3]), { name: 'ValueError', message: 'takeRows: row index must be an integer in [0, 3), got 3' });
  assert.throws(() => takeValues(labels, [-1]), { name: 'ValueError', message: 'takeValues: row index must be an integer in [0, 3), got -1' });
});
