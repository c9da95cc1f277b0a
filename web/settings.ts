/**
 * The playground's settings from text (the address's parameters or the form's fields; protocol.ts
 * writes them as text). The training settings are fields of the library's TrainingConfig, parsed
 * and checked by its config code (`parseConfigValue`, `resolveConfig`) exactly as the command
 * line's options are; the data settings (dataset, noise, points) are checked here with the same
 * message form, "<setting>: must be <requirement>, got <value>". The worker calls it, so the page
 * script stays free of the library; nothing here touches the page, so Node tests it.
 */
import { parseStrictNumber } from '../src/data/number.js';
import { SYNTHETIC_MAX_ROWS } from '../src/data/synthetic.js';
import { ConfigError, parseConfigValue, resolveConfig } from '../src/train/config.js';
import type { ConfigKey } from '../src/train/config.js';
import { ValueError, formatValue } from '../src/util/errors.js';
import { DEFAULT_SETTINGS, PLAYGROUND_DATA_SETS, SETTING_NAMES } from './protocol.js';
import type { PlaygroundSettings } from './protocol.js';

/** The TrainingConfig field behind each training setting; the page calls the hidden widths "hidden". */
const CONFIG_FIELDS = {
  hidden: 'layers', activation: 'activation', optimizer: 'optimizer', lr: 'lr', batchSize: 'batchSize',
  epochs: 'epochs', l2: 'l2', dropout: 'dropout', seed: 'seed',
} as const satisfies Partial<Record<keyof PlaygroundSettings, ConfigKey>>;

type TrainingSetting = keyof typeof CONFIG_FIELDS;

/** The fewest points: the validation split holds out a fifth of them. */
export const MIN_POINTS = 10;

/** A config field as the page names it in messages. */
function settingName(key: ConfigKey): string {
  return Object.entries(CONFIG_FIELDS).find(([, field]) => field === key)?.[0] ?? key;
}

/** A strict decimal (no '', hex, NaN or Infinity: `Number` would make '' a 0) that `ok` accepts. */
function parseNumber(setting: string, text: string, ok: (value: number) => boolean, requirement: string): number {
  const value = parseStrictNumber(text.trim());
  if (value === null) throw new ConfigError(setting, setting, text, 'must be a number');
  if (!ok(value)) throw new ConfigError(setting, setting, value, `must be ${requirement}`);
  return value;
}

/**
 * The settings that `entries` (name, text) give, every other setting at its DEFAULT_SETTINGS value.
 * Throws a ValueError naming the setting and its bad text for an unknown or repeated name, a value
 * that is not the setting's kind (`lr=abc`, `hidden=16;16`, an empty field) or one out of range
 * (`lr=0`, `seed=1.5`, `dataset=foo`). Hidden widths are comma-separated positive integers, or
 * "none" for no hidden layer.
 */
export function parseSettings(entries: Iterable<readonly [string, string]>): PlaygroundSettings {
  const given = new Map<string, string>();
  for (const [name, text] of entries) {
    if (!(SETTING_NAMES as string[]).includes(name)) throw new ValueError(`unknown setting ${formatValue(name)}; the settings are ${SETTING_NAMES.join(', ')}`);
    if (given.has(name)) throw new ValueError(`${name}: given twice, ${formatValue(given.get(name))} and ${formatValue(text)}`);
    given.set(name, text);
  }
  const dataset = given.has('dataset') ? given.get('dataset')!.trim() : DEFAULT_SETTINGS.dataset;
  if (!(PLAYGROUND_DATA_SETS as readonly string[]).includes(dataset)) {
    throw new ConfigError('dataset', 'dataset', given.get('dataset'), `must be one of ${PLAYGROUND_DATA_SETS.join(', ')}`);
  }
  const noiseText = given.get('noise');
  const noise = noiseText === undefined ? DEFAULT_SETTINGS.noise : parseNumber('noise', noiseText, (v) => v >= 0, 'a number >= 0');
  const pointsText = given.get('points');
  const points = pointsText === undefined
    ? DEFAULT_SETTINGS.points
    : parseNumber('points', pointsText, (v) => Number.isInteger(v) && v >= MIN_POINTS && v <= SYNTHETIC_MAX_ROWS, `an integer in [${MIN_POINTS}, ${SYNTHETIC_MAX_ROWS}]`);
  const config: Partial<Record<ConfigKey, unknown>> = {};
  for (const [setting, key] of Object.entries(CONFIG_FIELDS) as [TrainingSetting, ConfigKey][]) {
    const text = given.get(setting);
    config[key] = text === undefined ? DEFAULT_SETTINGS[setting] : parseConfigValue(key, text, settingName);
  }
  const checked = resolveConfig(config, settingName);
  return {
    dataset: dataset as PlaygroundSettings['dataset'],
    noise,
    points,
    hidden: checked.layers,
    activation: checked.activation,
    optimizer: checked.optimizer,
    lr: checked.lr,
    batchSize: checked.batchSize,
    epochs: checked.epochs,
    l2: checked.l2,
    dropout: checked.dropout,
    seed: checked.seed,
  };
}
