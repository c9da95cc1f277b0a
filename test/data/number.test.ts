import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FLOAT32_MAX, formatFloat32, numberProblem, parseStrictNumber } from '../../src/data/index.js';

test('parseStrictNumber accepts plain decimals', () => {
  const cases: [string, number][] = [
    ['0', 0], ['-0', -0], ['+7', 7], ['3.25', 3.25], ['.5', 0.5], ['5.', 5], ['-1e3', -1000], ['2.5E-2', 0.025],
    ['007', 7], ['1e-400', 0], ['1.7976931348623157e308', 1.7976931348623157e308],
  ];
  for (const [text, value] of cases) assert.equal(parseStrictNumber(text), value, text);
});

test('parseStrictNumber rejects what Number() would let through, each with its reason', () => {
  const cases: [string, string][] = [
    ['', 'empty'],
    ['   ', 'only whitespace'],
    ['\t', 'only whitespace'],
    [' 1', 'surrounding whitespace'],
    ['0x10', 'hexadecimal, binary and octal literals are not accepted'],
    ['0b1', 'hexadecimal, binary and octal literals are not accepted'],
    ['-0o7', 'hexadecimal, binary and octal literals are not accepted'],
    ['1e999', 'overflows to Infinity'],
    ['-1e999', 'overflows to Infinity'],
    ['3.2abc', 'text after the number'],
    ['1.2.3', 'text after the number'],
    ['NaN', 'NaN and Infinity are not accepted'],
    ['nan', 'NaN and Infinity are not accepted'],
    ['Infinity', 'NaN and Infinity are not accepted'],
    ['-inf', 'NaN and Infinity are not accepted'],
    ['1_000', 'digit separators are not accepted'],
    ['3,5', 'decimal commas are not accepted (use a point)'],
    ['abc', 'not a decimal number'],
    ['.', 'not a decimal number'],
    ['e5', 'not a decimal number'],
    ['+', 'not a decimal number'],
    ['١٢', 'not a decimal number'], // Arabic-Indic digits
  ];
  for (const [text, reason] of cases) {
    assert.equal(parseStrictNumber(text), null, JSON.stringify(text));
    assert.equal(numberProblem(text), reason, JSON.stringify(text));
  }
  assert.equal(numberProblem('12.5'), null);
});

test('property: every finite double printed by JavaScript parses back to itself', () => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
    assert.equal(parseStrictNumber(String(value)), value === 0 ? 0 : value);
    assert.equal(parseStrictNumber(value.toExponential()), value === 0 ? 0 : value);
  }));
});

test('formatFloat32 gives the shortest text that reads back as the same float32', () => {
  assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  assert.equal(formatFloat32(3), '3');
  assert.equal(formatFloat32(-0), '-0');
  assert.equal(formatFloat32(1e9), '1000000000');
  assert.equal(formatFloat32(123456789), '123456790'); // float32 holds 123456792
  assert.equal(formatFloat32(-2.5), '-2.5');
  assert.equal(formatFloat32(FLOAT32_MAX), '3.4028235e+38');
  fc.assert(fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (value) => {
    const text = formatFloat32(value);
    assert.equal(Math.fround(Number(text)), Math.fround(value));
    const significantDigits = text.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').replace(/0+$/, '');
    assert.ok(significantDigits.length <= 9, text);
  }));
});
