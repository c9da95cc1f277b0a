/**
 * Column types. A column is numeric when every non-missing cell is a strict decimal number
 * (see number.ts), categorical when none is. When only some are, the rule is:
 *
 * - if at least half of the non-missing cells are numbers, or every non-number cell *looks* like a
 *   number (starts with a digit, a sign, ".5", NaN or Inf: "3.2abc", "0x10", "1e999", "NaN"), the
 *   column is meant to be numeric and the first bad cell is an error naming its line, column and
 *   value;
 * - otherwise the column is categorical (e.g. sizes "S", "M", "L", "10" keep "10" as a category).
 *
 * A column with no number at all is categorical. A caller can force a type per column, which
 * turns off the rule: forced numeric reports the first non-number, forced categorical never fails.
 * Missing (empty) cells take no part in inference; encoding rejects them (see encoder.ts).
 */
import { DataError, formatNameList } from './errors.js';
import { looksNumeric, numberProblem, parseStrictNumber } from './number.js';
import { columnIndex, isMissing, type Table } from './table.js';

export type ColumnType = 'numeric' | 'categorical';

export interface ColumnProfile {
  name: string;
  type: ColumnType;
  /** Cells that are not missing. */
  present: number;
  /** Empty cells. */
  missing: number;
  /** Categorical columns: distinct values sorted by UTF-16 code units (not locale), so "B" < "a". */
  categories?: string[];
}

/**
 * Profiles one column: its type by the rule above (or `forced`), counts, and categories.
 * Throws DataError when the column does not exist, has no values at all, or is numeric with a
 * bad cell.
 */
export function profileColumn(table: Table, name: string, forced?: ColumnType): ColumnProfile {
  const j = columnIndex(table, name);
  let present = 0;
  let numbers = 0;
  let firstBad = -1;
  let allBadLookNumeric = true;
  const distinct = new Set<string>();
  table.rows.forEach((row, i) => {
    const cell = row[j];
    if (isMissing(cell)) return;
    present++;
    distinct.add(cell);
    if (parseStrictNumber(cell) !== null) numbers++;
    else {
      if (firstBad < 0) firstBad = i;
      if (!looksNumeric(cell)) allBadLookNumeric = false;
    }
  });
  const missing = table.rows.length - present;
  if (present === 0) {
    throw new DataError({ source: table.source, column: name }, `the column has no values (all ${missing} cells are empty)`);
  }
  const bad = present - numbers;
  const numeric = forced === 'numeric' || (forced === undefined && numbers > 0 && (bad === 0 || 2 * numbers >= present || allBadLookNumeric));
  if (numeric && bad > 0) {
    const cell = table.rows[firstBad][j];
    const reason = forced === 'numeric'
      ? 'the column was declared numeric'
      : `${numbers} of the column's ${present} values are numbers, so it is read as numeric (declare it categorical to keep it as text)`;
    throw new DataError(
      { source: table.source, line: table.lines[firstBad], column: name, value: cell },
      `${JSON.stringify(cell)} is not a number (${numberProblem(cell)}); ${reason}`,
    );
  }
  if (numeric) return { name, type: 'numeric', present, missing };
  return { name, type: 'categorical', present, missing, categories: [...distinct].sort(compareCodeUnits) };
}

/** Profiles every column of the table; `types` forces the type of named columns. */
export function profileColumns(table: Table, types: Readonly<Record<string, ColumnType>> = {}): ColumnProfile[] {
  checkTypeOverrides(table, types);
  return table.columns.map((name) => profileColumn(table, name, types[name]));
}

/** Rejects overrides for columns the table lacks and types other than numeric/categorical. */
export function checkTypeOverrides(table: Table, types: Readonly<Record<string, ColumnType>>): void {
  for (const [name, type] of Object.entries(types)) {
    if (!table.columns.includes(name)) {
      throw new DataError({ source: table.source, column: name }, `the column types name a column the data lacks; the columns are ${formatNameList(table.columns)}`);
    }
    if (type !== 'numeric' && type !== 'categorical') {
      throw new DataError({ source: table.source, column: name, value: type }, `column type must be "numeric" or "categorical", got ${JSON.stringify(type)}`);
    }
  }
}

/** Orders strings by UTF-16 code units, the same in every locale. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
