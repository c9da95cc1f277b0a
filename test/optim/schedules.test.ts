import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConstantLr, CosineAnnealingLr, ExponentialLr, InverseTimeLr, LinearWarmup, LrSchedule, MultiStepLr, ReduceLrOnPlateau, SGD, StepLr, parseSchedule, scheduleFromConfig,
} from '../../src/optim/index.js';
import { ValueError } from '../../src/util/errors.js';
import { assertClose, param } from './helpers.js';

function rates(schedule: LrSchedule, baseLr: number, count: number): number[] {
  return Array.from({ length: count }, (_, t) => schedule.lrAt(t, baseLr));
}

const SQRT_HALF = Math.SQRT1_2;

// [name, schedule, base ε₀, expected ε(0), ε(1), …] written out by hand.
const SEQUENCES: [string, LrSchedule, number, number[]][] = [
  ['constant', new ConstantLr(), 0.1, [0.1, 0.1, 0.1]],
  ['step every 2, ×0.5', new StepLr({ stepSize: 2, gamma: 0.5 }), 1, [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]],
  ['multistep at 2 and 5, ×0.1', new MultiStepLr({ milestones: [2, 5], gamma: 0.1 }), 1, [1, 1, 0.1, 0.1, 0.1, 0.01, 0.01]],
  ['exponential ×0.5', new ExponentialLr({ gamma: 0.5 }), 2, [2, 1, 0.5, 0.25]],
  ['time-based k = 0.5', new InverseTimeLr({ decay: 0.5 }), 1, [1, 1 / 1.5, 1 / 2, 1 / 2.5]],
  // (1 + cos(πt/4))/2 for t = 0..4: 1, (1 + √½)/2, ½, (1 − √½)/2, 0; then stays at the minimum.
  ['cosine T = 4', new CosineAnnealingLr({ period: 4 }), 1, [1, (1 + SQRT_HALF) / 2, 0.5, (1 - SQRT_HALF) / 2, 0, 0]],
  // 0.1 + (1.1 − 0.1)·(1 + cos(πt/2))/2: 1.1, 0.6, 0.1, then 0.1.
  ['cosine T = 2 to 0.1', new CosineAnnealingLr({ period: 2, minLr: 0.1 }), 1.1, [1.1, 0.6, 0.1, 0.1]],
  // f = 1/5: 0.2, 0.4, 0.6, 0.8, then the constant 1.
  ['warmup 4', new LinearWarmup({ steps: 4 }), 1, [0.2, 0.4, 0.6, 0.8, 1, 1]],
  ['warmup 2 from 0.5', new LinearWarmup({ steps: 2, startFactor: 0.5 }), 1, [0.5, 0.75, 1, 1]],
  // f = 1/3: 1/3, 1/3 + (2/3)·(1/2) = 2/3, then exp from its t = 0: 1, 0.5, 0.25.
  ['warmup 2 then exp ×0.5', new LinearWarmup({ steps: 2, then: new ExponentialLr({ gamma: 0.5 }) }), 1, [1 / 3, 2 / 3, 1, 0.5, 0.25]],
];

for (const [name, schedule, baseLr, expected] of SEQUENCES) {
  test(`schedule ${name}: ε(t) = ${expected.map((x) => +x.toFixed(4)).join(', ')}`, () => {
    assertClose(rates(schedule, baseLr, expected.length), expected, 1e-15, name);
  });
}

test('apply sets the optimiser’s lr from its initial lr, so repeated calls do not compound', () => {
  const sgd = new SGD([param([1])], { lr: 0.8 });
  const schedule = new ExponentialLr({ gamma: 0.5 });
  assert.equal(schedule.apply(sgd, 1), 0.4);
  assert.equal(schedule.apply(sgd, 1), 0.4);
  assert.equal(schedule.apply(sgd, 3), 0.1);
  assert.equal(sgd.lr, 0.1);
  assert.equal(sgd.initialLr, 0.8);
});

test('lrAt rejects a negative or fractional t', () => {
  assert.throws(() => new ConstantLr().lrAt(-1, 1), { message: 'constant schedule: t must be an integer >= 0, got -1' });
  assert.throws(() => new ExponentialLr({ gamma: 0.9 }).lrAt(1.5, 1), { message: 'exp schedule: t must be an integer >= 0, got 1.5' });
});

/** Rates after each observation of `metrics`. */
function plateauRates(plateau: ReduceLrOnPlateau, metrics: number[]): number[] {
  return metrics.map((metric, t) => {
    plateau.observe(metric);
    return plateau.lrAt(t, 1);
  });
}

test('plateau: with patience 2 the rate halves at the third observation without improvement', () => {
  const plateau = new ReduceLrOnPlateau({ patience: 2, factor: 0.5, threshold: 0 });
  // 10, 9 improve; 9, 9 are bad 1, 2; the next 9 is bad 3 > 2: halve; 8 improves; three more 8s halve again.
  assert.deepEqual(plateauRates(plateau, [10, 9, 9, 9, 9, 8, 8, 8, 8]), [1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
});

test('plateau: cooldown ignores the observations right after a reduction', () => {
  const metrics = [5, 5, 5, 5, 5, 5, 5];
  // patience 1: the first 5 improves on ∞; bad 1; bad 2 > 1: reduce (obs 3).
  // cooldown 2: obs 4 and 5 are not counted; obs 6 bad 1; obs 7 bad 2: reduce.
  assert.deepEqual(plateauRates(new ReduceLrOnPlateau({ patience: 1, factor: 0.5, cooldown: 2 }), metrics), [1, 1, 0.5, 0.5, 0.5, 0.5, 0.25]);
  // Without cooldown: obs 4 bad 1, obs 5 bad 2: reduce; obs 6 bad 1, obs 7 bad 2: reduce.
  assert.deepEqual(plateauRates(new ReduceLrOnPlateau({ patience: 1, factor: 0.5 }), metrics), [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]);
});

test('plateau: mode max with a relative threshold, and the minimum rate', () => {
  // best 0.5: 0.54 is not above 0.5·1.1 = 0.55 (bad: reduce, patience 0); 0.56 is (improves).
  const max = new ReduceLrOnPlateau({ mode: 'max', patience: 0, factor: 0.5, threshold: 0.1 });
  assert.deepEqual(plateauRates(max, [0.5, 0.54, 0.56]), [1, 0.5, 0.5]);
  assert.equal(max.best, 0.56);
  // Absolute threshold 0.1 in min mode: 9.95 is not below 10 − 0.1.
  const abs = new ReduceLrOnPlateau({ patience: 0, factor: 0.5, threshold: 0.1, thresholdMode: 'abs' });
  assert.deepEqual(plateauRates(abs, [10, 9.95, 9.8]), [1, 0.5, 0.5]);
  // ×0.1 per reduction but never below 0.05: 1, 0.1, 0.05, 0.05.
  const floor = new ReduceLrOnPlateau({ patience: 0, factor: 0.1, minLr: 0.05 });
  assert.deepEqual(plateauRates(floor, [1, 1, 1, 1]), [1, 0.1, 0.05, 0.05]);
});

test('plateau: a NaN metric counts as no improvement', () => {
  const plateau = new ReduceLrOnPlateau({ patience: 0, factor: 0.5 });
  assert.deepEqual(plateauRates(plateau, [1, NaN]), [1, 0.5]);
});

test('plateau state through JSON continues identically', () => {
  const metrics = [3, 2.5, 2.5, 2.6, 2.4, 2.4, 2.4, 2.45, 2.3, 2.3, 2.3, 2.3];
  const full = new ReduceLrOnPlateau({ patience: 1, factor: 0.5, cooldown: 1 });
  const expected = plateauRates(full, metrics);
  for (const cut of [0, 3, 6, 9]) {
    const first = new ReduceLrOnPlateau({ patience: 1, factor: 0.5, cooldown: 1 });
    const before = plateauRates(first, metrics.slice(0, cut));
    const second = new ReduceLrOnPlateau({ patience: 1, factor: 0.5, cooldown: 1 });
    second.loadStateDict(JSON.parse(JSON.stringify(first.stateDict())));
    const after = metrics.slice(cut).map((metric) => {
      second.observe(metric);
      return second.lrAt(0, 1);
    });
    assert.deepEqual([...before, ...after], expected, `cut at ${cut}`);
  }
  assert.ok(expected.includes(0.25), 'the sequence reduces twice');
  assert.throws(() => new ReduceLrOnPlateau({ patience: 2 }).loadStateDict(full.stateDict()), /plateau schedule: loadStateDict: the state is for schedule .*"patience":1/);
});

test('warmup passes metrics on to a plateau after it, and saves its state', () => {
  const schedule = parseSchedule('warmup:2+plateau:0:0.5');
  schedule.observe(1);
  assert.equal(schedule.observe(1), true);
  assert.equal(schedule.lrAt(0, 1), 1 / 3, 'still warming up');
  assert.equal(schedule.lrAt(2, 1), 0.5);
  const copy = parseSchedule('warmup:2+plateau:0:0.5');
  copy.loadStateDict(JSON.parse(JSON.stringify(schedule.stateDict())));
  assert.equal(copy.lrAt(5, 1), 0.5);
});

test('plateau options are validated', () => {
  assert.throws(() => new ReduceLrOnPlateau({ factor: 1 }), { message: 'plateau schedule: factor must be in (0, 1), got 1' });
  assert.throws(() => new ReduceLrOnPlateau({ mode: 'up' as never }), { message: 'plateau schedule: mode must be one of "min", "max", got "up"' });
  assert.throws(() => new ReduceLrOnPlateau({ patience: -1 }), { message: 'plateau schedule: patience must be an integer >= 0, got -1' });
  assert.throws(() => new ReduceLrOnPlateau({ wait: 3 } as never), { message: 'plateau schedule: unknown option "wait"; valid options: mode, patience, factor, threshold, thresholdMode, cooldown, minLr' });
});

// Spec → the schedule's config.
const VALID_SPECS: [string, { totalSteps?: number }, object][] = [
  ['constant', {}, { kind: 'constant' }],
  ['  exp:0.95 ', {}, { kind: 'exp', gamma: 0.95 }],
  ['step:10:0.5', {}, { kind: 'step', stepSize: 10, gamma: 0.5 }],
  ['multistep:10,20:0.1', {}, { kind: 'multistep', milestones: [10, 20], gamma: 0.1 }],
  ['time:0.01', {}, { kind: 'time', decay: 0.01 }],
  ['cosine', { totalSteps: 30 }, { kind: 'cosine', period: 30, minLr: 0 }],
  ['cosine:50', {}, { kind: 'cosine', period: 50, minLr: 0 }],
  ['cosine:50:1e-5', {}, { kind: 'cosine', period: 50, minLr: 1e-5 }],
  ['warmup:4', {}, { kind: 'warmup', steps: 4, startFactor: 0.2, then: { kind: 'constant' } }],
  ['warmup:5:0.1', {}, { kind: 'warmup', steps: 5, startFactor: 0.1, then: { kind: 'constant' } }],
  ['warmup:5+cosine', { totalSteps: 30 }, { kind: 'warmup', steps: 5, startFactor: 1 / 6, then: { kind: 'cosine', period: 25, minLr: 0 } }],
  ['warmup:4+step:10:0.5', {}, { kind: 'warmup', steps: 4, startFactor: 0.2, then: { kind: 'step', stepSize: 10, gamma: 0.5 } }],
  ['plateau', {}, { kind: 'plateau', mode: 'min', patience: 10, factor: 0.1, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0 }],
  ['plateau:5:0.5', {}, { kind: 'plateau', mode: 'min', patience: 5, factor: 0.5, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, minLr: 0 }],
];

for (const [spec, options, config] of VALID_SPECS) {
  test(`parseSchedule(${JSON.stringify(spec)}${options.totalSteps ? `, ${options.totalSteps} epochs` : ''})`, () => {
    assert.deepEqual(parseSchedule(spec, options).config(), config);
  });
}

// Spec → the exact message: it names the spec and the bad part.
const INVALID_SPECS: [string, { totalSteps?: number }, string][] = [
  ['', {}, 'schedule: expected a spec such as "exp:0.95", got ""'],
  ['expo:0.9', {}, 'schedule "expo:0.9": unknown schedule "expo"; valid: constant, step, multistep, exp, time, cosine, warmup, plateau'],
  ['exp', {}, 'schedule "exp": exp takes 1 field (exp:GAMMA), got 0'],
  ['exp:abc', {}, 'schedule "exp:abc": GAMMA "abc" is not a number'],
  ['exp:0x10', {}, 'schedule "exp:0x10": GAMMA "0x10" is not a number'],
  ['exp:1e999', {}, 'schedule "exp:1e999": GAMMA "1e999" is not a number'],
  ['exp:3.2abc', {}, 'schedule "exp:3.2abc": GAMMA "3.2abc" is not a number'],
  ['exp:', {}, 'schedule "exp:": GAMMA "" is not a number'],
  ['exp:-1', {}, 'schedule "exp:-1": gamma must be a finite number > 0, got -1'],
  ['constant:1', {}, 'schedule "constant:1": constant takes 0 fields (constant), got 1'],
  ['step:10', {}, 'schedule "step:10": step takes 2 fields (step:EVERY:GAMMA), got 1'],
  ['step:2.5:0.5', {}, 'schedule "step:2.5:0.5": stepSize must be an integer >= 1, got 2.5'],
  ['step:10:x', {}, 'schedule "step:10:x": GAMMA "x" is not a number'],
  ['multistep:20,10:0.1', {}, 'schedule "multistep:20,10:0.1": milestones[1] must be an integer >= 21, got 10'],
  ['multistep:10,,20:0.1', {}, 'schedule "multistep:10,,20:0.1": milestone "" is not a number'],
  ['time:-0.1', {}, 'schedule "time:-0.1": decay must be a finite number >= 0, got -0.1'],
  ['cosine', {}, 'schedule "cosine": cosine needs a period (cosine:PERIOD) when the number of epochs is not known'],
  ['cosine:0', {}, 'schedule "cosine:0": period must be an integer >= 1, got 0'],
  ['cosine:10:0.1:3', {}, 'schedule "cosine:10:0.1:3": cosine takes 0 to 2 fields (cosine[:PERIOD[:MIN_LR]]), got 3'],
  ['warmup', {}, 'schedule "warmup": warmup takes 1 to 2 fields (warmup:STEPS[:START_FACTOR][+SCHEDULE]), got 0'],
  ['warmup:5:0', {}, 'schedule "warmup:5:0": startFactor must be in (0, 1], got 0'],
  ['warmup:5+cosine', { totalSteps: 5 }, 'schedule "warmup:5+cosine": the warm-up (5) leaves no steps of the 5 for cosine'],
  ['cosine:10+warmup:5', {}, 'schedule "cosine:10+warmup:5": only a warmup can come before "+", got "cosine:10"'],
  ['warmup:5+warmup:3', {}, 'schedule "warmup:5+warmup:3": a warmup cannot follow "+"'],
  ['warmup:2+exp:0.5+cosine', {}, 'schedule "warmup:2+exp:0.5+cosine": at most one "+" (warmup:STEPS+SCHEDULE)'],
  ['plateau:5:1.5', {}, 'schedule "plateau:5:1.5": factor must be in (0, 1), got 1.5'],
  ['plateau:-1', {}, 'schedule "plateau:-1": patience must be an integer >= 0, got -1'],
];

for (const [spec, options, message] of INVALID_SPECS) {
  test(`parseSchedule rejects ${JSON.stringify(spec)}`, () => {
    assert.throws(() => parseSchedule(spec, options), (error: unknown) => {
      assert.ok(error instanceof ValueError, `a ValueError, got ${String(error)}`);
      assert.equal(error.message, message);
      return true;
    });
  });
}

test('scheduleFromConfig rebuilds every parsed schedule', () => {
  for (const [spec, options, config] of VALID_SPECS) {
    const rebuilt = scheduleFromConfig(parseSchedule(spec, options).config());
    assert.deepEqual(rebuilt.config(), config, spec);
  }
  assert.throws(() => scheduleFromConfig({ kind: 'linear' }), { message: 'scheduleFromConfig: unknown schedule kind "linear"; valid: constant, step, multistep, exp, time, cosine, warmup, plateau' });
  assert.throws(() => scheduleFromConfig({ kind: 'exp', gamma: -1 }), { message: 'exp schedule: gamma must be a finite number > 0, got -1' });
});
