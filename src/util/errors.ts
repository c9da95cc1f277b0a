/**
 * Errors raised by backprop. Every message names the operation or option and the bad value,
 * so a user can fix the call without reading our source.
 */

/** A caller passed something invalid: a bad option value, a shape mismatch, a malformed document. */
export class BackpropError extends Error {
  override name = 'BackpropError';
}

/** Shapes that do not fit the operation, e.g. "matmul: [32,784] × [256,128]: inner sizes 784 and 256 differ". */
export class ShapeError extends BackpropError {
  override name = 'ShapeError';
}

/** A numeric option or argument outside its valid range, e.g. "SGD: invalid learning rate: -1". */
export class ValueError extends BackpropError {
  override name = 'ValueError';
}

/** Formats a shape the way every message in the library shows it: [32,784]. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Formats a user-supplied value for an error message: strings quoted, objects as short JSON. */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === undefined || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    const text = JSON.stringify(value);
    return text.length > 80 ? text.slice(0, 77) + '...' : text;
  } catch {
    return String(value);
  }
}

/** Throws a ValueError "<where>: <option> must be <requirement>, got <value>" unless `ok`. */
export function check(ok: boolean, where: string, option: string, requirement: string, value: unknown): void {
  if (!ok) throw new ValueError(`${where}: ${option} must be ${requirement}, got ${formatValue(value)}`);
}

/** Checks a finite number, optionally bounded; bounds are inclusive unless `exclusiveMin`. */
export function checkNumber(
  where: string,
  option: string,
  value: unknown,
  { min = -Infinity, max = Infinity, exclusiveMin = false, exclusiveMax = false, integer = false }: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean; integer?: boolean } = {},
): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (exclusiveMin ? value > min : value >= min) &&
    (exclusiveMax ? value < max : value <= max) &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const parts: string[] = [integer ? 'an integer' : 'a finite number'];
    if (min > -Infinity) parts.push(`${exclusiveMin ? '>' : '>='} ${min}`);
    if (max < Infinity) parts.push(`${exclusiveMax ? '<' : '<='} ${max}`);
    check(false, where, option, parts.join(' '), value);
  }
  return value as number;
}

/** Rejects option keys not in `valid` (a misspelt option would otherwise be ignored silently). */
export function checkKnownKeys(where: string, options: object, valid: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) throw new ValueError(`${where}: unknown option ${JSON.stringify(key)}; valid options: ${valid.join(', ')}`);
  }
}
