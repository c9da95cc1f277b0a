/**
 * The training options shared by `train`, `cv` and `search`: one flag per field of
 * TrainingConfig, each documented with its default, parsed and validated by the library's
 * config code so that the playground reads the same settings the same way.
 */
import { plural } from './report.js';
import { Command, Option } from 'commander';
import { CONFIG_KEYS, DEFAULT_CONFIG, LOSS_NAMES, OPTIMIZER_NAMES, SCHEDULE_SPECS, SCALE_METHODS, parseConfigValue, parseStrictNumber, resolveConfig } from './engine.js';
import { UsageError, optionError } from './errors.js';
import type { ConfigKey, TrainingConfig } from './engine.js';
import { optionLabel } from './pipeline.js';

const PLACEHOLDERS: Record<ConfigKey, string> = {
  task: '<task>', layers: '<widths>', activation: '<name>', outputActivation: '<name>', loss: '<name>', optimizer: '<name>', lr: '<rate>',
  momentum: '<mu>', schedule: '<spec>', batchSize: '<n>', epochs: '<n>', dropout: '<rate>', l1: '<lambda>', l2: '<lambda>', init: '<name>',
  clipNorm: '<norm>', validationSplit: '<share>', earlyStopping: '<patience>', seed: '<n>', scale: '<method>', scaleTarget: '<yes|no>',
};

const DESCRIPTIONS: Record<ConfigKey, string> = {
  task: 'classification, regression or auto (categorical or few-integer target → classification)',
  layers: 'hidden layer widths, comma-separated, e.g. 64,32 (none: no hidden layer)',
  activation: 'hidden activation: relu, leakyRelu, elu, selu, gelu, silu, tanh, sigmoid, softplus, identity',
  outputActivation: 'output activation; auto = identity (logits for cross-entropy), sigmoid for binaryCrossEntropy',
  loss: `auto (softmaxCrossEntropy for classes, mse for values) or ${LOSS_NAMES.join(', ')}`,
  optimizer: OPTIMIZER_NAMES.join(', '),
  lr: 'learning rate',
  momentum: 'momentum of sgd and rmsprop (none: the optimiser default, 0)',
  schedule: `learning-rate schedule per epoch: ${Object.values(SCHEDULE_SPECS).join(', ')}`,
  batchSize: 'samples per step (1: stochastic; ≥ rows: full batch)',
  epochs: 'passes over the training data (at most, with early stopping)',
  dropout: 'drop rate after each hidden layer',
  l1: 'L1 penalty λ·Σ|w| on the weights',
  l2: 'L2 penalty (λ/2)·Σw² on the weights',
  init: 'weight initialiser: auto (He for ReLU-like, Glorot otherwise), heNormal, heUniform, xavierUniform, xavierNormal, lecunNormal, lecunUniform',
  clipNorm: 'clip the global gradient norm to this (none: no clipping)',
  validationSplit: 'share of rows held out for validation (stratified for classes; 0: none)',
  earlyStopping: 'stop after this many epochs without a better validation loss, keeping the best weights (none: off)',
  seed: 'seed of the weights, the validation split and the shuffling',
  scale: `input scaling fitted on the training rows: ${SCALE_METHODS.join(', ')}`,
  scaleTarget: 'standardise a regression target while training (yes, no)',
};

function formatDefault(value: unknown): string {
  if (value === null) return 'none';
  if (Array.isArray(value)) return value.length ? value.join(',') : 'none';
  if (value === true) return 'yes';
  if (value === false) return 'no';
  return String(value);
}

/**
 * --target of train, cv and search. Required, but checked by the command (`requireTarget`), not
 * declared with commander's requiredOption: commander reports a missing required option before an
 * unknown one, so `--traget species` would get "--target not specified" instead of "did you mean --target?".
 */
export function addTargetOption(command: Command): Command {
  return command.option('--target <column>', 'the column to predict (required)');
}

/** The --target column; a UsageError when it was not given. */
export function requireTarget(options: { target?: unknown }): string {
  if (typeof options.target !== 'string') throw new UsageError("required option '--target <column>' not specified");
  return options.target;
}

/** The data options of train, cv and search besides --target. */
export function addDataOptions(command: Command): Command {
  return command.option('--categorical <columns>', 'comma-separated columns to read as categories (one-hot) even if they look numeric');
}

/** The --categorical column list ([] when not given). */
export function categoricalColumns(options: object): string[] {
  const { categorical } = options as { categorical?: unknown };
  return typeof categorical === 'string' ? categorical.split(',').map((name) => name.trim()).filter(Boolean) : [];
}

/** Adds one flag per config field to a command (e.g. --batch-size <n>, "default: 32"). */
export function addTrainingOptions(command: Command): Command {
  for (const key of CONFIG_KEYS) {
    const flag = optionLabel(key);
    command.addOption(new Option(`${flag} ${PLACEHOLDERS[key]}`, `${DESCRIPTIONS[key]} (default: ${formatDefault(DEFAULT_CONFIG[key])})`));
  }
  return command;
}

/** The options given on the command line (as commander stores them: camelCase keys, text values) parsed and checked. */
export function configFromOptions(options: Record<string, unknown>): TrainingConfig {
  return resolveConfig(givenConfig(options), optionLabel);
}

/** Only the config fields that were given, parsed from text. */
export function givenConfig(options: Record<string, unknown>): Partial<TrainingConfig> {
  const partial: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const text = options[key];
    if (typeof text === 'string') partial[key] = parseConfigValue(key, text, optionLabel);
  }
  return partial as Partial<TrainingConfig>;
}

/** One line describing a config, e.g. for the top of `train` output. */
export function describeConfig(config: TrainingConfig): string {
  return `${config.optimizer} lr ${config.lr}${config.schedule !== 'constant' ? ` (${config.schedule})` : ''}, batch ${config.batchSize}, ${plural(config.epochs, 'epoch')}` +
    `${config.l2 ? `, l2 ${config.l2}` : ''}${config.l1 ? `, l1 ${config.l1}` : ''}${config.dropout ? `, dropout ${config.dropout}` : ''}` +
    `${config.earlyStopping !== null ? `, early stopping ${config.earlyStopping}` : ''}, seed ${config.seed}`;
}

/** A number option outside the training config (--folds, --n, …), as a strict decimal: Number('') is 0 and Number('0x10') is 16, neither is accepted. */
export function parseNumberOption(option: string, text: string, { integer = false, min = -Infinity, max = Infinity } = {}): number {
  const value = parseStrictNumber(text.trim());
  if (value === null || value < min || value > max || (integer && !Number.isInteger(value))) {
    const range = max < Infinity ? ` in [${min}, ${max}]` : min > -Infinity ? ` >= ${min}` : '';
    throw optionError(option, text, `must be ${integer ? 'an integer' : 'a number'}${range}`);
  }
  return value;
}

/** The largest seed: the training config's seeds are 32-bit. */
export const MAX_SEED = 0xffffffff;
