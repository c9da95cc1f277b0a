import { ValueError } from '../util/errors.js';

/**
 * Evaluation metrics over whole data sets. Classification metrics take integer class labels
 * (predicted and true); regression metrics take flat arrays of predictions and targets (all
 * outputs pooled).
 */

function checkLengths(where: string, predicted: ArrayLike<number>, actual: ArrayLike<number>): void {
  if (predicted.length !== actual.length) throw new ValueError(`${where}: ${predicted.length} predictions for ${actual.length} targets`);
  if (predicted.length === 0) throw new ValueError(`${where}: no samples`);
}

/** Share of samples whose predicted class equals the true class. */
export function accuracy(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  checkLengths('accuracy', predicted, actual);
  let correct = 0;
  for (let i = 0; i < actual.length; i++) if (predicted[i] === actual[i]) correct++;
  return correct / actual.length;
}

/** counts[t][p] = number of samples of true class t predicted as class p (rows: truth, columns: prediction). */
export function confusionMatrix(predicted: ArrayLike<number>, actual: ArrayLike<number>, classes: number): number[][] {
  checkLengths('confusionMatrix', predicted, actual);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < actual.length; i++) {
    const t = actual[i];
    const p = predicted[i];
    if (!(Number.isInteger(t) && t >= 0 && t < classes)) throw new ValueError(`confusionMatrix: true label ${i} must be an integer in [0, ${classes}), got ${t}`);
    if (!(Number.isInteger(p) && p >= 0 && p < classes)) throw new ValueError(`confusionMatrix: predicted label ${i} must be an integer in [0, ${classes}), got ${p}`);
    counts[t][p]++;
  }
  return counts;
}

export interface ClassScores {
  /** TP / (TP + FP); 0 when the class is never predicted (as scikit-learn's zero_division=0). */
  precision: number;
  /** TP / (TP + FN); 0 when the class never occurs. */
  recall: number;
  /** 2·P·R / (P + R); 0 when both are 0. */
  f1: number;
  /** Number of true samples of the class. */
  support: number;
}

export interface ClassificationReport {
  accuracy: number;
  perClass: ClassScores[];
  /** Unweighted means over classes of precision, recall and F1. */
  macro: { precision: number; recall: number; f1: number };
  confusion: number[][];
}

/** Accuracy, per-class and macro precision/recall/F1, and the confusion matrix. */
export function classificationReport(predicted: ArrayLike<number>, actual: ArrayLike<number>, classes: number): ClassificationReport {
  const confusion = confusionMatrix(predicted, actual, classes);
  const perClass: ClassScores[] = [];
  for (let c = 0; c < classes; c++) {
    const truePositive = confusion[c][c];
    let predictedCount = 0;
    let support = 0;
    for (let k = 0; k < classes; k++) {
      predictedCount += confusion[k][c];
      support += confusion[c][k];
    }
    const precision = predictedCount === 0 ? 0 : truePositive / predictedCount;
    const recall = support === 0 ? 0 : truePositive / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perClass.push({ precision, recall, f1, support });
  }
  const meanOf = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((s, c) => s + c[key], 0) / Math.max(classes, 1);
  return {
    accuracy: accuracy(predicted, actual),
    perClass,
    macro: { precision: meanOf('precision'), recall: meanOf('recall'), f1: meanOf('f1') },
    confusion,
  };
}

export interface RegressionReport {
  /** (1/N)·Σ(y − t)² */
  mse: number;
  /** √mse */
  rmse: number;
  /** (1/N)·Σ|y − t| */
  mae: number;
  /** 1 − Σ(y − t)² / Σ(t − mean t)² (see regressionReport for constant targets). */
  r2: number;
}

/**
 * MSE, RMSE, MAE and the coefficient of determination R² over all outputs pooled. R² is
 * 1 − SS_res / SS_tot; when the targets are constant (SS_tot = 0) it is 1 for a perfect fit and
 * 0 otherwise (scikit-learn's convention).
 */
export function regressionReport(predicted: ArrayLike<number>, actual: ArrayLike<number>): RegressionReport {
  checkLengths('regressionReport', predicted, actual);
  const n = actual.length;
  let targetMean = 0;
  for (let i = 0; i < n; i++) targetMean += actual[i];
  targetMean /= n;
  let squared = 0;
  let absolute = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = predicted[i] - actual[i];
    squared += d * d;
    absolute += Math.abs(d);
    const c = actual[i] - targetMean;
    total += c * c;
  }
  const mse = squared / n;
  const r2 = total === 0 ? (squared === 0 ? 1 : 0) : 1 - squared / total;
  return { mse, rmse: Math.sqrt(mse), mae: absolute / n, r2 };
}
