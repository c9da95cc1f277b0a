import {
  binaryCrossEntropy, binaryCrossEntropyWithLogits, halfSquaredError, huberLoss, maeLoss, mseLoss, softmaxCrossEntropy,
} from '../ops/index.js';
import { Tensor } from '../tensor/index.js';
import { ValueError, formatValue } from '../util/errors.js';

/** Targets of a data set: a tensor of values (regression, binary targets) or integer class labels. */
export type Targets = Tensor | Int32Array;

/** A loss of a batch: predictions [batch, outputs] and the batch's targets; a scalar tensor (mean over the batch). */
export type LossFunction = (prediction: Tensor, target: Targets) => Tensor;

export interface LossDefinition {
  /** The loss averaged as documented in src/ops/losses.ts. */
  fn: LossFunction;
  /** 'labels' when targets are integer classes, 'values' when a tensor shaped like the prediction. */
  targets: 'labels' | 'values';
  /** Whether the model's output should be logits (no output activation) for this loss. */
  fromLogits: boolean;
  description: string;
}

function valuesOnly(name: string, target: Targets): Tensor {
  if (!(target instanceof Tensor)) throw new ValueError(`loss ${name}: targets must be a tensor shaped like the predictions, got class labels`);
  return target;
}

export const LOSSES = {
  mse: { fn: (p, t) => mseLoss(p, valuesOnly('mse', t)), targets: 'values', fromLogits: false, description: 'mean squared error, mean over all elements' },
  halfSquaredError: { fn: (p, t) => halfSquaredError(p, valuesOnly('halfSquaredError', t)), targets: 'values', fromLogits: false, description: '½·Σ(y − t)² per sample, mean over the batch' },
  mae: { fn: (p, t) => maeLoss(p, valuesOnly('mae', t)), targets: 'values', fromLogits: false, description: 'mean absolute error, mean over all elements' },
  huber: { fn: (p, t) => huberLoss(p, valuesOnly('huber', t)), targets: 'values', fromLogits: false, description: 'Huber loss (δ = 1), mean over all elements' },
  binaryCrossEntropy: { fn: (p, t) => binaryCrossEntropy(p, valuesOnly('binaryCrossEntropy', t)), targets: 'values', fromLogits: false, description: 'binary cross-entropy of probabilities, mean over all elements' },
  binaryCrossEntropyWithLogits: { fn: (p, t) => binaryCrossEntropyWithLogits(p, valuesOnly('binaryCrossEntropyWithLogits', t)), targets: 'values', fromLogits: true, description: 'binary cross-entropy of logits (stable), mean over all elements' },
  softmaxCrossEntropy: {
    fn: (p, t) => softmaxCrossEntropy(p, t),
    targets: 'labels',
    fromLogits: true,
    description: 'softmax cross-entropy of logits with integer labels, mean over the batch',
  },
} satisfies Record<string, LossDefinition>;

export type LossName = keyof typeof LOSSES;
export const LOSS_NAMES = Object.keys(LOSSES) as LossName[];

/**
 * A custom loss that refuses, naming itself, a result training cannot use: anything but a tensor of
 * one element, or one that does not depend on the prediction when the prediction needs a gradient.
 */
function checkedCustomLoss(loss: LossFunction, where: string): LossFunction {
  // An arrow function written as `loss: (p, t) => …` is named "loss" after the option.
  const named = loss.name !== '' && loss.name !== 'loss';
  const label = `${where}: the custom loss${named ? ` ${loss.name}` : ''}`;
  return (prediction, target) => {
    const value: unknown = loss(prediction, target);
    if (!(value instanceof Tensor)) throw new ValueError(`${label} returned ${formatValue(value)}; it must return a scalar tensor (build it from the prediction with the library's ops)`);
    if (value.size !== 1) throw new ValueError(`${label} returned a tensor of shape [${value.shape.join(',')}]; it must return a scalar (reduce it, e.g. with mean(…) or reduction: 'mean')`);
    if (prediction.requiresGrad && !value.requiresGrad) throw new ValueError(`${label} returned a tensor that does not depend on the prediction (computed under noGrad, detached, or from plain numbers), so there is nothing to backpropagate`);
    return value;
  };
}

/** The loss definition for a name (validated) or a custom function (its targets are taken as given). */
export function resolveLoss(loss: unknown, where = 'loss'): LossDefinition & { name: string } {
  if (typeof loss === 'function') return { name: loss.name || 'custom', fn: checkedCustomLoss(loss as LossFunction, where), targets: 'values', fromLogits: false, description: 'custom loss' };
  if (typeof loss === 'string' && Object.prototype.hasOwnProperty.call(LOSSES, loss)) return { name: loss, ...(LOSSES as Record<string, LossDefinition>)[loss] };
  throw new ValueError(`${where}: unknown loss ${formatValue(loss)}; valid losses: ${LOSS_NAMES.join(', ')}`);
}

/** The activations whose outputs lie in [0, 1] (probabilities for binaryCrossEntropy). */
const PROBABILITY_OUTPUTS: ReadonlySet<string> = new Set(['sigmoid', 'softmax']);

/**
 * Why an output activation does not suit a named loss, or null when it does: a loss that takes
 * logits applies softmax or sigmoid itself (an output that already applies one squashes the logits
 * twice), and binaryCrossEntropy takes probabilities, which only a sigmoid or softmax output gives.
 * Shared by fit's checks and the command line's options, so both refuse the same pairs.
 */
export function outputActivationProblem(loss: string, activation: string): string | null {
  if (loss === 'softmaxCrossEntropy' || loss === 'binaryCrossEntropyWithLogits') {
    const own = loss === 'softmaxCrossEntropy' ? 'softmax' : 'sigmoid';
    if (activation === own) return `would be applied twice: ${loss} takes logits and applies ${own} itself; use identity`;
    if (PROBABILITY_OUTPUTS.has(activation)) return `squashes the logits before ${loss} applies ${own} to them; use identity`;
    return null;
  }
  if (loss === 'binaryCrossEntropy' && !PROBABILITY_OUTPUTS.has(activation)) {
    return 'does not give probabilities in [0, 1], which binaryCrossEntropy takes; use sigmoid (or binaryCrossEntropyWithLogits with identity)';
  }
  return null;
}
