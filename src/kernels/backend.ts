/**
 * The kernel interface: every numeric loop in backprop runs behind it. Layers above (tensor,
 * autograd, ops, nn, train) call only these functions, so a faster backend (WebAssembly SIMD,
 * threads, a native addon) can replace the plain TypeScript one without touching them.
 *
 * Conventions: arrays are dense and row-major; a kernel never allocates its output (the caller
 * passes `out`), never keeps references, and must accept `out` aliasing an input for elementwise
 * kernels. Float64 arrays must be handled exactly (gradient checks run in float64); a backend that
 * only accelerates float32 delegates float64 calls to the TypeScript backend (see `withFallback`).
 */
export type FloatArray = Float32Array | Float64Array;
export type DType = 'float32' | 'float64';

/** Elementwise functions of one argument. `param` is the slope of leakyRelu / alpha of elu / power of powScalar. */
export type UnaryOp =
  | 'identity' | 'neg' | 'exp' | 'log' | 'sqrt' | 'abs' | 'square' | 'reciprocal' | 'sign'
  | 'sigmoid' | 'tanh' | 'relu' | 'leakyRelu' | 'elu' | 'selu' | 'softplus' | 'gelu' | 'silu' | 'erf'
  | 'powScalar' | 'addScalar' | 'mulScalar';

/** Elementwise functions of two arguments (with NumPy broadcasting). Comparisons give 1 or 0. */
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min' | 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne';

/** Reductions along one axis. */
export type ReduceOp = 'sum' | 'max' | 'min';

export interface Backend {
  /** A short name shown by `backprop info` and in benchmark lines, e.g. "js", "wasm", "native-avx2". */
  readonly name: string;
  /** Worker threads this backend may use for one call (1 for single-threaded backends). */
  readonly threads: number;

  /**
   * General matrix product C = op(A)·op(B) (+ C when `accumulate`), with op(A) of shape [m,k] and
   * op(B) of shape [k,n]. Storage is row-major: A is [m,k], or [k,m] when `transA`; B is [k,n], or
   * [n,k] when `transB`. The transposed forms serve the backward pass without copies:
   * ∂C/∂W = δᵀ·a (transA) and ∂C/∂a = δ·W (plain) for W stored [out,in], forward z = a·Wᵀ (transB).
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: FloatArray, b: FloatArray, out: FloatArray, accumulate: boolean): void;

  /** out[i] = f(x[i]) for i < x.length. */
  unary(op: UnaryOp, x: FloatArray, out: FloatArray, param: number): void;

  /**
   * The chain rule through a unary function: gradIn[i] = gradOut[i] · f′(x[i]), where `y` holds
   * f(x) from the forward pass (several derivatives are cheaper from y: σ′ = y(1 − y), tanh′ = 1 − y²).
   * With `accumulate`, the product is added into gradIn.
   */
  unaryBackward(op: UnaryOp, x: FloatArray, y: FloatArray, gradOut: FloatArray, gradIn: FloatArray, param: number, accumulate: boolean): void;

  /**
   * out = a ∘ b with NumPy broadcasting. Shapes are given right-aligned to `outShape` (same rank,
   * size-1 axes broadcast), which the caller has already validated.
   */
  binary(op: BinaryOp, a: FloatArray, aShape: readonly number[], b: FloatArray, bShape: readonly number[], out: FloatArray, outShape: readonly number[]): void;

  /**
   * Reduces the middle axis of x viewed as [outer, length, inner]: out[o*inner + i] = op over j of
   * x[(o*length + j)*inner + i]. With `accumulate` (sum only) the result is added into out.
   */
  reduce(op: ReduceOp, x: FloatArray, outer: number, length: number, inner: number, out: FloatArray, accumulate: boolean): void;

  /**
   * Softmax (or log-softmax when `log`) over each row of x viewed as [rows, cols], computed with the
   * row maximum subtracted so logits near ±1000 stay finite.
   */
  softmax(x: FloatArray, rows: number, cols: number, out: FloatArray, log: boolean): void;

  /**
   * out[r, c] = x[r, c] + bias[c] for x viewed as [rows, cols], then the activation `op` in place;
   * the forward pass of a dense layer after its matrix product. `preActivation`, when given,
   * receives z before the activation (the backward pass needs it).
   */
  biasActivation(x: FloatArray, bias: FloatArray | null, rows: number, cols: number, op: UnaryOp, param: number, out: FloatArray, preActivation: FloatArray | null): void;

  /**
   * The backward pass of `biasActivation` for z of shape [rows, cols]: the gradient with respect to
   * z, ∂C/∂z[i] = ∂C/∂a[i] · f′(z[i]) (from `y` = f(z) where cheaper, as in `unaryBackward`), is
   * written (not added) into `gradPreActivation`; then, when `gradBias` is given, its column sums
   * are added into it: gradBias[c] += Σ_r ∂C/∂z[r, c] (the bias gradient of a dense layer).
   */
  biasActivationBackward(op: UnaryOp, preActivation: FloatArray, y: FloatArray, gradOut: FloatArray, rows: number, cols: number, param: number, gradPreActivation: FloatArray, gradBias: FloatArray | null): void;

  /**
   * Optional: a dense layer's forward pass in one call, for x [rows, inputs] and w [outputs, inputs]:
   * out = f(x·wᵀ + bias) as `gemm` then `biasActivation` compute it (same values), with z into
   * `preActivation` when given. Saves a call per layer where calls are dear (the native addon);
   * `denseForward` below composes it for backends without it.
   */
  denseForward?(x: FloatArray, w: FloatArray, bias: FloatArray | null, rows: number, inputs: number, outputs: number, op: UnaryOp, param: number, out: FloatArray, preActivation: FloatArray | null): void;

  /**
   * Optional: a dense layer's backward pass in one call, as `denseBackward` below composes it: δ =
   * ∂C/∂y ⊙ f′(z) into `delta` (which may be `gradOut` itself; for the identity δ = ∂C/∂y), then
   * ∂C/∂b = Σ_rows δ, ∂C/∂W = δᵀ·x and ∂C/∂x = δ·w, each into its storage when given, added to what
   * is there when its accumulate flag is set, else written.
   */
  denseBackward?(op: UnaryOp, param: number, rows: number, inputs: number, outputs: number, x: FloatArray, w: FloatArray, preActivation: FloatArray | null, y: FloatArray,
    gradOut: FloatArray, delta: FloatArray, gradBias: FloatArray | null, accumulateBias: boolean, gradWeight: FloatArray | null, accumulateWeight: boolean,
    gradInput: FloatArray | null, accumulateInput: boolean): void;

  /**
   * Optional: the forward pass of a stack of dense layers (see `DenseStack`) in one call, layer after
   * layer exactly as `denseForward` computes each (same values): x [rows, stack.inputs], out [rows,
   * last layer's units]. `saved` (rows · stack.savedPerRow numbers) receives what the backward
   * pass reads, laid out as `DenseStack.savedPerRow` says, or is null when no backward pass will
   * follow. Returns false, having done nothing, for a stack or arrays it does not handle (the
   * caller then runs the layers one by one). Saves the calls and JavaScript of every layer where
   * calls are dear (the native addon).
   */
  denseStackForward?(stack: DenseStack, x: FloatArray, rows: number, out: FloatArray, saved: FloatArray | null): boolean;

  /**
   * Optional: the backward pass of a stack from ∂C/∂out (`gradOut`, [rows, last units]), layer after
   * layer from the last exactly as `denseBackward` computes each: a layer's δ takes its ∂C/∂a's
   * place (`gradOut` itself for the last layer unless `lastDelta` is given); ∂C/∂W and ∂C/∂b go
   * into `grads`; the pass stops after layer max(firstBelow − 1, 0), the layers below it having no
   * gradient to compute; `gradInput` (null: not wanted) receives ∂C/∂x. Returns false, having done
   * nothing, for what it does not handle.
   */
  denseStackBackward?(stack: DenseStack, rows: number, x: FloatArray, saved: FloatArray | null, out: FloatArray, gradOut: FloatArray, lastDelta: FloatArray | null,
    grads: DenseStackGradients, firstBelow: number, gradInput: FloatArray | null, accumulateInput: boolean): boolean;

  /**
   * Optional: the forward pass of softmax cross-entropy with integer labels, as
   * `softmaxCrossEntropyLabels` below composes it. Returns the first row whose label is not an
   * integer in [0, cols), or −1 once logProb = log softmax(logits) (by `softmax`), perSample[i] =
   * −logProb[i, labels[i]] and, when `total` is given, total[0] = Σ perSample (by `reduce`) are written.
   */
  softmaxCrossEntropyLabels?(logits: FloatArray, labels: LabelArray, rows: number, cols: number, logProb: FloatArray, perSample: FloatArray, total: FloatArray | null): number;

  /**
   * Optional: ∂C/∂z of that loss when every row's term has the gradient `gradTerm`, as
   * `softmaxCrossEntropyLabelsBackward` below composes it (written, not added).
   */
  softmaxCrossEntropyLabelsBackward?(logProb: FloatArray, labels: LabelArray, rows: number, cols: number, gradTerm: number, gradZ: FloatArray): void;

  /**
   * Optional: one Adam/AdamW step over a parameter's float32 arrays (w, its gradient g, the moments
   * m and v, and vMax for AMSGrad or null), with g′ = g + l2·w:
   *   m ← β1·m + (1 − β1)·g′,  v ← β2·v + (1 − β2)·g′·g′,  vMax ← max(vMax, v),
   *   w ← w − stepSize·m / (√v(or vMax) / sqrtBiasCorrection2 + ε),
   * stepSize = lr/(1 − β1ᵗ), sqrtBiasCorrection2 = √(1 − β2ᵗ). Must give exactly src/optim/adam.ts's
   * results (double arithmetic in its order, nothing fused); the optimiser's own loop runs where a
   * backend lacks it or the arrays are float64.
   */
  adamUpdate?(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, stepSize: number, beta1: number, beta2: number, eps: number, sqrtBiasCorrection2: number, l2: number): void;

  /**
   * Optional: one SGD step over a parameter's float32 arrays, exactly as src/optim/sgd.ts computes
   * it: velocity null → w ← w − lr·(g + λw); else with g′ = g + λw, the 'pytorch' convention
   * v ← μv + g′, w ← w − lr·(nesterov ? g′ + μv : v), or with `textbook` v ← μv − lr·g′,
   * w ← w + (nesterov ? μv − lr·g′ : v).
   */
  sgdUpdate?(w: Float32Array, g: Float32Array, velocity: Float32Array | null, lr: number, momentum: number, weightDecay: number, nesterov: boolean, textbook: boolean): void;

  /**
   * Optional: `sgdUpdate` over several parameters in one call, in order, with the same options:
   * weights[i] updated from grads[i] (a null gradient: that parameter is skipped) and, when momentum
   * is not 0, velocities[i]. Returns false, having done nothing, for arrays it does not take.
   */
  sgdUpdates?(weights: readonly FloatArray[], grads: readonly (FloatArray | null)[], velocities: readonly (FloatArray | null)[], lr: number, momentum: number,
    weightDecay: number, nesterov: boolean, textbook: boolean): boolean;

  /**
   * Optional: `count` whole training steps of a float32 network of dense layers (see
   * `DenseTrainingPlan`), each exactly what src/train/fused.ts computes with this backend's kernels
   * followed by the optimiser's update, so the weights come out bit for bit the same; it saves the
   * JavaScript of every step, which for a small network costs more than its arithmetic (the native
   * addon has it). Batch b (b < count) is the rows `plan.order[first + b·batchSize …]`, the last
   * one possibly short. Stops early on a non-finite loss (`stop: 'loss'`, before that step's
   * backward pass; `steps` does not count it, its loss is in `plan.losses[steps]`) or, when the plan
   * has guard copies, on a non-finite weight after an update (`stop: 'weight'`; counted; the copies
   * hold the weights before it).
   */
  trainDenseSteps?(plan: DenseTrainingPlan, first: number, count: number): { steps: number; stop: 'none' | 'loss' | 'weight' };
}

/** Integer class labels, one per row. */
export type LabelArray = Int32Array | Uint8Array | readonly number[];

/** One layer of a `DenseStack`: W [units, inputs] and b [units] (or null) of the stack's dtype, and f. */
export interface DenseStackLayer {
  readonly weight: FloatArray;
  readonly bias: FloatArray | null;
  readonly inputs: number;
  readonly units: number;
  readonly op: UnaryOp;
  readonly param: number;
}

/**
 * Dense layers applied in turn (each layer's inputs are the units of the one before), as the stack
 * kernels take them: made once per stack by the op that runs it (src/ops/stack.ts) and never
 * changed, so a backend may keep what it derives from one (keyed by the object).
 */
export interface DenseStack {
  readonly dtype: DType;
  readonly layers: readonly DenseStackLayer[];
  /**
   * Numbers per row the forward pass saves for the backward pass: layer after layer, its output a
   * (all layers but the last), then its z when f′ needs it (`derivativeUsesInput`), each `units`
   * numbers per row; all rows of one array, then the next.
   */
  readonly savedPerRow: number;
}

/** The gradients a stack's backward pass writes, per layer (null: not wanted), with whether it adds into them. */
export interface DenseStackGradients {
  readonly weights: (FloatArray | null)[];
  readonly biases: (FloatArray | null)[];
  readonly accumulateWeights: boolean[];
  readonly accumulateBiases: boolean[];
}

/** `DenseStack.savedPerRow` of these layers. */
export function denseStackSavedPerRow(layers: readonly { readonly units: number; readonly op: UnaryOp }[]): number {
  let perRow = 0;
  for (let l = 0; l < layers.length; l++) {
    if (l < layers.length - 1) perRow += layers[l].units;
    if (derivativeUsesInput(layers[l].op)) perRow += layers[l].units;
  }
  return perRow;
}

/** A dense layer of a `DenseTrainingPlan`: W [units, inputs], b [units] or null, and their gradients. */
export interface DenseTrainingLayer {
  readonly inputs: number;
  readonly units: number;
  /** identity, relu, tanh or sigmoid. */
  readonly op: UnaryOp;
  readonly weight: Float32Array;
  readonly bias: Float32Array | null;
  readonly gradWeight: Float32Array;
  readonly gradBias: Float32Array | null;
}

/**
 * What `trainDenseSteps` needs: the network, the whole data set and the shuffled row order, the
 * loss, the optimiser's settings and state, and arrays for the per-step results. Made once per
 * training run by src/train/native-steps.ts; the numbers it holds (learning rate, Adam's step sizes)
 * are set before each call.
 */
export interface DenseTrainingPlan {
  readonly layers: readonly DenseTrainingLayer[];
  readonly loss: 'softmaxCrossEntropy' | 'mse';
  /** x [rows, features]; labels [rows] (softmaxCrossEntropy) or targets [rows, outputs] (mse). */
  readonly x: Float32Array;
  readonly labels: Int32Array | null;
  readonly targets: Float32Array | null;
  readonly rows: number;
  readonly features: number;
  readonly outputs: number;
  readonly order: Int32Array;
  readonly batchSize: number;
  /**
   * SGD (src/optim/sgd.ts) with `lr`, `momentum`, `weightDecay`, `nesterov`, `textbook`; or Adam
   * (src/optim/adam.ts) with `beta1`, `beta2`, `eps`, `weightDecay` (its L2; AdamW's decoupled
   * decay, w ← w·(1 − lr·weightDecay) before each update) and, per step of the call, `stepSizes` =
   * lr/(1 − β1ᵗ) and `sqrtBiasCorrections2` = √(1 − β2ᵗ).
   */
  readonly optimizer: {
    kind: 'sgd' | 'adam' | 'adamw';
    lr: number;
    momentum: number;
    weightDecay: number;
    nesterov: boolean;
    textbook: boolean;
    beta1: number;
    beta2: number;
    eps: number;
    readonly stepSizes: Float64Array;
    readonly sqrtBiasCorrections2: Float64Array;
  };
  /**
   * Per parameter (each layer's weight, then its bias): the optimiser's buffers, SGD [velocity or
   * null], Adam [first moment, second moment, max second moment or null].
   */
  readonly buffers: readonly (readonly (Float32Array | null)[])[];
  /**
   * `fit`'s penalties as src/train/fused-penalty.ts computes them: l1·Σ|w| and (l2/2)·Σw² over the
   * parameters marked in `penalised` (0 for a penalty not used), their gradients added before the
   * network's; the loss whose finiteness is checked includes them.
   */
  readonly penalties: { l1: number; l2Half: number };
  readonly penalised: readonly boolean[];
  /** Per parameter, the NaN guard's copy of its values before each update, or null without the guard. */
  readonly guardCopies: readonly Float32Array[] | null;
  /** Per step of a call: the loss C, and the rows whose first largest output is their label. */
  readonly losses: Float64Array;
  readonly correct: Int32Array;
}

/**
 * A backend made of `fast`'s kernels, with the kernels it lacks taken from `base`. A fast kernel that
 * handles only float32 checks its arrays itself and calls the base kernel for float64 (a check per
 * call, never per element).
 */
export function withFallback(base: Backend, fast: Partial<Backend> & { name: string; threads?: number }): Backend {
  return {
    name: fast.name,
    threads: fast.threads ?? 1,
    gemm: fast.gemm ?? base.gemm,
    unary: fast.unary ?? base.unary,
    unaryBackward: fast.unaryBackward ?? base.unaryBackward,
    binary: fast.binary ?? base.binary,
    reduce: fast.reduce ?? base.reduce,
    softmax: fast.softmax ?? base.softmax,
    biasActivation: fast.biasActivation ?? base.biasActivation,
    biasActivationBackward: fast.biasActivationBackward ?? composedBiasActivationBackward(fast.unaryBackward ?? base.unaryBackward, fast.reduce ?? base.reduce),
    adamUpdate: fast.adamUpdate ?? base.adamUpdate,
    sgdUpdate: fast.sgdUpdate ?? base.sgdUpdate,
    denseForward: fast.denseForward ?? base.denseForward,
    denseBackward: fast.denseBackward ?? base.denseBackward,
    trainDenseSteps: fast.trainDenseSteps ?? base.trainDenseSteps,
    sgdUpdates: fast.sgdUpdates ?? base.sgdUpdates,
    denseStackForward: fast.denseStackForward ?? base.denseStackForward,
    denseStackBackward: fast.denseStackBackward ?? base.denseStackBackward,
    softmaxCrossEntropyLabels: fast.softmaxCrossEntropyLabels ?? base.softmaxCrossEntropyLabels,
    softmaxCrossEntropyLabelsBackward: fast.softmaxCrossEntropyLabelsBackward ?? base.softmaxCrossEntropyLabelsBackward,
  };
}

/**
 * Whether f′ needs the activation's input z, or only its output y = f(z): the backward kernels
 * (`unaryBackward`, `biasActivationBackward`, `denseBackward`) read z only for the ops where this
 * is true, so a caller may keep y alone for the others (tanh, sigmoid, exp, …) and save a store of
 * z per element in the forward pass.
 */
export function derivativeUsesInput(op: UnaryOp): boolean {
  return !OUTPUT_DERIVATIVES.has(op);
}

/** The ops whose f′ comes from y alone (see unaryDerivative in js/elementwise.ts). */
const OUTPUT_DERIVATIVES: ReadonlySet<UnaryOp> = new Set<UnaryOp>(['identity', 'neg', 'exp', 'sqrt', 'reciprocal', 'sign', 'sigmoid', 'tanh', 'addScalar', 'mulScalar']);

/** `biasActivationBackward` made of a backend's `unaryBackward` and `reduce` (for backends without their own). */
export function composedBiasActivationBackward(unaryBackward: Backend['unaryBackward'], reduce: Backend['reduce']): Backend['biasActivationBackward'] {
  return (op, preActivation, y, gradOut, rows, cols, param, gradPreActivation, gradBias) => {
    const count = rows * cols;
    const fit = (array: FloatArray) => (array.length === count ? array : array.subarray(0, count));
    unaryBackward(op, fit(preActivation), fit(y), fit(gradOut), fit(gradPreActivation), param, false);
    if (gradBias !== null) reduce('sum', gradPreActivation, 1, rows, cols, gradBias, true);
  };
}

/** A dense layer's forward pass: the backend's `denseForward`, or `gemm` then `biasActivation`. */
export function denseForward(kernels: Backend, x: FloatArray, w: FloatArray, bias: FloatArray | null, rows: number, inputs: number, outputs: number, op: UnaryOp, param: number,
  out: FloatArray, preActivation: FloatArray | null): void {
  if (kernels.denseForward) return kernels.denseForward(x, w, bias, rows, inputs, outputs, op, param, out, preActivation);
  kernels.gemm(false, true, rows, outputs, inputs, x, w, out, false);
  if (bias !== null || op !== 'identity' || preActivation !== null) kernels.biasActivation(out, bias, rows, outputs, op, param, out, preActivation);
}

/** A dense layer's backward pass: the backend's `denseBackward`, or its composition of the other kernels. */
export function denseBackward(kernels: Backend, op: UnaryOp, param: number, rows: number, inputs: number, outputs: number, x: FloatArray, w: FloatArray, preActivation: FloatArray | null,
  y: FloatArray, gradOut: FloatArray, delta: FloatArray, gradBias: FloatArray | null, accumulateBias: boolean, gradWeight: FloatArray | null, accumulateWeight: boolean,
  gradInput: FloatArray | null, accumulateInput: boolean): void {
  if (kernels.denseBackward) {
    return kernels.denseBackward(op, param, rows, inputs, outputs, x, w, preActivation, y, gradOut, delta, gradBias, accumulateBias, gradWeight, accumulateWeight, gradInput, accumulateInput);
  }
  if (op !== 'identity') {
    // biasActivationBackward adds the bias gradient into its storage: zero it first to overwrite.
    if (gradBias !== null && !accumulateBias) gradBias.fill(0);
    kernels.biasActivationBackward(op, preActivation ?? y, y, gradOut, rows, outputs, param, delta, gradBias);
  } else {
    if (delta !== gradOut) delta.set(gradOut.subarray(0, rows * outputs));
    if (gradBias !== null) kernels.reduce('sum', delta, 1, rows, outputs, gradBias, accumulateBias);
  }
  if (gradWeight !== null) kernels.gemm(true, false, outputs, inputs, rows, delta, x, gradWeight, accumulateWeight);
  if (gradInput !== null) kernels.gemm(false, false, rows, inputs, outputs, delta, w, gradInput, accumulateInput);
}

/**
 * The forward pass of softmax cross-entropy with integer labels: the backend's kernel, or −1 after
 * logProb = log softmax(logits) (`softmax`), perSample[i] = −logProb[i, labels[i]] and, when
 * `total` is given, total[0] = Σ perSample (`reduce`), or the first row whose label is not an
 * integer in [0, cols) (nothing written then).
 */
export function softmaxCrossEntropyLabels(kernels: Backend, logits: FloatArray, labels: LabelArray, rows: number, cols: number, logProb: FloatArray, perSample: FloatArray,
  total: FloatArray | null): number {
  if (kernels.softmaxCrossEntropyLabels) return kernels.softmaxCrossEntropyLabels(logits, labels, rows, cols, logProb, perSample, total);
  for (let i = 0; i < rows; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= cols) return i;
  }
  kernels.softmax(logits, rows, cols, logProb, true);
  for (let i = 0; i < rows; i++) perSample[i] = -logProb[i * cols + labels[i]];
  if (total !== null) kernels.reduce('sum', perSample, 1, rows, 1, total, false);
  return -1;
}

/**
 * ∂C/∂z of softmax cross-entropy with integer labels (already checked) when every row's term has
 * the gradient `gradTerm`: the backend's kernel, or softmax(z) = e^(log softmax(z)) by the backend's
 * exp written into gradZ, then 0 + gradTerm·softmax(z)ⱼ − gradTerm·[j = label] (each operation in
 * double, rounded to the dtype; the 0 + turns −0 into 0).
 */
export function softmaxCrossEntropyLabelsBackward(kernels: Backend, logProb: FloatArray, labels: LabelArray, rows: number, cols: number, gradTerm: number, gradZ: FloatArray): void {
  if (kernels.softmaxCrossEntropyLabelsBackward) return kernels.softmaxCrossEntropyLabelsBackward(logProb, labels, rows, cols, gradTerm, gradZ);
  kernels.unary('exp', logProb, gradZ, 0);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) gradZ[base + j] = 0 + gradTerm * gradZ[base + j];
    gradZ[base + labels[i]] -= gradTerm;
  }
}
