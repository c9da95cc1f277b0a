/**
 * The native addon's whole training steps (src/train/native-steps.ts, native/src/train.cc) against
 * the fused step taken one step at a time on the same backend: weights, optimiser state, gradients,
 * history and stop messages must be bit for bit the same. Skipped where the addon does not load.
 */
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { nodeBackends } from '../../node/backends.js';
import type { Backend, FloatArray } from '../../src/kernels/index.js';
import { jsBackend, setBackend } from '../../src/kernels/index.js';
import { Dense, Dropout, Module, mlp, sequential } from '../../src/nn/index.js';
import type { ActivationLike } from '../../src/nn/index.js';
import { Adam, AdamW, Optimizer, RMSprop, SGD, parseSchedule } from '../../src/optim/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { Trainer, fusedTrainingStep } from '../../src/train/index.js';
import { NativeSteps } from '../../src/train/native-steps.js';
import type { Dataset, FitOptions } from '../../src/train/index.js';
import { Rng } from '../../src/util/rng.js';

const native: Backend | null = nodeBackends().find((entry) => entry.family === 'native')?.backend ?? null;
const skip = native === null ? 'the native addon does not load here' : false;

function sameBits(a: FloatArray, b: FloatArray): boolean {
  return a.constructor === b.constructor && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Runs `fn` with the native backend selected. */
function onNative<T>(fn: () => T): T {
  const previous = setBackend(native!);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}

function dataset(loss: 'softmaxCrossEntropy' | 'mse', n: number, features: number, outputs: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Tensor(new Float32Array(n * features), [n, features]);
  for (let i = 0; i < x.size; i++) x.data[i] = rng.uniformRange(-2, 2);
  if (loss === 'softmaxCrossEntropy') return { x, y: Int32Array.from({ length: n }, () => Math.floor(rng.uniform() * outputs)) };
  const y = new Tensor(new Float32Array(n * outputs), [n, outputs]);
  for (let i = 0; i < y.size; i++) y.data[i] = Math.sin(3 * x.data[i % x.size]) * 1.5;
  return { x, y };
}

interface Setup {
  loss: 'softmaxCrossEntropy' | 'mse';
  activation?: ActivationLike;
  outputActivation?: ActivationLike;
  bias?: boolean;
  optimizer: (params: Tensor[]) => Optimizer;
  options?: Partial<FitOptions>;
  build?: () => Module;
  rows?: number;
}

/** Trains the same model with `fused` true (batched where allowed) and 'stepwise'; returns both runs. */
function trainBoth(setup: Setup) {
  const outputs = setup.loss === 'softmaxCrossEntropy' ? 3 : 2;
  const data = dataset(setup.loss, setup.rows ?? 53, 4, outputs, 11);
  const run = (fused: true | 'stepwise') => onNative(() => {
    const model = setup.build?.() ?? mlp({ sizes: [4, 7, 5, outputs], activation: setup.activation ?? 'tanh', outputActivation: setup.outputActivation, bias: setup.bias, seed: 5 });
    const optimizer = setup.optimizer(model.parameters());
    // The most steps one call took (onSteps): shows whether the addon ran them.
    let mostPerCall = 0;
    const trainer = new Trainer(model, data, {
      loss: setup.loss, optimizer, epochs: 5, batchSize: 8, seed: 2, now: () => 0, fused, diagnostics: false,
      onSteps: ({ count }) => (mostPerCall = Math.max(mostPerCall, count)), ...setup.options,
    });
    const result = trainer.fit();
    return { model, optimizer, trainer, result, mostPerCall };
  });
  return { batched: run(true), stepwise: run('stepwise') };
}

function assertSameRuns({ batched, stepwise }: ReturnType<typeof trainBoth>, label: string): void {
  const a = batched.model.namedParameters();
  const b = stepwise.model.namedParameters();
  a.forEach(([name, p], i) => {
    assert.ok(sameBits(p.data, b[i][1].data), `${label}: ${name} differs`);
    const other = b[i][1].grad;
    assert.ok(p.grad === null ? other === null : other !== null && sameBits(p.grad.data, other.data), `${label}: ${name}.grad differs`);
  });
  assert.deepEqual(batched.optimizer.stateDict(), stepwise.optimizer.stateDict(), `${label}: optimizer state`);
  assert.deepEqual(batched.result, stepwise.result, `${label}: result and history`);
}

test('batched native steps equal the stepwise fused step: losses, activations, optimisers, bias, partial batches', { skip }, () => {
  const optimizers: [string, (params: Tensor[]) => Optimizer][] = [
    ['sgd', (params) => new SGD(params, { lr: 0.1 })],
    ['sgd momentum', (params) => new SGD(params, { lr: 0.05, momentum: 0.9, weightDecay: 0.01 })],
    ['sgd nesterov textbook', (params) => new SGD(params, { lr: 0.05, momentum: 0.8, nesterov: true, momentumConvention: 'textbook' })],
    ['sgd nesterov', (params) => new SGD(params, { lr: 0.05, momentum: 0.7, nesterov: true, weightDecay: 0.02 })],
    ['adam', (params) => new Adam(params, { lr: 0.01 })],
    ['adam amsgrad l2', (params) => new Adam(params, { lr: 0.01, amsgrad: true, weightDecay: 0.001 })],
    ['adamw', (params) => new AdamW(params, { lr: 0.01, weightDecay: 0.05 })],
  ];
  for (const loss of ['softmaxCrossEntropy', 'mse'] as const) {
    for (const activation of ['identity', 'relu', 'tanh', 'sigmoid'] as const) {
      for (const [name, optimizer] of optimizers) {
        for (const bias of [true, false]) {
          const runs = trainBoth({ loss, activation, optimizer, bias, outputActivation: loss === 'mse' ? 'sigmoid' : undefined });
          assert.equal(runs.batched.trainer.batchedSteps, true, `${loss} ${activation} ${name}: not batched`);
          assert.ok(runs.batched.mostPerCall > 1 && runs.stepwise.mostPerCall === 1, `${loss} ${activation} ${name}: ${runs.batched.mostPerCall} steps per call`);
          assert.equal(runs.stepwise.trainer.batchedSteps, false);
          assertSameRuns(runs, `${loss} ${activation} ${name} bias ${bias}`);
        }
      }
    }
  }
});

test('batched native steps add the l1 and l2 penalties exactly as the stepwise step', { skip }, () => {
  for (const [l1, l2] of [[0.01, 0], [0, 0.02], [0.003, 0.05]]) {
    for (const loss of ['softmaxCrossEntropy', 'mse'] as const) {
      const runs = trainBoth({ loss, activation: 'relu', optimizer: (params) => new Adam(params, { lr: 0.02 }), options: { l1, l2 } });
      assert.ok(runs.batched.mostPerCall > 1);
      assertSameRuns(runs, `l1 ${l1} l2 ${l2} ${loss}`);
    }
  }
  // A penalty that overflows stops both alike (the total loss is checked, not the data loss alone).
  const overflow = trainBoth({ loss: 'mse', optimizer: (params) => new SGD(params, { lr: 0.01 }), options: { l2: 1e38, epochs: 2 } });
  assertSameRuns(overflow, 'overflowing penalty');
  assert.equal(overflow.batched.result.stoppedBy, 'nonFinite');
  assert.equal(overflow.batched.result.steps, 0);
  assert.ok(overflow.batched.model.parameters().every((p) => p.grad === null), 'no step ran, so no gradient was made');
});

test('batched native steps keep shuffling, validation, diagnostics, epoch schedules and early stopping exact', { skip }, () => {
  const runs = trainBoth({
    loss: 'softmaxCrossEntropy', activation: 'relu', optimizer: (params) => new Adam(params, { lr: 0.02 }),
    options: { validationSplit: 0.25, diagnostics: true, schedule: parseSchedule('step:2:0.5'), earlyStopping: { patience: 1, restoreBestWeights: true }, epochs: 12 },
  });
  assert.equal(runs.batched.trainer.batchedSteps, true);
  assertSameRuns(runs, 'schedule, validation, diagnostics');
  assert.ok(runs.batched.result.history.every((record) => record.health !== null), 'diagnostics measured every epoch');
  // Many calls per epoch: a data set whose epoch is more than one call's work.
  const wide = trainBoth({ loss: 'mse', optimizer: (params) => new SGD(params, { lr: 0.01, momentum: 0.5 }), rows: 300, build: () => mlp({ sizes: [4, 256, 256, 2], activation: 'relu', seed: 3 }) });
  assertSameRuns(wide, 'many calls per epoch');
});

test('a run stopped and resumed from its state with batched steps matches one run', { skip }, () => {
  const data = dataset('softmaxCrossEntropy', 40, 4, 3, 4);
  const make = () => mlp({ sizes: [4, 6, 3], activation: 'sigmoid', seed: 9 });
  const options = (model: Module, epochs: number): FitOptions => ({ loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.05 }), epochs, batchSize: 6, seed: 1, now: () => 0 });
  onNative(() => {
    const whole = make();
    new Trainer(whole, data, options(whole, 6)).fit();
    const first = make();
    const trainer = new Trainer(first, data, options(first, 3));
    trainer.fit();
    const state = trainer.state();
    const second = make();
    const resumed = new Trainer(second, data, options(second, 6)).restore(state);
    assert.equal(resumed.batchedSteps, true);
    resumed.fit();
    whole.namedParameters().forEach(([name, p], i) => assert.ok(sameBits(p.data, second.namedParameters()[i][1].data), `${name} differs after resuming`));
  });
});

test('non-finite losses and weights stop batched training as they stop the stepwise loop', { skip }, () => {
  // Learning rates this large make the next loss NaN, or (3e38) the first update overflow; without the guard training goes on.
  for (const nanGuard of [true, false]) {
    for (const [lr, loss] of [[1e30, 'mse'], [1e18, 'softmaxCrossEntropy'], [3e38, 'mse']] as const) {
      const runs = trainBoth({ loss, activation: 'identity', optimizer: (params) => new SGD(params, { lr }), options: { nanGuard, epochs: 3 } });
      assertSameRuns(runs, `lr ${lr} ${loss} guard ${nanGuard}`);
      if (nanGuard) {
        assert.equal(runs.batched.result.stoppedBy, 'nonFinite');
        assert.match(runs.batched.result.problem ?? '', lr === 3e38 ? /non-finite weight .* the weights before that update were restored/ : /non-finite loss/);
      }
    }
  }
});

test('steps that need what the native loop lacks are not batched', { skip }, () => {
  const base: Setup = { loss: 'softmaxCrossEntropy', optimizer: (params) => new SGD(params, { lr: 0.1 }) };
  const cases: [string, Setup][] = [
    ['clipNorm', { ...base, options: { clipNorm: 1 } }],
    ['onBatchEnd', { ...base, options: { onBatchEnd: () => undefined } }],
    ['timeLimitMs', { ...base, options: { timeLimitMs: 1e9 } }],
    ['step schedule', { ...base, options: { schedule: parseSchedule('exp:0.9'), scheduleUnit: 'step' } }],
    ['leakyRelu', { ...base, activation: 'leakyRelu' }],
    ['Dropout', { ...base, build: () => sequential([new Dense({ inputs: 4, units: 6, activation: "relu", seed: 1 }), new Dropout({ rate: 0.5, seed: 2 }), new Dense({ inputs: 6, units: 3, seed: 3 })]) }],
    ['RMSprop', { ...base, optimizer: (params) => new RMSprop(params) }],
    ['two parameter groups', { ...base, optimizer: (params) => new SGD([{ params: params.slice(0, 2) }, { params: params.slice(2), lr: 0.01 }]) }],
    ['halfSquaredError', { ...base, loss: 'halfSquaredError' as 'mse' }],
  ];
  for (const [label, setup] of cases) {
    const runs = trainBoth(setup);
    assert.equal(runs.batched.trainer.batchedSteps, false, `${label}: batched`);
    assertSameRuns(runs, label);
  }
  onNative(() => {
    const model = mlp({ sizes: [4, 3], dtype: 'float64' });
    const data = dataset('softmaxCrossEntropy', 10, 4, 3, 1);
    const trainer = new Trainer(model, { x: data.x.to('float64'), y: data.y }, { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), epochs: 1 });
    assert.equal(trainer.batchedSteps, false, 'float64');
  });
  const previous = setBackend(jsBackend);
  try {
    const model = mlp({ sizes: [4, 3] });
    const trainer = new Trainer(model, dataset('softmaxCrossEntropy', 10, 4, 3, 1), { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), epochs: 1 });
    assert.equal(trainer.batchedSteps, false, 'the TypeScript backend has no trainDenseSteps');
  } finally {
    setBackend(previous);
  }
});

test('fit rejects a fused option other than true, false or "stepwise"', () => {
  const model = mlp({ sizes: [4, 3] });
  assert.throws(() => new Trainer(model, dataset('softmaxCrossEntropy', 10, 4, 3, 1), { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), fused: 'yes' as unknown as boolean }),
    /fit: fused must be true, false or "stepwise", got "yes"/);
});

test('the addon checks the rows and labels a call reads and the steps it is asked for', { skip }, () => {
  const plan = onNative(() => {
    const model = mlp({ sizes: [4, 3], seed: 1 });
    const data = dataset('softmaxCrossEntropy', 10, 4, 3, 1);
    const options: FitOptions = { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), epochs: 1, batchSize: 4 };
    const order = Int32Array.from({ length: 10 }, (_, i) => i);
    return NativeSteps.create(fusedTrainingStep(model, options.loss), options, data, order, 4, model.parameters(), null)!.plan;
  });
  const run = (first: number, count: number) => native!.trainDenseSteps!(plan, first, count);
  assert.throws(() => run(0, plan.losses.length + 1), /trainDenseRun: count is more than the plan's/);
  assert.throws(() => run(12, 1), /trainDenseRun: first leaves batches past the last row/);
  const saved = plan.order[1];
  plan.order[1] = 10;
  assert.throws(() => run(0, 1), /trainDenseRun: order entry 1 is not a row/);
  plan.order[1] = saved;
  const label = plan.labels![plan.order[2]];
  plan.labels![plan.order[2]] = 3;
  assert.throws(() => run(0, 1), /trainDenseRun: labels label \d+ is out of range/);
  plan.labels![plan.order[2]] = label;
  assert.deepEqual(run(0, 1), { steps: 1, stop: 'none' });
});

test('onSteps reports every step, several at a time when batched, and keeps the run batched', { skip }, () => {
  const collect = (fused: true | 'stepwise') => onNative(() => {
    const reports: { epoch: number; step: number; count: number; batch: number }[] = [];
    const model = mlp({ sizes: [4, 7, 3], seed: 5 });
    const trainer = new Trainer(model, dataset('softmaxCrossEntropy', 53, 4, 3, 11), {
      loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), epochs: 3, batchSize: 8, fused, diagnostics: true,
      onSteps: ({ epoch, step, count, batch }) => reports.push({ epoch, step, count, batch }),
    });
    assert.equal(trainer.batchedSteps, fused === true);
    trainer.fit();
    return reports;
  });
  const batched = collect(true);
  const stepwise = collect('stepwise');
  // 7 batches an epoch: six in one call, then the one that measures gradient health.
  assert.deepEqual(batched.filter((r) => r.epoch === 1), [{ epoch: 1, step: 6, count: 6, batch: 5 }, { epoch: 1, step: 7, count: 1, batch: 6 }]);
  assert.equal(stepwise.length, 21);
  assert.ok(stepwise.every((r, i) => r.count === 1 && r.step === i + 1 && r.batch === i % 7 && r.epoch === Math.floor(i / 7) + 1));
  assert.equal(batched.reduce((sum, r) => sum + r.count, 0), 21);
  assert.deepEqual(batched.at(-1), stepwise.at(-1));
});

test('a stop requested from onSteps ends batched training after the steps it reports, and the run resumes exactly', { skip }, () => {
  const data = dataset('softmaxCrossEntropy', 61, 4, 3, 8);
  // Wide enough that one call takes 4 of an epoch's 13 batches.
  const make = () => mlp({ sizes: [4, 256, 256, 3], activation: 'relu', seed: 4 });
  const options = (model: Module, extra: Partial<FitOptions> = {}): FitOptions => ({
    loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 0.01 }), epochs: 4, batchSize: 5, seed: 6, now: () => 0, diagnostics: false, ...extra,
  });
  onNative(() => {
    const whole = make();
    new Trainer(whole, data, options(whole)).fit();
    // Ask to stop after epoch 2's first call, then resume from the state.
    const first = make();
    let trainer: Trainer | null = null;
    trainer = new Trainer(first, data, options(first, { onSteps: ({ epoch }) => (epoch === 2 ? trainer!.requestStop() : undefined) }));
    const stopped = trainer.fit();
    assert.equal(stopped.stoppedBy, 'callback');
    const state = trainer.state();
    assert.equal(state.epoch, 1, 'stopped within epoch 2');
    assert.equal(state.position?.batch, 4, `position ${JSON.stringify(state.position)}`);
    const second = make();
    new Trainer(second, data, options(second)).restore(state).fit();
    whole.namedParameters().forEach(([name, p], i) => assert.ok(sameBits(p.data, second.namedParameters()[i][1].data), `${name} differs after resuming`));
  });
});

test('fitAsync takes the batched steps too, with the same results', { skip }, async () => {
  const data = dataset('mse', 47, 4, 2, 3);
  const train = (asynchronous: boolean) => {
    const previous = setBackend(native!);
    const model = mlp({ sizes: [4, 8, 2], activation: 'sigmoid', seed: 2 });
    const trainer = new Trainer(model, data, { loss: 'mse', optimizer: new SGD(model.parameters(), { lr: 0.2, momentum: 0.9 }), epochs: 6, batchSize: 4, seed: 1, now: () => 0 });
    const done = asynchronous ? trainer.fitAsync(0) : Promise.resolve(trainer.fit());
    return done.then((result) => ({ model, result })).finally(() => setBackend(previous));
  };
  const a = await train(true);
  const b = await train(false);
  assert.deepEqual(a.result, b.result);
  a.model.namedParameters().forEach(([name, p], i) => assert.ok(sameBits(p.data, b.model.namedParameters()[i][1].data), `${name} differs`));
});

test('a data set whose buffer is transferred during training is not read by the addon', { skip }, () => {
  const results = (['stepwise', true] as const).map((fused) => onNative(() => {
    const data = dataset('softmaxCrossEntropy', 30, 4, 3, 2);
    const model = mlp({ sizes: [4, 5, 3], seed: 1 });
    const trainer = new Trainer(model, data, {
      loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters()), epochs: 3, batchSize: 4, fused, diagnostics: false, now: () => 0,
      onEpochEnd: ({ record }) => (record.epoch === 1 ? structuredClone(data.x.data, { transfer: [data.x.data.buffer as ArrayBuffer] }) : undefined),
    });
    return trainer.fit();
  }));
  assert.deepEqual(results[1], results[0]);
});

test('the addon refuses a handle it did not make and arrays detached since the plan', { skip }, () => {
  const addon = createRequire(import.meta.url)(fileURLToPath(new URL('../../../build/Release/backprop_native.node', import.meta.url)));
  const scalars = new Float64Array(9);
  assert.throws(() => addon.trainDenseRun({}, 0, 1, scalars, new Int32Array(2)), /trainDenseRun: handle must come from trainDensePrepare/);
  const x = new Float32Array(8);
  const ints = Int32Array.of(1, 1, 0, 2, 1, 2, 1, 0, 4, 0, 2, 1, 0, 1, 1, 0);
  const arrays = [x, new Float32Array(4), Int32Array.of(0, 1, 2, 3), null, null, new Float32Array(2), new Float32Array(2), null, null, null, null,
    new Float32Array(1), new Float32Array(1), null, null, null, null];
  const handle = addon.trainDensePrepare(ints, arrays, new Float64Array(1), new Int32Array(1));
  const result = new Int32Array(2);
  addon.trainDenseRun(handle, 0, 1, scalars, result);
  assert.deepEqual(Array.from(result), [1, 0]);
  structuredClone(x, { transfer: [x.buffer] });
  assert.throws(() => addon.trainDenseRun(handle, 0, 1, scalars, result), /trainDenseRun: handle holds an array whose buffer was detached or shrunk/);
  assert.throws(() => addon.trainDensePrepare(Int32Array.of(1, 1, 0, 2, 1, 9, 1, 0, 4, 0, 2, 1, 0, 1, 1, 0), arrays, new Float64Array(1), new Int32Array(1)), /trainDensePrepare: ints sizes out of range/);
});

test('in a child process the addon runs the SIMD path and thread count asked for', { skip: process.env.BACKPROP_NATIVE_SIMD === undefined || skip ? 'not such a child' : false }, () => {
  assert.equal(native!.name, `native-${process.env.BACKPROP_NATIVE_SIMD}`);
  assert.equal(String(native!.threads), process.env.BACKPROP_NATIVE_THREADS);
});

// Run once, from `npm test`'s own pass (not again inside the per-backend suites, nor in these children).
const childSkip = skip || process.env.BACKPROP_NATIVE_SIMD !== undefined || process.env.BACKPROP_BACKEND !== undefined;
test('the batched steps equal the stepwise ones on the addon\'s scalar and AVX2 paths and on one thread (child processes)', { skip: childSkip ? 'the native addon does not load here, or this is a child run' : false, timeout: 120_000 }, () => {
  const self = fileURLToPath(import.meta.url);
  const setup = fileURLToPath(new URL('../../node/test-setup.js', import.meta.url));
  for (const [simd, threads] of [['scalar', '2'], ['avx2', '2'], ['avx512', '1']]) {
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', setup, '--test', '--test-reporter=dot', self], {
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT')), BACKPROP_NATIVE_SIMD: simd, BACKPROP_NATIVE_THREADS: threads },
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, `BACKPROP_NATIVE_SIMD=${simd} BACKPROP_NATIVE_THREADS=${threads}: ${run.stdout.slice(0, 2000)}${run.stderr.slice(0, 2000)}`);
    assert.match(run.stdout, /\.{10}/, `BACKPROP_NATIVE_SIMD=${simd}: no tests ran`);
  }
});
