/**
 * The forward pass and backward rule shared by `denseStack` and `linearActivation` (src/ops/matmul.ts),
 * for stages their callers have checked; `Sequential` calls it directly with the stages it made
 * and checked once. Not part of the public API (src/ops/index.ts does not export this file).
 *
 * It runs once per training step of every dense network, so it is kept lean: a small network's
 * step costs more in JavaScript (and, while a loop warms up, in the JIT compiler's work on these
 * functions) than in arithmetic. With a `StackState` (made once per stack), a backend that has the
 * stack kernels (the native addon) runs all the layers in one call each way.
 */
import { gradBufferToOverwrite, isGradEnabled, record } from '../autograd/index.js';
import { releaseScratch, scratch } from '../autograd/graph.js';
import { backend, denseBackward, denseForward, denseStackSavedPerRow, derivativeUsesInput } from '../kernels/index.js';
import type { DenseStack, DenseStackGradients, FloatArray, UnaryOp } from '../kernels/index.js';
import { Tensor, allocate } from '../tensor/index.js';

/** One layer of `denseStack`: W [units, inputs], b [units] or null, and the activation as a kernel op. */
export interface DenseStage {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly op: UnaryOp;
  readonly param: number;
}

/**
 * A stack made once for stages that never change (a `Sequential`'s): the layout the stack kernels
 * take, and the gradient lists its backward pass fills before each call (used within one call only).
 */
export interface StackState {
  readonly stack: DenseStack;
  readonly grads: DenseStackGradients;
}

/** The `StackState` of frozen stages whose shapes and dtypes the caller has checked. */
export function stackState(stages: readonly DenseStage[]): StackState {
  const layers = stages.map(({ weight, bias, op, param }) => Object.freeze({
    weight: weight.data, bias: bias === null ? null : bias.data, inputs: weight.shape[1], units: weight.shape[0], op, param,
  }));
  const stack: DenseStack = Object.freeze({ dtype: stages[0].weight.dtype, layers: Object.freeze(layers), savedPerRow: denseStackSavedPerRow(layers) });
  const count = stages.length;
  return {
    stack,
    grads: { weights: new Array<FloatArray | null>(count).fill(null), biases: new Array<FloatArray | null>(count).fill(null), accumulateWeights: new Array<boolean>(count).fill(false), accumulateBiases: new Array<boolean>(count).fill(false) },
  };
}

/**
 * The forward pass, and the graph node when recording, of dense stages whose shapes and dtypes
 * the caller has checked (each stage's weight takes the previous stage's units; one dtype), in
 * an array that does not change afterwards (the backward rule reads it). `state`, when given,
 * is `stackState(stages)`.
 */
export function stackForward(input: Tensor, stages: readonly DenseStage[], state: StackState | null = null): Tensor {
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
  // What the backward rule reads, in one array laid out as DenseStack.savedPerRow says.
  const savedPerRow = state !== null ? state.stack.savedPerRow : savedPerRowOf(stages);
  const saved = recording && savedPerRow > 0 ? scratch(dtype, batch * savedPerRow) : null;
  const kernels = backend();
  if (state === null || kernels.denseStackForward === undefined || !kernels.denseStackForward(state.stack, input.data, batch, out.data, saved)) {
    let x = input.data;
    let previous: FloatArray | null = null;
    let offset = 0;
    for (let l = 0; l < count; l++) {
      const { weight, bias, op, param } = stages[l];
      const outputs = weight.shape[0], inputs = weight.shape[1];
      const size = batch * outputs;
      let y: FloatArray;
      if (l === last) y = out.data;
      else if (saved !== null) y = saved.subarray(offset, offset += size);
      else y = scratch(dtype, size);
      const z = saved !== null && derivativeUsesInput(op) ? saved.subarray(offset, offset += size) : null;
      denseForward(kernels, x, weight.data, bias === null ? null : bias.data, batch, inputs, outputs, op, param, y, z);
      // Without a graph a hidden activation is needed only by the next stage.
      if (saved === null && previous !== null) releaseScratch(previous);
      previous = y;
      x = y;
    }
  }
  if (!recording) return out;
  return record(out, stackParents(input, stages), (gradOut) => stackBackward(input, stages, state, out, saved, firstBelow, gradOut));
}

/** DenseStack.savedPerRow of stages (denseStackSavedPerRow's sum, without building its layers). */
function savedPerRowOf(stages: readonly DenseStage[]): number {
  let perRow = 0;
  for (let l = 0; l < stages.length; l++) {
    const units = stages[l].weight.shape[0];
    if (l < stages.length - 1) perRow += units;
    if (derivativeUsesInput(stages[l].op)) perRow += units;
  }
  return perRow;
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
 * rules of linearActivation's nodes (the gradients' storage and accumulate flags taken in that
 * order, from the last stage's bias to the input), in one call where the backend has the stack
 * kernel; gives the saved storage back at the end.
 */
function stackBackward(input: Tensor, stages: readonly DenseStage[], state: StackState | null, out: Tensor, saved: FloatArray | null, firstBelow: number, gradOut: FloatArray): void {
  const kernels = backend();
  const count = stages.length;
  const last = count - 1;
  const batch = input.shape[0];
  const dtype = input.dtype;
  const grads = state !== null ? state.grads : { weights: new Array<FloatArray | null>(count), biases: new Array<FloatArray | null>(count), accumulateWeights: new Array<boolean>(count), accumulateBiases: new Array<boolean>(count) };
  // The pass visits the stages from the last down to `lowest` (those below it had nothing that
  // required a gradient when the forward pass ran): only theirs get gradient storage, even if a
  // parameter below was unfrozen since (it then keeps no gradient, as the layer-by-layer graph).
  const lowest = Math.max(firstBelow - 1, 0);
  for (let l = last; l >= 0; l--) {
    const stage = stages[l];
    const bias = stage.bias;
    const weight = stage.weight;
    if (l < lowest) {
      grads.accumulateBiases[l] = grads.accumulateWeights[l] = false;
      grads.biases[l] = grads.weights[l] = null;
      continue;
    }
    // gradBufferToOverwrite, written out for the common case of a gradient already there.
    if (bias === null) {
      grads.accumulateBiases[l] = false;
      grads.biases[l] = null;
    } else {
      const grad = bias.grad;
      grads.accumulateBiases[l] = grad !== null;
      grads.biases[l] = !bias.requiresGrad ? null : grad !== null ? grad.data : gradBufferToOverwrite(bias);
    }
    const grad = weight.grad;
    grads.accumulateWeights[l] = grad !== null;
    grads.weights[l] = !weight.requiresGrad ? null : grad !== null ? grad.data : gradBufferToOverwrite(weight);
  }
  const accumulateInput = input.grad !== null;
  const gradInput = firstBelow === 0 ? gradBufferToOverwrite(input) : null;
  // δ = ∂C/∂y ⊙ f′(z) may take ∂C/∂y's place, except in a retained output gradient.
  const lastDelta = stages[last].op !== 'identity' && out.retainsGrad ? allocate(dtype, gradOut.length) : null;
  try {
    if (state !== null && kernels.denseStackBackward !== undefined &&
        kernels.denseStackBackward(state.stack, batch, input.data, saved, out.data, gradOut, lastDelta, grads, firstBelow, gradInput, accumulateInput)) {
      return;
    }
    let gradY = gradOut;
    // Stage l's part of `saved` (its output unless last, then its z when f′ needs it) ends where
    // stage l + 1's starts: walked from the end, with no per-call table.
    let end = batch * savedPerRowOf(stages);
    for (let l = last; l >= 0; l--) {
      const { weight, op, param } = stages[l];
      const units = weight.shape[0], inputs = weight.shape[1];
      const usesInput = derivativeUsesInput(op);
      const start = end - batch * units * ((l < last ? 1 : 0) + (usesInput ? 1 : 0));
      // Stage l − 1 (not the last) saved its output, then its z when its f′ needs it.
      const belowStart = l === 0 ? 0 : start - batch * inputs * (derivativeUsesInput(stages[l - 1].op) ? 2 : 1);
      const x = l === 0 ? input.data : saved!.subarray(belowStart, belowStart + batch * inputs);
      const y = l === last ? out.data : saved!.subarray(start, start + batch * units);
      const zStart = start + (l < last ? batch * units : 0);
      const z = usesInput ? saved!.subarray(zStart, zStart + batch * units) : null;
      end = start;
      let below: FloatArray | null = null;
      if (l === 0) below = gradInput;
      else if (l >= firstBelow) below = scratch(dtype, batch * inputs);
      const delta = l === last && lastDelta !== null ? lastDelta : gradY;
      denseBackward(kernels, op, param, batch, inputs, units, x, weight.data, z, y, gradY, delta,
        grads.biases[l], grads.accumulateBiases[l], grads.weights[l], grads.accumulateWeights[l], below, l === 0 ? accumulateInput : false);
      if (l < last) releaseScratch(gradY);
      if (below === null) return;
      gradY = below;
    }
  } catch (error) {
    // Gradients made by this call hold arbitrary numbers until the kernels write them: drop them.
    for (let l = lowest; l <= last; l++) {
      const { weight, bias } = stages[l];
      if (grads.weights[l] !== null && !grads.accumulateWeights[l]) weight.grad = null;
      if (bias !== null && grads.biases[l] !== null && !grads.accumulateBiases[l]) bias.grad = null;
    }
    if (gradInput !== null && !accumulateInput) input.grad = null;
    throw error;
  } finally {
    if (saved !== null) releaseScratch(saved);
    if (state !== null) {
      // The lists hold no storage between calls.
      grads.weights.fill(null);
      grads.biases.fill(null);
    }
  }
}
