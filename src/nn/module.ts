import type { Tensor } from '../tensor/index.js';
import { ValueError, formatValue } from '../util/errors.js';
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

  /** Clears `.grad` of every parameter (gradients accumulate across backward calls until this). */
  zeroGrad(): void {
    for (const parameter of this.parameters()) parameter.zeroGrad();
  }
}

function checkLocalName(owner: Module, kind: string, name: string): void {
  if (typeof name !== 'string' || name === '' || name.includes('.')) {
    throw new ValueError(`${owner.constructor.name}: ${kind} name must be a non-empty string without '.', got ${formatValue(name)}`);
  }
}
