/**
 * Checks a trainer state before `Trainer.restore` uses it. A state read from a file (a checkpoint,
 * saveTrainerState) may be corrupt or edited by hand: each problem is an error naming the field
 * and the bad value, instead of NaN weights (typed arrays turn "abc" and null into NaN and 0) or a
 * TypeError from deep inside the restore.
 */
import { BackpropError, formatValue } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import type { RngState } from '../util/rng.js';

/** Throws a BackpropError unless `state` is a trainer state for parameters of these names and sizes. */
export function checkTrainerState(state: unknown, parameters: readonly (readonly [name: string, size: number])[]): void {
  const fail = (field: string, requirement: string, value: unknown): never => {
    throw new BackpropError(`Trainer.restore: ${field} must be ${requirement}, got ${formatValue(value)}`);
  };
  const fields = state as Record<string, unknown> | null;
  if (fields?.format !== 'backprop.trainer-state' || fields.version !== 1) {
    throw new BackpropError(`Trainer.restore: not a trainer state (format ${formatValue(fields?.format)}, version ${formatValue(fields?.version)})`);
  }
  for (const key of ['epoch', 'step']) {
    const value = fields[key];
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) fail(key, 'an integer >= 0', value);
  }
  const elapsed = fields.elapsedMs;
  if (!(typeof elapsed === 'number' && Number.isFinite(elapsed) && elapsed >= 0)) fail('elapsedMs', 'a number >= 0', elapsed);
  if (fields.position !== null) checkPosition(fields.position, fail);
  checkRng('shuffleRng', fields.shuffleRng, fail);
  const history = fields.history;
  if (!Array.isArray(history) || !history.every(isObject)) fail('history', 'a list of epoch records', history);
  // One record per completed epoch: a state whose two disagree was not written by Trainer.state().
  if ((history as unknown[]).length !== fields.epoch) fail('history', `one record per completed epoch (${fields.epoch as number})`, `${(history as unknown[]).length} records`);
  if (!isObject(fields.moduleRngs)) fail('moduleRngs', 'an object', fields.moduleRngs);
  if (!isObject(fields.parameters)) fail('parameters', 'an object of parameter values by name', fields.parameters);
  const values = fields.parameters as Record<string, unknown>;
  for (const [name, size] of parameters) {
    const list = values[name];
    if (!Array.isArray(list) || list.length !== size) throw new BackpropError(`Trainer.restore: parameters.${name} must hold ${size} numbers`);
    const bad = list.findIndex((value) => typeof value !== 'number' || !Number.isFinite(value));
    if (bad >= 0) fail(`parameters.${name}[${bad}]`, 'a finite number', list[bad]);
  }
}

type Fail = (field: string, requirement: string, value: unknown) => never;

/** Where a run stopped within an epoch (see EpochPosition). */
function checkPosition(position: unknown, fail: Fail): void {
  if (!isObject(position)) fail('position', 'null or the position within an epoch', position);
  const fields = position as Record<string, unknown>;
  for (const key of ['batch', 'seen', 'correct']) {
    const value = fields[key];
    if (!(typeof value === 'number' && Number.isInteger(value) && value >= 0)) fail(`position.${key}`, 'an integer >= 0', value);
  }
  if (!(typeof fields.lossSum === 'number' && Number.isFinite(fields.lossSum))) fail('position.lossSum', 'a finite number', fields.lossSum);
  checkRng('position.shuffleRng', fields.shuffleRng, fail);
}

/** A random generator's state, as Rng.setState takes it. */
function checkRng(field: string, state: unknown, fail: Fail): void {
  try {
    Rng.fromState(state as RngState);
  } catch {
    fail(field, 'a generator state (four unsigned 32-bit words, not all zero)', (state as { words?: unknown } | null)?.words ?? state);
  }
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
