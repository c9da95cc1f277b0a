import { ValueError, checkNumber } from '../util/errors.js';
import { Rng } from '../util/rng.js';

/**
 * How a layer or builder receives its randomness: a shared generator, a seed for its own, or
 * neither. With neither, it forks a generator from the process-wide default generator (seeded 0
 * when backprop loads, reset by `setDefaultSeed`), as PyTorch's layers draw from its global
 * generator: a script builds the same model on every run, and layers built one after another
 * differ from each other.
 */
export interface RandomOptions {
  /** The generator to draw from (shared with other layers, so one seed reproduces a whole model). */
  rng?: Rng;
  /** A seed for a new generator, when no `rng` is given. */
  seed?: number;
}

let defaultGenerator = new Rng(0);

/** Re-seeds the default generator that layers built without `rng` or `seed` fork from. */
export function setDefaultSeed(seed: number): void {
  defaultGenerator = new Rng(checkNumber('setDefaultSeed', 'seed', seed, { integer: true }));
}

/** The generator `options` ask for: `rng` itself, `new Rng(seed)`, or a fork of the default generator. Both at once is an error. */
export function generatorFrom(where: string, options: RandomOptions): Rng {
  if (options.rng !== undefined && options.seed !== undefined) throw new ValueError(`${where}: pass rng or seed, not both`);
  if (options.rng !== undefined) {
    if (!(options.rng instanceof Rng)) throw new ValueError(`${where}: rng must be an Rng`);
    return options.rng;
  }
  if (options.seed === undefined) return defaultGenerator.fork();
  return new Rng(checkNumber(where, 'seed', options.seed, { integer: true }));
}
