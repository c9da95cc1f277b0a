/**
 * Checkpoints of a training run: `<dir>/checkpoint.json`, rewritten atomically after every epoch,
 * holding what `--resume` needs to continue bit-identically: the resolved config, the target,
 * a SHA-256 of the data file (resuming on other data is refused), and the trainer's state
 * (weights, optimiser and schedule state, random generators, early-stopping state, history).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from './engine.js';
import type { TrainerState, TrainingConfig } from './engine.js';
import { UsageError } from './errors.js';
import { ensureDirectory, readText, writeFileAtomic } from './files.js';
import { optionLabel } from './pipeline.js';

export const CHECKPOINT_FORMAT = 'backprop.checkpoint';
export const CHECKPOINT_FILE = 'checkpoint.json';

export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  version: 1;
  target: string;
  /** Columns read as categories (--categorical). */
  categorical: string[];
  dataSha256: string;
  config: TrainingConfig;
  /** Epochs completed (the trainer state's `epoch`). */
  epoch: number;
  trainer: TrainerState;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes the checkpoint of a run into `directory` (created if needed), atomically. */
export function writeCheckpoint(directory: string, checkpoint: Omit<Checkpoint, 'format' | 'version' | 'epoch'>): void {
  ensureDirectory(directory);
  const document: Checkpoint = { format: CHECKPOINT_FORMAT, version: 1, epoch: checkpoint.trainer.epoch, ...checkpoint };
  writeFileAtomic(join(directory, CHECKPOINT_FILE), JSON.stringify(document));
}

/**
 * Refuses to start a new run whose checkpoints would replace another run's: that run could then
 * no longer be resumed.
 */
export function checkNoCheckpoint(directory: string): void {
  const path = join(directory, CHECKPOINT_FILE);
  if (existsSync(path)) {
    throw new UsageError(`--checkpoint: ${directory} already holds the checkpoint of a run (${path}); continue that run with --resume ${directory}, or give another directory (or delete the file) to start a new one`);
  }
}

/** Reads and checks `<directory>/checkpoint.json`; errors name the file and the problem. */
export function readCheckpoint(directory: string): Checkpoint {
  const path = join(directory, CHECKPOINT_FILE);
  if (!existsSync(path)) throw new UsageError(`--resume: no checkpoint in ${directory} (expected ${path}, written by train --checkpoint)`);
  const text = readText(path, 'checkpoint');
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not a valid checkpoint: not valid JSON (${(error as Error).message})`);
  }
  const bad = (problem: string): never => {
    throw new UsageError(`${path}: not a valid checkpoint: ${problem}`);
  };
  if (typeof value !== 'object' || value === null) bad('expected a JSON object');
  if (value.format !== CHECKPOINT_FORMAT) bad(`format must be ${JSON.stringify(CHECKPOINT_FORMAT)}, got ${JSON.stringify(value.format)}`);
  if (value.version !== 1) bad(`unsupported version ${JSON.stringify(value.version)}; this backprop reads version 1`);
  if (typeof value.target !== 'string') bad('target must be a column name');
  if (typeof value.dataSha256 !== 'string') bad('dataSha256 must be a hex string');
  const categorical = value.categorical ?? [];
  if (!Array.isArray(categorical) || categorical.some((name) => typeof name !== 'string')) bad('categorical must be a list of column names');
  const trainer = value.trainer as TrainerState | undefined;
  if (typeof trainer !== 'object' || trainer === null || trainer.format !== 'backprop.trainer-state') bad('trainer must be a trainer state');
  let config: TrainingConfig;
  try {
    config = resolveConfig(value.config as Record<string, unknown>, (key) => `config.${key}`);
  } catch (error) {
    return bad((error as Error).message);
  }
  return { format: CHECKPOINT_FORMAT, version: 1, target: value.target as string, categorical: categorical as string[], dataSha256: value.dataSha256 as string, config, epoch: trainer!.epoch, trainer: trainer! };
}

/** The command-line label of a config key, for "cannot be changed when resuming" messages. */
export { optionLabel };
