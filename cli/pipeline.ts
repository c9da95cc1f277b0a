/**
 * From a table and a run configuration to a trainer, and from a trained model to predictions and
 * scores: the steps `train`, `cv`, `search`, `evaluate` and `predict` share. No files or terminal
 * here (objects in, objects out).
 *
 * Preprocessing stored in the model document (`preprocessing`):
 *   encoder       the fitted column encoder (types, categories, classes)
 *   scaler        input scaling fitted on the training rows
 *   targetScaler  standardisation of a regression target (outputs are mapped back), or null
 *   targets       'labels' (outputs are logits of each class), 'binary' (one logit or probability
 *                 of the second class) or 'values'
 *   probabilities whether the output layer already gives probabilities (softmax or sigmoid)
 */
import {
  Tensor, Trainer, applyScaler, argmax, buildRun, classificationReport, columnIndex, encodeTable, fitEncoder, fitScaler, noGrad,
  heldOutRows, numericColumnMask, parseEncoder, parseScaler, regressionReport, softmax, takeRows, takeValues, validationRows,
} from './engine.js';
import { UsageError, optionError } from './errors.js';
import { plural } from './report.js';
import type {
  ClassificationReport, Dataset, Encoder, EpochInfo, Matrix, Module, RegressionReport, Run, Scaler, StepsInfo, Table, TargetForm, Task, TrainingConfig,
} from './engine.js';

export interface Preprocessing {
  encoder: Encoder;
  scaler: Scaler;
  targetScaler: Scaler | null;
  targets: TargetForm;
  probabilities: boolean;
}

/** A table encoded for training: the encoder and the encoded features and targets. */
export interface EncodedTable {
  encoder: Encoder;
  x: Matrix;
  y: Int32Array | Float32Array;
  task: Task;
  classes: number;
}

/** Fits the encoder (the config's task, or inferred; `categorical` columns read as text) and encodes every row. */
export function encodeForTraining(table: Table, target: string, config: TrainingConfig, categorical: readonly string[] = []): EncodedTable {
  // Checked here so that a misspelt name gets the option and a "did you mean".
  for (const name of categorical) columnIndex(table, name, '--categorical column');
  const types = Object.fromEntries(categorical.map((name) => [name, 'categorical' as const]));
  const encoder = fitEncoder(table, { target, task: config.task, types });
  const { x, y } = encodeTable(encoder, table);
  const classes = encoder.target.task === 'classification' ? encoder.target.classes.length : 0;
  return { encoder, x, y: y!, task: encoder.target.task, classes };
}

export interface PreparedRun {
  run: Run;
  trainer: Trainer;
  preprocessing: Preprocessing;
  trainRows: Int32Array;
  validationRows: Int32Array | null;
}

export interface RunHooks {
  onEpochEnd?: (info: EpochInfo) => void;
  onSteps?: (info: StepsInfo) => void;
}

/**
 * Builds the model, fits the scalers on `rows` (default: the config's validation split of every
 * row) and makes the trainer. Everything is a function of (data, config), so building it again
 * and restoring a trainer state continues a run exactly.
 */
export function prepareRun(data: EncodedTable, config: TrainingConfig, hooks: RunHooks = {}, rows?: { train: Int32Array; validation: Int32Array | null }): PreparedRun {
  const split = rows ?? validationRows(config, data.x.rows, data.y instanceof Int32Array ? data.y : undefined);
  const run = buildModel(data, config);
  const scaler = fitScaler(data.x, config.scale, { rows: split.train, columns: numericColumnMask(data.encoder) });
  let targetScaler: Scaler | null = null;
  if (run.targets === 'values' && config.scaleTarget) {
    targetScaler = fitScaler({ data: data.y as Float32Array, rows: data.y.length, columns: 1 }, 'standard', { rows: split.train });
  }
  const preprocessing: Preprocessing = { encoder: data.encoder, scaler, targetScaler, targets: run.targets, probabilities: run.outputsProbabilities };
  const dataset = (indices: Int32Array): Dataset => toTrainingSet(preprocessing, takeRows(data.x, indices), takeValues(data.y, indices));
  const validation = split.validation ? dataset(split.validation) : undefined;
  const trainer = new Trainer(run.model, dataset(split.train), {
    ...run.fitOptions,
    validationData: validation,
    onEpochEnd: hooks.onEpochEnd,
    onSteps: hooks.onSteps,
  });
  return { run, trainer, preprocessing, trainRows: split.train, validationRows: split.validation };
}

/**
 * Refuses early stopping when the config's validation split of `rowCount` training rows holds out
 * none (or all) of them: it would then watch the training loss, which keeps falling as the network
 * overfits. `of` names the rows in the message (e.g. "fold 2's 3 training rows").
 */
export function checkEarlyStoppingRows(config: TrainingConfig, rowCount: number, of = `${plural(rowCount, 'row')}`): void {
  if (config.earlyStopping === null) return;
  const held = heldOutRows(config.validationSplit, rowCount);
  if (held >= 1 && held < rowCount) return;
  throw optionError('--early-stopping', config.earlyStopping,
    `needs held-out rows to watch, but --validation-split ${config.validationSplit} of ${of} ${held < 1 ? 'holds out none' : 'holds out every row'}`);
}

/** buildRun, with a network too large for memory reported against --layers instead of as a RangeError. */
function buildModel(data: EncodedTable, config: TrainingConfig): Run {
  try {
    return buildRun(config, { features: data.x.columns, task: data.task, classes: data.classes }, optionLabel);
  } catch (error) {
    if (!(error instanceof RangeError && /typed array length|allocation failed/i.test(error.message))) throw error;
    const widths = [data.x.columns, ...config.layers, Math.max(data.classes, 1)];
    const parameters = widths.slice(1).reduce((sum, width, i) => sum + width * (widths[i] + 1), 0);
    throw new UsageError(`--layers: makes a network of about ${parameters.toExponential(1)} parameters, too large to allocate, got ${JSON.stringify(config.layers.join(','))}`);
  }
}

/** Scaled inputs and targets in the form the loss takes. */
export function toTrainingSet(preprocessing: Preprocessing, x: Matrix, y: Int32Array | Float32Array): Dataset {
  const scaled = applyScaler(preprocessing.scaler, x);
  const inputs = new Tensor(scaled.data, [scaled.rows, scaled.columns]);
  if (preprocessing.targets === 'labels') return { x: inputs, y: y as Int32Array };
  if (preprocessing.targets === 'binary') return { x: inputs, y: new Tensor(Float32Array.from(y, (label) => (label === 1 ? 1 : 0)), [y.length, 1]) };
  const values = preprocessing.targetScaler ? applyScaler(preprocessing.targetScaler, { data: y as Float32Array, rows: y.length, columns: 1 }).data : (y as Float32Array);
  return { x: inputs, y: new Tensor(values, [y.length, 1]) };
}

/** What a model says about each row. */
export interface Predictions {
  /** Classification: the predicted class index and each class's probability per row. */
  labels: Int32Array | null;
  probabilities: number[][] | null;
  /** Regression: the predicted value per row (in the target's units). */
  values: Float32Array | null;
}

/** Runs the model on encoded (unscaled) rows in evaluation mode. */
export function predictRows(model: Module, preprocessing: Preprocessing, x: Matrix): Predictions {
  const scaled = applyScaler(preprocessing.scaler, x);
  model.eval();
  const output = noGrad(() => model.forward(new Tensor(scaled.data, [scaled.rows, scaled.columns])));
  if (preprocessing.targets === 'values') {
    const values = Float32Array.from(output.data);
    const ts = preprocessing.targetScaler;
    if (ts) for (let i = 0; i < values.length; i++) values[i] = values[i] * ts.scale[0] + ts.offset[0];
    return { labels: null, probabilities: null, values };
  }
  if (preprocessing.targets === 'binary') {
    const probabilities: number[][] = [];
    const labels = new Int32Array(output.shape[0]);
    for (let i = 0; i < labels.length; i++) {
      const value = output.data[i];
      const p = preprocessing.probabilities ? value : 1 / (1 + Math.exp(-value));
      probabilities.push([1 - p, p]);
      labels[i] = p > 0.5 ? 1 : 0;
    }
    return { labels, probabilities, values: null };
  }
  const probabilityTensor = preprocessing.probabilities ? output : noGrad(() => softmax(output));
  const classes = output.shape[1];
  const probabilities = Array.from({ length: output.shape[0] }, (_, i) => Array.from(probabilityTensor.data.subarray(i * classes, (i + 1) * classes)));
  return { labels: argmax(output), probabilities, values: null };
}

export type Score = ({ task: 'classification' } & ClassificationReport) | ({ task: 'regression' } & RegressionReport);

/** Classification report or regression report of predictions against targets. */
export function scorePredictions(preprocessing: Preprocessing, predictions: Predictions, y: Int32Array | Float32Array): Score {
  if (predictions.labels) return { task: 'classification', ...classificationReport(predictions.labels, y, classCount(preprocessing)) };
  return { task: 'regression', ...regressionReport(predictions.values!, y) };
}

export function classCount(preprocessing: Preprocessing): number {
  const target = preprocessing.encoder.target;
  return target.task === 'classification' ? target.classes.length : 0;
}

/** The headline number of a score: accuracy (higher is better) or R². */
export function headline(score: Score): { name: 'accuracy' | 'r2'; value: number } {
  return score.task === 'classification' ? { name: 'accuracy', value: score.accuracy } : { name: 'r2', value: score.r2 };
}

/** Reads the preprocessing area of a model document (validating its parts). */
export function parsePreprocessing(value: unknown, features: number): Preprocessing {
  if (typeof value !== 'object' || value === null) throw new PreprocessingError('the model has no preprocessing (it was not trained by `backprop train`), so it cannot read CSV rows');
  const area = value as Record<string, unknown>;
  const encoder = parseEncoder(area.encoder, 'preprocessing.encoder');
  const scaler = parseScaler(area.scaler, 'preprocessing.scaler', encoder.featureNames.length);
  const targetScaler = area.targetScaler === null || area.targetScaler === undefined ? null : parseScaler(area.targetScaler, 'preprocessing.targetScaler', 1);
  const targets = area.targets;
  if (targets !== 'labels' && targets !== 'binary' && targets !== 'values') throw new PreprocessingError(`not a valid backprop model: preprocessing.targets must be "labels", "binary" or "values", got ${JSON.stringify(targets)}`);
  if (encoder.featureNames.length !== features) {
    throw new PreprocessingError(`not a valid backprop model: preprocessing.encoder has ${encoder.featureNames.length} encoded columns but the first layer takes ${features} inputs`);
  }
  return { encoder, scaler, targetScaler, targets, probabilities: area.probabilities === true };
}

export class PreprocessingError extends Error {
  override name = 'PreprocessingError';
}

/** `--kebab-case` name of a config key, as the command line shows options. */
export function optionLabel(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}
