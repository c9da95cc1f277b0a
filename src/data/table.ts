import { ValueError } from '../util/errors.js';
import { DataError, formatNameList } from './errors.js';

/**
 * A table of text cells as read from CSV: what every later step (inference, encoding) starts from.
 * Cells are trimmed of surrounding whitespace; an empty cell is a missing value.
 */
export interface Table {
  /** Name of where the text came from, used in every error message ("iris.csv", "stdin"). */
  source: string;
  /** Column names from the header row, unique and non-empty. */
  columns: string[];
  /** rows[i][j] is the cell of row i in column j; every row has columns.length cells. */
  rows: string[][];
  /** lines[i] is the 1-based line of the file where row i starts (quoted fields may span lines). */
  lines: number[];
}

/**
 * A dense row-major matrix of float32 values: element (i, j) is data[i * columns + j].
 * The data layer knows nothing of tensors; the training layer wraps these.
 */
export interface Matrix {
  data: Float32Array;
  rows: number;
  columns: number;
}

/** True for a missing value: an empty cell (cells are already trimmed, so also a blank one). */
export function isMissing(cell: string): boolean {
  return cell === '';
}

/**
 * "; the header was read as one column containing ";": …" when the header is one column whose
 * name holds another common separator (the file is most likely not comma-separated), else "".
 */
export function separatorHint(columns: readonly string[]): string {
  const separator = columns.length === 1 ? [';', '\t', '|'].find((s) => columns[0].includes(s)) : undefined;
  if (separator === undefined) return '';
  return `; the header was read as one column containing ${JSON.stringify(separator)}: the file looks separated by ${JSON.stringify(separator)} rather than commas`;
}

/**
 * Index of column `name` in the table, or a DataError naming the column and listing the
 * available ones (with a "did you mean" when one differs only by case or by a typo or two).
 * `role` says what the column was wanted for, e.g. "target column".
 */
export function columnIndex(table: Table, name: string, role = 'column'): number {
  const index = table.columns.indexOf(name);
  if (index >= 0) return index;
  const suggestion = closestName(name, table.columns);
  const hint = suggestion === undefined ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`;
  throw new DataError(
    { source: table.source, column: name, value: name },
    `no ${role} ${JSON.stringify(name)}${hint}; the columns are ${formatNameList(table.columns)}${separatorHint(table.columns)}`,
  );
}

/** The name closest to `wanted` by case-insensitive edit distance, if within 2 edits and under half its length. */
function closestName(wanted: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.ceil(wanted.length / 2));
  for (const name of names) {
    const distance = editDistance(wanted.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** Levenshtein distance (insertions, deletions and substitutions each cost 1). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A table with only the given rows (by index, in that order); cells are shared, not copied. */
export function selectRows(table: Table, indices: ArrayLike<number>): Table {
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let k = 0; k < indices.length; k++) {
    rows.push(table.rows[indices[k]]);
    lines.push(table.lines[indices[k]]);
  }
  return { source: table.source, columns: table.columns, rows, lines };
}

/**
 * Drops every row with a missing value in any of `columns` (default: all columns).
 * Returns the remaining table and the lines of the dropped rows, so a caller can report them.
 */
export function dropRowsWithMissing(table: Table, columns: readonly string[] = table.columns): { table: Table; droppedLines: number[] } {
  const checked = columns.map((name) => columnIndex(table, name));
  const kept: number[] = [];
  const droppedLines: number[] = [];
  table.rows.forEach((row, i) => {
    if (checked.some((j) => isMissing(row[j]))) droppedLines.push(table.lines[i]);
    else kept.push(i);
  });
  return { table: selectRows(table, kept), droppedLines };
}

/**
 * Copies the given rows of a matrix into a new matrix (row k of the result is row indices[k]).
 * Use for a validation set or a fold; training batches should index rows instead of copying.
 */
export function takeRows(matrix: Matrix, indices: ArrayLike<number>): Matrix {
  const { columns } = matrix;
  const data = new Float32Array(indices.length * columns);
  for (let k = 0; k < indices.length; k++) {
    checkRowIndex('takeRows', indices[k], matrix.rows);
    const start = indices[k] * columns;
    data.set(matrix.data.subarray(start, start + columns), k * columns);
  }
  return { data, rows: indices.length, columns };
}

/** Copies the given entries of a label or target array (same array type as the input). */
export function takeValues<T extends Int32Array | Float32Array>(values: T, indices: ArrayLike<number>): T {
  const out = new (values.constructor as { new (length: number): T })(indices.length);
  for (let k = 0; k < indices.length; k++) {
    checkRowIndex('takeValues', indices[k], values.length);
    out[k] = values[indices[k]];
  }
  return out;
}

function checkRowIndex(where: string, index: number, rowCount: number): void {
  if (!(Number.isInteger(index) && index >= 0 && index < rowCount)) {
    throw new ValueError(`${where}: row index must be an integer in [0, ${rowCount}), got ${index}`);
  }
}
