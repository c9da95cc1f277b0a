import { BackpropError, ValueError, formatValue } from '../util/errors.js';
import { ReduceLrOnPlateau } from './plateau.js';
import { ConstantLr, CosineAnnealingLr, ExponentialLr, InverseTimeLr, LinearWarmup, LrSchedule, MultiStepLr, ScheduleConfig, StepLr } from './schedules.js';
import type { ReduceLrOnPlateauOptions } from './plateau.js';

/** The schedule specs `parseSchedule` accepts (the CLI's `--schedule`), with their fields. */
export const SCHEDULE_SPECS: Readonly<Record<string, string>> = Object.freeze({
  constant: 'constant',
  step: 'step:EVERY:GAMMA',
  multistep: 'multistep:M1,M2,…:GAMMA',
  exp: 'exp:GAMMA',
  time: 'time:DECAY',
  cosine: 'cosine[:PERIOD[:MIN_LR]]',
  warmup: 'warmup:STEPS[:START_FACTOR][+SCHEDULE]',
  plateau: 'plateau[:PATIENCE[:FACTOR]]',
});

/** [fewest, most] fields after the kind. */
const FIELD_COUNTS: Record<string, [number, number]> = {
  constant: [0, 0],
  step: [2, 2],
  multistep: [2, 2],
  exp: [1, 1],
  time: [1, 1],
  cosine: [0, 2],
  warmup: [1, 2],
  plateau: [0, 2],
};

export interface ParseScheduleOptions {
  /**
   * The number of epochs (or steps) of the run: the cosine period when the spec gives none
   * (less the warm-up, when cosine follows one).
   */
  totalSteps?: number;
}

/**
 * A schedule from a spec string, e.g.
 *
 *     constant                  ε₀
 *     step:10:0.5               ×0.5 every 10           (StepLr)
 *     multistep:10,20:0.1       ×0.1 at 10 and at 20    (MultiStepLr)
 *     exp:0.95                  ε₀·0.95ᵗ                (ExponentialLr)
 *     time:0.01                 ε₀/(1 + 0.01·t)         (InverseTimeLr)
 *     cosine | cosine:50 | cosine:50:1e-5               (CosineAnnealingLr; no period: totalSteps)
 *     warmup:5 | warmup:5:0.1 | warmup:5+cosine         (LinearWarmup, then constant or the schedule after +)
 *     plateau | plateau:5 | plateau:5:0.5               (ReduceLrOnPlateau: patience, factor)
 *
 * Errors name the spec and the bad part, e.g. `schedule "step:x:0.5": EVERY "x" is not a number`.
 */
export function parseSchedule(spec: string, options: ParseScheduleOptions = {}): LrSchedule {
  if (typeof spec !== 'string' || spec.trim() === '') throw new ValueError(`schedule: expected a spec such as "exp:0.95", got ${formatValue(spec)}`);
  const text = spec.trim();
  const fail = (message: string): never => {
    throw new ValueError(`schedule ${JSON.stringify(text)}: ${message}`);
  };
  const parts = text.split('+');
  if (parts.length > 2) fail('at most one "+" (warmup:STEPS+SCHEDULE)');
  if (parts.length === 2 && kindOf(parts[0]) !== 'warmup') fail(`only a warmup can come before "+", got ${JSON.stringify(parts[0])}`);
  if (parts.length === 2 && kindOf(parts[1]) === 'warmup') fail('a warmup cannot follow "+"');
  try {
    if (parts.length === 1) return build(parts[0], options.totalSteps, fail);
    const warmup = build(parts[0], undefined, fail) as LinearWarmup;
    const remaining = options.totalSteps === undefined ? undefined : options.totalSteps - warmup.steps;
    if (remaining !== undefined && remaining < 1 && kindOf(parts[1]) === 'cosine') fail(`the warm-up (${warmup.steps}) leaves no steps of the ${options.totalSteps} for cosine`);
    return new LinearWarmup({ steps: warmup.steps, startFactor: warmup.startFactor, then: build(parts[1], remaining, fail) });
  } catch (error) {
    // Range errors from the schedules' constructors, e.g. "exp schedule: gamma must be …": prefix the spec.
    if (error instanceof BackpropError && !error.message.startsWith('schedule ')) fail(error.message.replace(/^\w+ schedule: /, ''));
    throw error;
  }
}

function kindOf(part: string): string {
  return part.split(':')[0];
}

function build(part: string, totalSteps: number | undefined, fail: (message: string) => never): LrSchedule {
  const [kind, ...fields] = part.split(':');
  const counts = FIELD_COUNTS[kind];
  if (counts === undefined) fail(`unknown schedule ${JSON.stringify(kind)}; valid: ${Object.keys(SCHEDULE_SPECS).join(', ')}`);
  const [fewest, most] = counts;
  if (fields.length < fewest || fields.length > most) {
    const expected = fewest === most ? `${fewest}` : `${fewest} to ${most}`;
    fail(`${kind} takes ${expected} field${most === 1 ? '' : 's'} (${SCHEDULE_SPECS[kind]}), got ${fields.length}`);
  }
  const fieldNames = SCHEDULE_SPECS[kind].split(/[:[\]+]+/).slice(1);
  const num = (index: number): number => parseNumber(fields[index], fieldNames[index], fail);
  switch (kind) {
    case 'constant':
      return new ConstantLr();
    case 'step':
      return new StepLr({ stepSize: num(0), gamma: num(1) });
    case 'multistep': {
      const milestones = fields[0].split(',').map((m) => parseNumber(m, 'milestone', fail));
      return new MultiStepLr({ milestones, gamma: num(1) });
    }
    case 'exp':
      return new ExponentialLr({ gamma: num(0) });
    case 'time':
      return new InverseTimeLr({ decay: num(0) });
    case 'cosine': {
      if (fields.length === 0 && totalSteps === undefined) fail('cosine needs a period (cosine:PERIOD) when the number of epochs is not known');
      const period = fields.length > 0 ? num(0) : (totalSteps as number);
      return new CosineAnnealingLr({ period, minLr: fields.length > 1 ? num(1) : 0 });
    }
    case 'warmup':
      return new LinearWarmup({ steps: num(0), startFactor: fields.length > 1 ? num(1) : undefined });
    default:
      return new ReduceLrOnPlateau({ patience: fields.length > 0 ? num(0) : undefined, factor: fields.length > 1 ? num(1) : undefined });
  }
}

/** A decimal number ("0.5", "1e-3", "10"); rejects "", "0x10", "1e999", "3.2abc" and the like. */
function parseNumber(text: string, field: string, fail: (message: string) => never): number {
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) ? Number(text) : NaN;
  if (!Number.isFinite(value)) fail(`${field} ${JSON.stringify(text)} is not a number`);
  return value;
}

/**
 * Rebuilds a schedule from its `config()` (as stored in a model document or checkpoint);
 * `scheduleFromConfig(s.config()).config()` equals `s.config()`.
 */
export function scheduleFromConfig(config: ScheduleConfig): LrSchedule {
  if (typeof config !== 'object' || config === null) throw new ValueError(`scheduleFromConfig: expected a schedule config object, got ${formatValue(config)}`);
  const { kind, ...options } = config;
  const numberOf = (key: string): number => options[key] as number;
  switch (kind) {
    case 'constant':
      return new ConstantLr();
    case 'step':
      return new StepLr({ stepSize: numberOf('stepSize'), gamma: numberOf('gamma') });
    case 'multistep':
      return new MultiStepLr({ milestones: options.milestones as number[], gamma: numberOf('gamma') });
    case 'exp':
      return new ExponentialLr({ gamma: numberOf('gamma') });
    case 'time':
      return new InverseTimeLr({ decay: numberOf('decay') });
    case 'cosine':
      return new CosineAnnealingLr({ period: numberOf('period'), minLr: numberOf('minLr') });
    case 'warmup':
      return new LinearWarmup({ steps: numberOf('steps'), startFactor: numberOf('startFactor'), then: scheduleFromConfig(options.then as ScheduleConfig) });
    case 'plateau':
      return new ReduceLrOnPlateau(options as ReduceLrOnPlateauOptions);
    default:
      throw new ValueError(`scheduleFromConfig: unknown schedule kind ${formatValue(kind)}; valid: ${Object.keys(SCHEDULE_SPECS).join(', ')}`);
  }
}
