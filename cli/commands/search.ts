/** `backprop search`: grid or random hyperparameter search ranked by k-fold score; trains and saves the best. */
import { plural } from '../report.js';
import { Command, Option } from 'commander';
import { takeRows, takeValues } from '../engine.js';
import type { TrainingConfig } from '../engine.js';
import { crossValidate, foldPlans } from '../cross-validate.js';
import type { CrossValidation } from '../cross-validate.js';
import { loadTable } from '../data.js';
import { UsageError } from '../errors.js';
import { checkModelOutput, checkNotAnInput } from '../files.js';
import { checkConverged, saveModel, scoreSummary, trainedModelDocument } from '../model-file.js';
import { addDataOptions, addTargetOption, addTrainingOptions, categoricalColumns, configFromOptions, requireTarget } from '../options.js';
import { checkEarlyStoppingRows, encodeForTraining, predictRows, prepareRun, scorePredictions } from '../pipeline.js';
import { DEFAULT_SPACE, describeSettings, gridConfigs, parseSpace, randomConfigs } from '../search-space.js';
import { WorkProgress, formatNumber, outputMode, say, table } from '../terminal.js';
import { parseNumberOption } from '../options.js';

interface SearchOptions extends Record<string, unknown> {
  target: string;
  folds: string;
  grid?: string;
  random?: string;
  space?: string;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

export function searchCommand(): Command {
  const command = addTargetOption(new Command('search')
    .description('hyperparameter search: rank configurations by k-fold score, then train the best on all the data and save it')
    .argument('<data.csv>', 'data with a header row ("-" reads stdin)'))
    .option('--grid <settings>', "every combination of the listed values, e.g. 'lr=1e-2,1e-3 layers=32|64,32 dropout=0,0.2'")
    .option('--random <n>', 'n configurations drawn at random from --space')
    .option('--space <settings>', "ranges and choices for --random, e.g. 'lr=1e-4..1e-1:log layers=32|64,32 dropout=0..0.5'", DEFAULT_SPACE)
    .option('--folds <k>', 'folds of the cross-validation of each configuration', '3')
    .option('--out <model.json>', 'where to save the best configuration trained on all the data', 'model.json');
  addDataOptions(command);
  addTrainingOptions(command);
  command.addOption(new Option('--json', 'print the ranking and the best configuration as JSON'));
  command.addOption(new Option('--quiet', 'print nothing but errors'));
  command.addHelpText('after', `
Settings: option=values separated by spaces; options as on the command line without dashes
(batch-size or batchSize); alternatives separated by "|" (or "," except for layers); for --random,
lo..hi is a uniform range and lo..hi:log a log-uniform one. Other training options set the base
configuration every candidate starts from.`);
  return command.action((file: string, options: SearchOptions) => search(file, options));
}

function search(file: string, options: SearchOptions): void {
  requireTarget(options);
  const mode = outputMode(options);
  if ((options.grid === undefined) === (options.random === undefined)) throw new UsageError('search: give either --grid <settings> or --random <n>');
  const folds = parseNumberOption('--folds', options.folds, { integer: true, min: 2 });
  checkModelOutput(options.out);
  checkNotAnInput('--out', options.out, [file]);
  const base = configFromOptions(options);
  let candidates: TrainingConfig[];
  let dimensions;
  if (options.grid !== undefined) {
    dimensions = parseSpace(options.grid, '--grid', { ranges: false });
    candidates = gridConfigs(base, dimensions, '--grid');
  } else {
    const count = parseNumberOption('--random', options.random!, { integer: true, min: 1 });
    dimensions = parseSpace(options.space!, '--space', { ranges: true });
    candidates = randomConfigs(base, dimensions, count, base.seed, '--space');
  }
  const { table: data } = loadTable(file);
  const encoded = encodeForTraining(data, options.target, base, categoricalColumns(options));
  // Every configuration's folds, and the refit of whichever wins, checked before any training.
  for (const config of candidates) {
    foldPlans(encoded, config, folds);
    checkEarlyStoppingRows(config, encoded.x.rows);
  }
  say(mode, `${file}: ${plural(encoded.x.rows, 'row')}, ${encoded.task}; ${plural(candidates.length, 'configuration')} × ${plural(folds, 'fold')}`);
  const results: { config: TrainingConfig; settings: string; cv: CrossValidation }[] = [];
  const progress = new WorkProgress(mode, candidates.reduce((sum, config) => sum + folds * config.epochs, 0));
  try {
    candidates.forEach((config, i) => {
      const cv = crossValidate(encoded, config, folds, { run: { onEpochEnd: () => progress.epoch() }, onFold: (fold) => progress.finished('', fold.epochs, config.epochs) });
      const settings = describeSettings(config, dimensions);
      results.push({ config, settings, cv });
      const diverged = cv.folds.some((fold) => fold.problem !== null) ? ' (diverged: the non-finite guard stopped training)' : '';
      progress.finished(`${i + 1}/${candidates.length} ${settings}: ${cv.headline} ${formatNumber(cv.mean[cv.headline])} ± ${formatNumber(cv.std[cv.headline])}${diverged}`, 0, 0);
    });
  } finally {
    progress.stop();
  }
  const metric = results[0].cv.headline;
  // A diverged configuration may score NaN (or −∞): it ranks last, as NaN does not order under '-'.
  const rankValue = (value: number) => (Number.isNaN(value) ? -Infinity : value);
  const rankSpread = (value: number) => (Number.isNaN(value) ? Infinity : value);
  const ranked = results
    .map((result, index) => ({ ...result, index }))
    .sort((a, b) => rankValue(b.cv.mean[metric]) - rankValue(a.cv.mean[metric]) || rankSpread(a.cv.std[metric]) - rankSpread(b.cv.std[metric]) || a.index - b.index);
  const best = ranked[0];
  // The refit trains on every row (the folds have done the validating), unless early stopping needs held-out rows to watch.
  const refit: TrainingConfig = best.config.earlyStopping === null ? { ...best.config, validationSplit: 0 } : best.config;
  const prepared = prepareRun(encoded, refit);
  const fit = prepared.trainer.fit();
  checkConverged(fit, options.out);
  const score = (rows: Int32Array) => scorePredictions(prepared.preprocessing, predictRows(prepared.run.model, prepared.preprocessing, takeRows(encoded.x, rows)), takeValues(encoded.y, rows));
  const scores = { training: score(prepared.trainRows), validation: prepared.validationRows ? score(prepared.validationRows) : null };
  saveModel(options.out, trainedModelDocument({
    model: prepared.run.model, config: refit, target: options.target, loss: prepared.run.loss, preprocessing: prepared.preprocessing,
    result: fit, dataFile: file, rows: encoded.x.rows, scores,
  }));
  if (mode.json) {
    process.stdout.write(JSON.stringify({
      metric, folds, model: options.out, best: best.config, trainedRows: prepared.trainRows.length,
      ranking: ranked.map((r, rank) => ({ rank: rank + 1, settings: r.settings, mean: r.cv.mean, std: r.cv.std, config: r.config })),
      training: scoreSummary(scores.training), validation: scores.validation ? scoreSummary(scores.validation) : null,
    }) + '\n');
    return;
  }
  say(mode, `\nranked by mean ${metric} over ${folds} folds:`);
  say(mode, table(['rank', 'settings', metric, '± std'], ranked.map((r, rank) => [String(rank + 1), r.settings, r.cv.mean[metric], r.cv.std[metric]])));
  const held = prepared.validationRows ? ` (${prepared.validationRows.length} more held out for early stopping)` : '';
  say(mode, `\nbest: ${best.settings}; trained on ${held ? '' : 'all '}${plural(prepared.trainRows.length, 'row')}${held} and saved to ${options.out}`);
}
