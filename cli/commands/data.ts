/** `backprop data make <set>`: writes a CSV of a 2-D toy data set. */
import { Command } from 'commander';
import { SYNTHETIC_DATA_SETS, SYNTHETIC_MAX_ROWS, syntheticToCsv } from '../engine.js';
import type { SyntheticName } from '../engine.js';
import { optionError } from '../errors.js';
import { MAX_SEED, parseNumberOption } from '../options.js';
import { outputPath, writeFileAtomic } from '../files.js';

export function dataCommand(): Command {
  const data = new Command('data').description('make toy data sets');
  data.addCommand(
    new Command('make')
      .description(`write a CSV of a toy data set: ${Object.keys(SYNTHETIC_DATA_SETS).join(', ')} (x1,x2,label; sin: x,y)`)
      .argument('<set>', Object.keys(SYNTHETIC_DATA_SETS).join(' | '))
      .option('--n <rows>', 'number of rows', '200')
      .option('--noise <sigma>', 'standard deviation of the Gaussian noise (default: each set\'s own)')
      .option('--seed <n>', 'seed of the generator', '0')
      .option('--out <file.csv>', 'write to this file (atomically) instead of stdout ("-": stdout)')
      .action((name: string, options: { n: string; noise?: string; seed: string; out?: string }) => {
        if (!Object.prototype.hasOwnProperty.call(SYNTHETIC_DATA_SETS, name)) throw optionError('<set>', name, `must be one of ${Object.keys(SYNTHETIC_DATA_SETS).join(', ')}`);
        const n = parseNumberOption('--n', options.n, { integer: true, min: 1, max: SYNTHETIC_MAX_ROWS });
        const seed = parseNumberOption('--seed', options.seed, { integer: true, min: 0, max: MAX_SEED });
        const noise = options.noise === undefined ? undefined : parseNumberOption('--noise', options.noise, { min: 0 });
        const make = SYNTHETIC_DATA_SETS[name as SyntheticName] as (o: { n: number; seed: number; noise?: number }) => Parameters<typeof syntheticToCsv>[0];
        const text = syntheticToCsv(make({ n, seed, ...(noise === undefined ? {} : { noise }) }));
        const out = outputPath(options.out);
        if (out) writeFileAtomic(out, text);
        else process.stdout.write(text);
      }),
  );
  return data;
}
