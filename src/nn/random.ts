import { ValueError, checkNumber } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/**
 * How a layer or builder receives its randomness: a shared generator, or a seed for its own.
 * Layers built separately with the default seed draw the same stream (two Dropout layers would
 * drop the same positions): share one `rng` between them, as `mlp` and `fromModelDocument` do,
 * or give each its own seed.
 */
export interface RandomOptions {
  /** The generator to draw from (shared with other layers, so one seed reproduces a whole model). */
  rng?: Rng;
  /** A seed for a new generator, when no `rng` is given. Default 0. */
  seed?: number;
}

/** The generator `options` ask for: `rng` itself, or `new Rng(seed ?? 0)`. Both at once is an error. */
export function generatorFrom(where: string, options: RandomOptions): Rng {
  if (options.rng !== undefined && options.seed !== undefined) throw new ValueError(`${where}: pass rng or seed, not both`);
  if (options.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw new ValueError(`${where}: rng must be an Rng`);
    return options.rng;
  }
  return new Rng(checkNumber(where, 'seed', options.seed ?? 0, { integer: true }));
}
