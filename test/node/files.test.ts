import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Adam, Trainer, loadModel, loadTrainerState, makeSpiral, mlp, saveModel, saveTrainerState, toDataset, writeTextAtomic } from '../../node/index.js';
import type { FitOptions } from '../../node/index.js';

test('saveModel and loadModel round-trip a model with its training and preprocessing areas, atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-files-'));
  try {
    const model = mlp({ sizes: [3, 5, 2], activation: 'tanh', seed: 1 });
    const path = join(dir, 'model.json');
    saveModel(path, model, { training: { lr: 0.01 }, preprocessing: { scale: 'standard' } });
    const { model: loaded, document } = loadModel(path);
    assert.deepEqual(loaded.parameters().map((p) => Array.from(p.data)), model.parameters().map((p) => Array.from(p.data)));
    assert.deepEqual(document.training, { lr: 0.01 });
    assert.deepEqual(readdirSync(dir), ['model.json'], 'no temporary file left behind');
    writeFileSync(join(dir, 'bad.json'), '{"format": "backprop.model", "version": 1, "layers": [{"type": "dense"');
    assert.throws(() => loadModel(join(dir, 'bad.json')), /bad\.json: the model file is not valid JSON/);
    writeFileSync(join(dir, 'other.json'), '{"format": "something"}');
    assert.throws(() => loadModel(join(dir, 'other.json')), /other\.json: .*format/);
    assert.throws(() => saveModel(join(dir, 'missing', 'model.json'), model), /missing\/model\.json: cannot write the file \(the directory .* does not exist\)/);
    writeTextAtomic(path, 'replaced\n');
    assert.equal(readFileSync(path, 'utf8'), 'replaced\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('writeTextAtomic removes the temporary files of earlier writers that were killed, and only those', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-abandoned-'));
  try {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // a process id that has exited
    const live = process.ppid;
    for (const pid of [dead, live]) writeFileSync(join(dir, `.model.json.${pid}.0.tmp`), 'partial');
    writeFileSync(join(dir, `.other.json.${dead}.0.tmp`), 'partial'); // another file's: not ours to remove
    writeTextAtomic(join(dir, 'model.json'), 'whole\n');
    assert.deepEqual(readdirSync(dir).sort(), [`.model.json.${live}.0.tmp`, `.other.json.${dead}.0.tmp`, 'model.json'].sort());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a trainer state saved to a file resumes bit-identically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-state-'));
  try {
    const spiral = makeSpiral({ n: 80, noise: 0.05, seed: 2 });
    const data = toDataset(spiral.x, spiral.y as Int32Array);
    const makeRun = () => {
      const model = mlp({ sizes: [2, 8, 2], activation: 'relu', dropout: 0.1, seed: 3 });
      return { model, options: { loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 4, batchSize: 16, seed: 4 } as FitOptions };
    };
    const reference = makeRun();
    new Trainer(reference.model, data, reference.options).fit();
    const first = makeRun();
    const trainer = new Trainer(first.model, data, { ...first.options, onBatchEnd: (info) => info.step === 7 && info.stop() });
    trainer.fit();
    const path = join(dir, 'state.json');
    saveTrainerState(path, trainer);
    const second = makeRun();
    new Trainer(second.model, data, second.options).restore(loadTrainerState(path)).fit();
    assert.deepEqual(second.model.parameters().map((p) => Array.from(p.data)), reference.model.parameters().map((p) => Array.from(p.data)));
    writeFileSync(join(dir, 'not-state.json'), '{"format": "backprop.model"}');
    assert.throws(() => loadTrainerState(join(dir, 'not-state.json')), /not-state\.json: not a trainer state \(format "backprop\.model"\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
