/** Atomic writes: a file is replaced whole or not at all, and no temporary file is left behind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../../cli/errors.js';
import { removeStaleTemporaries, writeFileAtomic } from '../../cli/files.js';
import { temporaryDirectory } from './helpers.js';

test('writeFileAtomic writes a new file and replaces an existing one whole, leaving no temporary file', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const path = join(dir, 'model.json');
  writeFileAtomic(path, 'first\n');
  assert.equal(readFileSync(path, 'utf8'), 'first\n');
  const big = 'x'.repeat(5_000_000);
  writeFileAtomic(path, big);
  assert.equal(readFileSync(path, 'utf8'), big);
  assert.deepEqual(readdirSync(dir), ['model.json']);
});

test('writeFileAtomic refuses a directory or a missing directory and leaves everything as it was', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'keep.txt'), 'keep');
  assert.throws(() => writeFileAtomic(join(dir, 'sub'), 'text'), (error: Error) => error instanceof UsageError && /sub: is a directory/.test(error.message));
  assert.throws(() => writeFileAtomic(join(dir, 'missing', 'm.json'), 'text'), /the directory .*missing does not exist/);
  assert.deepEqual(readdirSync(dir).sort(), ['keep.txt', 'sub']);
  assert.deepEqual(readdirSync(join(dir, 'sub')), []);
  assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'keep');
});

test('writeFileAtomic keeps the permissions of the file it replaces', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const path = join(dir, 'private.json');
  writeFileSync(path, 'old');
  chmodSync(path, 0o600);
  writeFileAtomic(path, 'new');
  assert.equal(readFileSync(path, 'utf8'), 'new');
  assert.equal(statSync(path).mode & 0o777, 0o600, 'still private');
  chmodSync(path, 0o640);
  writeFileAtomic(path, 'newer');
  assert.equal(statSync(path).mode & 0o777, 0o640);
});

test('writeFileAtomic through a symbolic link replaces the file it points to and keeps the link', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  mkdirSync(join(dir, 'real'));
  writeFileSync(join(dir, 'real', 'model.json'), 'old');
  symlinkSync(join(dir, 'real', 'model.json'), join(dir, 'link.json'));
  writeFileAtomic(join(dir, 'link.json'), 'new');
  assert.ok(lstatSync(join(dir, 'link.json')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'real', 'model.json'), 'utf8'), 'new');
  assert.deepEqual(readdirSync(join(dir, 'real')), ['model.json']);
});

test('removeStaleTemporaries removes what a killed writer left, nothing else', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  for (const name of ['checkpoint.json', '.checkpoint.json.123.0.tmp', '.checkpoint.json.45.7.tmp', '.other.json.1.0.tmp', 'checkpoint.json.bak']) writeFileSync(join(dir, name), '');
  removeStaleTemporaries(dir, 'checkpoint.json');
  assert.deepEqual(readdirSync(dir).sort(), ['.other.json.1.0.tmp', 'checkpoint.json', 'checkpoint.json.bak']);
});

test('a reader that closes the pipe early does not stop train from saving its model', async () => {
  const { startBackprop, IRIS } = await import('./helpers.js');
  const { existsSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'backprop-epipe-'));
  try {
    const out = join(dir, 'model.json');
    const child = startBackprop(['train', IRIS, '--target', 'species', '--epochs', '30', '--out', out]);
    child.stdout!.once('data', () => child.stdout!.destroy()); // like `| head -1`
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(status, 0);
    assert.ok(existsSync(out), 'the model was saved');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
