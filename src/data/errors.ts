import { BackpropError, formatValue } from '../util/errors.js';

/** Where in a data set a problem sits; every field but `source` is optional. */
export interface DataLocation {
  /** The name the caller gave the text: a file name, "stdin", "iris.csv". */
  source: string;
  /** 1-based line of the file where the offending record starts. */
  line?: number;
  /** The column's name, or its 1-based position when it has no usable name. */
  column?: string | number;
  /** The offending cell or value, exactly as found. */
  value?: unknown;
}

/**
 * A problem with the data itself (not with an option): an empty file, a ragged row, a cell that
 * is not a number, a column the model needs but the data lacks. The message starts with the
 * location, e.g. `iris.csv, line 7, column "sepal_length": "3.2abc" is not a number (text after
 * the number)`, and the same facts are kept as fields for programs (the CLI, the playground).
 */
export class DataError extends BackpropError {
  override name = 'DataError';
  readonly source: string;
  readonly line: number | undefined;
  readonly column: string | number | undefined;
  readonly value: unknown;

  constructor(location: DataLocation, problem: string) {
    super(`${formatLocation(location)}: ${problem}`);
    this.source = location.source;
    this.line = location.line;
    this.column = location.column;
    this.value = location.value;
  }
}

/** `iris.csv, line 7, column "x"` (parts that are not known are left out). */
export function formatLocation({ source, line, column }: DataLocation): string {
  let text = source;
  if (line !== undefined) text += `, line ${line}`;
  if (typeof column === 'number') text += `, column ${column}`;
  else if (column !== undefined) text += `, column ${formatValue(column)}`;
  return text;
}

/** Lists names for a message: `"a", "b", "c"`, shortened after `limit` with "… (N in all)". */
export function formatNameList(names: readonly string[], limit = 12): string {
  const shown = names.slice(0, limit).map((name) => formatValue(name)).join(', ');
  return names.length > limit ? `${shown}, … (${names.length} in all)` : shown;
}
