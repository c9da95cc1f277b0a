/**
 * The forward pass and backward rule shared by `denseStack` and `linearActivation` (src/ops/matmul.ts),
 * for stages their callers have checked; `Sequential` calls it directly with the stages it made
 * and checked once. Not part of the public API (src/ops/index.ts does not export this file).
 *
 * It runs once per training step of every dense network, so it is kept lean: a small network's
 * step costs more in JavaScript (and, while a loop warms up, in the JIT compiler's work on these
 * functions) than in arithmetic.
 */
import { gradBufferToOverwrite, isGradEnabled, record } from '../autograd/index.js';
import { releaseScratch, scratch } from '../autograd/graph.js';
import { backend, denseBackward, denseForward, derivativeUsesInput } from '../kernels/index.js';
import type { FloatArray, UnaryOp } from '../kernels/index.js';
import { Tensor, allocate } from '../tensor/index.js';

/** One layer of `denseStack`: W [units, inputs], b [units] or null, and the activation as a kernel op. */
export interface DenseStage {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly op: UnaryOp;
  readonly param: number;
}

/**
 * The forward pass, and the graph node when recording, of dense stages whose shapes and dtypes
 * the caller has checked (each stage's weight takes the previous stage's units; one dtype), in
 * an array that does not change afterwards (the backward rule reads it).
 */
export function stackForward(input: Tensor, stages: readonly DenseStage[]): Tensor {
  const count = stages.length;
  const last = count - 1;
  const batch = input.shape[0];
  const dtype = input.dtype;
  // The first stage whose input depends on something that requires a gradient (count if none):
  // the gradient of stage l's input is computed for l ≥ firstBelow. Read here, as the layer-by-layer
  // graph would record it.
  let firstBelow = input.requiresGrad ? 0 : count;
  for (let l = 0; l < count && firstBelow === count; l++) {
    const { weight, bias } = stages[l];
    if (weight.requiresGrad || (bias !== null && bias.requiresGrad)) firstBelow = l + 1;
  }
  const recording = firstBelow < count || lastRequiresGrad(stages[last]) ? isGradEnabled() : false;
  const units = stages[last].weight.shape[0];
  const out = new Tensor(allocate(dtype, batch * units), [batch, units]);
  // saved[2l]: the output of stage l < last (scratch); saved[2l + 1]: its z when f′ needs it, else null.
  const saved: (FloatArray | null)[] | null = recording ? new Array(2 * count) : null;
  const kernels = backend();
  let x = input.data;
  let previous: FloatArray | null = null;
  for (let l = 0; l < count; l++) {
    const { weight, bias, op, param } = stages[l];
    const outputs = weight.shape[0], inputs = weight.shape[1];
    const size = batch * outputs;
    const y = l === last ? out.data : scratch(dtype, size);
    let z: FloatArray | null = null;
    if (saved !== null) {
      if (derivativeUsesInput(op)) z = scratch(dtype, size);
      saved[2 * l] = l === last ? null : y;
      saved[2 * l + 1] = z;
    }
    denseForward(kernels, x, weight.data, bias === null ? null : bias.data, batch, inputs, outputs, op, param, y, z);
    // Without a graph a hidden activation is needed only by the next stage.
    if (saved === null && previous !== null) releaseScratch(previous);
    previous = y;
    x = y;
  }
  if (saved === null) return out;
  return record(out, stackParents(input, stages), (gradOut) => stackBackward(input, stages, out, saved, firstBelow, gradOut));
}

function lastRequiresGrad(stage: DenseStage): boolean {
  return stage.weight.requiresGrad || (stage.bias !== null && stage.bias.requiresGrad);
}

/** The graph parents of a stack: its input, then each stage's weight and bias. */
function stackParents(input: Tensor, stages: readonly DenseStage[]): Tensor[] {
  const parents: Tensor[] = [input];
  for (let l = 0; l < stages.length; l++) {
    const { weight, bias } = stages[l];
    parents.push(weight);
    if (bias !== null) parents.push(bias);
  }
  return parents;
}

/**
 * The backward rule of `stackForward`: stage by stage from the last, as backward() would run the
 * rules of linearActivation's nodes, giving back the scratch storage as it goes.
 */
function stackBackward(input: Tensor, stages: readonly DenseStage[], out: Tensor, saved: (FloatArray | null)[], firstBelow: number, gradOut: FloatArray): void {
  const kernels = backend();
  const last = stages.length - 1;
  const batch = input.shape[0];
  const dtype = input.dtype;
  let gradY = gradOut;
  for (let l = last; l >= 0; l--) {
    const { weight, bias, op, param } = stages[l];
    const units = weight.shape[0], inputs = weight.shape[1];
    const x = l === 0 ? input.data : saved[2 * (l - 1)]!;
    const y = l === last ? out.data : saved[2 * l]!;
    const z = saved[2 * l + 1];
    // Flags before any kernel runs, as linearActivation's rule reads them.
    const accumulateBias = bias !== null && bias.grad !== null;
    const gradBias = bias === null ? null : gradBufferToOverwrite(bias);
    const accumulateWeight = weight.grad !== null;
    const gradWeight = gradBufferToOverwrite(weight);
    let accumulateInput = false;
    let gradInput: FloatArray | null = null;
    if (l === 0) {
      accumulateInput = input.grad !== null;
      gradInput = gradBufferToOverwrite(input);
    } else if (l >= firstBelow) {
      gradInput = scratch(dtype, batch * inputs);
    }
    // δ = ∂C/∂y ⊙ f′(z) may take ∂C/∂y's place, except in a retained output gradient.
    const delta = l === last && op !== 'identity' && out.retainsGrad ? allocate(dtype, batch * units) : gradY;
    denseBackward(kernels, op, param, batch, inputs, units, x, weight.data, z, y, gradY, delta,
      gradBias, accumulateBias, gradWeight, accumulateWeight, gradInput, accumulateInput);
    if (z !== null) releaseScratch(z);
    if (l < last) {
      releaseScratch(gradY);
      releaseScratch(y);
    }
    if (gradInput === null) {
      // Nothing below requires a gradient: the stages below have nothing to compute.
      for (let k = l - 1; k >= 0; k--) {
        releaseScratch(saved[2 * k]!);
        const below = saved[2 * k + 1];
        if (below !== null) releaseScratch(below);
      }
      return;
    }
    gradY = gradInput;
  }
}
