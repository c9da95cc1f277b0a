/**
 * CSV text → Table, and back. Parsing is done by papaparse (RFC 4180 quoting, CRLF/LF/CR line
 * ends, a UTF-8 byte-order mark), which runs in Node and in browsers alike; this file adds the
 * rules a data set needs and errors that say where the problem is.
 */
// The minified build (the package's own "browser" entry: the same parser, without Node stream
// input, which parseCsv does not use): importing a CommonJS module from
// an ES module makes Node scan its source for export names, and on the 52 kB main file that scan
// runs long enough to be optimised by V8 on a background thread, work that then competes with a
// training loop's warm-up (about 10 ms off `import 'backprop'` on a 2-core machine).
import Papa from 'papaparse/papaparse.min.js';
import { DataError } from './errors.js';
import { separatorHint } from './table.js';
import type { Table } from './table.js';

export interface CsvOptions {
  /** Field separator, one character. Default ','. */
  delimiter?: string;
}

/**
 * Parses CSV text whose first record is a header row.
 *
 * - A leading UTF-8 byte-order mark is dropped; line ends may be LF, CRLF or CR, even mixed
 *   (all become LF, also inside quoted fields).
 * - Fields may be quoted ("a, b" and "say ""hi""" and fields spanning lines).
 * - Every cell and column name is trimmed of surrounding whitespace.
 * - Blank lines (empty or only whitespace) are skipped; a line of only commas is a row of missing cells.
 *
 * Throws DataError for: an empty file, a header with no data rows, an empty or duplicate column
 * name, a row whose field count differs from the header's, and broken quoting. `source` names the
 * text in those messages (a file name, "stdin").
 */
export function parseCsv(text: string, source: string, options: CsvOptions = {}): Table {
  const delimiter = options.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new DataError({ source, value: delimiter }, `the delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  // Line ends are unified first, so a file mixing CRLF and LF (edited on two systems) still reads;
  // a line break inside a quoted field therefore comes back as LF.
  const body = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  if (body.trim() === '') throw new DataError({ source, line: 1 }, 'the file is empty (expected a header row, then data rows)');

  const lineCounter = new LineCounter(body);
  const records: { cells: string[]; line: number }[] = [];
  let recordStart = 0;
  Papa.parse<string[]>(body, {
    delimiter,
    newline: '\n',
    skipEmptyLines: false,
    step(result) {
      const start = recordStart;
      const line = lineCounter.lineAt(start);
      recordStart = result.meta.cursor;
      const error = result.errors[0];
      if (error !== undefined) {
        const problem = error.code === 'MissingQuotes' ? 'a quoted field is never closed' : `malformed quotes (${error.message})`;
        throw new DataError({ source, line }, problem);
      }
      const cells = result.data;
      if (cells.length === 1 && body.slice(start, recordStart).trim() === '') return; // an empty line, not `""`
      records.push({ cells: cells.map((cell) => cell.trim()), line });
    },
  });

  const [header, ...data] = records;
  const columns = checkHeader(header.cells, source, header.line);
  if (data.length === 0) throw new DataError({ source, line: header.line + 1 }, `the file has a header row but no data rows (columns: ${columns.join(', ')})`);
  for (const { cells, line } of data) {
    if (cells.length !== columns.length) {
      throw new DataError(
        { source, line, value: cells.length },
        `this row has ${cells.length} field${cells.length === 1 ? '' : 's'} but the header has ${columns.length}${separatorHint(columns)}`,
      );
    }
  }
  return { source, columns, rows: data.map((record) => record.cells), lines: data.map((record) => record.line) };
}

function checkHeader(names: string[], source: string, line: number): string[] {
  const firstPosition = new Map<string, number>();
  names.forEach((name, j) => {
    if (name === '') throw new DataError({ source, line, column: j + 1, value: name }, `column ${j + 1} has an empty name in the header row`);
    const earlier = firstPosition.get(name);
    if (earlier !== undefined) {
      throw new DataError({ source, line, column: name, value: name }, `duplicate column name ${JSON.stringify(name)} (columns ${earlier + 1} and ${j + 1})`);
    }
    firstPosition.set(name, j);
  });
  return names;
}

/** Turns character offsets into 1-based line numbers (text with LF line ends), scanning forward only once. */
class LineCounter {
  private offset = 0;
  private line = 1;
  constructor(private readonly text: string) {}

  /** Line of the character at `offset`; offsets must not decrease between calls. */
  lineAt(offset: number): number {
    const text = this.text;
    for (; this.offset < offset && this.offset < text.length; this.offset++) {
      if (text.charCodeAt(this.offset) === 10) this.line++;
    }
    return this.line;
  }
}

/**
 * Formats rows as CSV text: header row first, '\n' line ends, a final '\n'. A field is quoted
 * only when it must be (it holds the delimiter, a quote, a line break, or surrounding spaces),
 * with quotes doubled; a row that is one empty field is written `""`. Numbers are written with `String(n)`; use `formatFloat32` first for float32
 * data to get short text.
 */
export function formatCsv(columns: readonly string[], rows: readonly (readonly (string | number)[])[], options: CsvOptions = {}): string {
  const delimiter = options.delimiter ?? ',';
  const quoteIfNeeded = (field: string | number): string => {
    const text = String(field);
    const needsQuotes = text.includes(delimiter) || /["\r\n]/.test(text) || text.trim() !== text;
    return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text;
  };
  // A lone empty field would make an empty line, which readers skip: quote it.
  const formatRow = (row: readonly (string | number)[]): string => (row.length === 1 && String(row[0]) === '' ? '""' : row.map(quoteIfNeeded).join(delimiter));
  let out = formatRow(columns) + '\n';
  for (const row of rows) out += formatRow(row) + '\n';
  return out;
}

/** A Table back to CSV text (see formatCsv); parseCsv(tableToCsv(t)) gives t's columns and cells. */
export function tableToCsv(table: Table, options: CsvOptions = {}): string {
  return formatCsv(table.columns, table.rows, options);
}
