/**
 * The trained model file: the engine's model document with
 *   preprocessing  the encoder, scalers and output form (see pipeline.ts), so `predict` takes raw rows;
 *   training       the resolved configuration, the loss, the target, how training ended, the loss curves;
 *   metadata       the data file, the date, the library version and the final metrics.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { BackpropError, DocumentError, fromModelDocument, parseModelDocument, toModelDocument } from './engine.js';
import type { FitResult, JsonObject, ModelDocument, Sequential, TrainingConfig } from './engine.js';
import { UsageError } from './errors.js';
import { readText, writeFileAtomic } from './files.js';
import { parsePreprocessing, PreprocessingError } from './pipeline.js';
import type { Preprocessing, Score } from './pipeline.js';

/** The package's version, for the metadata and `--version`. */
export function packageVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
  } catch {
    return 'unknown';
  }
}

/** The metrics worth keeping of a score (not the confusion matrix). */
export function scoreSummary(score: Score): JsonObject {
  if (score.task === 'classification') return { accuracy: score.accuracy, macroPrecision: score.macro.precision, macroRecall: score.macro.recall, macroF1: score.macro.f1 };
  return { mse: score.mse, rmse: score.rmse, mae: score.mae, r2: score.r2 };
}

export interface TrainedModel {
  model: Sequential;
  config: TrainingConfig;
  target: string;
  loss: string;
  preprocessing: Preprocessing;
  result: FitResult;
  dataFile: string;
  rows: number;
  scores: { training: Score; validation: Score | null };
}

/** The model document of a trained model with its three free-form areas filled in. */
export function trainedModelDocument(trained: TrainedModel): ModelDocument {
  const { result } = trained;
  const round = (values: number[]) => values.map((v) => (Number.isFinite(v) ? v : null));
  return toModelDocument(trained.model, {
    preprocessing: trained.preprocessing as unknown as JsonObject,
    training: {
      config: { ...trained.config, task: trained.preprocessing.encoder.target.task } as unknown as JsonObject,
      target: trained.target,
      loss: trained.loss,
      epochs: result.history.length,
      stoppedBy: result.stoppedBy,
      bestEpoch: result.bestEpoch,
      steps: result.steps,
      history: {
        loss: round(result.history.map((r) => r.loss)),
        valLoss: round(result.history.map((r) => r.valLoss ?? NaN)),
        lr: result.history.map((r) => r.lr),
      },
    },
    metadata: {
      data: basename(trained.dataFile),
      rows: trained.rows,
      created: new Date().toISOString(),
      backprop: packageVersion(),
      metrics: { training: scoreSummary(trained.scores.training), validation: trained.scores.validation ? scoreSummary(trained.scores.validation) : null },
    },
  });
}

/**
 * A run the non-finite guard stopped is a failed run: its "last good" weights can still give
 * NaN or ±∞ outputs, so it is reported as an error and nothing is saved (an existing file stays).
 */
export function checkConverged(result: FitResult, out: string): void {
  if (result.stoppedBy !== 'nonFinite') return;
  const kept = existsSync(out) ? `; ${out} is left as it was` : '';
  throw new UsageError(`training stopped by the non-finite guard: ${result.problem ?? 'a NaN or ±Infinity appeared'}; no model was saved${kept}`);
}

export function saveModel(path: string, document: ModelDocument): void {
  writeFileAtomic(path, JSON.stringify(document, null, 1) + '\n');
}

export interface LoadedModel {
  path: string;
  document: ModelDocument;
  model: Sequential;
  /** Null when the document has no preprocessing (a hand-written model). */
  preprocessing: Preprocessing | null;
}

/** Reads and validates a model file; any problem is a UsageError starting with the path. */
export function loadModel(path: string, { needPreprocessing = false } = {}): LoadedModel {
  const text = readText(path, 'model file');
  let document: ModelDocument;
  let model: Sequential;
  try {
    document = parseModelDocument(text);
    model = fromModelDocument(document);
  } catch (error) {
    if (error instanceof DocumentError || error instanceof BackpropError) throw new UsageError(`${path}: not a valid backprop model: ${error.message}`);
    throw error;
  }
  const firstDense = document.layers.find((layer) => layer.type === 'dense');
  const features = firstDense && firstDense.type === 'dense' ? firstDense.inputs : 0;
  let preprocessing: Preprocessing | null = null;
  if (document.preprocessing !== undefined || needPreprocessing) {
    try {
      preprocessing = parsePreprocessing(document.preprocessing, features);
      checkOutputs(document, preprocessing);
    } catch (error) {
      if (error instanceof PreprocessingError) throw new UsageError(`${path}: ${error.message}`);
      if (error instanceof BackpropError) throw new UsageError(`${path}: not a valid backprop model: ${error.message}`);
      throw error;
    }
  }
  return { path, document, model, preprocessing };
}

/** The output width must fit the target: one per class, one for binary or one value. */
function checkOutputs(document: ModelDocument, preprocessing: Preprocessing): void {
  const dense = document.layers.filter((layer) => layer.type === 'dense');
  const outputs = dense.length ? (dense[dense.length - 1] as { units: number }).units : 0;
  const target = preprocessing.encoder.target;
  const expected = preprocessing.targets === 'labels' && target.task === 'classification' ? target.classes.length : 1;
  if (outputs !== expected) throw new PreprocessingError(`not a valid backprop model: the last layer has ${outputs} outputs but preprocessing.targets ${JSON.stringify(preprocessing.targets)} needs ${expected}`);
}

/** The input width of the first Dense layer and the output width of the last; a model without one has no weights to check or explain. */
export function denseWidths(loaded: LoadedModel, purpose: string): { inputs: number; outputs: number } {
  const dense = loaded.document.layers.filter((layer) => layer.type === 'dense') as { inputs: number; units: number }[];
  if (dense.length === 0) throw new UsageError(`${loaded.path}: the model has no dense layer, so no weights to ${purpose}`);
  return { inputs: dense[0].inputs, outputs: dense[dense.length - 1].units };
}

/** The training config stored in a model document, if any. */
export function storedConfig(document: ModelDocument): Record<string, unknown> | null {
  const config = (document.training as Record<string, unknown> | undefined)?.config;
  return typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : null;
}
