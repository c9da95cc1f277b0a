import { ValueError, formatValue } from '../util/errors.js';
import { checkChoice, checkInteger, checkInterval, checkNonNegative, decodeNumber, encodeNumber } from './checks.js';
import { LrSchedule, ScheduleConfig, ScheduleStateDict } from './schedules.js';

export interface ReduceLrOnPlateauOptions {
  /** 'min' when a lower metric is better (a loss, the default), 'max' when higher is better (accuracy). */
  mode?: 'min' | 'max';
  /** How many observations without improvement are tolerated; the rate drops on the next one. Integer ≥ 0, default 10. */
  patience?: number;
  /** The multiplier γ in (0, 1) applied at each reduction. Default 0.1. */
  factor?: number;
  /** The improvement that counts, ≥ 0: relative (default, 1e-4 = 0.01%) or absolute, see `thresholdMode`. */
  threshold?: number;
  /** 'rel': better means below best·(1 − threshold) (min) or above best·(1 + threshold) (max); 'abs': best ∓ threshold. Default 'rel'. */
  thresholdMode?: 'rel' | 'abs';
  /** Observations to wait after a reduction before counting bad ones again. Integer ≥ 0, default 0. */
  cooldown?: number;
  /** The rate never goes below this absolute value ≥ 0. Default 0. */
  minLr?: number;
}

/**
 * Reduce-on-plateau: multiply the rate by γ when the monitored metric has stopped improving.
 *
 *     ε = max(ε_min, ε₀·γⁿ), n = the number of reductions so far.
 *
 * After each epoch call `observe(metric)`. An observation that beats the best so far (by the
 * threshold) resets the count of bad observations; any other adds one (a NaN metric counts as
 * bad). When the count exceeds `patience`, n grows by one, the count restarts and the next
 * `cooldown` observations are not counted. So with patience 2 the rate drops at the third bad
 * observation in a row (PyTorch's ReduceLROnPlateau semantics; Keras drops at the second).
 *
 * With several parameter groups, ε_min bounds the first group's rate (the others keep their ratio).
 */
export class ReduceLrOnPlateau extends LrSchedule {
  readonly kind = 'plateau';
  readonly mode: 'min' | 'max';
  readonly patience: number;
  readonly factor: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  /** The best metric observed (∞ for 'min', −∞ for 'max' before the first). */
  best: number;
  /** Consecutive observations without improvement, outside cooldown. */
  badObservations = 0;
  /** Observations of cooldown left. */
  cooldownLeft = 0;
  /** Reductions so far (n). */
  reductions = 0;

  constructor(options: ReduceLrOnPlateauOptions = {}) {
    super();
    const where = 'plateau schedule';
    const valid = ['mode', 'patience', 'factor', 'threshold', 'thresholdMode', 'cooldown', 'minLr'];
    for (const key of Object.keys(options)) if (!valid.includes(key)) throw new ValueError(`${where}: unknown option ${JSON.stringify(key)}; valid options: ${valid.join(', ')}`);
    this.mode = checkChoice(where, 'mode', options.mode ?? 'min', ['min', 'max'] as const);
    this.patience = checkInteger(where, 'patience', options.patience ?? 10, 0);
    this.factor = checkInterval(where, 'factor', options.factor ?? 0.1, 0, 1, { lowOpen: true, highOpen: true });
    this.threshold = checkNonNegative(where, 'threshold', options.threshold ?? 1e-4);
    this.thresholdMode = checkChoice(where, 'thresholdMode', options.thresholdMode ?? 'rel', ['rel', 'abs'] as const);
    this.cooldown = checkInteger(where, 'cooldown', options.cooldown ?? 0, 0);
    this.minLr = checkNonNegative(where, 'minLr', options.minLr ?? 0);
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  rate(_t: number, baseLr: number): number {
    return Math.max(this.minLr, baseLr * Math.pow(this.factor, this.reductions));
  }

  /** Whether `metric` improves on `best` by the threshold. */
  isImprovement(metric: number): boolean {
    const { best, threshold } = this;
    if (this.mode === 'min') return this.thresholdMode === 'rel' ? metric < best * (1 - threshold) : metric < best - threshold;
    return this.thresholdMode === 'rel' ? metric > best * (1 + threshold) : metric > best + threshold;
  }

  override observe(metric: number): boolean {
    if (typeof metric !== 'number') throw new ValueError(`plateau schedule: observe: metric must be a number, got ${formatValue(metric)}`);
    if (this.isImprovement(metric)) {
      this.best = metric;
      this.badObservations = 0;
    } else {
      this.badObservations++;
    }
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badObservations = 0;
    }
    if (this.badObservations > this.patience) {
      this.reductions++;
      this.cooldownLeft = this.cooldown;
      this.badObservations = 0;
      return true;
    }
    return false;
  }

  config(): ScheduleConfig {
    const { kind, mode, patience, factor, threshold, thresholdMode, cooldown, minLr } = this;
    return { kind, mode, patience, factor, threshold, thresholdMode, cooldown, minLr };
  }

  override stateDict(): ScheduleStateDict {
    return {
      config: this.config(),
      state: { best: encodeNumber(this.best), badObservations: this.badObservations, cooldownLeft: this.cooldownLeft, reductions: this.reductions },
    };
  }

  override loadStateDict(dict: ScheduleStateDict): void {
    super.loadStateDict(dict);
    const where = 'plateau schedule: loadStateDict';
    const state = dict.state ?? {};
    const best = decodeNumber(`${where}: best`, state.best);
    const badObservations = checkInteger(where, 'badObservations', state.badObservations, 0);
    const cooldownLeft = checkInteger(where, 'cooldownLeft', state.cooldownLeft, 0);
    const reductions = checkInteger(where, 'reductions', state.reductions, 0);
    Object.assign(this, { best, badObservations, cooldownLeft, reductions });
  }
}
