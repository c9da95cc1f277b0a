/**
 * Turning a table into numbers for a network, with an encoder that is fitted once, stored as plain
 * JSON next to the model, and applied to new rows so `predict` takes raw CSV.
 *
 * Features, in the order of `Encoder.features`:
 * - numeric column `x` → one output column named `x`, the value as is;
 * - categorical column `c` with sorted categories k₁ … kₘ → m one-hot columns named `c=k₁` … `c=kₘ`
 *   (all m are kept, none dropped: a network does not need a reference category).
 * Target:
 * - classification → class index in 0 … C−1 (Int32Array) into `target.classes`;
 * - regression → the number (Float32Array).
 *
 * Missing values: an empty cell in a feature or target column is an error naming source, line,
 * column and value; nothing is imputed. `dropRowsWithMissing` (table.ts) removes such rows first
 * when a caller wants that.
 */
import { DataError, formatNameList } from './errors.js';
import { checkTypeOverrides, compareCodeUnits, profileColumn, type ColumnType } from './infer.js';
import { FLOAT32_MAX, numberProblem, parseStrictNumber } from './number.js';
import { columnIndex, isMissing, type Matrix, type Table } from './table.js';

export type Task = 'classification' | 'regression';

export type FeatureEncoding = { name: string; type: 'numeric' } | { name: string; type: 'categorical'; categories: string[] };

export type TargetEncoding =
  /** `classes[i]` is the label of class i. With `labelsAreNumbers`, cells are matched by numeric
   * value ("1.0" is class "1") and the labels are the numbers' shortest text, in numeric order;
   * otherwise cells are matched as text and the labels are sorted by code units. */
  | { name: string; task: 'classification'; classes: string[]; labelsAreNumbers: boolean }
  | { name: string; task: 'regression' };

/** Everything needed to encode new rows the way the training rows were encoded. Plain JSON. */
export interface Encoder {
  format: 'backprop-encoder';
  version: 1;
  features: FeatureEncoding[];
  /** Names of the encoded columns in order: `x` for a numeric feature, `c=k` for one-hot ones. */
  featureNames: string[];
  target: TargetEncoding;
}

export interface EncoderOptions {
  /** Name of the target column. */
  target: string;
  /** 'auto' (default) infers the task with the rule of `inferTask`. */
  task?: Task | 'auto';
  /** Feature columns, in this order. Default: every column but the target, in file order. */
  features?: readonly string[];
  /** Forces the type of named columns (see infer.ts for the rule otherwise applied). */
  types?: Readonly<Record<string, ColumnType>>;
  /** Largest number of categories a categorical feature may have (each is one column). Default 100. */
  maxCategories?: number;
}

/** Classification when a numeric target has at most this many distinct integer values … */
export const MAX_INTEGER_CLASSES = 20;

/**
 * The task a target column asks for: classification when the column is categorical, or when it is
 * numeric with only integer values, at most 20 distinct ones, and at most half as many distinct
 * values as non-missing rows (so 4 rows of xor labels 0/1 are classes, 10 distinct counts in 12
 * rows are not); regression otherwise. `reason` says which part of the rule decided.
 */
export function inferTask(table: Table, target: string, types: Readonly<Record<string, ColumnType>> = {}): { task: Task; reason: string } {
  const profile = profileColumn(table, target, types[target]);
  if (profile.type === 'categorical') return { task: 'classification', reason: `target ${JSON.stringify(target)} is categorical` };
  const distinct = distinctNumbers(table, columnIndex(table, target));
  const integers = distinct.every(Number.isInteger);
  const quoted = JSON.stringify(target);
  if (integers && distinct.length <= MAX_INTEGER_CLASSES && 2 * distinct.length <= profile.present) {
    return { task: 'classification', reason: `target ${quoted} has ${distinct.length} distinct integer values in ${profile.present} rows` };
  }
  const why = !integers ? 'has non-integer values' : distinct.length > MAX_INTEGER_CLASSES ? `has ${distinct.length} distinct values (more than ${MAX_INTEGER_CLASSES})` : `has ${distinct.length} distinct values in only ${profile.present} rows`;
  return { task: 'regression', reason: `target ${quoted} is numeric and ${why}` };
}

/** Fits an encoder to a table: column types, categories, the task and the class labels. */
export function fitEncoder(table: Table, options: EncoderOptions): Encoder {
  const { target, types = {}, maxCategories = 100 } = options;
  const source = table.source;
  if (!(Number.isInteger(maxCategories) && maxCategories >= 1)) {
    throw new DataError({ source, value: maxCategories }, `maxCategories must be an integer >= 1, got ${maxCategories}`);
  }
  const taskOption = options.task ?? 'auto';
  if (taskOption !== 'auto' && taskOption !== 'classification' && taskOption !== 'regression') {
    throw new DataError({ source, value: taskOption }, `task must be "classification", "regression" or "auto", got ${JSON.stringify(taskOption)}`);
  }
  checkTypeOverrides(table, types);
  const targetIndex = columnIndex(table, target, 'target column');
  const featureNames = options.features ?? table.columns.filter((name) => name !== target);
  checkFeatureList(table, featureNames, target);

  const features: FeatureEncoding[] = featureNames.map((name) => {
    const profile = profileColumn(table, name, types[name]);
    if (profile.type === 'numeric') return { name, type: 'numeric' };
    const categories = profile.categories ?? [];
    if (categories.length > maxCategories) {
      throw new DataError(
        { source, column: name, value: categories.length },
        `the column has ${categories.length} distinct values, more than maxCategories (${maxCategories}); one-hot encoding would add a column for each (leave the column out, or raise the limit)`,
      );
    }
    return { name, type: 'categorical', categories };
  });

  const task = taskOption === 'auto' ? inferTask(table, target, types).task : taskOption;
  let targetEncoding: TargetEncoding;
  if (task === 'regression') {
    requireNumericTarget(table, targetIndex);
    targetEncoding = { name: target, task };
  } else {
    const profile = profileColumn(table, target, types[target]);
    const labelsAreNumbers = profile.type === 'numeric';
    if (labelsAreNumbers) requireIntegerLabels(table, targetIndex);
    const classes = labelsAreNumbers ? distinctNumbers(table, targetIndex).map(String) : (profile.categories ?? []);
    if (classes.length < 2) {
      throw new DataError({ source, column: target, value: classes[0] }, `the target has a single class ${JSON.stringify(classes[0])}; classification needs at least two`);
    }
    targetEncoding = { name: target, task, classes, labelsAreNumbers };
  }
  return { format: 'backprop-encoder', version: 1, features, featureNames: encodedNames(features, source), target: targetEncoding };
}

function checkFeatureList(table: Table, names: readonly string[], target: string): void {
  const source = table.source;
  if (names.length === 0) throw new DataError({ source }, `no feature columns: the only column is the target ${JSON.stringify(target)}`);
  const seen = new Set<string>();
  for (const name of names) {
    columnIndex(table, name, 'feature column');
    if (name === target) throw new DataError({ source, column: name }, 'the target column cannot also be a feature');
    if (seen.has(name)) throw new DataError({ source, column: name }, 'the column is listed twice among the features');
    seen.add(name);
  }
}

function requireNumericTarget(table: Table, j: number): void {
  table.rows.forEach((row, i) => {
    const cell = row[j];
    if (!isMissing(cell) && parseStrictNumber(cell) === null) {
      throw new DataError(
        { source: table.source, line: table.lines[i], column: table.columns[j], value: cell },
        `${JSON.stringify(cell)} is not a number (${numberProblem(cell)}); a regression target must be numeric`,
      );
    }
  });
}

/** Distinct numeric values of a column (missing cells skipped), ascending. */
/**
 * A numeric target taken as classes must hold integers (class codes): a value like 0.37 means a
 * continuous target, which would make every distinct value a class (scikit-learn refuses it too).
 * A column of non-integer codes can still be classes when declared categorical.
 */
function requireIntegerLabels(table: Table, j: number): void {
  for (let i = 0; i < table.rows.length; i++) {
    const cell = table.rows[i][j];
    const value = isMissing(cell) ? null : parseStrictNumber(cell);
    if (value !== null && !Number.isInteger(value)) {
      throw new DataError(
        { source: table.source, line: table.lines[i], column: table.columns[j], value: cell },
        `${JSON.stringify(cell)} is not an integer: the target is continuous, so its values cannot be class labels; use task regression (--task regression), or declare the column categorical (types, --categorical) if these numbers name classes`,
      );
    }
  }
}

function distinctNumbers(table: Table, j: number): number[] {
  const values = new Set<number>();
  for (const row of table.rows) {
    const value = isMissing(row[j]) ? null : parseStrictNumber(row[j]);
    if (value !== null) values.add(value === 0 ? 0 : value); // -0 and 0 are one class
  }
  return [...values].sort((a, b) => a - b);
}

/** The encoded column names; throws if two coincide (e.g. a column literally named "c=k"). */
export function encodedNames(features: readonly FeatureEncoding[], source: string): string[] {
  const names = features.flatMap((f) => (f.type === 'numeric' ? [f.name] : f.categories.map((k) => `${f.name}=${k}`)));
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new DataError({ source, column: name }, `two encoded columns would both be named ${JSON.stringify(name)}; rename a column`);
    seen.add(name);
  }
  return names;
}

/** The result of encoding a table: features, and the target when it was asked for and present. */
export interface EncodedData {
  /** rows × encoder.featureNames.length, row-major float32. */
  x: Matrix;
  /** Class indices (classification) or values (regression); null when the target was not encoded. */
  y: Int32Array | Float32Array | null;
  /** lines[i]: the line of the source where row i starts. */
  lines: number[];
  source: string;
}

/**
 * Encodes a table with a fitted encoder. The table's columns are found by name (order and extra
 * columns do not matter). `target`: 'required' (default: training, evaluation) fails when the
 * target column is absent; 'optional' encodes it when present (y is null otherwise); 'ignore'
 * never reads it (prediction). Fails with a DataError naming source, line, column and value on a
 * missing column, an empty cell, a non-number in a numeric column, a number beyond float32's
 * range, or a category or class the encoder has not seen.
 */
export function encodeTable(encoder: Encoder, table: Table, { target = 'required' }: { target?: 'required' | 'optional' | 'ignore' } = {}): EncodedData {
  const source = table.source;
  const absent = encoder.features.map((f) => f.name).filter((name) => !table.columns.includes(name));
  if (absent.length > 0) {
    throw new DataError(
      { source, column: absent[0] },
      `the data lacks ${absent.length === 1 ? 'a column' : 'columns'} the model needs: ${formatNameList(absent)}; its columns are ${formatNameList(table.columns)}`,
    );
  }
  const rowCount = table.rows.length;
  const width = encoder.featureNames.length;
  const data = new Float32Array(rowCount * width);
  let offset = 0;
  for (const feature of encoder.features) {
    const j = table.columns.indexOf(feature.name);
    if (feature.type === 'numeric') {
      for (let i = 0; i < rowCount; i++) data[i * width + offset] = readNumber(table, i, j);
      offset += 1;
    } else {
      const position = new Map(feature.categories.map((category, k) => [category, k]));
      for (let i = 0; i < rowCount; i++) {
        const k = position.get(readCell(table, i, j));
        if (k === undefined) throw unknownValue(table, i, j, 'category', feature.categories);
        data[i * width + offset + k] = 1;
      }
      offset += feature.categories.length;
    }
  }
  const wantTarget = target === 'required' || (target === 'optional' && table.columns.includes(encoder.target.name));
  const y = wantTarget ? encodeTarget(encoder.target, table) : null;
  return { x: { data, rows: rowCount, columns: width }, y, lines: table.lines, source };
}

function encodeTarget(targetEncoding: TargetEncoding, table: Table): Int32Array | Float32Array {
  const j = columnIndex(table, targetEncoding.name, 'target column');
  const rowCount = table.rows.length;
  if (targetEncoding.task === 'regression') {
    const values = new Float32Array(rowCount);
    for (let i = 0; i < rowCount; i++) values[i] = readNumber(table, i, j);
    return values;
  }
  const { classes, labelsAreNumbers } = targetEncoding;
  const position = new Map(classes.map((label, k) => [label, k]));
  const labels = new Int32Array(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const cell = readCell(table, i, j);
    const number = labelsAreNumbers ? parseStrictNumber(cell) : null;
    const k = position.get(number === null ? cell : String(number === 0 ? 0 : number));
    if (k === undefined) throw unknownValue(table, i, j, 'class', classes);
    labels[i] = k;
  }
  return labels;
}

/** The cell at row i, column j; an empty one is an error. */
function readCell(table: Table, i: number, j: number): string {
  const cell = table.rows[i][j];
  if (isMissing(cell)) {
    throw new DataError({ source: table.source, line: table.lines[i], column: table.columns[j], value: cell }, 'missing value (empty cell); fill it in or drop the row');
  }
  return cell;
}

function readNumber(table: Table, i: number, j: number): number {
  const cell = readCell(table, i, j);
  const value = parseStrictNumber(cell);
  const location = { source: table.source, line: table.lines[i], column: table.columns[j], value: cell };
  if (value === null) throw new DataError(location, `${JSON.stringify(cell)} is not a number (${numberProblem(cell)})`);
  if (Math.abs(value) > FLOAT32_MAX) throw new DataError(location, `${cell} is beyond float32's range (±${FLOAT32_MAX})`);
  return value;
}

function unknownValue(table: Table, i: number, j: number, what: 'category' | 'class', known: readonly string[]): DataError {
  const cell = table.rows[i][j];
  return new DataError(
    { source: table.source, line: table.lines[i], column: table.columns[j], value: cell },
    `unknown ${what} ${JSON.stringify(cell)}; the model knows ${formatNameList([...known].sort(compareCodeUnits))}`,
  );
}

/** Which encoded columns came from numeric features (true) rather than one-hot (false): scale those. */
export function numericColumnMask(encoder: Encoder): boolean[] {
  return encoder.features.flatMap((f) => (f.type === 'numeric' ? [true] : f.categories.map(() => false)));
}

/** The label of class `index` (classification encoders only). */
export function classLabel(encoder: Encoder, index: number): string {
  if (encoder.target.task !== 'classification') throw new DataError({ source: 'encoder', column: encoder.target.name }, 'classLabel: the target is a regression target, it has no classes');
  const label = encoder.target.classes[index];
  if (label === undefined) throw new DataError({ source: 'encoder', column: encoder.target.name, value: index }, `class index must be an integer in [0, ${encoder.target.classes.length}), got ${index}`);
  return label;
}
