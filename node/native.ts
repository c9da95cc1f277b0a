/**
 * The native backend: float32 `gemm`, the one-call dense-layer kernels `denseForward` and
 * `denseBackward` and their whole-stack forms `denseStackForward`/`denseStackBackward` (weights and
 * gradients held by the addon), softmax cross-entropy with Int32Array labels each way, SGD over a
 * group in one call (`sgdUpdates`), many training steps in one call (`trainDenseSteps`), `reduce` (sum), `unary`, `biasActivation` and
 * `unaryBackward` for identity, relu, tanh, sigmoid, square and abs, `binary` add/sub/mul/div of
 * equal shapes or with b repeated over a's leading axes, and the optimiser updates, from the
 * optional addon in native/ (built by `npm run build:native`, or during install when a C++
 * compiler is present); every other kernel, float64 and the cases the addon lacks come from the
 * TypeScript backend.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  composedBiasActivationBackward, denseBackward, denseForward, jsBackend, softmaxCrossEntropyLabels, softmaxCrossEntropyLabelsBackward, withFallback,
} from '../src/kernels/index.js';
import type { Backend, BinaryOp, DenseStack, DenseTrainingPlan, FloatArray, UnaryOp } from '../src/kernels/index.js';

/** What build/Release/backprop_native.node exports (see native/src/addon.cc). */
interface NativeAddon {
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, out: Float32Array, accumulate: boolean): void;
  biasActivation(x: Float32Array, bias: Float32Array | null, rows: number, cols: number, activation: number, out: Float32Array, preActivation: Float32Array | null): void;
  unary(activation: number, x: Float32Array, out: Float32Array): void;
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, period: number): void;
  adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, stepSize: number, beta1: number, beta2: number, eps: number, sqrtBiasCorrection2: number, l2: number): void;
  sgdUpdate(w: Float32Array, g: Float32Array, velocity: Float32Array | null, lr: number, momentum: number, weightDecay: number, nesterov: boolean, textbook: boolean): void;
  softmax(x: Float32Array, rows: number, cols: number, out: Float32Array, log: boolean): void;
  reduceSum(x: Float32Array, outer: number, length: number, inner: number, out: Float32Array, accumulate: boolean): void;
  unaryBackward(activation: number, x: Float32Array, y: Float32Array, gradOut: Float32Array, gradIn: Float32Array, count: number, accumulate: boolean): void;
  biasActivationBackward(activation: number, preActivation: Float32Array, y: Float32Array, gradOut: Float32Array, rows: number, cols: number, gradPreActivation: Float32Array, gradBias: Float32Array | null): void;
  denseForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, rows: number, inputs: number, outputs: number, activation: number, out: Float32Array, preActivation: Float32Array | null): void;
  denseBackward(activation: number, rows: number, inputs: number, outputs: number, x: Float32Array, w: Float32Array, preActivation: Float32Array | null, y: Float32Array,
    gradOut: Float32Array, delta: Float32Array, gradBias: Float32Array | null, accumulateBias: boolean, gradWeight: Float32Array | null, accumulateWeight: boolean,
    gradInput: Float32Array | null, accumulateInput: boolean): void;
  /** A dense stack's passes (argument layouts in addon.cc): the layers' arrays follow the fixed arguments. */
  /** A handle holding float32 arrays (null entries allowed) for the calls below; see HeldFloats in addon.cc. */
  holdFloats(list: readonly (Float32Array | null)[]): object;
  denseStackForward(ints: Int32Array, params: object, x: Float32Array, rows: number, out: Float32Array, saved: Float32Array | null): void;
  denseStackBackward(ints: Int32Array, params: object, grads: object, flags: Int32Array, rows: number, x: Float32Array, saved: Float32Array | null, out: Float32Array,
    gradOut: Float32Array, lastDelta: Float32Array | null, gradInput: Float32Array | null): void;
  sgdUpdates(lists: object, lr: number, momentum: number, weightDecay: number, flags: number): void;
  softmaxCrossEntropyLabels(logits: Float32Array, labels: Int32Array, rows: number, cols: number, logProb: Float32Array, perSample: Float32Array, total: Float32Array | null): number;
  softmaxCrossEntropyLabelsBackward(logProb: Float32Array, labels: Int32Array, rows: number, cols: number, gradTerm: number, gradZ: Float32Array): void;
  /** Whole training steps (native/src/train.h): a plan parsed once, then run batch by batch; argument layouts in addon.cc. */
  trainDensePrepare(ints: Int32Array, arrays: (Float32Array | Int32Array | Float64Array | null)[], losses: Float64Array, correct: Int32Array): object;
  trainDenseRun(handle: object, first: number, count: number, scalars: Float64Array, result: Int32Array): void;
  /** The SIMD path the addon chose for this CPU: "avx512", "avx2" or "scalar". */
  readonly simd: string;
  /** Threads one gemm call may use. */
  readonly threads: number;
}

/** Where the addon is built, relative to this file in dist/node/. */
const ADDON_URL = new URL('../../build/Release/backprop_native.node', import.meta.url);

/** Activation codes of native/src/activation.h. */
const ACTIVATION_CODES: Partial<Record<UnaryOp, number>> = { identity: 0, relu: 1, tanh: 2, sigmoid: 3, square: 4, abs: 5, exp: 6 };

/** Binary operation codes of native/src/elementwise.h. */
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3 };

/**
 * Whether b (shape right-aligned to outShape) repeats with period b.length over out: its shape is
 * leading ones, then outShape's trailing axes (equal shapes, a row vector over a batch, a scalar).
 */
function repeatsOverLeadingAxes(bShape: readonly number[], outShape: readonly number[]): boolean {
  let axis = 0;
  while (axis < bShape.length && bShape[axis] === 1) axis++;
  for (; axis < bShape.length; axis++) if (bShape[axis] !== outShape[axis]) return false;
  return true;
}

/**
 * Products with fewer multiply-adds (m·n·k) than this run in TypeScript: below it, crossing into
 * the addon costs more than the arithmetic (measured: mlp-tiny's 16×16×16 products).
 */
const NATIVE_GEMM_MIN_WORK = 0;

/** Loads the addon; throws when it is not built or cannot load on this machine. */
function loadAddon(): NativeAddon {
  const require = createRequire(import.meta.url);
  return require(fileURLToPath(ADDON_URL)) as NativeAddon;
}

/**
 * A proposed kernel (not yet in the Backend interface): one Adam/AdamW step over a float32
 * parameter, bit-identical to src/optim/adam.ts's loop (same double arithmetic, same order), with
 * stepSize = lr/(1 − β1ᵗ), sqrtBiasCorrection2 = √(1 − β2ᵗ), l2 the decay added to the gradient.
 */
export type AdamUpdateKernel = (w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, stepSize: number, beta1: number, beta2: number, eps: number, sqrtBiasCorrection2: number, l2: number) => void;

/**
 * A proposed kernel: one SGD step over a float32 parameter, bit-identical to src/optim/sgd.ts's
 * loops: velocity null for plain SGD, else momentum in the 'pytorch' convention or, with
 * `textbook`, the 'textbook' one.
 */
export type SgdUpdateKernel = (w: Float32Array, g: Float32Array, velocity: Float32Array | null, lr: number, momentum: number, weightDecay: number, nesterov: boolean, textbook: boolean) => void;

/** The native backend's proposed optimiser kernels; throws when the addon is missing. */
export function nativeOptimizerKernels(): { adamUpdate: AdamUpdateKernel; sgdUpdate: SgdUpdateKernel } {
  const addon = loadAddon();
  return { adamUpdate: (...args) => addon.adamUpdate(...args), sgdUpdate: (...args) => addon.sgdUpdate(...args) };
}

/** A plan parsed by the addon, with the arrays of each call. */
interface PreparedPlan {
  handle: object;
  scalars: Float64Array;
  result: Int32Array;
}

const TRAIN_LOSS_CODES = { softmaxCrossEntropy: 0, mse: 1 } as const;
const TRAIN_OPTIMIZER_CODES = { sgd: 0, adam: 1, adamw: 2 } as const;
const TRAIN_HEADER = 10;

function preparePlan(addon: NativeAddon, plan: DenseTrainingPlan): PreparedPlan {
  const ints = new Int32Array(TRAIN_HEADER + 4 * plan.layers.length + plan.penalised.length);
  ints.set(plan.penalised.map((flag) => (flag ? 1 : 0)), TRAIN_HEADER + 4 * plan.layers.length);
  ints.set([plan.layers.length, TRAIN_LOSS_CODES[plan.loss], TRAIN_OPTIMIZER_CODES[plan.optimizer.kind], plan.features, plan.outputs, plan.batchSize, plan.losses.length, 0, plan.rows, 0]);
  const arrays: (Float32Array | Int32Array | Float64Array | null)[] = [plan.x, plan.labels ?? plan.targets, plan.order, plan.optimizer.stepSizes, plan.optimizer.sqrtBiasCorrections2];
  let parameter = 0;
  plan.layers.forEach((layer, l) => {
    const code = ACTIVATION_CODES[layer.op];
    if (code === undefined || code > 3) throw new Error(`trainDenseSteps: layer ${l}: the addon has no activation ${layer.op}`);
    ints.set([layer.inputs, layer.units, code, layer.bias ? 1 : 0], TRAIN_HEADER + 4 * l);
    const values: [Float32Array, Float32Array][] = [[layer.weight, layer.gradWeight]];
    if (layer.bias) values.push([layer.bias, layer.gradBias!]);
    for (const [value, grad] of values) {
      const buffers = plan.buffers[parameter];
      arrays.push(value, grad, buffers[0] ?? null, buffers[1] ?? null, buffers[2] ?? null, plan.guardCopies?.[parameter] ?? null);
      parameter++;
    }
  });
  return { handle: addon.trainDensePrepare(ints, arrays, plan.losses, plan.correct), scalars: new Float64Array(9), result: new Int32Array(2) };
}

/**
 * What a stack's addon calls take, made once per stack: its layout, its weights and biases held by
 * the addon, and the gradients held at the last backward pass (a training loop's stay the same:
 * zeroGrad keeps them), so that a call passes two handles rather than every array.
 */
interface StackCalls {
  readonly ints: Int32Array;
  readonly params: object;
  /** The gradient arrays `grads` holds, per layer weight then bias. */
  heldGrads: (Float32Array | null)[] | null;
  grads: object | null;
  readonly flags: Int32Array;
}

/** The calls of a float32 stack whose activations the addon has, else null. */
function prepareStack(addon: NativeAddon, stack: DenseStack): StackCalls | null {
  if (stack.dtype !== 'float32') return null;
  const count = stack.layers.length;
  const ints = new Int32Array(2 + 2 * count);
  ints[0] = count;
  ints[1] = stack.layers[0].inputs;
  const params: (Float32Array | null)[] = [];
  for (let l = 0; l < count; l++) {
    const layer = stack.layers[l];
    const code = ACTIVATION_CODES[layer.op];
    if (code === undefined || code > 3 || !(layer.weight instanceof Float32Array) || !(layer.bias === null || layer.bias instanceof Float32Array)) return null;
    ints[2 + 2 * l] = layer.units;
    ints[3 + 2 * l] = code;
    params.push(layer.weight, layer.bias);
  }
  return { ints, params: addon.holdFloats(params), heldGrads: null, grads: null, flags: new Int32Array(2 + 2 * count) };
}

/** An optimiser's lists held by the addon (see sgdUpdates), and the arrays they hold. */
interface HeldLists {
  handle: object;
  held: (FloatArray | null)[];
}

const STOPS = ['none', 'loss', 'weight'] as const;

/** The native backend, named "native-<simd>" (e.g. "native-avx512"); throws when the addon is missing. */
export function createNativeBackend(base: Backend = jsBackend): Backend {
  const addon = loadAddon();
  const isF32 = (array: FloatArray | null): boolean => array === null || array instanceof Float32Array;
  // Activations and dtypes the addon lacks take the composition of this backend's own kernels.
  let composed: Backend['biasActivationBackward'] = () => undefined;
  // The dense-layer kernels for the cases the addon lacks: this backend's other kernels, composed.
  let separate: Backend = base;
  // Each plan's handle lives as long as the plan, which holds the arrays the addon points into.
  const preparedPlans = new WeakMap<DenseTrainingPlan, PreparedPlan>();
  const stackCalls = new WeakMap<DenseStack, StackCalls | null>();
  // Per optimiser (its weights list, which never changes): the held [w, g, velocity] lists.
  const heldLists = new WeakMap<readonly FloatArray[], HeldLists>();
  const callsOf = (stack: DenseStack): StackCalls | null => {
    let calls = stackCalls.get(stack);
    if (calls === undefined) {
      calls = prepareStack(addon, stack);
      stackCalls.set(stack, calls);
    }
    return calls;
  };
  const native = withFallback(base, {
    name: `native-${addon.simd}`,
    threads: addon.threads,
    gemm(transA, transB, m, n, k, a, b, out, accumulate) {
      if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && m * n * k >= NATIVE_GEMM_MIN_WORK) {
        addon.gemm(transA, transB, m, n, k, a, b, out, accumulate);
      } else {
        base.gemm(transA, transB, m, n, k, a, b, out, accumulate);
      }
    },
    unary(op, x, out, param) {
      const code = ACTIVATION_CODES[op];
      if (code !== undefined && x instanceof Float32Array && out instanceof Float32Array) addon.unary(code, x, out);
      else base.unary(op, x, out, param);
    },
    softmax(x, rows, cols, out, log) {
      if (x instanceof Float32Array && out instanceof Float32Array) addon.softmax(x, rows, cols, out, log);
      else base.softmax(x, rows, cols, out, log);
    },
    binary(op, a, aShape, b, bShape, out, outShape) {
      const code = BINARY_CODES[op];
      if (code !== undefined && a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && out.length > 0 &&
          a.length === out.length && repeatsOverLeadingAxes(bShape, outShape)) {
        addon.binary(code, a, b, out, b.length);
      } else {
        base.binary(op, a, aShape, b, bShape, out, outShape);
      }
    },
    reduce(op, x, outer, length, inner, out, accumulate) {
      if (op === 'sum' && x instanceof Float32Array && out instanceof Float32Array) addon.reduceSum(x, outer, length, inner, out, accumulate);
      else base.reduce(op, x, outer, length, inner, out, accumulate);
    },
    biasActivation(x, bias, rows, cols, op, param, out, preActivation) {
      const code = ACTIVATION_CODES[op];
      if (code !== undefined && x instanceof Float32Array && out instanceof Float32Array && isF32(bias) && isF32(preActivation)) {
        addon.biasActivation(x, bias as Float32Array | null, rows, cols, code, out, preActivation as Float32Array | null);
      } else {
        base.biasActivation(x, bias, rows, cols, op, param, out, preActivation);
      }
    },
    adamUpdate(w, g, m, v, vMax, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2) {
      addon.adamUpdate(w, g, m, v, vMax, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
    },
    sgdUpdate(w, g, velocity, lr, momentum, weightDecay, nesterov, textbook) {
      addon.sgdUpdate(w, g, velocity, lr, momentum, weightDecay, nesterov, textbook);
    },
    biasActivationBackward(op, preActivation, y, gradOut, rows, cols, param, gradPreActivation, gradBias) {
      const code = ACTIVATION_CODES[op];
      if (code !== undefined && preActivation instanceof Float32Array && y instanceof Float32Array && gradOut instanceof Float32Array && gradPreActivation instanceof Float32Array && isF32(gradBias)) {
        addon.biasActivationBackward(code, preActivation, y, gradOut, rows, cols, gradPreActivation, gradBias as Float32Array | null);
      } else {
        composed(op, preActivation, y, gradOut, rows, cols, param, gradPreActivation, gradBias);
      }
    },
    denseForward(x, w, bias, rows, inputs, outputs, op, param, out, preActivation) {
      const code = ACTIVATION_CODES[op];
      if (code !== undefined && x instanceof Float32Array && w instanceof Float32Array && out instanceof Float32Array && isF32(bias) && isF32(preActivation)) {
        addon.denseForward(x, w, bias as Float32Array | null, rows, inputs, outputs, code, out, preActivation as Float32Array | null);
      } else {
        denseForward(separate, x, w, bias, rows, inputs, outputs, op, param, out, preActivation);
      }
    },
    denseBackward(op, param, rows, inputs, outputs, x, w, preActivation, y, gradOut, delta, gradBias, accumulateBias, gradWeight, accumulateWeight, gradInput, accumulateInput) {
      const code = ACTIVATION_CODES[op];
      if (code !== undefined && x instanceof Float32Array && w instanceof Float32Array && isF32(preActivation) && y instanceof Float32Array && gradOut instanceof Float32Array &&
          delta instanceof Float32Array && isF32(gradBias) && isF32(gradWeight) && isF32(gradInput)) {
        addon.denseBackward(code, rows, inputs, outputs, x, w, preActivation as Float32Array | null, y, gradOut, delta, gradBias as Float32Array | null, accumulateBias,
          gradWeight as Float32Array | null, accumulateWeight, gradInput as Float32Array | null, accumulateInput);
      } else {
        denseBackward(separate, op, param, rows, inputs, outputs, x, w, preActivation, y, gradOut, delta, gradBias, accumulateBias, gradWeight, accumulateWeight, gradInput, accumulateInput);
      }
    },
    sgdUpdates(weights, grads, velocities, lr, momentum, weightDecay, nesterov, textbook) {
      const count = weights.length;
      let lists = heldLists.get(weights);
      let same = lists !== undefined;
      for (let i = 0; i < count && same; i++) same = lists!.held[3 * i + 1] === grads[i] && lists!.held[3 * i + 2] === velocities[i];
      if (!same) {
        const held: (FloatArray | null)[] = [];
        for (let i = 0; i < count; i++) {
          const w = weights[i], g = grads[i], v = velocities[i];
          if (!(w instanceof Float32Array) || !isF32(g) || !isF32(v)) return false;
          held.push(w, g, v);
        }
        lists = { handle: addon.holdFloats(held as (Float32Array | null)[]), held };
        heldLists.set(weights, lists);
      }
      addon.sgdUpdates(lists!.handle, lr, momentum, weightDecay, (nesterov ? 1 : 0) | (textbook ? 2 : 0));
      return true;
    },
    denseStackForward(stack, x, rows, out, saved) {
      const calls = callsOf(stack);
      if (calls === null || !(x instanceof Float32Array) || !(out instanceof Float32Array) || !isF32(saved)) return false;
      addon.denseStackForward(calls.ints, calls.params, x, rows, out, saved as Float32Array | null);
      return true;
    },
    denseStackBackward(stack, rows, x, saved, out, gradOut, lastDelta, grads, firstBelow, gradInput, accumulateInput) {
      const calls = callsOf(stack);
      if (calls === null || !(x instanceof Float32Array) || !isF32(saved) || !(out instanceof Float32Array) || !(gradOut instanceof Float32Array) || !isF32(lastDelta) || !isF32(gradInput)) return false;
      const count = stack.layers.length;
      const flags = calls.flags;
      let held = calls.heldGrads;
      for (let l = 0; l < count; l++) {
        if (held !== null && (held[2 * l] !== grads.weights[l] || held[2 * l + 1] !== grads.biases[l])) held = null;
        flags[2 + 2 * l] = grads.accumulateWeights[l] ? 1 : 0;
        flags[3 + 2 * l] = grads.accumulateBiases[l] ? 1 : 0;
      }
      if (held === null) {
        held = [];
        for (let l = 0; l < count; l++) {
          const gradWeight = grads.weights[l], gradBias = grads.biases[l];
          if (!isF32(gradWeight) || !isF32(gradBias)) return false;
          held.push(gradWeight as Float32Array | null, gradBias as Float32Array | null);
        }
        calls.grads = addon.holdFloats(held);
        calls.heldGrads = held;
      }
      flags[0] = firstBelow;
      flags[1] = accumulateInput ? 1 : 0;
      addon.denseStackBackward(calls.ints, calls.params, calls.grads!, flags, rows, x, saved as Float32Array | null, out, gradOut, lastDelta as Float32Array | null,
        gradInput as Float32Array | null);
      return true;
    },
    softmaxCrossEntropyLabels(logits, labels, rows, cols, logProb, perSample, total) {
      if (logits instanceof Float32Array && labels instanceof Int32Array && logProb instanceof Float32Array && perSample instanceof Float32Array && isF32(total)) {
        return addon.softmaxCrossEntropyLabels(logits, labels, rows, cols, logProb, perSample, total as Float32Array | null);
      }
      return softmaxCrossEntropyLabels(separate, logits, labels, rows, cols, logProb, perSample, total);
    },
    softmaxCrossEntropyLabelsBackward(logProb, labels, rows, cols, gradTerm, gradZ) {
      if (logProb instanceof Float32Array && labels instanceof Int32Array && gradZ instanceof Float32Array) {
        addon.softmaxCrossEntropyLabelsBackward(logProb, labels, rows, cols, gradTerm, gradZ);
      } else {
        softmaxCrossEntropyLabelsBackward(separate, logProb, labels, rows, cols, gradTerm, gradZ);
      }
    },
    trainDenseSteps(plan, first, count) {
      let prepared = preparedPlans.get(plan);
      if (prepared === undefined) {
        prepared = preparePlan(addon, plan);
        preparedPlans.set(plan, prepared);
      }
      const { scalars, result } = prepared;
      const o = plan.optimizer;
      scalars[0] = o.lr;
      scalars[1] = o.momentum;
      scalars[2] = o.weightDecay;
      scalars[3] = o.beta1;
      scalars[4] = o.beta2;
      scalars[5] = o.eps;
      scalars[6] = (o.nesterov ? 1 : 0) | (o.textbook ? 2 : 0);
      scalars[7] = plan.penalties.l1;
      scalars[8] = plan.penalties.l2Half;
      addon.trainDenseRun(prepared.handle, first, count, scalars, result);
      return { steps: result[0], stop: STOPS[result[1]] };
    },
    unaryBackward(op, x, y, gradOut, gradIn, param, accumulate) {
      const code = ACTIVATION_CODES[op];
      if (code !== undefined && x instanceof Float32Array && y instanceof Float32Array && gradOut instanceof Float32Array && gradIn instanceof Float32Array) {
        addon.unaryBackward(code, x, y, gradOut, gradIn, gradOut.length, accumulate);
      } else {
        base.unaryBackward(op, x, y, gradOut, gradIn, param, accumulate);
      }
    },
  });
  composed = composedBiasActivationBackward(native.unaryBackward, native.reduce);
  separate = { ...native, denseForward: undefined, denseBackward: undefined, softmaxCrossEntropyLabels: undefined, softmaxCrossEntropyLabelsBackward: undefined };
  return native;
}
