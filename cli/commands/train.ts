/** `backprop train <data.csv> --target <column>`: trains a network and saves it with its preprocessing. */
import { Command, Option } from 'commander';
import { CONFIG_KEYS, backend, takeRows, takeValues } from '../engine.js';
import type { EpochRecord, HealthWarning, TrainingConfig } from '../engine.js';
import { CHECKPOINT_FILE, checkNoCheckpoint, readCheckpoint, sha256, writeCheckpoint } from '../checkpoint.js';
import { loadTable } from '../data.js';
import { UsageError } from '../errors.js';
import { checkModelOutput, checkNotAnInput, ensureDirectory, removeStaleTemporaries } from '../files.js';
import { checkConverged, saveModel, scoreSummary, trainedModelDocument } from '../model-file.js';
import type { TrainedModel } from '../model-file.js';
import { addDataOptions, addTargetOption, addTrainingOptions, categoricalColumns, configFromOptions, requireTarget, describeConfig } from '../options.js';
import { checkEarlyStoppingRows, encodeForTraining, optionLabel, predictRows, prepareRun, scorePredictions } from '../pipeline.js';
import type { Score } from '../pipeline.js';
import { TrainingProgress, lossChart, outputMode, say } from '../terminal.js';
import type { OutputMode } from '../terminal.js';
import { architecture, plural, printScore } from '../report.js';
import { join, resolve } from 'node:path';

interface TrainOptions extends Record<string, unknown> {
  target: string;
  out: string;
  checkpoint?: string;
  resume?: string;
  json?: boolean;
  quiet?: boolean;
}

export function trainCommand(): Command {
  const command = addTargetOption(new Command('train')
    .description('train a network on a CSV file and save it with its preprocessing')
    .argument('<data.csv>', 'training data: a header row, one sample per row ("-" reads stdin)'))
    .option('--out <model.json>', 'where to save the trained model (written atomically)', 'model.json')
    .option('--checkpoint <dir>', `write ${CHECKPOINT_FILE} (weights, optimiser, random state, config) into <dir> after every epoch`)
    .option('--resume <dir>', 'continue the run checkpointed in <dir> (same data and target; the configuration comes from the checkpoint)');
  addDataOptions(command);
  addTrainingOptions(command);
  command.addOption(new Option('--json', 'print the history and results as one JSON object instead of text'));
  command.addOption(new Option('--quiet', 'print nothing but errors'));
  command.addHelpText('after', `
Ctrl-C (SIGINT) stops training after the current step, saves the model as it is and exits
with status 130.

Examples:
  backprop train data/iris.csv --target species --out iris.json
  backprop train data/digits.csv --target digit --layers 64,32 --epochs 30 --schedule cosine --checkpoint runs/digits
  backprop train data/digits.csv --target digit --resume runs/digits --out digits.json`);
  return command.action((file: string, options: TrainOptions) => train(file, options));
}

async function train(file: string, options: TrainOptions): Promise<void> {
  requireTarget(options);
  const mode = outputMode(options);
  if (file === '-' && options.resume) throw new UsageError('--resume: needs the data as a file (the checkpoint checks it is the same data), not stdin');
  checkModelOutput(options.out);
  checkNotAnInput('--out', options.out, [file]);
  if (options.checkpoint !== undefined && (options.resume === undefined || resolve(options.checkpoint) !== resolve(options.resume))) checkNoCheckpoint(options.checkpoint);
  const { table, text } = loadTable(file);
  const dataSha256 = sha256(text);
  let config: TrainingConfig;
  let categorical = categoricalColumns(options);
  let resumeFrom = null;
  if (options.resume) {
    const checkpoint = readCheckpoint(options.resume);
    const given = [...CONFIG_KEYS, 'categorical'].filter((key) => options[key] !== undefined);
    if (given.length) throw new UsageError(`${optionLabel(given[0])}: cannot be changed when resuming; the run continues with the configuration in ${join(options.resume, CHECKPOINT_FILE)}`);
    if (checkpoint.target !== options.target) throw new UsageError(`--target: the checkpoint was trained for target ${JSON.stringify(checkpoint.target)}, got ${JSON.stringify(options.target)}`);
    if (checkpoint.dataSha256 !== dataSha256) throw new UsageError(`${file}: not the data the checkpoint in ${options.resume} was trained on (its SHA-256 differs)`);
    config = checkpoint.config;
    categorical = checkpoint.categorical;
    resumeFrom = checkpoint;
  } else {
    config = configFromOptions(options);
  }
  const data = encodeForTraining(table, options.target, config, categorical);
  // Before anything is written; a resumed run keeps the configuration it was started with.
  if (!resumeFrom) checkEarlyStoppingRows(config, data.x.rows);
  const checkpointDir = options.checkpoint ?? options.resume;
  if (checkpointDir) {
    ensureDirectory(checkpointDir);
    removeStaleTemporaries(checkpointDir, CHECKPOINT_FILE);
  }
  const warnings = new Map<string, HealthWarning & { epoch: number }>();
  let progress: TrainingProgress | null = null;
  let stepsPerEpoch = 1;
  const prepared = prepareRun(data, config, {
    onSteps: ({ count }) => progress?.steps(count),
    onEpochEnd: ({ record }) => {
      progress?.epoch(record, stepsPerEpoch);
      for (const warning of record.warnings) {
        const key = `${warning.kind} ${warning.layer}`;
        if (!warnings.has(key)) warnings.set(key, { ...warning, epoch: record.epoch });
      }
      if (checkpointDir) writeCheckpoint(checkpointDir, { target: options.target, categorical, dataSha256, config, trainer: prepared.trainer.state() });
    },
  });
  const { trainer, run, preprocessing } = prepared;
  if (resumeFrom) {
    try {
      trainer.restore(resumeFrom.trainer);
    } catch (error) {
      throw new UsageError(`${join(options.resume!, CHECKPOINT_FILE)}: not a valid checkpoint for this run: ${(error as Error).message}`);
    }
  }
  const trainRows = prepared.trainRows.length;
  stepsPerEpoch = Math.ceil(trainRows / Math.min(config.batchSize, trainRows));
  const classes = data.task === 'classification' ? `${data.classes} classes` : 'a value';
  say(mode, `${file}: ${plural(data.x.rows, 'row')}, ${plural(data.encoder.features.length, 'feature')} (${plural(data.x.columns, 'input')}) → ${data.encoder.target.name}: ${data.task}, ${classes}`);
  say(mode, `model: ${architecture(run.model)}, loss ${run.loss}; engine backend ${backend().name}`);
  say(mode, `training: ${describeConfig(config)}; ${plural(trainRows, 'training row')}, ${plural(prepared.validationRows?.length ?? 0, 'validation row')}`);
  if (resumeFrom) say(mode, `resuming after epoch ${resumeFrom.epoch} from ${options.resume}`);
  progress = new TrainingProgress(mode, config.epochs, stepsPerEpoch, resumeFrom?.epoch ?? 0);
  // Interrupted runs still save, then exit with 130 (128 + SIGINT) so `train && deploy` stops.
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    trainer.requestStop();
  };
  process.once('SIGINT', interrupt);
  let result;
  try {
    result = await trainer.fitAsync();
  } finally {
    process.off('SIGINT', interrupt);
    progress.stop();
  }
  checkConverged(result, options.out);
  const score = (rows: Int32Array): Score => scorePredictions(preprocessing, predictRows(run.model, preprocessing, takeRows(data.x, rows)), takeValues(data.y, rows));
  const trained: TrainedModel = {
    model: run.model, config, target: options.target, loss: run.loss, preprocessing, result, dataFile: file, rows: data.x.rows,
    scores: { training: score(prepared.trainRows), validation: prepared.validationRows ? score(prepared.validationRows) : null },
  };
  saveModel(options.out, trainedModelDocument(trained));
  report(mode, trained, [...warnings.values()], options.out);
  if (interrupted) process.exitCode = 130;
}

function report(mode: OutputMode, trained: TrainedModel, warnings: (HealthWarning & { epoch: number })[], out: string): void {
  const { result, scores } = trained;
  if (mode.json) {
    const history = result.history.map(({ health: _health, ...record }: EpochRecord) => record);
    process.stdout.write(JSON.stringify({
      model: out, task: scores.training.task, target: trained.target, loss: trained.loss, config: trained.config, backend: backend().name,
      stoppedBy: result.stoppedBy, epochs: result.history.length, bestEpoch: result.bestEpoch, problem: result.problem,
      training: scoreSummary(scores.training), validation: scores.validation ? scoreSummary(scores.validation) : null,
      warnings, history,
    }) + '\n');
    return;
  }
  if (mode.quiet) return;
  say(mode);
  if (mode.tty) {
    const chart = lossChart(result.history);
    if (chart) say(mode, chart + '\n');
  }
  const ended = { epochs: 'at the last epoch', earlyStopping: `by early stopping (best epoch ${result.bestEpoch}, weights restored)`, callback: 'when interrupted', nonFinite: 'by the non-finite guard', targetLoss: 'at the target loss', timeLimit: 'at the time limit' }[result.stoppedBy];
  say(mode, `stopped ${ended}: ${plural(result.history.length, 'epoch')}, ${plural(result.steps, 'step')}, ${(result.timeMs / 1000).toFixed(1)} s`);
  if (result.problem) process.stderr.write(`backprop: warning: ${result.problem}\n`);
  say(mode);
  printScore(mode, scores.training, trained.preprocessing, scores.validation, { compact: true });
  if (warnings.length) {
    say(mode, '\ngradient health:');
    for (const warning of warnings) say(mode, `  epoch ${warning.epoch}: ${warning.message}`);
  }
  say(mode, `\nsaved the model to ${out}`);
}
