import { noGrad } from '../autograd/index.js';
import type { Module } from '../nn/index.js';
import { concat } from '../ops/index.js';
import { Tensor, requireTensor } from '../tensor/index.js';
import { ShapeError, ValueError, checkNumber, formatShape } from '../util/errors.js';

export interface PredictOptions {
  /** Rows per forward pass (bounds memory for large inputs). Default 1024. */
  batchSize?: number;
}

/**
 * The model's outputs for x ([rows, features]) in evaluation mode (dropout off, no noise) and
 * without recording a graph; the model's mode is restored afterwards. For a classifier trained
 * with softmaxCrossEntropy these are logits: `softmax(predict(model, x))` gives probabilities and
 * `argmax(predict(model, x))` the classes.
 */
export function predict(model: Module, x: Tensor, options: PredictOptions = {}): Tensor {
  requireTensor('predict', 'x', x);
  if (x.rank !== 2) throw new ShapeError(`predict: x must be a 2-D tensor [rows, features], got ${formatShape(x.shape)}`);
  const weights = model.parameters();
  if (weights.length > 0 && x.dtype !== weights[0].dtype) throw new ValueError(`predict: x is ${x.dtype} but the model's parameters are ${weights[0].dtype}; convert it with x.to('${weights[0].dtype}')`);
  const batchSize = checkNumber('predict', 'batchSize', options.batchSize ?? 1024, { min: 1, integer: true });
  const wasTraining = model.training;
  model.eval();
  try {
    return noGrad(() => {
      const [rows, width] = x.shape;
      if (rows <= batchSize) return model.forward(x);
      const parts: Tensor[] = [];
      for (let start = 0; start < rows; start += batchSize) {
        const end = Math.min(rows, start + batchSize);
        parts.push(model.forward(new Tensor(x.data.subarray(start * width, end * width), [end - start, width])));
      }
      return concat(parts, 0);
    });
  } finally {
    model.train(wasTraining);
  }
}
