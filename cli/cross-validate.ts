/**
 * k-fold cross-validation of a configuration: stratified folds for classes, plain k-fold for
 * values, drawn from the config's seed. Each fold trains on the other folds (holding out the
 * config's validation share of them, as `train` would) and is scored on its own rows.
 */
import { Rng, kFold, stratifiedKFold, takeRows, takeValues, validationRows } from './engine.js';
import type { TrainingConfig } from './engine.js';
import { optionError } from './errors.js';
import { scoreSummary } from './model-file.js';
import { checkEarlyStoppingRows, headline, predictRows, prepareRun, scorePredictions } from './pipeline.js';
import { plural } from './report.js';
import type { EncodedTable, RunHooks } from './pipeline.js';

export interface FoldResult {
  fold: number;
  rows: number;
  epochs: number;
  metrics: Record<string, number>;
  /** Why the non-finite guard stopped this fold's training (its scores are then meaningless), or null. */
  problem: string | null;
}

export interface CrossValidation {
  folds: FoldResult[];
  /** Mean and (population) standard deviation of each metric over the folds. */
  mean: Record<string, number>;
  std: Record<string, number>;
  /** The metric configurations are ranked by: accuracy or r2 (higher is better). */
  headline: 'accuracy' | 'r2';
}

/** The rows each fold trains on (with its validation share) and is scored on; checks the options first. */
export function foldPlans(data: EncodedTable, config: TrainingConfig, folds: number): { train: Int32Array; validation: Int32Array | null; scored: Int32Array }[] {
  if (folds > data.x.rows) throw optionError('--folds', String(folds), `must be at most the number of rows (${data.x.rows})`);
  const rng = new Rng(config.seed).fork().fork();
  const labels = data.y instanceof Int32Array ? data.y : null;
  if (labels) {
    const counts = new Map<number, number>();
    for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
    const smallest = Math.min(...counts.values());
    if (smallest < folds) throw optionError('--folds', String(folds), `must be at most the size of the smallest class (${smallest} rows)`);
  }
  const splits = labels ? stratifiedKFold(labels, folds, rng) : kFold(data.x.rows, folds, rng);
  return splits.map((split, f) => {
    checkEarlyStoppingRows(config, split.train.length, `fold ${f + 1}'s ${plural(split.train.length, 'training row')}`);
    const inner = validationRows(config, split.train.length, labels ? takeValues(labels, split.train) : undefined);
    return {
      train: Int32Array.from(inner.train, (i) => split.train[i]),
      validation: inner.validation ? Int32Array.from(inner.validation, (i) => split.train[i]) : null,
      scored: split.validation,
    };
  });
}

export function crossValidate(data: EncodedTable, config: TrainingConfig, folds: number, hooks: { onFold?: (result: FoldResult) => void; run?: RunHooks } = {}): CrossValidation {
  const results: FoldResult[] = [];
  let name: 'accuracy' | 'r2' = 'accuracy';
  foldPlans(data, config, folds).forEach((plan, f) => {
    const prepared = prepareRun(data, config, hooks.run, { train: plan.train, validation: plan.validation });
    const fit = prepared.trainer.fit();
    const predictions = predictRows(prepared.run.model, prepared.preprocessing, takeRows(data.x, plan.scored));
    const score = scorePredictions(prepared.preprocessing, predictions, takeValues(data.y, plan.scored));
    name = headline(score).name;
    const problem = fit.stoppedBy === 'nonFinite' ? fit.problem ?? 'a NaN or ±Infinity appeared' : null;
    const result = { fold: f + 1, rows: plan.scored.length, epochs: fit.history.length, metrics: scoreSummary(score) as Record<string, number>, problem };
    results.push(result);
    hooks.onFold?.(result);
  });
  const mean: Record<string, number> = {};
  const std: Record<string, number> = {};
  for (const key of Object.keys(results[0].metrics)) {
    const values = results.map((r) => r.metrics[key]);
    mean[key] = values.reduce((a, b) => a + b, 0) / values.length;
    std[key] = Math.sqrt(values.reduce((a, b) => a + (b - mean[key]) ** 2, 0) / values.length);
  }
  return { folds: results, mean, std, headline: name };
}

/** A warning line when the non-finite guard stopped any fold, or null. */
export function divergenceWarning(cv: CrossValidation): string | null {
  const diverged = cv.folds.filter((fold) => fold.problem !== null);
  if (diverged.length === 0) return null;
  return `training diverged in ${diverged.length} of ${cv.folds.length} folds, so their scores are meaningless; fold ${diverged[0].fold}: ${diverged[0].problem}`;
}
