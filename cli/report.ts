/** Text reports shared by commands: the architecture line and metric tables. */
import { Activation, Dense, Dropout, Sequential, formatActivation } from './engine.js';
import type { Module } from './engine.js';
import type { Preprocessing, Score } from './pipeline.js';
import { formatNumber, say, table } from './terminal.js';
import type { OutputMode } from './terminal.js';

/** The layers of a model in one line, e.g. `4 → 100 relu → 3 identity (803 parameters)`. */
export function architecture(model: Module): string {
  const layers = model instanceof Sequential ? model.layers : [model];
  const parts: string[] = [];
  for (const layer of layers) {
    if (layer instanceof Dense) {
      if (parts.length === 0) parts.push(String(layer.inputs));
      parts.push(`${layer.units} ${formatActivation(layer.activation)}`);
    } else if (layer instanceof Dropout) parts.push(`dropout ${layer.rate}`);
    else if (layer instanceof Activation) parts.push(formatActivation(layer.activation));
  }
  return `${parts.join(' → ')} (${parameterCount(model)} parameters)`;
}

export function parameterCount(model: Module): number {
  return model.parameters().reduce((sum, p) => sum + p.size, 0);
}

/** The class names of a classification model (the target's labels). */
export function classNames(preprocessing: Preprocessing): string[] {
  const target = preprocessing.encoder.target;
  return target.task === 'classification' ? target.classes : [];
}

/**
 * Prints a score. Compact (train): one table of the headline metrics, training beside validation.
 * Full (evaluate): accuracy, per-class precision/recall/F1 and the confusion matrix.
 */
export function printScore(mode: OutputMode, score: Score, preprocessing: Preprocessing, validation: Score | null = null, { compact = false } = {}): void {
  if (score.task === 'classification') {
    const v = validation?.task === 'classification' ? validation : null;
    const rows: (string | number)[][] = [
      ['accuracy', score.accuracy, ...(v ? [v.accuracy] : [])],
      ['macro precision', score.macro.precision, ...(v ? [v.macro.precision] : [])],
      ['macro recall', score.macro.recall, ...(v ? [v.macro.recall] : [])],
      ['macro F1', score.macro.f1, ...(v ? [v.macro.f1] : [])],
    ];
    say(mode, table(['metric', compact ? 'training' : 'value', ...(v ? ['validation'] : [])], rows));
    if (compact) return;
    const names = classNames(preprocessing);
    say(mode, '\nper class:');
    say(mode, table(['class', 'precision', 'recall', 'F1', 'support'], score.perClass.map((c, k) => [names[k] ?? String(k), c.precision, c.recall, c.f1, c.support])));
    say(mode, '\nconfusion matrix (rows: true class, columns: predicted):');
    say(mode, table(['', ...names], score.confusion.map((row, k) => [names[k], ...row])));
    return;
  }
  const v = validation?.task === 'regression' ? validation : null;
  const rows: (string | number)[][] = (['mse', 'rmse', 'mae', 'r2'] as const).map((key) => [key === 'r2' ? 'R²' : key.toUpperCase(), score[key], ...(v ? [v[key]] : [])]);
  say(mode, table(['metric', compact ? 'training' : 'value', ...(v ? ['validation'] : [])], rows));
}

export { formatNumber };

/** "1 row", "3 rows": a count and its noun, plural unless the count is 1 (any value, as a model file's free-form areas may hold). */
export function plural(count: unknown, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`;
}
