/**
 * The run configuration shared by the command line and the playground: every choice of a training
 * run as one plain JSON object, its defaults, its validation, its text form (command-line options,
 * URL parameters, search grids) and `buildRun`, which turns it into a model and `fit` options.
 *
 * The defaults aim at ordinary tabular data without tuning (see bench/sklearn-defaults.py for the
 * comparison with scikit-learn's MLPClassifier/MLPRegressor): one hidden layer of 100 ReLU units
 * with He initialisation, Adam at 10⁻³ with batches of 32, L2 10⁻³, standardised inputs (and
 * regression targets), 200 epochs, 10% of the rows held out to show the validation loss. Early
 * stopping is off by default: on small tables a validation set of a dozen rows stops too early.
 */
import { mlp, resolveActivation, resolveInitializer } from '../nn/index.js';
import type { Sequential } from '../nn/index.js';
import { OPTIMIZER_NAMES, createOptimizer, parseSchedule } from '../optim/index.js';
import type { OptionValue } from '../optim/index.js';
import { SCALE_METHODS, heldOutRows, parseStrictNumber, stratifiedTrainValidationSplit, trainValidationSplit } from '../data/index.js';
import type { ScaleMethod, Split, Task } from '../data/index.js';
import { ValueError, formatValue } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { LOSS_NAMES, outputActivationProblem, resolveLoss } from './losses.js';
import type { LossName } from './losses.js';
import type { FitOptions } from './types.js';

export interface TrainingConfig {
  /** 'auto' (default): classification for a categorical target or a few integer classes, else regression. */
  task: Task | 'auto';
  /** Widths of the hidden layers, input first. Default [100]; [] is a linear (or logistic) model. */
  layers: number[];
  /** Activation of the hidden layers. Default 'relu'. */
  activation: string;
  /** Activation of the output layer; 'auto' (default) is identity (logits for cross-entropy), sigmoid for binaryCrossEntropy. */
  outputActivation: string;
  /** Loss; 'auto' (default) is softmaxCrossEntropy for classification, mse for regression. */
  loss: LossName | 'auto';
  /** One of OPTIMIZER_NAMES. Default 'adam'. */
  optimizer: string;
  /** Learning rate ε₀. Default 0.001. */
  lr: number;
  /** Momentum μ of sgd and rmsprop; null (default) leaves the optimiser's own default (0). */
  momentum: number | null;
  /** Learning-rate schedule spec (see SCHEDULE_SPECS), applied per epoch. Default 'constant'. */
  schedule: string;
  /** Samples per step. Default 32. */
  batchSize: number;
  /** Most passes over the training data. Default 200. */
  epochs: number;
  /** Drop rate after each hidden layer. Default 0. */
  dropout: number;
  /** L1 penalty λ·Σ|w|. Default 0. */
  l1: number;
  /** L2 penalty (λ/2)·Σw² on the batch's mean loss (weights, not biases). Default 1e-3. */
  l2: number;
  /** Weight initialiser; 'auto' (default) picks by activation (He for ReLU, Glorot for tanh/sigmoid). */
  init: string;
  /** Largest global gradient norm; null (default) for no clipping. */
  clipNorm: number | null;
  /** Share of the rows held out for validation (stratified for classes). Default 0.1; 0 for none. */
  validationSplit: number;
  /** Stop after this many epochs without improvement of the validation loss (training loss without validation); null (default) for never. */
  earlyStopping: number | null;
  /** Seed of the weights, the validation split and the shuffling. Default 0. */
  seed: number;
  /** Input scaling fitted on the training rows: 'standard' (default), 'minmax' or 'none'. */
  scale: ScaleMethod;
  /** Standardise a regression target (predictions are mapped back). Default true. */
  scaleTarget: boolean;
}

export const DEFAULT_CONFIG: Readonly<TrainingConfig> = Object.freeze({
  task: 'auto',
  layers: [100],
  activation: 'relu',
  outputActivation: 'auto',
  loss: 'auto',
  optimizer: 'adam',
  lr: 0.001,
  momentum: null,
  schedule: 'constant',
  batchSize: 32,
  epochs: 200,
  dropout: 0,
  l1: 0,
  l2: 1e-3,
  init: 'auto',
  clipNorm: null,
  validationSplit: 0.1,
  earlyStopping: null,
  seed: 0,
  scale: 'standard',
  scaleTarget: true,
} as TrainingConfig);

export type ConfigKey = keyof TrainingConfig;
export const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as ConfigKey[];

/** An invalid configuration value; `option` is the key, the message names it as the caller labels it. */
export class ConfigError extends ValueError {
  override name = 'ConfigError';
  readonly option: string;
  readonly value: unknown;
  constructor(option: string, label: string, value: unknown, requirement: string) {
    super(`${label}: ${requirement}, got ${formatValue(value)}`);
    this.option = option;
    this.value = value;
  }
}

/** How an option is named in messages; the CLI passes `--kebab-case`. Default: the key itself. */
export type OptionLabel = (key: ConfigKey) => string;

const plainLabel: OptionLabel = (key) => key;

/** Checks every field and fills in defaults; rejects unknown keys. Returns a new object. */
export function resolveConfig(partial: Partial<Record<string, unknown>> = {}, label: OptionLabel = plainLabel): TrainingConfig {
  for (const key of Object.keys(partial)) {
    if (!(CONFIG_KEYS as string[]).includes(key)) throw new ConfigError(key, key, key, `unknown option; valid options: ${CONFIG_KEYS.join(', ')}`);
  }
  const merged = { ...DEFAULT_CONFIG, ...Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) } as Record<ConfigKey, unknown>;
  const fail = (key: ConfigKey, requirement: string): never => {
    throw new ConfigError(key, label(key), merged[key], requirement);
  };
  const number = (key: ConfigKey, ok: (v: number) => boolean, requirement: string, nullable = false): void => {
    const v = merged[key];
    if (nullable && v === null) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) fail(key, `must be ${requirement}`);
  };
  const choice = (key: ConfigKey, valid: readonly string[]): void => {
    if (typeof merged[key] !== 'string' || !valid.includes(merged[key] as string)) fail(key, `must be one of ${valid.join(', ')}`);
  };
  choice('task', ['auto', 'classification', 'regression']);
  const layers = merged.layers;
  if (!Array.isArray(layers) || layers.some((w) => !(Number.isInteger(w) && w >= 1))) fail('layers', 'must be a list of positive integer widths such as 64,32');
  for (const key of ['activation', 'outputActivation'] as const) {
    if (key === 'outputActivation' && merged[key] === 'auto') continue;
    try {
      resolveActivation(merged[key], key);
    } catch (error) {
      fail(key, (error as Error).message.replace(/^.*?unknown activation [^;]*; /, 'must be a known activation; '));
    }
  }
  choice('loss', ['auto', ...LOSS_NAMES]);
  choice('optimizer', OPTIMIZER_NAMES);
  number('lr', (v) => v > 0, 'a number > 0');
  number('momentum', (v) => v >= 0 && v < 1, 'a number in [0, 1)', true);
  if (merged.momentum !== null && merged.optimizer !== 'sgd' && merged.optimizer !== 'rmsprop') fail('momentum', `applies to sgd and rmsprop only, not ${merged.optimizer}`);
  if (typeof merged.schedule !== 'string') fail('schedule', 'must be a schedule spec such as exp:0.95');
  try {
    parseSchedule(merged.schedule as string, { totalSteps: 100 });
  } catch (error) {
    fail('schedule', `is not a valid schedule (${(error as Error).message})`);
  }
  number('batchSize', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  number('epochs', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1');
  number('dropout', (v) => v >= 0 && v < 1, 'a drop rate in [0, 1)');
  number('l1', (v) => v >= 0, 'a number >= 0');
  number('l2', (v) => v >= 0, 'a number >= 0');
  if (merged.init !== 'auto') {
    try {
      resolveInitializer(merged.init, 'init');
    } catch {
      fail('init', `must be auto or one of ${['heNormal', 'heUniform', 'xavierUniform', 'xavierNormal', 'lecunNormal', 'lecunUniform', 'normal', 'uniform', 'zeros'].join(', ')}`);
    }
  }
  number('clipNorm', (v) => v > 0, 'a number > 0', true);
  number('validationSplit', (v) => v >= 0 && v < 1, 'a share in [0, 1)');
  number('earlyStopping', (v) => Number.isInteger(v) && v >= 1, 'a patience (integer >= 1 epochs)', true);
  // Early stopping watches the validation loss; without held-out rows it would watch nothing useful.
  if (merged.earlyStopping !== null && merged.earlyStopping !== undefined && merged.validationSplit === 0) {
    fail('earlyStopping', 'needs held-out rows to watch (a validation split above 0)');
  }
  number('seed', (v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff, 'an integer in [0, 4294967295]');
  choice('scale', SCALE_METHODS);
  if (typeof merged.scaleTarget !== 'boolean') fail('scaleTarget', 'must be true or false');
  return { ...(merged as unknown as TrainingConfig), layers: [...(layers as number[])] };
}

/** Parses one option from text (command line, URL, search grid). Validation is left to resolveConfig. */
export function parseConfigValue(key: ConfigKey, text: string, label: OptionLabel = plainLabel): TrainingConfig[ConfigKey] {
  const value = text.trim();
  const bad = (requirement: string): never => {
    throw new ConfigError(key, label(key), text, requirement);
  };
  const nullable = key === 'momentum' || key === 'clipNorm' || key === 'earlyStopping';
  if (nullable && (value === 'none' || value === 'off')) return null;
  switch (key) {
    case 'layers':
      // No hidden layer is said with "none": an empty value is more likely a slip (a stray "|" or an unset variable).
      if (value === 'none') return [];
      if (value === '') bad('must be a list of positive integer widths such as 64,32, or none for no hidden layer');
      return value.split(',').map((part) => {
        const width = parseStrictNumber(part.trim());
        if (width === null || !Number.isInteger(width) || width < 1) bad('must be a list of positive integer widths such as 64,32');
        return width as number;
      });
    case 'scaleTarget':
      if (value === 'true' || value === 'yes') return true;
      if (value === 'false' || value === 'no') return false;
      return bad('must be yes or no (or true, false)');
    case 'task': case 'activation': case 'outputActivation': case 'loss': case 'optimizer': case 'schedule': case 'init': case 'scale':
      return value;
    default: {
      // A strict decimal: Number('') is 0 and Number('0x10') is 16, neither is a setting.
      const number = parseStrictNumber(value);
      if (number === null) bad(`must be a number${nullable ? ' or none' : ''}`);
      return number;
    }
  }
}

/** What the data says about the run: input width, the task and the classes or outputs. */
export interface RunShape {
  features: number;
  task: Task;
  /** Number of classes (classification). */
  classes?: number;
  /** Number of outputs (regression). Default 1. */
  outputs?: number;
}

/**
 * How targets must be given to fit and how outputs are read:
 * - 'labels': Int32Array class labels, outputs are logits (softmax gives probabilities);
 * - 'binary': a [n, 1] tensor of 0/1 for class 1 of two, the output is a logit (or a probability with sigmoid);
 * - 'values': a [n, outputs] tensor of numbers.
 */
export type TargetForm = 'labels' | 'binary' | 'values';

export interface Run {
  model: Sequential;
  fitOptions: FitOptions;
  loss: LossName;
  outputActivation: string;
  targets: TargetForm;
  /** True when the output layer already applies softmax or sigmoid (outputs are probabilities). */
  outputsProbabilities: boolean;
}

/** The concrete loss and output activation of a config for a task ('auto' resolved). */
export function resolveLossAndOutput(config: TrainingConfig, task: Task, classes = 0, label: OptionLabel = plainLabel): { loss: LossName; outputActivation: string; targets: TargetForm } {
  const loss: LossName = config.loss !== 'auto' ? config.loss : task === 'classification' ? 'softmaxCrossEntropy' : 'mse';
  const definition = resolveLoss(loss);
  let targets: TargetForm;
  if (task === 'classification') {
    if (definition.targets === 'labels') targets = 'labels';
    else if (loss === 'binaryCrossEntropy' || loss === 'binaryCrossEntropyWithLogits') {
      if (classes !== 2) throw new ConfigError('loss', label('loss'), loss, `needs exactly 2 classes, the target has ${classes}; use softmaxCrossEntropy`);
      targets = 'binary';
    } else throw new ConfigError('loss', label('loss'), loss, 'is a regression loss but the task is classification; use softmaxCrossEntropy (or --task regression)');
  } else {
    if (definition.targets === 'labels') throw new ConfigError('loss', label('loss'), loss, 'needs class labels but the task is regression; use mse, mae or huber');
    targets = 'values';
  }
  const outputActivation = config.outputActivation !== 'auto' ? config.outputActivation : loss === 'binaryCrossEntropy' ? 'sigmoid' : 'identity';
  const outputName = resolveActivation(outputActivation).name;
  const problem = outputActivationProblem(loss, outputName);
  if (problem !== null) throw new ConfigError('outputActivation', label('outputActivation'), outputActivation, problem);
  return { loss, outputActivation, targets };
}

/** Builds the model and the fit options a config describes (validation data is the caller's: see validationRows). */
export function buildRun(config: TrainingConfig, shape: RunShape, label: OptionLabel = plainLabel): Run {
  const classes = shape.classes ?? 0;
  const { loss, outputActivation, targets } = resolveLossAndOutput(config, shape.task, classes, label);
  const outputs = targets === 'labels' ? classes : targets === 'binary' ? 1 : shape.outputs ?? 1;
  const model = mlp({
    sizes: [shape.features, ...config.layers, outputs],
    activation: config.activation as never,
    outputActivation: outputActivation as never,
    init: config.init === 'auto' ? undefined : (config.init as never),
    dropout: config.dropout,
    seed: config.seed,
  });
  const optimizerOptions: Record<string, OptionValue> = { lr: config.lr };
  if (config.momentum !== null) optimizerOptions.momentum = config.momentum;
  const optimizer = createOptimizer(config.optimizer, model.parameters(), optimizerOptions);
  const fitOptions: FitOptions = {
    loss,
    optimizer,
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    l1: config.l1,
    l2: config.l2,
  };
  if (config.schedule !== 'constant') fitOptions.schedule = parseSchedule(config.schedule, { totalSteps: config.epochs });
  if (config.clipNorm !== null) fitOptions.clipNorm = config.clipNorm;
  if (config.earlyStopping !== null) fitOptions.earlyStopping = { patience: config.earlyStopping, restoreBestWeights: true };
  const outputName = resolveActivation(outputActivation).name;
  return { model, fitOptions, loss, outputActivation, targets, outputsProbabilities: outputName === 'softmax' || outputName === 'sigmoid' };
}

/**
 * The training and validation rows of a run: a seeded split of `config.validationSplit` of the
 * rows (stratified when `labels` are given), or every row for training and null when the share
 * is 0 or leaves no row on either side. Fit the scalers on `train` only.
 */
export function validationRows(config: TrainingConfig, rowCount: number, labels?: Int32Array): { train: Int32Array; validation: Int32Array | null } {
  const all = Int32Array.from({ length: rowCount }, (_, i) => i);
  const held = heldOutRows(config.validationSplit, rowCount);
  if (held < 1 || held >= rowCount) return { train: all, validation: null };
  const rng = new Rng(config.seed).fork();
  const split: Split = labels ? stratifiedTrainValidationSplit(labels, config.validationSplit, rng) : trainValidationSplit(rowCount, config.validationSplit, rng);
  return { train: split.train, validation: split.validation };
}
