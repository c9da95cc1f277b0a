/**
 * The playground's settings (web/settings.ts): text from the address or the form is read strictly,
 * every bad value is refused with a message naming the setting and the value, nothing is coerced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueError } from '../../src/index.js';
import { DEFAULT_SETTINGS, settingsToText } from '../../web/protocol.js';
import type { PlaygroundSettings } from '../../web/protocol.js';
import { parseSettings } from '../../web/settings.js';

const WIDTHS = 'must be a list of positive integer widths such as 64,32';

test('no settings given are the defaults; settings written as text read back the same', () => {
  assert.deepEqual(parseSettings([]), DEFAULT_SETTINGS);
  assert.deepEqual(parseSettings(settingsToText(DEFAULT_SETTINGS)), DEFAULT_SETTINGS);
  const other: PlaygroundSettings = {
    dataset: 'blobs', noise: 0, points: 10, hidden: [], activation: 'relu', optimizer: 'adamw', lr: 1e-7,
    batchSize: 1, epochs: 1, l2: 0.0005, dropout: 0.5, seed: 4294967295,
  };
  assert.deepEqual(parseSettings(settingsToText(other)), other);
  assert.equal(settingsToText(other).find(([name]) => name === 'hidden')![1], 'none');
});

test('good settings are parsed as written, the others kept at their defaults', () => {
  const settings = parseSettings([['dataset', 'moons'], ['hidden', ' 8, 4 '], ['lr', '1e-3'], ['seed', '0'], ['epochs', '60'], ['optimizer', 'sgd']]);
  assert.deepEqual(settings, { ...DEFAULT_SETTINGS, dataset: 'moons', hidden: [8, 4], lr: 0.001, seed: 0, epochs: 60, optimizer: 'sgd' });
  assert.deepEqual(parseSettings([['hidden', 'none']]).hidden, []);
});

// [setting, text, the whole message]
const REFUSED: [string, string, string][] = [
  ['hidden', 'abc', `hidden: ${WIDTHS}, got "abc"`],
  ['hidden', '16;16', `hidden: ${WIDTHS}, got "16;16"`],
  ['hidden', '16,abc,16', `hidden: ${WIDTHS}, got "16,abc,16"`],
  ['hidden', '16,,16', `hidden: ${WIDTHS}, got "16,,16"`],
  ['hidden', '16,0', `hidden: ${WIDTHS}, got "16,0"`],
  ['hidden', '1.5', `hidden: ${WIDTHS}, got "1.5"`],
  ['hidden', '-4', `hidden: ${WIDTHS}, got "-4"`],
  ['hidden', '', `hidden: ${WIDTHS}, or none for no hidden layer, got ""`],
  ['lr', 'abc', 'lr: must be a number, got "abc"'],
  ['lr', '', 'lr: must be a number, got ""'],
  ['lr', '0', 'lr: must be a number > 0, got 0'],
  ['lr', '-1', 'lr: must be a number > 0, got -1'],
  ['lr', 'Infinity', 'lr: must be a number, got "Infinity"'],
  ['lr', 'NaN', 'lr: must be a number, got "NaN"'],
  ['lr', '1e999', 'lr: must be a number, got "1e999"'],
  ['lr', '0x10', 'lr: must be a number, got "0x10"'],
  ['seed', 'abc', 'seed: must be a number, got "abc"'],
  ['seed', '', 'seed: must be a number, got ""'],
  ['seed', '1.5', 'seed: must be an integer in [0, 4294967295], got 1.5'],
  ['seed', '-1', 'seed: must be an integer in [0, 4294967295], got -1'],
  ['seed', '4294967296', 'seed: must be an integer in [0, 4294967295], got 4294967296'],
  ['dataset', 'foo', 'dataset: must be one of spiral, xor, circles, moons, blobs, got "foo"'],
  ['dataset', 'sin', 'dataset: must be one of spiral, xor, circles, moons, blobs, got "sin"'],
  ['dataset', '', 'dataset: must be one of spiral, xor, circles, moons, blobs, got ""'],
  ['dataset', 'constructor', 'dataset: must be one of spiral, xor, circles, moons, blobs, got "constructor"'],
  ['epochs', 'abc', 'epochs: must be a number, got "abc"'],
  ['epochs', '', 'epochs: must be a number, got ""'],
  ['epochs', '0', 'epochs: must be an integer >= 1, got 0'],
  ['epochs', '2.5', 'epochs: must be an integer >= 1, got 2.5'],
  ['batchSize', '', 'batchSize: must be a number, got ""'],
  ['batchSize', '0', 'batchSize: must be an integer >= 1, got 0'],
  ['batchSize', '1.5', 'batchSize: must be an integer >= 1, got 1.5'],
  ['l2', 'abc', 'l2: must be a number, got "abc"'],
  ['l2', '-1', 'l2: must be a number >= 0, got -1'],
  ['dropout', '', 'dropout: must be a number, got ""'],
  ['dropout', '1', 'dropout: must be a drop rate in [0, 1), got 1'],
  ['dropout', '-0.1', 'dropout: must be a drop rate in [0, 1), got -0.1'],
  ['noise', 'abc', 'noise: must be a number, got "abc"'],
  ['noise', '', 'noise: must be a number, got ""'],
  ['noise', '-1', 'noise: must be a number >= 0, got -1'],
  ['points', 'abc', 'points: must be a number, got "abc"'],
  ['points', '', 'points: must be a number, got ""'],
  ['points', '5', 'points: must be an integer in [10, 10000000], got 5'],
  ['points', '100.5', 'points: must be an integer in [10, 10000000], got 100.5'],
  ['optimizer', 'foo', 'optimizer: must be one of sgd, adagrad, rmsprop, adam, adamw, got "foo"'],
  ['optimizer', '', 'optimizer: must be one of sgd, adagrad, rmsprop, adam, adamw, got ""'],
];

test('every bad setting is refused with a message naming the setting and its value', () => {
  for (const [setting, text, message] of REFUSED) {
    assert.throws(() => parseSettings([[setting, text]]), (error: Error) => {
      assert.ok(error instanceof ValueError, `${setting}=${text}: ${error}`);
      assert.equal(error.message, message, `${setting}=${text}`);
      return true;
    });
  }
});

test('a bad activation is refused with the known names', () => {
  for (const text of ['foo', '']) {
    assert.throws(() => parseSettings([['activation', text]]), (error: Error) => {
      assert.match(error.message, new RegExp(`^activation: must be a known activation; expected one of .*"tanh".*, got ${JSON.stringify(text)}$`));
      return true;
    });
  }
});

test('an unknown or repeated setting is refused', () => {
  assert.throws(() => parseSettings([['hiden', '8']]), {
    name: 'ValueError',
    message: 'unknown setting "hiden"; the settings are dataset, noise, points, hidden, activation, optimizer, lr, batchSize, epochs, l2, dropout, seed',
  });
  assert.throws(() => parseSettings([['lr', '0.1'], ['lr', '0.2']]), { message: 'lr: given twice, "0.1" and "0.2"' });
});
