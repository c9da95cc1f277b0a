import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataError, formatCsv, parseCsv, tableToCsv } from '../../src/data/index.js';
import { BackpropError } from '../../src/util/errors.js';

test('parseCsv reads quoted fields, doubled quotes, embedded line breaks, CRLF and a BOM', () => {
  const text = '\ufeffname,"note, with comma",n\r\n"Smith, J","said ""hi""\r\nthen left",1\r\nDoe,plain,2\r\n';
  const table = parseCsv(text, 'people.csv');
  assert.deepEqual(table.columns, ['name', 'note, with comma', 'n']);
  assert.deepEqual(table.rows, [
    ['Smith, J', 'said "hi"\nthen left', '1'],
    ['Doe', 'plain', '2'],
  ]);
  // The first data row starts on line 2 and spans two lines, so the next row starts on line 4.
  assert.deepEqual(table.lines, [2, 4]);
  assert.equal(table.source, 'people.csv');
});

test('parseCsv trims cells, skips blank lines, keeps rows of empty cells, accepts LF, CR and no final newline', () => {
  assert.deepEqual(parseCsv('a , b\n 1 ,  x \n\n   \n,\n2,y', 's').rows, [['1', 'x'], ['', ''], ['2', 'y']]);
  assert.deepEqual(parseCsv('a , b\n 1 ,  x \n\n   \n,\n2,y', 's').lines, [2, 5, 6]);
  assert.deepEqual(parseCsv('a,b\r1,2\r3,4\r', 's').lines, [2, 3]);
  const mixed = parseCsv('a,b\r\n1,2\n3,4\r\n5,6\r7,8', 's');
  assert.deepEqual(mixed.rows, [['1', '2'], ['3', '4'], ['5', '6'], ['7', '8']]);
  assert.deepEqual(mixed.lines, [2, 3, 4, 5]);
  assert.deepEqual(parseCsv('a;b\n1;2\n', 's', { delimiter: ';' }).rows, [['1', '2']]);
});

test('a quoted empty field in a one-column file is a missing value, not a blank line', () => {
  const table = parseCsv('a\n""\n1\n', 's');
  assert.deepEqual(table.rows, [[''], ['1']]);
  assert.equal(tableToCsv(table), 'a\n""\n1\n');
});

const badFiles: { name: string; text: string; message: string; line?: number; column?: string | number; value?: unknown }[] = [
  { name: 'empty file', text: '', message: 'data.csv, line 1: the file is empty (expected a header row, then data rows)', line: 1 },
  { name: 'only a BOM and blank lines', text: '\ufeff\r\n  \r\n', message: 'data.csv, line 1: the file is empty (expected a header row, then data rows)', line: 1 },
  { name: 'header only', text: 'a,b,c\n', message: 'data.csv, line 2: the file has a header row but no data rows (columns: a, b, c)', line: 2 },
  { name: 'header then blank lines', text: 'a,b\r\n\r\n\r\n', message: 'data.csv, line 2: the file has a header row but no data rows (columns: a, b)', line: 2 },
  { name: 'short row', text: 'a,b,c\n1,2,3\n4,5\n', message: 'data.csv, line 3: this row has 2 fields but the header has 3', line: 3, value: 2 },
  { name: 'long row after a multi-line field', text: 'a,b\n"x\ny",1\n2,3,4\n', message: 'data.csv, line 4: this row has 3 fields but the header has 2', line: 4, value: 3 },
  { name: 'one-field row', text: 'a,b\n1\n', message: 'data.csv, line 2: this row has 1 field but the header has 2', line: 2, value: 1 },
  { name: 'duplicate column names', text: 'x,y,x\n1,2,3\n', message: 'data.csv, line 1, column "x": duplicate column name "x" (columns 1 and 3)', line: 1, column: 'x', value: 'x' },
  { name: 'duplicates after trimming', text: 'x, x\n1,2\n', message: 'data.csv, line 1, column "x": duplicate column name "x" (columns 1 and 2)', line: 1, column: 'x' },
  { name: 'empty column name', text: 'a,,c\n1,2,3\n', message: 'data.csv, line 1, column 2: column 2 has an empty name in the header row', line: 1, column: 2, value: '' },
  { name: 'blank column name', text: 'a,b,  \n1,2,3\n', message: 'data.csv, line 1, column 3: column 3 has an empty name in the header row', line: 1, column: 3 },
  { name: 'unclosed quote', text: 'a,b\n1,2\n"3,4\n', message: 'data.csv, line 3: a quoted field is never closed', line: 3 },
  { name: 'text after a closing quote', text: 'a,b\n"1"x,2\n', message: 'data.csv, line 2: malformed quotes (Trailing quote on quoted field is malformed)', line: 2 },
];

for (const bad of badFiles) {
  test(`parseCsv rejects: ${bad.name}`, () => {
    assert.throws(
      () => parseCsv(bad.text, 'data.csv'),
      (error: unknown) => {
        assert.ok(error instanceof DataError && error instanceof BackpropError);
        assert.equal(error.message, bad.message);
        assert.equal(error.source, 'data.csv');
        if ('line' in bad) assert.equal(error.line, bad.line);
        if ('column' in bad) assert.equal(error.column, bad.column);
        if ('value' in bad) assert.equal(error.value, bad.value);
        return true;
      },
    );
  });
}

test('parseCsv rejects a delimiter that is not one ordinary character', () => {
  assert.throws(() => parseCsv('a,b\n1,2\n', 's', { delimiter: ',,' }), { message: 's: the delimiter must be one character other than a quote or line break, got ",,"' });
  assert.throws(() => parseCsv('a,b\n1,2\n', 's', { delimiter: '"' }), DataError);
});

test('formatCsv quotes only fields that need it', () => {
  assert.equal(formatCsv(['a', 'b,c'], [[1, 'x"y'], ['line\nbreak', ' padded'], [2.5, '']]), 'a,"b,c"\n1,"x""y"\n"line\nbreak"," padded"\n2.5,\n');
});

test('property: any table of trimmed cells survives formatCsv then parseCsv', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', ' ', 'é', '1', '.') }).map((s) => s.trim());
  const name = cell.filter((s) => s !== '' && !s.includes('\r'));
  const table = fc.uniqueArray(name, { minLength: 1, maxLength: 4 }).chain((columns) =>
    fc.record({
      columns: fc.constant(columns),
      rows: fc.array(fc.array(cell, { minLength: columns.length, maxLength: columns.length }), { minLength: 1, maxLength: 5 }),
    }),
  );
  fc.assert(
    fc.property(table, ({ columns, rows }) => {
      const parsed = parseCsv(formatCsv(columns, rows), 'p.csv');
      assert.deepEqual(parsed.columns, columns);
      // Line breaks inside fields come back as LF.
      assert.deepEqual(parsed.rows, rows.map((row) => row.map((cell) => cell.replace(/\r\n?/g, '\n'))));
    }),
    { numRuns: 300 },
  );
});
