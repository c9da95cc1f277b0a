/** Reading a CSV data file (or stdin) into a table; the data layer's DataErrors name file, line and column. */
import { parseCsv } from './engine.js';
import type { Table } from './engine.js';
import { readText, sourceName } from './files.js';

export function loadTable(path: string): { table: Table; text: string } {
  const text = readText(path, 'data file');
  return { table: parseCsv(text, sourceName(path)), text };
}
