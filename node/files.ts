/**
 * Files for Node users of the library: atomic writes, and saving and loading models and trainer
 * states (the engine works on objects; these put them in files).
 */
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BackpropError, fromModelDocument, parseModelDocument, toModelDocument } from '../src/index.js';
import type { Module, ModelDocument, Trainer, TrainerState } from '../src/index.js';

let temporaryCounter = 0;

/**
 * Writes `text` to `path` atomically: to a temporary file in the same directory, flushed to disk
 * (fsync), then renamed over `path`, so an existing file is either left as it was or replaced
 * whole, and an error never leaves a half-written file. A replaced file keeps its permissions. A
 * symbolic link is followed (the file it points to is replaced); a device or pipe (/dev/stdout) is
 * written directly. Errors that are the caller's (permission, read-only, no space) are
 * BackpropErrors naming the path.
 */
export function writeTextAtomic(path: string, text: string): void {
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing && !existing.isFile()) {
    if (existing.isDirectory()) throw new BackpropError(`${path}: is a directory, expected a file name to write`);
    writeFileSync(path, text);
    return;
  }
  const target = existing ? realpathSync(path) : path;
  const directory = dirname(target);
  removeAbandonedTemporaries(directory, basename(target));
  const temporary = join(directory, `.${basename(target)}.${process.pid}.${temporaryCounter++}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(temporary, 'wx', 0o644);
    // A replaced file keeps its permissions: a private (0600) file must not come back world-readable.
    if (existing) fchmodSync(fd, existing.mode & 0o7777);
    const bytes = Buffer.from(text, 'utf8');
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(temporary, target);
    syncDirectory(directory);
  } catch (error) {
    if (fd !== null) closeSync(fd);
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = { EACCES: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left', ENOENT: `the directory ${directory} does not exist` };
    if (code && reasons[code]) throw new BackpropError(`${path}: cannot write the file (${reasons[code]})`);
    throw error;
  }
}

/**
 * Deletes the temporary files of earlier writes of `name` whose writing process no longer exists
 * (killed mid-write, e.g. by SIGKILL, which no handler can catch): the next write of the same file
 * cleans up after it. Files of a live process (or of a process id now reused) are left alone.
 */
function removeAbandonedTemporaries(directory: string, name: string): void {
  let entries: string[];
  try {
    entries = readdirSync(directory);
  } catch {
    return; // the write reports the problem with the directory
  }
  const prefix = `.${name}.`;
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith('.tmp')) continue;
    const pid = Number(entry.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || processExists(pid)) continue;
    rmSync(join(directory, entry), { force: true });
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Makes a rename durable (best effort: some file systems do not let a directory be opened). */
function syncDirectory(directory: string): void {
  try {
    const fd = openSync(directory, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not supported here; the rename itself is still atomic.
  }
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BackpropError(`${path}: cannot read the ${what} (${code === 'ENOENT' ? 'no such file' : (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BackpropError(`${path}: the ${what} is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Saves `model` as a model document (docs/model-format.md), with optional free-form `training`
 * (configuration, history), `preprocessing` (encoders, scalers) and `metadata` areas, atomically.
 */
export function saveModel(path: string, model: Module, areas: Parameters<typeof toModelDocument>[1] = {}): ModelDocument {
  const document = toModelDocument(model, areas);
  writeTextAtomic(path, `${JSON.stringify(document, null, 2)}\n`);
  return document;
}

/** Loads a model document from `path`, validated (errors name the file and the field), and builds the model. */
export function loadModel(path: string, options: Parameters<typeof fromModelDocument>[1] = {}): { model: ReturnType<typeof fromModelDocument>; document: ModelDocument } {
  let document: ModelDocument;
  try {
    document = parseModelDocument(JSON.stringify(readJson(path, 'model file')));
  } catch (error) {
    if (error instanceof BackpropError && !error.message.startsWith(path)) throw new BackpropError(`${path}: ${error.message}`);
    throw error;
  }
  return { model: fromModelDocument(document, options), document };
}

/** Saves a trainer's state (weights, optimiser, schedule, random generators, position, history) atomically. */
export function saveTrainerState(path: string, trainer: Trainer): TrainerState {
  const state = trainer.state();
  writeTextAtomic(path, `${JSON.stringify(state)}\n`);
  return state;
}

/** Reads a trainer state written by saveTrainerState, to pass to `new Trainer(...).restore(state)`. */
export function loadTrainerState(path: string): TrainerState {
  const state = readJson(path, 'trainer state') as TrainerState;
  if (state?.format !== 'backprop.trainer-state') throw new BackpropError(`${path}: not a trainer state (format ${JSON.stringify(state?.format)})`);
  return state;
}
