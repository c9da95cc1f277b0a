import type { DType, FloatArray } from '../kernels/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../util/errors.js';
import { JsonNumber, checkKnownKeys, checkNonNegative, decodeNumber, encodeArray } from './checks.js';

/**
 * Parameters with fewer elements than these are updated by the optimiser's own loop even when the
 * backend has an update kernel (whose results are the same bit for bit): below them, crossing into
 * the kernel costs more than the loop. Measured on the native addon (V8 API bindings): a call costs
 * 80–100 ns whatever the size, the SGD loop about 1.8 ns an element (even at 48), the Adam loop
 * several times that.
 */
export const SGD_KERNEL_MIN_ELEMENTS = 48;
export const ADAM_KERNEL_MIN_ELEMENTS = 16;

/** Hyperparameter values: numbers, switches and named conventions. */
export type OptionValue = number | boolean | string;

/** Every optimiser has a learning rate ε (`lr`). */
export interface BaseOptions {
  lr: number;
}

/** A parameter group: its tensors plus options that override the optimiser's for them (e.g. a per-layer `lr`). */
export type ParamGroupSpec<O> = { params: readonly Tensor[] } & Partial<O>;

/** What an optimiser is built over: a list of parameter tensors, or a list of groups. */
export type ParamsInput<O> = readonly Tensor[] | readonly ParamGroupSpec<O>[];

export interface ParamGroup<O> {
  readonly params: readonly Tensor[];
  /** The group's resolved hyperparameters (optimiser options, then the group's overrides). */
  readonly options: Readonly<O>;
  /**
   * The group's learning rate divided by the first group's, fixed at construction (1 when the first
   * is 0). Setting `optimizer.lr` keeps these ratios, so a schedule scales per-layer rates together.
   */
  readonly lrRatio: number;
}

/** What the update rule keeps for one parameter: the number of updates t it has had, and its buffers. */
export interface ParameterState {
  step: number;
  /** Buffers with the parameter's size and dtype, created once in the constructor. */
  readonly buffers: Record<string, FloatArray>;
}

/** The plain-JSON form of an optimiser's state: `JSON.parse(JSON.stringify(sd))` loads back bit-identically. */
export interface OptimizerStateDict {
  optimizer: string;
  initialLr: number;
  groups: { options: Record<string, OptionValue>; lrRatio: number; paramCount: number }[];
  /** One entry per parameter, in group order. */
  state: { step: number; buffers: Record<string, JsonNumber[]> }[];
}

/** The optimiser's name and hyperparameters, as recorded in a model document; `createOptimizer(name, params, options)` rebuilds it. */
export interface OptimizerConfig {
  name: string;
  options: Record<string, OptionValue>;
  /** Each group's resolved options, present only when there is more than one group. */
  groups?: Record<string, OptionValue>[];
}

/**
 * The shared machinery of every optimiser: parameter groups, state buffers, `step()`,
 * `zeroGrad()`, the settable learning rate and the state dictionary. A subclass supplies only its
 * update rule (`update`), its buffers (`createBuffers`) and its option checks (`validate`).
 *
 * `step()` reads each parameter's `.grad` (∂C/∂w, same shape) and updates `.data` in place, in the
 * parameter's dtype; parameters whose `.grad` is null are skipped and their step count t is not
 * advanced. Nothing is allocated per step.
 */
export abstract class Optimizer<O extends BaseOptions = BaseOptions> {
  /** The factory name, e.g. "adam". */
  readonly name: string;
  /** The options given to the constructor merged over the defaults (group 0 may override them). */
  readonly defaults: Readonly<O>;
  /** The first group's learning rate at construction: the base ε that schedules scale (`schedule.lrAt(t, optimizer.initialLr)`). */
  initialLr: number;
  protected groupList: ParamGroup<O>[];
  protected readonly states: ParameterState[] = [];
  /** The name used in error messages, e.g. "Adam". */
  protected readonly label: string;

  protected constructor(name: string, label: string, params: ParamsInput<O>, options: Partial<O>, defaults: O) {
    this.name = name;
    this.label = label;
    const validKeys = Object.keys(defaults);
    if (typeof options !== 'object' || options === null) throw new ValueError(`${label}: options must be an object, got ${formatValue(options)}`);
    checkKnownKeys(label, options, validKeys);
    const merged = { ...defaults, ...options } as O;
    this.validate(merged);
    this.defaults = Object.freeze(merged);
    const specs = normaliseGroups(label, params);
    const seen = new Set<Tensor>();
    const resolved = specs.map(({ params: tensors, ...overrides }, g) => {
      checkKnownKeys(`${label}: group ${g}`, overrides, validKeys);
      const groupOptions = { ...merged, ...overrides } as O;
      try {
        this.validate(groupOptions);
      } catch (error) {
        // Name the group: "SGD: group 1: lr must be …".
        if (error instanceof ValueError && error.message.startsWith(`${label}: `)) throw new ValueError(`${label}: group ${g}: ${error.message.slice(label.length + 2)}`);
        throw error;
      }
      tensors.forEach((t, i) => {
        if (!(t instanceof Tensor)) throw new ValueError(`${label}: group ${g} parameter ${i} must be a Tensor, got ${formatValue(t)}`);
        if (!t.isLeaf) throw new ValueError(`${label}: parameter ${t.name ?? i} in group ${g} is computed by an operation, not a leaf tensor; optimise the tensors it was computed from`);
        if (seen.has(t)) throw new ValueError(`${label}: parameter ${t.name ?? i} appears more than once (in group ${g})`);
        seen.add(t);
      });
      return { params: Object.freeze(tensors.slice()), options: groupOptions };
    });
    const firstLr = resolved[0].options.lr;
    this.initialLr = firstLr;
    this.groupList = resolved.map((group) => ({ ...group, lrRatio: firstLr === 0 ? 1 : group.options.lr / firstLr }));
    for (const group of this.groupList)
      for (const param of group.params) this.states.push({ step: 0, buffers: this.createBuffers(param.size, param.dtype, group.options) });
  }

  /** Throws a ValueError naming the first invalid hyperparameter and its value. */
  protected abstract validate(options: O): void;

  /** The state buffers one parameter needs under `options` (zero-filled unless the rule says otherwise). */
  protected abstract createBuffers(size: number, dtype: DType, options: O): Record<string, FloatArray>;

  /** The update rule for one parameter: `param` and `buffers` updated in place from `grad`; `step` is t ≥ 1. */
  protected abstract update(param: FloatArray, grad: FloatArray, buffers: Record<string, FloatArray>, options: Readonly<O>, step: number): void;

  /** Parameter groups in order, with their resolved options. */
  get groups(): readonly ParamGroup<O>[] {
    return this.groupList;
  }

  /** Every parameter, in group order. */
  get parameters(): Tensor[] {
    return this.groupList.flatMap((group) => group.params);
  }

  /** The learning rate ε of the first group. */
  get lr(): number {
    return this.groupList[0].options.lr;
  }

  /** Sets the first group's learning rate to `value` and every other group's to `value × lrRatio`. */
  set lr(value: number) {
    checkNonNegative(this.label, 'lr', value);
    for (const group of this.groupList) (group.options as O).lr = value * group.lrRatio;
  }

  /** Applies one update to every parameter that has a gradient. */
  step(): void {
    // Indexed loops: for-of over the (frozen) parameter lists allocates an iterator per call.
    let index = 0;
    for (let g = 0; g < this.groupList.length; g++) {
      const group = this.groupList[g];
      for (let p = 0; p < group.params.length; p++) {
        const param = group.params[p];
        const state = this.states[index++];
        const grad = param.grad;
        if (grad === null) continue;
        if (grad.size !== param.size) {
          throw new ShapeError(`${this.label}.step: gradient ${formatShape(grad.shape)} does not match parameter ${param.name ?? ''} ${formatShape(param.shape)}`);
        }
        state.step += 1;
        this.update(param.data, grad.data, state.buffers, group.options, state.step);
      }
    }
  }

  /**
   * Fills every existing `.grad` with zeros, keeping the buffers so the next backward allocates
   * nothing. A parameter that then takes no part in the loss has a zero gradient rather than none,
   * so a momentum-based rule still moves it by its momentum; set its `.grad = null` to skip it.
   */
  zeroGrad(): void {
    for (let g = 0; g < this.groupList.length; g++) {
      const params = this.groupList[g].params;
      for (let p = 0; p < params.length; p++) params[p].grad?.data.fill(0);
    }
  }

  /** The name and hyperparameters as configured (`lr` is the initial rate, before any schedule), for the model document. */
  config(): OptimizerConfig {
    const config: OptimizerConfig = { name: this.name, options: { ...this.defaults, lr: this.initialLr } as unknown as Record<string, OptionValue> };
    if (this.groupList.length > 1) config.groups = this.groupList.map((group) => ({ ...group.options }) as unknown as Record<string, OptionValue>);
    return config;
  }

  /** Everything needed to continue exactly where this optimiser is: options, step counts and buffers, as plain JSON. */
  stateDict(): OptimizerStateDict {
    return {
      optimizer: this.name,
      initialLr: this.initialLr,
      groups: this.groupList.map((group) => ({ options: { ...group.options } as unknown as Record<string, OptionValue>, lrRatio: group.lrRatio, paramCount: group.params.length })),
      state: this.states.map((state) => ({
        step: state.step,
        buffers: Object.fromEntries(Object.entries(state.buffers).map(([key, buffer]) => [key, encodeArray(buffer)])),
      })),
    };
  }

  /**
   * Restores a state from `stateDict()` (possibly through JSON) onto an optimiser of the same kind
   * built over parameters of the same shapes, in the same groups. The hyperparameters are restored too.
   */
  loadStateDict(dict: OptimizerStateDict): void {
    const where = `${this.label}.loadStateDict`;
    if (typeof dict !== 'object' || dict === null) throw new ValueError(`${where}: expected a state object, got ${formatValue(dict)}`);
    if (dict.optimizer !== this.name) throw new ValueError(`${where}: the state is for optimizer ${formatValue(dict.optimizer)}, not ${JSON.stringify(this.name)}`);
    if (!Array.isArray(dict.groups) || dict.groups.length !== this.groupList.length) {
      throw new ValueError(`${where}: the state has ${Array.isArray(dict.groups) ? dict.groups.length : 'no'} parameter groups, this optimizer has ${this.groupList.length}`);
    }
    const validKeys = Object.keys(this.defaults);
    const groups = this.groupList.map((group, g) => {
      const saved = dict.groups[g];
      if (saved.paramCount !== group.params.length) throw new ValueError(`${where}: group ${g} has ${saved.paramCount} parameters in the state, ${group.params.length} here`);
      checkKnownKeys(`${where}: group ${g}`, saved.options, validKeys);
      const options = { ...this.defaults, ...saved.options } as O;
      this.validate(options);
      return { params: group.params, options, lrRatio: checkNonNegative(where, `group ${g} lrRatio`, saved.lrRatio) };
    });
    const params = groups.flatMap((group) => group.params.map((param) => ({ param, options: group.options })));
    if (!Array.isArray(dict.state) || dict.state.length !== params.length) {
      throw new ValueError(`${where}: the state has ${Array.isArray(dict.state) ? dict.state.length : 'no'} parameter entries, this optimizer has ${params.length} parameters`);
    }
    // Build every buffer first, so a bad entry leaves this optimiser untouched.
    const states = params.map(({ param, options }, i): ParameterState => {
      const saved = dict.state[i];
      const buffers = this.createBuffers(param.size, param.dtype, options);
      const expected = Object.keys(buffers).sort().join(', ');
      const found = Object.keys(saved.buffers ?? {}).sort().join(', ');
      if (expected !== found) throw new ValueError(`${where}: parameter ${i} has buffers [${found}] in the state, expected [${expected}]`);
      for (const [key, buffer] of Object.entries(buffers)) {
        const values = saved.buffers[key];
        if (!Array.isArray(values) || values.length !== buffer.length) {
          throw new ValueError(`${where}: parameter ${i} buffer ${key} has ${Array.isArray(values) ? values.length : 'no'} values, expected ${buffer.length}`);
        }
        for (let j = 0; j < values.length; j++) buffer[j] = decodeNumber(`${where}: parameter ${i} buffer ${key}[${j}]`, values[j]);
      }
      if (!(Number.isInteger(saved.step) && saved.step >= 0)) throw new ValueError(`${where}: parameter ${i} step must be an integer >= 0, got ${formatValue(saved.step)}`);
      return { step: saved.step, buffers };
    });
    this.initialLr = checkNonNegative(where, 'initialLr', dict.initialLr);
    this.groupList = groups;
    this.states.splice(0, this.states.length, ...states);
  }

  /**
   * @internal Counts `count` updates of every parameter made outside `step()`: the native training
   * loop (src/train/native-steps.ts) applies this optimiser's rule itself and then advances t here.
   */
  countSteps(count: number): void {
    for (const state of this.states) state.step += count;
  }

  /** @internal The state of parameter `index` (in group order), for tests and diagnostics. */
  parameterState(index: number): Readonly<ParameterState> {
    return this.states[index];
  }
}

function normaliseGroups<O>(label: string, params: ParamsInput<O>): ParamGroupSpec<O>[] {
  if (!Array.isArray(params) || params.length === 0) throw new ValueError(`${label}: needs a non-empty list of parameters or parameter groups, got ${formatValue(params)}`);
  if (params.every((p) => p instanceof Tensor)) return [{ params: params as readonly Tensor[] } as ParamGroupSpec<O>];
  return (params as readonly unknown[]).map((group, g) => {
    if (typeof group !== 'object' || group === null || group instanceof Tensor || !Array.isArray((group as { params?: unknown }).params)) {
      throw new ValueError(`${label}: expected all Tensors or all groups { params: Tensor[], ...options }; item ${g} is ${group instanceof Tensor ? 'a Tensor' : formatValue(group)}`);
    }
    if ((group as { params: unknown[] }).params.length === 0) throw new ValueError(`${label}: group ${g} has no parameters`);
    return group as ParamGroupSpec<O>;
  });
}

/** Zero-filled state buffers of one parameter's size and dtype. */
export function buffersOf(size: number, dtype: DType, names: readonly string[]): Record<string, FloatArray> {
  return Object.fromEntries(names.map((key) => [key, allocate(dtype, size)]));
}
