import type { DType } from '../kernels/index.js';
import type { Tensor } from '../tensor/index.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../util/errors.js';
import type { Rng } from '../util/rng.js';

/**
 * The base of every layer and model: a function `forward(x)` of a batch plus the parameters it
 * learns and the child modules it is made of.
 *
 * - Parameters are tensors with `requiresGrad`, registered under a short name (`weight`, `bias`);
 *   `namedParameters()` lists them depth-first with dotted paths through the children
 *   (`0.weight`, `0.bias`, `2.weight`, …) and each parameter tensor's `name` is kept equal to its
 *   path in the outermost model, for diagnostics and error messages.
 * - A module is in training mode (`training = true`) when created; `train()` and `eval()` set the
 *   mode on it and every descendant. Dropout and noisy ReLU behave differently in the two modes.
 * - Modules that draw random numbers while running (Dropout, noisy ReLU) own an `Rng`, listed by
 *   `namedRngs()` so a checkpoint can save and restore their state.
 */
export abstract class Module {
  /** True in training mode, false in evaluation mode. */
  training = true;
  private readonly ownParameters = new Map<string, Tensor>();
  private readonly childModules = new Map<string, Module>();

  /** The output for a batch `x` (shape [batch, features] for the layers here). */
  abstract forward(x: Tensor): Tensor;

  /** The module's own random generator, if it draws random numbers in forward; null otherwise. */
  get rng(): Rng | null {
    return null;
  }

  /** Registers `tensor` as a learnable parameter (sets requiresGrad) under `name`. */
  protected registerParameter(name: string, tensor: Tensor): Tensor {
    checkLocalName(this, 'parameter', name);
    if (this.ownParameters.has(name) || this.childModules.has(name)) throw new ValueError(`${this.constructor.name}: duplicate name ${formatValue(name)}`);
    tensor.requiresGrad = true;
    tensor.name = name;
    this.ownParameters.set(name, tensor);
    return tensor;
  }

  /** Registers a child module under `name`; its parameters become `name.<their path>`. */
  protected registerModule<M extends Module>(name: string, module: M): M {
    checkLocalName(this, 'module', name);
    if (!(module instanceof Module)) throw new ValueError(`${this.constructor.name}: child ${formatValue(name)} must be a Module, got ${formatValue(module)}`);
    if (this.ownParameters.has(name) || this.childModules.has(name)) throw new ValueError(`${this.constructor.name}: duplicate name ${formatValue(name)}`);
    this.childModules.set(name, module);
    for (const [path, parameter] of module.namedParameters()) parameter.name = `${name}.${path}`;
    return module;
  }

  /** The direct children with their names, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this.childModules];
  }

  /** This module (path '') and every descendant, depth-first, with dotted paths ('0', '1', …). */
  namedModules(prefix = ''): [string, Module][] {
    const result: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.childModules) result.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return result;
  }

  /** Every parameter with its dotted path, own parameters first, then each child's in order. */
  namedParameters(prefix = ''): [string, Tensor][] {
    const result: [string, Tensor][] = [];
    for (const [name, parameter] of this.ownParameters) result.push([prefix ? `${prefix}.${name}` : name, parameter]);
    for (const [name, child] of this.childModules) result.push(...child.namedParameters(prefix ? `${prefix}.${name}` : name));
    return result;
  }

  /** Every parameter, in the order of `namedParameters()` (the order optimisers keep state in). */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, parameter]) => parameter);
  }

  /** Total number of learnable numbers. */
  parameterCount(): number {
    let count = 0;
    for (const parameter of this.parameters()) count += parameter.size;
    return count;
  }

  /** Every random generator used in forward, by module path (for checkpoints). */
  namedRngs(): [string, Rng][] {
    const result: [string, Rng][] = [];
    for (const [path, module] of this.namedModules()) {
      const rng = module.rng;
      if (rng) result.push([path, rng]);
    }
    return result;
  }

  /** Sets training mode (default) or evaluation mode (`mode` false) here and in every descendant. */
  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.training = mode;
    return this;
  }

  /** Evaluation mode: dropout off, noisy ReLU plain. Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /**
   * The values of every parameter by its path, as plain JSON-ready data (copies): a custom module's
   * weights can be saved with `JSON.stringify(model.stateDict())` and put back with `loadStateDict`.
   * (`toModelDocument`/`saveModel` also keep the architecture, for the library's own layers.)
   */
  stateDict(): ModuleStateDict {
    const state: ModuleStateDict = {};
    for (const [path, parameter] of this.namedParameters()) state[path] = { shape: [...parameter.shape], dtype: parameter.dtype, values: Array.from(parameter.data) };
    return state;
  }

  /**
   * Copies the values of `state` (from `stateDict()` of a module of the same structure) into the
   * parameters. Everything is checked before anything is written: every parameter present with its
   * shape, no unknown entries, finite numbers; an error names the entry and leaves the module as it was.
   */
  loadStateDict(state: ModuleStateDict): this {
    const where = `${this.constructor.name}.loadStateDict`;
    if (state === null || typeof state !== 'object' || Array.isArray(state)) throw new ValueError(`${where}: expected an object from stateDict(), got ${formatValue(state)}`);
    const named = this.namedParameters();
    const known = new Set(named.map(([path]) => path));
    for (const key of Object.keys(state)) if (!known.has(key)) throw new ValueError(`${where}: unknown entry ${formatValue(key)}; the module's parameters are ${[...known].join(', ') || 'none'}`);
    for (const [path, parameter] of named) {
      const entry = state[path];
      if (entry === undefined) throw new ValueError(`${where}: no entry for parameter ${formatValue(path)}`);
      const shape: unknown = entry?.shape;
      if (!Array.isArray(shape) || shape.length !== parameter.shape.length || shape.some((n, i) => n !== parameter.shape[i])) {
        throw new ShapeError(`${where}: ${path} has shape ${Array.isArray(shape) ? formatShape(shape) : formatValue(shape)}, the parameter ${formatShape(parameter.shape)}`);
      }
      const values: unknown = entry.values;
      if (!Array.isArray(values) && !ArrayBuffer.isView(values)) throw new ValueError(`${where}: ${path}.values must be an array of numbers, got ${formatValue(values)}`);
      const list = values as ArrayLike<unknown>;
      if (list.length !== parameter.size) throw new ShapeError(`${where}: ${path} has ${list.length} values for shape ${formatShape(parameter.shape)} (${parameter.size})`);
      for (let i = 0; i < list.length; i++) {
        const v = list[i];
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${where}: ${path}.values[${i}] must be a finite number, got ${formatValue(v)}`);
      }
    }
    for (const [path, parameter] of named) parameter.data.set(state[path].values);
    return this;
  }

  /** The module's class name (layers describe themselves more fully). */
  toString(): string {
    return this.constructor.name;
  }

  /** Clears `.grad` of every parameter (gradients accumulate across backward calls until this). */
  zeroGrad(): void {
    for (const parameter of this.parameters()) parameter.zeroGrad();
  }
}

/** `Module.stateDict()`: each parameter's shape, dtype and values (row-major) by its dotted path. */
export type ModuleStateDict = Record<string, { shape: number[]; dtype: DType; values: number[] }>;

function checkLocalName(owner: Module, kind: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new ValueError(`${owner.constructor.name}: ${kind} name must be a non-empty string without '.', got ${formatValue(name)}`);
  }
}
