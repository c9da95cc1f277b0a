import { BackpropError, formatValue } from '../util/errors.js';

/**
 * A document that does not follow its format. `path` names the field, as in the message
 * "layers[1].weights[2][0]: expected a finite number, got "abc"" (path "layers[1].weights[2][0]").
 */
export class DocumentError extends BackpropError {
  override name = 'DocumentError';
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
  }
}

/** Any value JSON can hold. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** `path.key`, or `path["odd key"]` when the key is not an identifier. */
export function fieldPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

export function describe(value: unknown): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return formatValue(value);
}

export function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new DocumentError(path, `expected an object, got ${describe(value)}`);
  return value as Record<string, unknown>;
}

export function expectArray(value: unknown, path: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw new DocumentError(path, `expected ${what}, got ${describe(value)}`);
  return value;
}

/** Rejects fields other than `allowed` (typos such as "weight" for "weights" must not pass silently). */
export function expectOnlyKeys(object: Record<string, unknown>, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) throw new DocumentError(fieldPath(path, key), `unknown field; expected one of ${allowed.map((k) => JSON.stringify(k)).join(', ')}`);
  }
}

export function expectInteger(value: unknown, path: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new DocumentError(path, `expected an integer >= ${min}, got ${describe(value)}`);
  return value;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new DocumentError(path, `expected true or false, got ${describe(value)}`);
  return value;
}

/** A finite number that, for float32, also stays finite when rounded to float32. */
export function expectFloat(value: unknown, path: string, float32: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new DocumentError(path, `expected a finite number, got ${describe(value)}`);
  if (float32 && !Number.isFinite(Math.fround(value))) throw new DocumentError(path, `${value} is outside the float32 range (about ±3.4e38)`);
  return value;
}

/**
 * A deep copy of a JSON object, checking that it holds only what JSON can represent exactly
 * (finite numbers, strings, booleans, null, arrays, plain objects): a NaN would otherwise be
 * written as null without a word.
 */
export function copyJsonObject(value: unknown, path: string): JsonObject {
  return copyJson(expectObject(value, path), path) as JsonObject;
}

function copyJson(value: unknown, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DocumentError(path, `expected a finite number (JSON has no ${value}), got ${value}`);
    return value;
  }
  if (Array.isArray(value)) return value.map((item, i) => copyJson(item, `${path}[${i}]`));
  if (typeof value === 'object' && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const copy: JsonObject = {};
    for (const [key, item] of Object.entries(value)) {
      // defineProperty, because assigning a "__proto__" key (which JSON.parse can produce) would set the prototype.
      if (item !== undefined) Object.defineProperty(copy, key, { value: copyJson(item, fieldPath(path, key)), enumerable: true, writable: true, configurable: true });
    }
    return copy;
  }
  throw new DocumentError(path, `expected a JSON value (number, string, boolean, null, array or plain object), got ${describe(value)}`);
}
