/**
 * Train/validation splits, k-fold cross-validation and mini-batch order, all drawn from an `Rng`
 * so that one seed reproduces them. Every function returns row indices into the data set
 * (Int32Array, ascending within each part); nothing copies the data.
 */
import { ValueError, checkNumber } from '../util/errors.js';
import type { Rng } from '../util/rng.js';

/** Row indices of a training part and a validation part; together they are every row once. */
export interface Split {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Random train/validation split: round(validationFraction · rowCount) rows, chosen uniformly
 * (a seeded Fisher–Yates permutation), go to validation. Both parts must be non-empty.
 */
export function trainValidationSplit(rowCount: number, validationFraction: number, rng: Rng): Split {
  checkNumber('trainValidationSplit', 'rowCount', rowCount, { min: 2, integer: true });
  const validationCount = validationSize('trainValidationSplit', rowCount, validationFraction);
  const order = rng.permutation(rowCount);
  return complementSplit(rowCount, order.subarray(0, validationCount));
}

/**
 * Stratified train/validation split for class labels 0 … C−1: each class c with n_c rows sends
 * ⌊f·n_c⌋ rows to validation, and the rows still needed to reach round(f·n) in all go to the
 * classes with the largest remainders f·n_c − ⌊f·n_c⌋ (ties: lower class first), preferring
 * classes that keep at least one training row. Within a class the rows are chosen at random.
 */
export function stratifiedTrainValidationSplit(labels: ArrayLike<number>, validationFraction: number, rng: Rng): Split {
  const where = 'stratifiedTrainValidationSplit';
  const rowCount = labels.length;
  checkNumber(where, 'labels.length', rowCount, { min: 2, integer: true });
  const validationCount = validationSize(where, rowCount, validationFraction);
  const members = rowsByClass(where, labels);
  const quota = members.map((rows) => Math.floor(validationFraction * rows.length));
  let remaining = validationCount - quota.reduce((a, b) => a + b, 0);
  const byRemainder = members
    .map((rows, c) => ({ c, remainder: validationFraction * rows.length - quota[c], keepsTraining: quota[c] + 1 < rows.length }))
    .filter(({ c }) => quota[c] < members[c].length)
    .sort((a, b) => Number(b.keepsTraining) - Number(a.keepsTraining) || b.remainder - a.remainder || a.c - b.c);
  for (const { c } of byRemainder) {
    if (remaining <= 0) break;
    quota[c]++;
    remaining--;
  }
  const validation: number[] = [];
  members.forEach((rows, c) => {
    rng.shuffle(rows);
    for (let k = 0; k < quota[c]; k++) validation.push(rows[k]);
  });
  return complementSplit(rowCount, validation);
}

/**
 * k-fold cross-validation: a seeded permutation of the rows is dealt out like cards, row at
 * position p of the permutation to fold p mod k, so fold sizes differ by at most one. Split f
 * validates on fold f and trains on the rest. Requires 2 ≤ folds ≤ rowCount.
 */
export function kFold(rowCount: number, folds: number, rng: Rng): Split[] {
  checkNumber('kFold', 'rowCount', rowCount, { min: 2, integer: true });
  checkNumber('kFold', 'folds', folds, { min: 2, max: rowCount, integer: true });
  return dealFolds(rowCount, rng.permutation(rowCount), folds);
}

/**
 * Stratified k-fold for class labels 0 … C−1: each class's rows are shuffled, the classes are laid
 * end to end, and the sequence is dealt out as in kFold. Every class is then spread as evenly as
 * possible (its count in any two folds differs by at most one) and fold sizes differ by at most
 * one. A class with fewer than k rows is absent from some validation folds. Requires
 * 2 ≤ folds ≤ number of rows.
 */
export function stratifiedKFold(labels: ArrayLike<number>, folds: number, rng: Rng): Split[] {
  const rowCount = labels.length;
  checkNumber('stratifiedKFold', 'labels.length', rowCount, { min: 2, integer: true });
  checkNumber('stratifiedKFold', 'folds', folds, { min: 2, max: rowCount, integer: true });
  const order = new Int32Array(rowCount);
  let position = 0;
  for (const rows of rowsByClass('stratifiedKFold', labels)) {
    rng.shuffle(rows);
    for (const row of rows) order[position++] = row;
  }
  return dealFolds(rowCount, order, folds);
}

/**
 * Consecutive slices of `order` of `batchSize` rows (the last may be shorter), as views into
 * `order` (no copying). Typical use: `for (const batch of batches(rng.permutation(n), 32))`.
 */
export function* batches(order: Int32Array, batchSize: number): Generator<Int32Array, void, undefined> {
  checkNumber('batches', 'batchSize', batchSize, { min: 1, integer: true });
  for (let start = 0; start < order.length; start += batchSize) yield order.subarray(start, Math.min(start + batchSize, order.length));
}

/** Number of batches `batches` yields: ⌈rowCount / batchSize⌉. */
export function batchCount(rowCount: number, batchSize: number): number {
  checkNumber('batchCount', 'batchSize', batchSize, { min: 1, integer: true });
  return Math.ceil(rowCount / batchSize);
}

/**
 * How many of `rowCount` rows a validation fraction holds out: fraction · rowCount rounded to the
 * nearest integer. The splits refuse a fraction that holds out none or all of them.
 */
export function heldOutRows(fraction: number, rowCount: number): number {
  return Math.round(fraction * rowCount);
}

function validationSize(where: string, rowCount: number, fraction: number): number {
  checkNumber(where, 'validationFraction', fraction, { min: 0, max: 1, exclusiveMin: true });
  const count = heldOutRows(fraction, rowCount);
  if (count < 1 || count >= rowCount) {
    throw new ValueError(`${where}: validationFraction ${fraction} of ${rowCount} rows leaves ${count < 1 ? 'no validation' : 'no training'} rows`);
  }
  return count;
}

/** rows[c] lists the rows whose label is c; labels must be integers >= 0. */
function rowsByClass(where: string, labels: ArrayLike<number>): number[][] {
  const members: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!(Number.isInteger(label) && label >= 0)) throw new ValueError(`${where}: labels must be class indices (integers >= 0), got ${label} at row ${i}`);
    while (members.length <= label) members.push([]);
    members[label].push(i);
  }
  return members;
}

function dealFolds(rowCount: number, order: ArrayLike<number>, folds: number): Split[] {
  const members: number[][] = Array.from({ length: folds }, () => []);
  for (let p = 0; p < order.length; p++) members[p % folds].push(order[p]);
  return members.map((validation) => complementSplit(rowCount, validation));
}

function complementSplit(rowCount: number, validationRows: ArrayLike<number>): Split {
  const inValidation = new Uint8Array(rowCount);
  for (let k = 0; k < validationRows.length; k++) inValidation[validationRows[k]] = 1;
  const validation = new Int32Array(validationRows.length);
  const train = new Int32Array(rowCount - validationRows.length);
  let v = 0;
  let t = 0;
  for (let i = 0; i < rowCount; i++) {
    if (inValidation[i]) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}
