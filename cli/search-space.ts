/**
 * Search spaces of `backprop search`, written as space-separated `option=values` settings:
 *
 *   --grid  'lr=1e-2,1e-3 layers=32|64,32 dropout=0,0.2'   every combination (here 2·2·2 = 8)
 *   --space 'lr=1e-4..1e-1:log layers=32|64,32 dropout=0..0.5'   sampled by --random N
 *
 * Options are named as on the command line without the dashes (`batch-size` or `batchSize`).
 * Alternatives are separated by `|`, or by `,` for options other than `layers` (whose widths are
 * comma-separated). `lo..hi` is a uniform range, `lo..hi:log` a log-uniform one (random search
 * only); integer options are rounded.
 */
import { CONFIG_KEYS, Rng, parseConfigValue, resolveConfig } from './engine.js';
import type { ConfigKey, TrainingConfig } from './engine.js';
import { UsageError } from './errors.js';

export type Dimension =
  | { key: ConfigKey; kind: 'choices'; values: unknown[] }
  | { key: ConfigKey; kind: 'range'; low: number; high: number; log: boolean };

const INTEGER_KEYS = new Set<ConfigKey>(['batchSize', 'epochs', 'earlyStopping', 'seed']);

/** The random-search space used when --space is not given. */
export const DEFAULT_SPACE = 'lr=1e-4..1e-2:log layers=32|64|100|64,32|128,64 l2=1e-5..1e-2:log dropout=0..0.3 batch-size=16|32|64';

export function parseSpace(spec: string, option: string, { ranges }: { ranges: boolean }): Dimension[] {
  const settings = spec.trim().split(/\s+/).filter(Boolean);
  if (settings.length === 0) throw new UsageError(`${option}: expected settings such as 'lr=1e-2,1e-3 layers=32|64,32', got ${JSON.stringify(spec)}`);
  const seen = new Set<ConfigKey>();
  return settings.map((setting) => {
    const equals = setting.indexOf('=');
    const name = equals > 0 ? setting.slice(0, equals) : setting;
    const key = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()) as ConfigKey;
    if (equals <= 0 || equals === setting.length - 1) throw new UsageError(`${option}: ${JSON.stringify(setting)} must be option=values, e.g. lr=1e-2,1e-3`);
    if (!CONFIG_KEYS.includes(key)) throw new UsageError(`${option}: unknown option ${JSON.stringify(name)} in ${JSON.stringify(setting)}; valid: ${CONFIG_KEYS.join(', ')}`);
    if (seen.has(key)) throw new UsageError(`${option}: ${JSON.stringify(name)} is given twice`);
    seen.add(key);
    const text = setting.slice(equals + 1);
    const label = () => `${option} ${name}`;
    const range = /^([^.]+(?:\.\d*)?(?:[eE][+-]?\d+)?)\.\.([^:]+)(:log)?$/.exec(text);
    if (range && key !== 'layers') {
      if (!ranges) throw new UsageError(`${option}: ${JSON.stringify(setting)}: ranges (lo..hi) are for --random search; list values for --grid`);
      const low = parseConfigValue(key, range[1], label) as number;
      const high = parseConfigValue(key, range[2], label) as number;
      if (typeof low !== 'number' || typeof high !== 'number' || !(low < high)) throw new UsageError(`${option}: ${JSON.stringify(setting)}: a range needs numbers lo < hi`);
      if (range[3] && !(low > 0)) throw new UsageError(`${option}: ${JSON.stringify(setting)}: a :log range needs lo > 0`);
      // Both ends must be valid values (with sgd, which every numeric option allows): else whether
      // a draw fails would depend on the seed.
      for (const end of [low, high]) resolveConfig({ optimizer: 'sgd', [key]: end }, label);
      return { key, kind: 'range', low, high, log: range[3] !== undefined };
    }
    const parts = key === 'layers' || text.includes('|') ? text.split('|') : text.split(',');
    return { key, kind: 'choices', values: parts.map((part) => parseConfigValue(key, part, label)) };
  });
}

/** Every combination of the choices, first dimension slowest, each merged into `base` and checked. */
export function gridConfigs(base: TrainingConfig, dimensions: Dimension[], option: string): TrainingConfig[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const dimension of dimensions) {
    if (dimension.kind !== 'choices') throw new UsageError(`${option}: ranges are for --random search`);
    combos = combos.flatMap((combo) => dimension.values.map((value) => ({ ...combo, [dimension.key]: value })));
  }
  return combos.map((combo) => checked(base, combo, option));
}

/** `count` configurations drawn from the space with a generator seeded by `seed`. */
export function randomConfigs(base: TrainingConfig, dimensions: Dimension[], count: number, seed: number, option: string): TrainingConfig[] {
  const rng = new Rng(seed).fork().fork().fork();
  return Array.from({ length: count }, () => {
    const combo: Record<string, unknown> = {};
    for (const dimension of dimensions) {
      if (dimension.kind === 'choices') combo[dimension.key] = dimension.values[rng.int(dimension.values.length)];
      else {
        const u = rng.uniform();
        let value = dimension.log ? Math.exp(Math.log(dimension.low) + u * (Math.log(dimension.high) - Math.log(dimension.low))) : dimension.low + u * (dimension.high - dimension.low);
        value = INTEGER_KEYS.has(dimension.key) ? Math.round(value) : Number(value.toPrecision(3));
        combo[dimension.key] = value;
      }
    }
    return checked(base, combo, option);
  });
}

function checked(base: TrainingConfig, combo: Record<string, unknown>, option: string): TrainingConfig {
  return resolveConfig({ ...base, ...combo }, (key) => `${option} ${key}`);
}

/** The searched settings of a config, e.g. `lr=0.01 layers=64,32`. */
export function describeSettings(config: TrainingConfig, dimensions: Dimension[]): string {
  return dimensions.map(({ key }) => {
    const value = config[key];
    return `${key}=${Array.isArray(value) ? value.join(',') || 'none' : value === null ? 'none' : String(value)}`;
  }).join(' ');
}
