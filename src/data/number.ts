/**
 * Strict decimal numbers for CSV cells. JavaScript's `Number()` is far too forgiving for data:
 * `Number('')` and `Number('  ')` are 0, `Number('0x10')` is 16, `Number('1e999')` is Infinity,
 * `Number('Infinity')` is Infinity. A data cell is a number here only when it matches
 *
 *     [+-]? ( digits [ . digits? ] | . digits ) ( [eE] [+-]? digits )?
 *
 * with ASCII digits only, and its value is finite as a double. Surrounding whitespace is not
 * accepted by these functions; the CSV reader trims cells before they get here.
 */

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The cell's value, or null when it is not a strict decimal number (see the module comment). */
export function parseStrictNumber(text: string): number | null {
  if (!DECIMAL.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * Why `text` is not a strict decimal number, in a few words for an error message, or null when
 * it is one. E.g. `'1e999'` → "overflows to Infinity", `'0x10'` → "hexadecimal, binary and octal
 * literals are not accepted".
 */
export function numberProblem(text: string): string | null {
  if (parseStrictNumber(text) !== null) return null;
  if (text === '') return 'empty';
  if (text.trim() === '') return 'only whitespace';
  if (text.trim() !== text) return 'surrounding whitespace';
  if (DECIMAL.test(text)) return 'overflows to Infinity';
  if (/^[+-]?(?:nan|inf|infinity)$/i.test(text)) return 'NaN and Infinity are not accepted';
  if (/^[+-]?0[xXbBoO]/.test(text)) return 'hexadecimal, binary and octal literals are not accepted';
  if (/^[+-]?[\d.]+(?:_\d+)+/.test(text)) return 'digit separators are not accepted';
  if (/^[+-]?\d+,\d+$/.test(text)) return 'decimal commas are not accepted (use a point)';
  if (/^[+-]?(?:\d|\.\d)/.test(text)) return 'text after the number';
  return 'not a decimal number';
}

/** True when `text` looks like someone meant a number (a digit, sign or NaN/Infinity up front). */
export function looksNumeric(text: string): boolean {
  return /^[+-]?(?:\d|\.\d|nan$|inf)/i.test(text);
}

/** The largest finite float32, 3.4028234663852886e38: larger cells would become Infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/**
 * The shortest decimal text that reads back as exactly the same float32 (`Math.fround`), e.g.
 * 0.1 stored as float32 prints as "0.1", not "0.10000000149011612"; 3 prints as "3".
 */
export function formatFloat32(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const target = Math.fround(value);
  if (Object.is(target, -0)) return '-0'; // String(-0) is "0"
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(target.toPrecision(digits)));
    if (Math.fround(Number(text)) === target) return text;
  }
  return String(target);
}
