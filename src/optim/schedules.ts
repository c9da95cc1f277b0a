import { ValueError, formatValue } from '../util/errors.js';
import { checkInteger, checkInterval, checkNonNegative } from './checks.js';
import type { OptionValue } from './optimizer.js';

/** A schedule's kind and settings, plain JSON (for the model document). */
export interface ScheduleConfig {
  kind: string;
  [option: string]: OptionValue | OptionValue[] | ScheduleConfig;
}

/** A schedule's state, plain JSON: its config (checked on load) and, for stateful schedules, their counters. */
export interface ScheduleStateDict {
  config: ScheduleConfig;
  state?: Record<string, number | string>;
}

/**
 * A learning-rate schedule: ε(t) as a function of a counter t = 0, 1, 2, … and the base rate ε₀
 * (the optimiser's `initialLr`). Whether t counts epochs or steps (mini-batches) is the caller's
 * choice: call `apply(optimizer, t)` before the epoch or the step numbered t, so t = 0 trains with
 * ε(0). Every schedule except reduce-on-plateau is a pure function of t; reduce-on-plateau is fed
 * a metric through `observe` and keeps counters.
 */
export abstract class LrSchedule {
  abstract readonly kind: string;

  /** ε(t) for base rate ε₀ = `baseLr`; t is an integer ≥ 0. */
  lrAt(t: number, baseLr: number): number {
    checkInteger(`${this.kind} schedule`, 't', t, 0);
    checkNonNegative(`${this.kind} schedule`, 'baseLr', baseLr);
    return this.rate(t, baseLr);
  }

  /** @internal ε(t) for validated arguments. */
  abstract rate(t: number, baseLr: number): number;

  /** Sets `optimizer.lr` to ε(t) from its `initialLr` and returns it. */
  apply(optimizer: { lr: number; readonly initialLr: number }, t: number): number {
    const lr = this.lrAt(t, optimizer.initialLr);
    optimizer.lr = lr;
    return lr;
  }

  /**
   * Feeds the monitored metric (e.g. the validation loss) after an epoch. Only reduce-on-plateau
   * uses it (and schedules that wrap one); returns whether the rate was reduced.
   */
  observe(_metric: number): boolean {
    return false;
  }

  /** The kind and settings, for the model document. */
  abstract config(): ScheduleConfig;

  stateDict(): ScheduleStateDict {
    return { config: this.config() };
  }

  /** Restores `stateDict()` output; the saved config must equal this schedule's. */
  loadStateDict(dict: ScheduleStateDict): void {
    const expected = JSON.stringify(this.config());
    const found = JSON.stringify(dict?.config);
    if (expected !== found) throw new ValueError(`${this.kind} schedule: loadStateDict: the state is for schedule ${found}, not ${expected}`);
  }
}

/** ε(t) = ε₀. */
export class ConstantLr extends LrSchedule {
  readonly kind = 'constant';
  rate(_t: number, baseLr: number): number {
    return baseLr;
  }
  config(): ScheduleConfig {
    return { kind: this.kind };
  }
}

/** Step decay: ε(t) = ε₀·γ^⌊t / k⌋ (multiplied by γ every k epochs or steps). */
export class StepLr extends LrSchedule {
  readonly kind = 'step';
  readonly stepSize: number;
  readonly gamma: number;
  /** `stepSize` k: an integer ≥ 1; `gamma` γ > 0 (usually < 1). */
  constructor({ stepSize, gamma }: { stepSize: number; gamma: number }) {
    super();
    this.stepSize = checkInteger('step schedule', 'stepSize', stepSize, 1);
    this.gamma = checkNonNegative('step schedule', 'gamma', gamma, true);
  }
  rate(t: number, baseLr: number): number {
    return baseLr * Math.pow(this.gamma, Math.floor(t / this.stepSize));
  }
  config(): ScheduleConfig {
    return { kind: this.kind, stepSize: this.stepSize, gamma: this.gamma };
  }
}

/** Multi-step decay: ε(t) = ε₀·γ^(number of milestones ≤ t). */
export class MultiStepLr extends LrSchedule {
  readonly kind = 'multistep';
  readonly milestones: readonly number[];
  readonly gamma: number;
  /** `milestones`: strictly increasing integers ≥ 1; `gamma` γ > 0. */
  constructor({ milestones, gamma }: { milestones: readonly number[]; gamma: number }) {
    super();
    if (!Array.isArray(milestones) || milestones.length === 0) throw new ValueError(`multistep schedule: milestones must be a non-empty list of integers, got ${formatValue(milestones)}`);
    milestones.forEach((m, i) => {
      checkInteger('multistep schedule', `milestones[${i}]`, m, i === 0 ? 1 : milestones[i - 1] + 1);
    });
    this.milestones = Object.freeze(milestones.slice());
    this.gamma = checkNonNegative('multistep schedule', 'gamma', gamma, true);
  }
  rate(t: number, baseLr: number): number {
    let passed = 0;
    while (passed < this.milestones.length && this.milestones[passed] <= t) passed++;
    return baseLr * Math.pow(this.gamma, passed);
  }
  config(): ScheduleConfig {
    return { kind: this.kind, milestones: this.milestones.slice(), gamma: this.gamma };
  }
}

/** Exponential decay: ε(t) = ε₀·γᵗ. */
export class ExponentialLr extends LrSchedule {
  readonly kind = 'exp';
  readonly gamma: number;
  /** `gamma` γ > 0 (usually just below 1, e.g. 0.95). */
  constructor({ gamma }: { gamma: number }) {
    super();
    this.gamma = checkNonNegative('exp schedule', 'gamma', gamma, true);
  }
  rate(t: number, baseLr: number): number {
    return baseLr * Math.pow(this.gamma, t);
  }
  config(): ScheduleConfig {
    return { kind: this.kind, gamma: this.gamma };
  }
}

/** Time-based (inverse) decay: ε(t) = ε₀ / (1 + k·t), the classic Keras `decay` option. */
export class InverseTimeLr extends LrSchedule {
  readonly kind = 'time';
  readonly decay: number;
  /** `decay` k ≥ 0. */
  constructor({ decay }: { decay: number }) {
    super();
    this.decay = checkNonNegative('time schedule', 'decay', decay);
  }
  rate(t: number, baseLr: number): number {
    return baseLr / (1 + this.decay * t);
  }
  config(): ScheduleConfig {
    return { kind: this.kind, decay: this.decay };
  }
}

/**
 * Cosine annealing (Loshchilov and Hutter's SGDR without restarts) from ε₀ down to ε_min over T:
 *
 *     ε(t) = ε_min + (ε₀ − ε_min)·(1 + cos(π·t / T)) / 2   for t ≤ T,   ε(t) = ε_min after.
 *
 * `period` T is an integer ≥ 1; `minLr` ε_min ≥ 0 is absolute (default 0). If ε_min > ε₀ the
 * rate rises from ε₀ to ε_min instead.
 */
export class CosineAnnealingLr extends LrSchedule {
  readonly kind = 'cosine';
  readonly period: number;
  readonly minLr: number;
  constructor({ period, minLr = 0 }: { period: number; minLr?: number }) {
    super();
    this.period = checkInteger('cosine schedule', 'period', period, 1);
    this.minLr = checkNonNegative('cosine schedule', 'minLr', minLr);
  }
  rate(t: number, baseLr: number): number {
    if (t >= this.period) return this.minLr;
    return this.minLr + ((baseLr - this.minLr) * (1 + Math.cos((Math.PI * t) / this.period))) / 2;
  }
  config(): ScheduleConfig {
    return { kind: this.kind, period: this.period, minLr: this.minLr };
  }
}

/**
 * Linear warm-up over the first W counts, then another schedule (constant by default), shifted
 * so that it starts at its own t = 0 when the warm-up ends:
 *
 *     ε(t) = ε₀·(f + (1 − f)·t / W)      for t < W
 *     ε(t) = then.ε(t − W)               for t ≥ W
 *
 * The start factor f in (0, 1] defaults to 1/(W + 1), so W = 4 gives ε₀·(0.2, 0.4, 0.6, 0.8) and
 * then ε₀: the rate never starts at zero (a wasted step) and rises in equal steps. Metrics given
 * to `observe` are passed to `then` (so `warmup:5+plateau:5:0.5` works), also during the warm-up.
 */
export class LinearWarmup extends LrSchedule {
  readonly kind = 'warmup';
  readonly steps: number;
  readonly startFactor: number;
  readonly then: LrSchedule;
  constructor({ steps, startFactor, then = new ConstantLr() }: { steps: number; startFactor?: number; then?: LrSchedule }) {
    super();
    this.steps = checkInteger('warmup schedule', 'steps', steps, 1);
    this.startFactor = checkInterval('warmup schedule', 'startFactor', startFactor ?? 1 / (steps + 1), 0, 1, { lowOpen: true });
    if (!(then instanceof LrSchedule)) throw new ValueError(`warmup schedule: then must be a schedule, got ${formatValue(then)}`);
    if (then instanceof LinearWarmup) throw new ValueError('warmup schedule: then must not be another warmup');
    this.then = then;
  }
  rate(t: number, baseLr: number): number {
    if (t < this.steps) return baseLr * (this.startFactor + ((1 - this.startFactor) * t) / this.steps);
    return this.then.rate(t - this.steps, baseLr);
  }
  override observe(metric: number): boolean {
    return this.then.observe(metric);
  }
  config(): ScheduleConfig {
    return { kind: this.kind, steps: this.steps, startFactor: this.startFactor, then: this.then.config() };
  }
  override stateDict(): ScheduleStateDict {
    const inner = this.then.stateDict();
    return inner.state ? { config: this.config(), state: { ...inner.state } } : { config: this.config() };
  }
  override loadStateDict(dict: ScheduleStateDict): void {
    super.loadStateDict(dict);
    this.then.loadStateDict({ config: this.then.config(), state: dict.state });
  }
}
