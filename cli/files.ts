/**
 * Reading inputs and writing outputs. Every output is written atomically: the text goes to a
 * temporary file in the same directory, is flushed to disk (fsync), and is renamed over the
 * target, so an existing file is either left as it was or replaced whole, and an error never
 * leaves a half-written file behind.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { BackpropError } from '../src/index.js';
import { writeTextAtomic } from '../node/files.js';
import { UsageError } from './errors.js';

/**
 * The text of a file, or of standard input for "-". Errors name the path; bytes that are not UTF-8
 * (a Latin-1 or Windows-1252 export) are refused, naming the line and the byte, rather than read as
 * replacement characters.
 */
export function readText(path: string, what = 'file'): string {
  let bytes: Buffer;
  try {
    if (path !== '-' && statSync(path).isDirectory()) throw new UsageError(`${path}: is a directory, expected a ${what}`);
    bytes = readFileSync(path === '-' ? 0 : path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`${path}: cannot read the ${what} (${reason})`);
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    const at = Math.max(0, firstInvalidUtf8(bytes));
    let line = 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    const byte = bytes[at].toString(16).toUpperCase().padStart(2, '0');
    throw new UsageError(`${sourceName(path)}, line ${line}: the ${what} is not UTF-8 text (byte 0x${byte}); save it as UTF-8`);
  }
}

/** Strict UTF-8 that keeps a byte-order mark, as readFileSync(…, 'utf8') did. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Index of the first byte that does not start a valid UTF-8 sequence (-1 when all are valid). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    if (lead < 0x80) {
      i++;
      continue;
    }
    const extra = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (extra === 0) return i;
    let code = lead & (0x3f >> extra);
    for (let k = 1; k <= extra; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8 either.
    if (code < [0, 0x80, 0x800, 0x10000][extra] || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return i;
    i += extra + 1;
  }
  return -1;
}

/** The name a data source is called by in messages: the path as given, or "stdin". */
export function sourceName(path: string): string {
  return path === '-' ? 'stdin' : path;
}


/**
 * Fails early (before a long run) when `path` could not be written: an empty name, a directory,
 * a missing directory, or one where no file can be created (permissions, a read-only or special
 * file system), found by creating and removing an empty file beside it.
 */
export function checkWritable(path: string): void {
  if (path.trim() === '') throw new UsageError(`cannot write the file ${JSON.stringify(path)} (an empty file name)`);
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new UsageError(`${path}: is a directory, expected a file name to write`);
  if (!statSync(dirname(path), { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${path}: cannot write the file (the directory ${dirname(path)} does not exist)`);
  if (existing && !existing.isFile()) return; // a device or a pipe is written directly
  const target = existing ? realpathSync(path) : path;
  // Named like a temporary of writeTextAtomic, so that one left by a killed process is removed by the next write.
  const probe = join(dirname(target), `.${basename(target)}.${process.pid}.probe.tmp`);
  try {
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reasons: Record<string, string> = { EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system', ENOSPC: 'no space left' };
    throw new UsageError(`${path}: cannot write the file (${(code && reasons[code]) ?? `cannot create a file in ${dirname(target)}: ${code ?? (error as Error).message}`})`);
  }
}

/** An output option that may be "-" for stdout (predict, data make): the path to write, or null for stdout. */
export function outputPath(out: string | undefined): string | null {
  return out === undefined || out === '-' ? null : out;
}

/** A model output (--out of train and search) must be a file: "-" would otherwise silently make a file named "-". */
export function checkModelOutput(out: string): void {
  if (out === '-') throw new UsageError(`--out: must be a file name (a model is not written to stdout; ./- names a file called "-"), got "-"`);
  checkWritable(out);
}

/** Refuses an output that is one of the command's input files (the same file, by any name or link): writing it would destroy the input. */
export function checkNotAnInput(option: string, path: string, inputs: readonly string[]): void {
  const output = statSync(path, { throwIfNoEntry: false });
  if (!output?.isFile()) return;
  for (const input of inputs) {
    const read = input === '-' ? undefined : statSync(input, { throwIfNoEntry: false });
    if (read && read.dev === output.dev && read.ino === output.ino) {
      throw new UsageError(`${option}: is the input file ${input}; writing there would replace it (choose another file name), got ${JSON.stringify(path)}`);
    }
  }
}

/**
 * Writes `text` to `path` atomically (node/files.ts: temporary file in the same directory, fsync,
 * rename; devices and pipes written directly; symbolic links followed); errors become UsageErrors
 * naming the path.
 */
export function writeFileAtomic(path: string, text: string): void {
  try {
    checkWritable(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${path}: cannot write the file (${(error as Error).message})`);
  }
  try {
    writeTextAtomic(path, text);
  } catch (error) {
    if (error instanceof BackpropError) throw new UsageError(error.message);
    throw error;
  }
}

/** Removes temporary files a killed writer of `name` left in `directory` (`.name.<pid>.<n>.tmp`). */
export function removeStaleTemporaries(directory: string, name: string): void {
  const pattern = new RegExp(`^\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.\\d+\\.\\d+\\.tmp$`);
  for (const entry of readdirSync(directory)) if (pattern.test(entry)) rmSync(join(directory, entry), { force: true });
}

/** Creates a directory (and its parents) for checkpoints; errors name the path. */
export function ensureDirectory(path: string): void {
  // One level at a time: Node's recursive mkdir can loop forever on file systems such as /proc
  // that refuse to create entries with ENOENT.
  const missing: string[] = [];
  let current = resolve(path);
  while (!statSync(current, { throwIfNoEntry: false })) {
    missing.unshift(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  try {
    for (const directory of missing) mkdirSync(directory);
    if (!statSync(path).isDirectory()) throw new Error('it exists and is not a directory');
  } catch (error) {
    throw new UsageError(`${path}: cannot create the checkpoint directory (${(error as Error).message})`);
  }
}
