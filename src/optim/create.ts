import { ValueError, formatValue } from '../util/errors.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import type { Optimizer, OptionValue, ParamsInput } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

/** Optimiser names accepted by `createOptimizer` (and the CLI's `--optimizer`). */
export const OPTIMIZER_NAMES = ['sgd', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const;
export type OptimizerName = (typeof OPTIMIZER_NAMES)[number];

/**
 * An optimiser by name, e.g. `createOptimizer('adam', model.parameters(), { lr: 1e-3 })`. Each
 * option is validated by the optimiser itself (unknown options are rejected with the valid list).
 * The name is case-insensitive: "Adam" and "adam" both work.
 */
export function createOptimizer(
  name: string,
  params: ParamsInput<Record<string, OptionValue> & { lr: number }>,
  options: Record<string, OptionValue> = {},
): Optimizer {
  const key = typeof name === 'string' ? name.toLowerCase() : name;
  // Each constructor checks `options` against its own option list, so the casts below are safe.
  const args = [params, options] as [never, never];
  switch (key) {
    case 'sgd':
      return new SGD(...args);
    case 'adagrad':
      return new Adagrad(...args);
    case 'rmsprop':
      return new RMSprop(...args);
    case 'adam':
      return new Adam(...args);
    case 'adamw':
      return new AdamW(...args);
    default:
      throw new ValueError(`createOptimizer: unknown optimizer ${formatValue(name)}; valid names: ${OPTIMIZER_NAMES.join(', ')}`);
  }
}
