import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, parseCsv, profileColumn, profileColumns } from '../../src/data/index.js';

const csv = (text: string) => parseCsv(text, 'data.csv');

test('numeric and categorical columns are told apart; missing cells take no part', () => {
  const table = csv('n,c,mixed_case\n1,red,b\n2.5,,B\n,green,a\n-3e2,red,a\n');
  assert.deepEqual(profileColumns(table), [
    { name: 'n', type: 'numeric', present: 3, missing: 1 },
    { name: 'c', type: 'categorical', present: 3, missing: 1, categories: ['green', 'red'] },
    // Sorted by code units, not locale: upper case before lower case.
    { name: 'mixed_case', type: 'categorical', present: 4, missing: 0, categories: ['B', 'a', 'b'] },
  ]);
});

test('a mostly categorical column with a stray number stays categorical', () => {
  const table = csv('size\nS\nM\nL\n10\n');
  assert.deepEqual(profileColumn(table, 'size').categories, ['10', 'L', 'M', 'S']);
});

const badCells: { name: string; text: string; message: string; line: number; value: string }[] = [
  {
    name: 'text after a number in a numeric column',
    text: 'x\n1\n2\n3.2abc\n4\n',
    message: 'data.csv, line 4, column "x": "3.2abc" is not a number (text after the number); 3 of the column\'s 4 values are numbers, so it is read as numeric (declare it categorical to keep it as text)',
    line: 4,
    value: '3.2abc',
  },
  {
    name: 'NaN among numbers',
    text: 'x\n1\nNaN\n',
    message: 'data.csv, line 3, column "x": "NaN" is not a number (NaN and Infinity are not accepted); 1 of the column\'s 2 values are numbers, so it is read as numeric (declare it categorical to keep it as text)',
    line: 3,
    value: 'NaN',
  },
  {
    name: 'Infinity even when numbers are a minority, since every bad cell looks numeric',
    text: 'x\n1\nInfinity\n-Infinity\ninf\n',
    message: 'data.csv, line 3, column "x": "Infinity" is not a number (NaN and Infinity are not accepted); 1 of the column\'s 4 values are numbers, so it is read as numeric (declare it categorical to keep it as text)',
    line: 3,
    value: 'Infinity',
  },
  {
    name: 'hexadecimal',
    text: 'x\n1\n0x10\n',
    message: 'data.csv, line 3, column "x": "0x10" is not a number (hexadecimal, binary and octal literals are not accepted); 1 of the column\'s 2 values are numbers, so it is read as numeric (declare it categorical to keep it as text)',
    line: 3,
    value: '0x10',
  },
  {
    name: 'overflow',
    text: 'x\n1\n2\n1e999\n',
    message: 'data.csv, line 4, column "x": "1e999" is not a number (overflows to Infinity); 2 of the column\'s 3 values are numbers, so it is read as numeric (declare it categorical to keep it as text)',
    line: 4,
    value: '1e999',
  },
  {
    name: 'a word among numbers (numbers are the majority)',
    text: 'x\n1\n2\nthree\n',
    message: 'data.csv, line 4, column "x": "three" is not a number (not a decimal number); 2 of the column\'s 3 values are numbers, so it is read as numeric (declare it categorical to keep it as text)',
    line: 4,
    value: 'three',
  },
];

for (const bad of badCells) {
  test(`inference names the bad cell: ${bad.name}`, () => {
    assert.throws(
      () => profileColumn(csv(bad.text), 'x'),
      (error: unknown) => {
        assert.ok(error instanceof DataError);
        assert.equal(error.message, bad.message);
        assert.equal(error.line, bad.line);
        assert.equal(error.column, 'x');
        assert.equal(error.value, bad.value);
        return true;
      },
    );
  });
}

test('forcing a type: categorical never fails, numeric names the first non-number', () => {
  const table = csv('x\n1\n2\n3.2abc\n');
  assert.deepEqual(profileColumn(table, 'x', 'categorical').categories, ['1', '2', '3.2abc']);
  assert.deepEqual(profileColumn(csv('x\n1\n02\n'), 'x', 'categorical').categories, ['02', '1']);
  assert.throws(() => profileColumn(csv('x\nred\n2\n'), 'x', 'numeric'), {
    message: 'data.csv, line 2, column "x": "red" is not a number (not a decimal number); the column was declared numeric',
  });
});

test('a column with no values at all, and unknown columns in the type overrides, are errors', () => {
  assert.throws(() => profileColumn(csv('x,y\n,1\n,2\n'), 'x'), { message: 'data.csv, column "x": the column has no values (all 2 cells are empty)' });
  assert.throws(() => profileColumns(csv('x\n1\n'), { z: 'numeric' }), {
    message: 'data.csv, column "z": the column types name a column the data lacks; the columns are "x"',
  });
  assert.throws(() => profileColumns(csv('x\n1\n'), { x: 'text' as never }), {
    message: 'data.csv, column "x": column type must be "numeric" or "categorical", got "text"',
  });
});
