/** A training run killed mid-way and resumed from its checkpoint ends with the same weights as one never interrupted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIGITS, IRIS, backprop, startBackprop, temporaryDirectory } from './helpers.js';

const RUN = ['--target', 'digit', '--layers', '32', '--epochs', '40', '--dropout', '0.1', '--schedule', 'cosine', '--early-stopping', '50', '--batch-size', '16'];

function checkpointEpoch(path: string): number {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).epoch;
  } catch {
    return 0; // not written yet
  }
}

test('resume after SIGKILL continues bit-identically', async (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const full = join(dir, 'full.json');
  const uninterrupted = backprop(['train', DIGITS, ...RUN, '--out', full, '--quiet']);
  assert.equal(uninterrupted.status, 0, uninterrupted.stderr);

  const checkpoints = join(dir, 'run');
  const killedOut = join(dir, 'killed.json');
  const child = startBackprop(['train', DIGITS, ...RUN, '--checkpoint', checkpoints, '--out', killedOut, '--quiet']);
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  const checkpoint = join(checkpoints, 'checkpoint.json');
  while (checkpointEpoch(checkpoint) < 3) {
    assert.equal(child.exitCode, null, 'the run must still be going when its third checkpoint appears');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  const killedAt = checkpointEpoch(checkpoint);
  assert.ok(killedAt >= 3 && killedAt < 40, `killed after epoch ${killedAt}`);
  assert.equal(existsSync(killedOut), false, 'no model file from the killed run');
  // SIGKILL can land while a checkpoint is being written: its temporary file may remain, and the
  // next write of the checkpoint (by the resumed run) removes it.
  const left = readdirSync(checkpoints).filter((name) => name !== 'checkpoint.json');
  assert.ok(left.every((name) => /^\.checkpoint\.json\.\d+\.\d+\.tmp$/.test(name)), `only a temporary checkpoint may be left: ${left}`);

  const resumedOut = join(dir, 'resumed.json');
  const resumed = backprop(['train', DIGITS, '--target', 'digit', '--resume', checkpoints, '--out', resumedOut, '--json']);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.equal(JSON.parse(resumed.stdout).epochs, 40);
  const a = JSON.parse(readFileSync(full, 'utf8'));
  const b = JSON.parse(readFileSync(resumedOut, 'utf8'));
  assert.deepEqual(b.layers, a.layers, 'the same final weights, bit for bit');
  assert.deepEqual(b.training.history, a.training.history, 'the same loss curves');
  assert.equal(checkpointEpoch(checkpoint), 40, 'the resumed run went on checkpointing');
  assert.deepEqual(readdirSync(checkpoints), ['checkpoint.json'], 'no temporary file left beside the checkpoint');
});

test('resume refuses other data, another target or changed options', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const checkpoints = join(dir, 'run');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--epochs', '2', '--checkpoint', checkpoints, '--out', join(dir, 'm.json'), '--quiet']).status, 0);
  const other = backprop(['train', DIGITS, '--target', 'species', '--resume', checkpoints, '--out', join(dir, 'x.json')]);
  assert.equal(other.status, 2);
  const wrongTarget = backprop(['train', IRIS, '--target', 'sepal_length', '--resume', checkpoints, '--out', join(dir, 'x.json')]);
  assert.equal(wrongTarget.stderr, 'backprop: --target: the checkpoint was trained for target "species", got "sepal_length"\n');
  const changed = backprop(['train', IRIS, '--target', 'species', '--resume', checkpoints, '--lr', '0.1', '--out', join(dir, 'x.json')]);
  assert.match(changed.stderr, /^backprop: --lr: cannot be changed when resuming/);
  assert.equal(existsSync(join(dir, 'x.json')), false);
  const digitsText = backprop(['train', DIGITS, '--target', 'digit', '--resume', checkpoints, '--out', join(dir, 'x.json')]);
  assert.match(digitsText.stderr, /the checkpoint was trained for target "species"|not the data the checkpoint/);
});

test('a new run does not replace another run\'s checkpoint; --resume continues it', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const checkpoints = join(dir, 'run');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--epochs', '2', '--checkpoint', checkpoints, '--out', join(dir, 'm.json'), '--quiet']).status, 0);
  const path = join(checkpoints, 'checkpoint.json');
  const before = readFileSync(path, 'utf8');
  const again = backprop(['train', IRIS, '--target', 'species', '--epochs', '3', '--checkpoint', checkpoints, '--out', join(dir, 'other.json'), '--quiet']);
  assert.equal(again.status, 2);
  assert.equal(again.stderr, `backprop: --checkpoint: ${checkpoints} already holds the checkpoint of a run (${path}); continue that run with --resume ${checkpoints}, or give another directory (or delete the file) to start a new one\n`);
  assert.equal(readFileSync(path, 'utf8'), before, 'the checkpoint is left as it was');
  assert.equal(existsSync(join(dir, 'other.json')), false, 'no model saved');
  // Resuming into the same directory (named by --resume and --checkpoint alike) is the way on.
  const resumed = backprop(['train', IRIS, '--target', 'species', '--resume', checkpoints, '--checkpoint', checkpoints, '--out', join(dir, 'r.json'), '--quiet']);
  assert.equal(resumed.status, 0, resumed.stderr);
});

test('a corrupt checkpoint is refused, naming the field and the bad value, and nothing is saved', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const checkpoints = join(dir, 'run');
  assert.equal(backprop(['train', IRIS, '--target', 'species', '--epochs', '2', '--checkpoint', checkpoints, '--out', join(dir, 'm.json'), '--quiet']).status, 0);
  const path = join(checkpoints, 'checkpoint.json');
  const good = readFileSync(path, 'utf8');
  const cases: [(checkpoint: any) => void, RegExp][] = [
    [(c) => (c.trainer.parameters['0.weight'][1] = 'abc'), /: parameters\.0\.weight\[1\] must be a finite number, got "abc"$/],
    [(c) => delete c.trainer.history, /: history must be a list of epoch records, got undefined$/],
    [(c) => (c.trainer.epoch = 99), /: history must be one record per completed epoch \(99\), got "2 records"$/],
  ];
  for (const [corrupt, message] of cases) {
    const checkpoint = JSON.parse(good);
    checkpoint.config.epochs = 5; // so that the resumed run would train and save
    corrupt(checkpoint);
    writeFileSync(path, JSON.stringify(checkpoint));
    const result = backprop(['train', IRIS, '--target', 'species', '--resume', checkpoints, '--out', join(dir, 'x.json')]);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr.trimEnd(), /^backprop: .*checkpoint\.json: not a valid checkpoint for this run: Trainer\.restore/);
    assert.match(result.stderr.trimEnd(), message);
    assert.equal(existsSync(join(dir, 'x.json')), false, 'no model saved');
  }
});

test('Ctrl-C (SIGINT) stops training after the current step, still saves the model and exits 130', async (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const checkpoints = join(dir, 'run');
  const out = join(dir, 'interrupted.json');
  const child = startBackprop(['train', DIGITS, '--target', 'digit', '--epochs', '500', '--checkpoint', checkpoints, '--out', out, '--json']);
  let stdout = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (checkpointEpoch(join(checkpoints, 'checkpoint.json')) < 2) {
    assert.equal(child.exitCode, null, 'still training');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  child.kill('SIGINT');
  assert.equal(await exited, 130, 'an interrupted run exits 130 (128 + SIGINT), so `train && deploy` stops');
  const report = JSON.parse(stdout);
  assert.equal(report.stoppedBy, 'callback');
  assert.ok(report.epochs >= 2 && report.epochs < 500, `stopped after ${report.epochs} epochs`);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).training.epochs, report.epochs);
});
