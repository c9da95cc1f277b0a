import { ValueError, formatValue } from '../util/errors.js';

/**
 * Validation shared by the optimisers and schedules. Every message has the form
 * "<where>: <option> must be <requirement>, got <value>", e.g. "Adam: beta1 must be in [0, 1), got 1.5".
 */

function fail(where: string, option: string, requirement: string, value: unknown): never {
  throw new ValueError(`${where}: ${option} must be ${requirement}, got ${formatValue(value)}`);
}

/** A finite number in the interval written as `[low, high)`, `(low, high]`, etc. */
export function checkInterval(
  where: string,
  option: string,
  value: unknown,
  low: number,
  high: number,
  { lowOpen = false, highOpen = false }: { lowOpen?: boolean; highOpen?: boolean } = {},
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (lowOpen ? value > low : value >= low) &&
    (highOpen ? value < high : value <= high);
  if (!ok) fail(where, option, `in ${lowOpen ? '(' : '['}${low}, ${high}${highOpen ? ')' : ']'}`, value);
  return value as number;
}

/** A finite number >= 0 (or > 0 when `positive`). */
export function checkNonNegative(where: string, option: string, value: unknown, positive = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (positive ? value > 0 : value >= 0);
  if (!ok) fail(where, option, positive ? 'a finite number > 0' : 'a finite number >= 0', value);
  return value as number;
}

/** An integer >= `min`. */
export function checkInteger(where: string, option: string, value: unknown, min: number): number {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) fail(where, option, `an integer >= ${min}`, value);
  return value as number;
}

export function checkBoolean(where: string, option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') fail(where, option, 'true or false', value);
  return value;
}

/** One of the listed strings. */
export function checkChoice<T extends string>(where: string, option: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) fail(where, option, `one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`, value);
  return value as T;
}

/** Rejects keys of `options` that are not in `valid` (catches typos such as `learningRate`). */
export { checkKnownKeys } from '../util/errors.js';

/**
 * Numbers for a JSON document. JSON has no NaN or ±Infinity (JSON.stringify writes null), so
 * those are written as the strings "NaN", "Infinity" and "-Infinity"; every finite float32 or
 * float64 value survives JSON.stringify → JSON.parse exactly (the shortest round-trip decimal).
 */
export type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export function encodeNumber(value: number): JsonNumber {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

export function decodeNumber(where: string, value: unknown): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  throw new ValueError(`${where}: expected a number, got ${formatValue(value)}`);
}

export function encodeArray(values: ArrayLike<number>): JsonNumber[] {
  const out: JsonNumber[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = encodeNumber(values[i]);
  return out;
}
