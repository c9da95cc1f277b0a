/** Trainer.restore refuses a corrupt trainer state, naming the field and the bad value, before it changes anything. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeSpiral } from '../../src/data/index.js';
import { mlp } from '../../src/nn/index.js';
import { Adam } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { Trainer } from '../../src/train/index.js';
import type { Dataset, TrainerState } from '../../src/train/index.js';

function run(): { trainer: Trainer; weights: () => number[][] } {
  const set = makeSpiral({ n: 60, seed: 3 });
  const data: Dataset = { x: new Tensor(set.x.data, [set.x.rows, set.x.columns]), y: set.y as Int32Array };
  const model = mlp({ sizes: [2, 8, 3], activation: 'tanh', seed: 4 });
  const trainer = new Trainer(model, data, { loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 4, batchSize: 16, seed: 5 });
  return { trainer, weights: () => model.parameters().map((p) => Array.from(p.data)) };
}

test('Trainer.restore names the bad field and value of a corrupt state and leaves the model as it was', () => {
  const first = run();
  first.trainer.fit();
  const good: TrainerState = JSON.parse(JSON.stringify(first.trainer.state()));
  const name = Object.keys(good.parameters)[0];
  const cases: [string, (state: Record<string, any>) => void, RegExp][] = [
    ['a text epoch', (s) => (s.epoch = 'x'), /^Trainer\.restore: epoch must be an integer >= 0, got "x"$/],
    ['a negative step', (s) => (s.step = -1), /^Trainer\.restore: step must be an integer >= 0, got -1$/],
    ['no history', (s) => delete s.history, /^Trainer\.restore: history must be a list of epoch records, got undefined$/],
    ['an epoch the history does not have', (s) => (s.epoch = 99), /^Trainer\.restore: history must be one record per completed epoch \(99\), got "4 records"$/],
    ['a text weight', (s) => (s.parameters[name][3] = 'abc'), new RegExp(`^Trainer\\.restore: parameters\\.${name.replace('.', '\\.')}\\[3\\] must be a finite number, got "abc"$`)],
    ['a null weight', (s) => (s.parameters[name][0] = null), /must be a finite number, got null$/],
    ['a missing weight', (s) => s.parameters[name].pop(), /must hold \d+ numbers$/],
    ['another format', (s) => (s.format = 'other'), /^Trainer\.restore: not a trainer state \(format "other", version 1\)$/],
    ['an empty position', (s) => (s.position = {}), /^Trainer\.restore: position\.batch must be an integer >= 0, got undefined$/],
    ['a position without a generator state', (s) => (s.position = { batch: 1, seen: 16, correct: 3, lossSum: 1.5, shuffleRng: { words: [0, 0, 0, 0] } }), /^Trainer\.restore: position\.shuffleRng must be a generator state \(four unsigned 32-bit words, not all zero\), got \[0,0,0,0\]$/],
    ['a text shuffle state', (s) => (s.shuffleRng = 'x'), /^Trainer\.restore: shuffleRng must be a generator state .*, got "x"$/],
  ];
  for (const [label, corrupt, message] of cases) {
    const state = structuredClone(good) as Record<string, any>;
    corrupt(state);
    const second = run();
    const before = second.weights();
    assert.throws(() => second.trainer.restore(state as TrainerState), { message }, label);
    assert.deepEqual(second.weights(), before, `${label}: the weights are untouched`);
  }
  const resumed = run();
  assert.doesNotThrow(() => resumed.trainer.restore(structuredClone(good)));
});
