import { noGrad } from '../autograd/index.js';
import type { FloatArray } from '../kernels/index.js';
import type { Module } from '../nn/index.js';
import { Tensor } from '../tensor/index.js';
import type { LossDefinition, Targets } from './losses.js';
import type { Dataset } from './types.js';

const EVAL_BATCH = 1024;

function isBinaryCrossEntropy(lossName: string): boolean {
  return lossName === 'binaryCrossEntropy' || lossName === 'binaryCrossEntropyWithLogits';
}

/** Accuracy is measured for class labels and for binary cross-entropy targets. */
export function measuresAccuracy(y: Targets, lossName: string): boolean {
  return y instanceof Int32Array || isBinaryCrossEntropy(lossName);
}

/** Correct predictions in a batch: argmax for labels; p > 0.5 (or logit > 0) against 0/1 targets. */
export function countCorrect(output: FloatArray, classes: number, y: Targets, lossName: string): number {
  let correct = 0;
  if (y instanceof Int32Array) {
    for (let r = 0; r < y.length; r++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (output[r * classes + c] > output[r * classes + best]) best = c;
      if (best === y[r]) correct++;
    }
  } else if (isBinaryCrossEntropy(lossName)) {
    const threshold = lossName === 'binaryCrossEntropy' ? 0.5 : 0;
    for (let i = 0; i < output.length; i++) if ((output[i] > threshold ? 1 : 0) === y.data[i]) correct++;
  }
  return correct;
}

/**
 * Mean loss and metrics (accuracy where measured) over a data set, in evaluation mode, in batches
 * of views into the data (no copies), without a graph; the model's mode is restored afterwards.
 */
export function evaluateModel(model: Module, data: Dataset, loss: LossDefinition & { name: string }): { loss: number; metrics: Record<string, number> } {
  const wasTraining = model.training;
  model.eval();
  const rows = data.x.shape[0];
  const width = data.x.shape[1];
  let lossSum = 0;
  let correct = 0;
  try {
    noGrad(() => {
      for (let start = 0; start < rows; start += EVAL_BATCH) {
        const end = Math.min(rows, start + EVAL_BATCH);
        const x = new Tensor(data.x.data.subarray(start * width, end * width), [end - start, width]);
        const y = data.y instanceof Tensor
          ? new Tensor(data.y.data.subarray(start * (data.y.size / rows), end * (data.y.size / rows)), [end - start, ...data.y.shape.slice(1)])
          : data.y.subarray(start, end);
        const output = model.forward(x);
        lossSum += loss.fn(output, y).item() * (end - start);
        correct += countCorrect(output.data, output.shape[1], y, loss.name);
      }
    });
  } finally {
    model.train(wasTraining);
  }
  const metrics: Record<string, number> = {};
  if (measuresAccuracy(data.y, loss.name)) metrics.accuracy = correct / (data.y instanceof Tensor ? data.y.size : rows);
  return { loss: lossSum / rows, metrics };
}
