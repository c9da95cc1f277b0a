import { backend, denseBackward, denseForward } from '../kernels/index.js';
import type { DType, FloatArray, UnaryOp } from '../kernels/index.js';
import { Activation, Dense, Dropout, Sequential, elementwiseKernel } from '../nn/index.js';
import type { ActivationSpec, Module } from '../nn/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import { ShapeError, ValueError, formatShape } from '../util/errors.js';
import { FUSED_LOSSES, FusedLoss } from './fused-loss.js';
import type { FusedLossName } from './fused-loss.js';
import type { Targets } from './losses.js';

/**
 * The fused training step: forward, loss and backward of a plain multilayer perceptron written as
 * direct kernel calls into buffers allocated once per batch size: no Tensor objects, closures or
 * graph per step. For a batch a⁰ = x of shape [B, n⁰] and layers l = 1…L:
 *
 *   forward    zˡ = aˡ⁻¹·(Wˡ)ᵀ + bˡ,  aˡ = fˡ(zˡ)   (denseForward: gemm, then biasActivation)
 *   loss       C(aᴸ, t) and ∂C/∂aᴸ                (FusedLoss)
 *   backward   δˡ = ∂C/∂aˡ ⊙ fˡ′(zˡ)               (denseBackward, these four lines)
 *              ∂C/∂bˡ += Σ_batch δˡ      [nˡ]
 *              ∂C/∂Wˡ += (δˡ)ᵀ·aˡ⁻¹     [nˡ, nˡ⁻¹]  (gemm, Aᵀ)
 *              ∂C/∂aˡ⁻¹ = δˡ·Wˡ          [B, nˡ⁻¹]   (gemm; not for l = 1)
 *
 * as `linearActivation` computes a Dense layer; separate Activation layers and noisy ReLU take
 * `unary`/`unaryBackward` as their ops do.
 *
 * The gradients are added into the parameters' `.grad` (created on first use), exactly as
 * `loss.backward()` adds them. Every kernel call is the one the autograd path makes (`linear`, the
 * activation ops, the losses), with the same arguments and order, and every intermediate gradient
 * is written (or added into a zero-filled buffer, which gives the same values) as `backward()`
 * does, so the weights after any number of steps are bit-identical to autograd training, in float32
 * and float64, on any backend.
 *
 * Eligible models: a `Sequential` (or a lone `Dense`) of `Dense` layers with an elementwise
 * activation (identity, sigmoid, tanh, relu, leakyRelu, noisyRelu, elu, selu, softplus, gelu, silu),
 * and after the first Dense, `Activation` layers with one of those and `Dropout` layers (the noise
 * and masks drawn from the layers' generators exactly as the layers draw them); every parameter used
 * once. Not eligible: softmax/logSoftmax activations, layers before the first Dense, other modules
 * and subclasses (whose forward may differ). Losses: `FUSED_LOSSES` (every named loss).
 */

/**
 * One stage of the network: the affine map of a Dense layer, an elementwise activation, noisy ReLU
 * (`owner` is the Dense or Activation layer whose mode and generator it uses), or Dropout.
 */
type Stage =
  | { kind: 'linear'; layer: Dense; weight: Tensor; bias: Tensor | null; inputs: number; units: number; op: UnaryOp; param: number }
  | { kind: 'activation'; op: UnaryOp; param: number; units: number }
  | { kind: 'noisyRelu'; owner: Dense | Activation; std: number; units: number }
  | { kind: 'dropout'; layer: Dropout; units: number };

/** Buffers for one batch size B: each stage's output and the gradient of the loss with respect to it. */
interface BatchBuffers {
  batch: number;
  outputs: FloatArray[];
  grads: FloatArray[];
  /** Per linear stage with an activation, z and ∂C/∂z (empty arrays for the others). */
  preActivations: FloatArray[];
  gradPreActivations: FloatArray[];
  /**
   * Per stage, the buffers of its random part (none for the others): Dropout [mask m (1/p or 1 for
   * kept units, 0 for dropped), ∂C/∂y ⊙ m]; noisy ReLU [noise ε, z + ε, ∂C/∂(z + ε)].
   */
  random: FloatArray[][];
  /** [batch, units] of each stage, the shape the broadcasting kernels are given. */
  shapes: number[][];
  loss: FusedLoss;
}

const ELEMENTWISE: ReadonlySet<string> = new Set(['identity', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'noisyRelu', 'elu', 'selu', 'softplus', 'gelu', 'silu']);

function activationStage(spec: ActivationSpec, units: number, owner: Dense | Activation): Stage | null {
  if (spec.name === 'identity') return null;
  if (spec.name === 'noisyRelu') return { kind: 'noisyRelu', owner, std: spec.std ?? 1, units };
  const { op, param } = elementwiseKernel(spec)!;
  return { kind: 'activation', op, param, units };
}

/** The stages of `model`, or the reason it cannot take the fused step. */
function stagesOf(model: Module): Stage[] | string {
  let layers: readonly Module[];
  if (model.constructor === Sequential) layers = (model as Sequential).layers;
  else if (model.constructor === Dense) layers = [model];
  else return `the model is a ${model.constructor.name}, not a Sequential or Dense`;
  const stages: Stage[] = [];
  const seen = new Set<Module>();
  let width = -1;
  for (const [index, layer] of layers.entries()) {
    if (seen.has(layer)) return `layer ${index} appears more than once (shared parameters)`;
    seen.add(layer);
    if (layer.constructor === Dense) {
      const dense = layer as Dense;
      if (!ELEMENTWISE.has(dense.activation.name)) return `layer ${index} has the activation ${dense.activation.name}, which the fused step does not cover`;
      if (width !== -1 && width !== dense.inputs) return `layer ${index} expects ${dense.inputs} inputs but receives ${width}`;
      // As Dense.forward: its own activation goes into the affine map's op unless it is noisy ReLU.
      const kernel = elementwiseKernel(dense.activation);
      stages.push({ kind: 'linear', layer: dense, weight: dense.weight, bias: dense.bias, inputs: dense.inputs, units: dense.units, op: kernel?.op ?? 'identity', param: kernel?.param ?? 0 });
      const activation = kernel === null ? activationStage(dense.activation, dense.units, dense) : null;
      if (activation) stages.push(activation);
      width = dense.units;
    } else if (layer.constructor === Activation) {
      const spec = (layer as Activation).activation;
      if (!ELEMENTWISE.has(spec.name)) return `layer ${index} is the activation ${spec.name}, which the fused step does not cover`;
      if (width === -1) return `layer ${index}: an Activation before the first Dense layer`;
      const activation = activationStage(spec, width, layer as Activation);
      if (activation) stages.push(activation);
    } else if (layer.constructor === Dropout) {
      if ((layer as Dropout).rate === 0) continue;
      if (width === -1) return `layer ${index}: Dropout before the first Dense layer`;
      stages.push({ kind: 'dropout', layer: layer as Dropout, units: width });
    } else {
      return `layer ${index} is a ${layer.constructor.name}`;
    }
  }
  if (width === -1) return 'the model has no Dense layer';
  const linears = stages.filter((stage) => stage.kind === 'linear');
  const dtype = linears[0].weight.dtype;
  if (linears.some((stage) => stage.weight.dtype !== dtype || (stage.bias !== null && stage.bias.dtype !== dtype))) return 'the parameters have different dtypes';
  return stages;
}

/** Why `model` trained with `loss` cannot take the fused step, or null when it can. */
export function fusedStepBlocker(model: Module, loss: unknown): string | null {
  if (typeof loss !== 'string') return 'a custom loss function needs the graph';
  if (!(FUSED_LOSSES as readonly string[]).includes(loss)) return `the loss ${loss} is not fused`;
  const stages = stagesOf(model);
  return typeof stages === 'string' ? stages : null;
}

/** The fused step for `model` and `loss`, or null when `fusedStepBlocker` names a reason. */
export function fusedTrainingStep(model: Module, loss: unknown): FusedTrainingStep | null {
  if (fusedStepBlocker(model, loss) !== null) return null;
  return new FusedTrainingStep(stagesOf(model) as Stage[], loss as FusedLossName);
}

/**
 * A fused, allocation-free training step for one model and loss (see the comment at the top of
 * this file). Use: `optimizer.zeroGrad(); const loss = step.forward(x, y); step.backward(); optimizer.step();`
 * which fills the same `.grad` values as
 * `optimizer.zeroGrad(); const loss = lossFn(model.forward(x), y); loss.backward(); optimizer.step();`.
 */
export class FusedTrainingStep {
  readonly loss: FusedLossName;
  readonly dtype: DType;
  /** Input features n⁰ and output width nᴸ. */
  readonly inputs: number;
  readonly outputs: number;
  private readonly stages: Stage[];
  /** Buffers by batch size (a fit uses at most two: the full batch and a shorter last one). */
  private readonly buffersBySize = new Map<number, BatchBuffers>();
  /** Buffers of `predict`, apart from the training ones so a prediction leaves the last step's output intact. */
  private readonly predictBuffersBySize = new Map<number, BatchBuffers>();
  /** Whether each stage's output depends on a parameter that requires a gradient (set per backward). */
  private readonly needsGrad: Uint8Array;
  private current: BatchBuffers | null = null;
  private input: FloatArray | null = null;
  private target: FloatArray | Int32Array | null = null;

  /** @internal Built by `fusedTrainingStep`. */
  constructor(stages: Stage[], loss: FusedLossName) {
    this.stages = stages;
    this.loss = loss;
    const first = stages[0] as Extract<Stage, { kind: 'linear' }>;
    this.dtype = first.weight.dtype;
    this.inputs = first.inputs;
    this.outputs = stages[stages.length - 1].units;
    this.needsGrad = new Uint8Array(stages.length);
  }

  /** Whether a batch of `x` and `y` fits this step (features, dtype, target shape); the autograd path reports the error otherwise. */
  accepts(x: Tensor, y: Targets): boolean {
    if (x.rank !== 2 || x.shape[1] !== this.inputs || x.dtype !== this.dtype || x.requiresGrad) return false;
    const labels = this.loss === 'softmaxCrossEntropy';
    if (y instanceof Int32Array) return labels && y.length === x.shape[0];
    return !labels && y.rank === 2 && y.shape[0] === x.shape[0] && y.shape[1] === this.outputs && y.dtype === this.dtype;
  }

  /** Runs the forward pass and the loss for the batch x [B, inputs] with targets y; returns C. */
  forward(x: Tensor, y: Targets): number {
    if (!this.accepts(x, y)) {
      throw new ShapeError(`FusedTrainingStep: expected x [batch, ${this.inputs}] (${this.dtype}) and ${this.loss === 'softmaxCrossEntropy' ? 'one label per row' : `targets [batch, ${this.outputs}]`}, got x ${formatShape(x.shape)} (${x.dtype})`);
    }
    const buffers = this.buffersFor(x.shape[0]);
    const output = this.forwardStages(x.data, buffers);
    this.current = buffers;
    this.input = x.data;
    this.target = y instanceof Tensor ? y.data : y;
    return buffers.loss.forward(output, this.target);
  }

  /**
   * The network's forward pass alone for x [B, inputs], in each layer's current mode (e.g. after
   * `model.eval()`), as `model.forward(x)` computes it; the same values `noGrad(() => model.forward(x))`
   * gives, without allocating, into buffers of its own. Returns aᴸ; `predictedRecord` gives each
   * Dense layer's z and a.
   */
  predict(x: Tensor): FloatArray {
    if (x.rank !== 2 || x.shape[1] !== this.inputs || x.dtype !== this.dtype) throw new ShapeError(`FusedTrainingStep.predict: expected x [batch, ${this.inputs}] (${this.dtype}), got ${formatShape(x.shape)} (${x.dtype})`);
    return this.forwardStages(x.data, this.buffersFor(x.shape[0], this.predictBuffersBySize));
  }

  /** z and f(z) of `layer` from the last `predict` with `batch` rows, or null when the layer is not part of this step. */
  predictedRecord(layer: Dense, batch: number): { preActivation: FloatArray; activation: FloatArray } | null {
    const index = this.stages.findIndex((stage) => stage.kind === 'linear' && stage.layer === layer);
    if (index < 0) return null;
    const { outputs, preActivations } = this.buffersFor(batch, this.predictBuffersBySize);
    const stage = this.stages[index] as Extract<Stage, { kind: 'linear' }>;
    if (stage.op !== 'identity') return { preActivation: preActivations[index], activation: outputs[index] };
    // Noisy ReLU, the one activation a Dense layer applies as a stage of its own, comes right after its affine map.
    return { preActivation: outputs[index], activation: layer.activation.name !== 'identity' ? outputs[index + 1] : outputs[index] };
  }

  /** Runs every stage on the rows of `x`; returns the last stage's output. */
  private forwardStages(x: FloatArray, buffers: BatchBuffers): FloatArray {
    const kernels = backend();
    const batch = buffers.batch;
    let input = x;
    for (let i = 0; i < this.stages.length; i++) {
      const stage = this.stages[i];
      const output = buffers.outputs[i];
      if (stage.kind === 'linear') {
        denseForward(kernels, input, stage.weight.data, stage.bias ? stage.bias.data : null, batch, stage.inputs, stage.units, stage.op, stage.param, output,
          stage.op !== 'identity' ? buffers.preActivations[i] : null);
      } else if (stage.kind === 'activation') {
        kernels.unary(stage.op, input, output, stage.param);
      } else if (stage.kind === 'noisyRelu') {
        noisyReluForward(stage.owner, stage.std, input, output, buffers.random[i], buffers.shapes[i]);
      } else {
        dropoutForward(stage.layer, input, output, buffers.random[i], buffers.shapes[i]);
      }
      input = output;
    }
    return input;
  }

  /** Adds ∂C/∂W and ∂C/∂b of the last `forward` into the parameters' `.grad`. */
  backward(): void {
    const buffers = this.current;
    if (buffers === null || this.input === null || this.target === null) throw new ValueError('FusedTrainingStep.backward: call forward first');
    const stages = this.stages;
    let needed = false;
    for (let i = 0; i < stages.length; i++) {
      const stage = stages[i];
      if (stage.kind === 'linear') needed ||= stage.weight.requiresGrad || (stage.bias?.requiresGrad ?? false);
      this.needsGrad[i] = needed ? 1 : 0;
    }
    if (!needed) throw new ValueError('FusedTrainingStep.backward: no parameter requires a gradient');
    const kernels = backend();
    const batch = buffers.batch;
    const last = stages.length - 1;
    buffers.loss.backward(this.target, buffers.grads[last]);
    this.current = null;
    for (let i = last; i >= 0 && this.needsGrad[i] === 1; i--) {
      const stage = stages[i];
      const gradOutput = buffers.grads[i];
      const input = i === 0 ? this.input : buffers.outputs[i - 1];
      const gradInput = i > 0 && this.needsGrad[i - 1] === 1 ? buffers.grads[i - 1] : null;
      if (stage.kind === 'activation') {
        if (gradInput === null) continue;
        gradInput.fill(0);
        kernels.unaryBackward(stage.op, input, buffers.outputs[i], gradOutput, gradInput, stage.param, true);
        continue;
      }
      if (stage.kind === 'dropout') {
        if (gradInput !== null) dropoutBackward(stage.layer, input, buffers.outputs[i], gradOutput, gradInput, buffers.random[i], buffers.shapes[i]);
        continue;
      }
      if (stage.kind === 'noisyRelu') {
        if (gradInput !== null) noisyReluBackward(stage.owner, stage.std, input, buffers.outputs[i], gradOutput, gradInput, buffers.random[i], buffers.shapes[i]);
        continue;
      }
      // gradOutput is ∂C/∂a of this layer; delta becomes δ = ∂C/∂z. The parameters' gradients add
      // into their `.grad`; ∂C/∂a of the layer below is written.
      const delta = stage.op !== 'identity' ? buffers.gradPreActivations[i] : gradOutput;
      denseBackward(kernels, stage.op, stage.param, batch, stage.inputs, stage.units, input, stage.weight.data, stage.op !== 'identity' ? buffers.preActivations[i] : null,
        buffers.outputs[i], gradOutput, delta, stage.bias ? gradientOf(stage.bias) : null, true, gradientOf(stage.weight), true, gradInput, false);
    }
  }

  /**
   * @internal The Dense layers when the network is Dense layers alone (no separate Activation,
   * Dropout or noisy ReLU stages), else null: what the native training loop can run.
   */
  denseLayersOnly(): { weight: Tensor; bias: Tensor | null; inputs: number; units: number; op: UnaryOp }[] | null {
    const layers = [];
    for (const stage of this.stages) {
      if (stage.kind !== 'linear') return null;
      layers.push({ weight: stage.weight, bias: stage.bias, inputs: stage.inputs, units: stage.units, op: stage.op });
    }
    return layers;
  }

  /** Allocates the training buffers for batches of `batch` rows now rather than at the first such batch. */
  prepare(batch: number): void {
    this.buffersFor(batch);
  }

  /** The network output aᴸ [B, outputs] of the last forward pass (overwritten by the next one of that batch size). */
  output(batch: number): FloatArray {
    return this.buffersFor(batch).outputs[this.stages.length - 1];
  }

  private buffersFor(batch: number, bySize = this.buffersBySize): BatchBuffers {
    let buffers = bySize.get(batch);
    if (buffers === undefined) {
      const sizes = this.stages.map((stage) => batch * stage.units);
      const randomBuffers = { dropout: 2, noisyRelu: 3, linear: 0, activation: 0 };
      buffers = {
        batch,
        outputs: sizes.map((size) => allocate(this.dtype, size)),
        grads: sizes.map((size) => allocate(this.dtype, size)),
        preActivations: sizes.map((size, i) => allocate(this.dtype, hasActivation(this.stages[i]) ? size : 0)),
        gradPreActivations: sizes.map((size, i) => allocate(this.dtype, hasActivation(this.stages[i]) ? size : 0)),
        random: sizes.map((size, i) => Array.from({ length: randomBuffers[this.stages[i].kind] }, () => allocate(this.dtype, size))),
        shapes: this.stages.map((stage) => [batch, stage.units]),
        loss: new FusedLoss(this.loss, this.dtype, batch, this.outputs),
      };
      bySize.set(batch, buffers);
    }
    return buffers;
  }
}

/**
 * Dropout's forward as `Dropout.forward` computes it: in training mode y = x ⊙ m with
 * m = 1/p (inverted) or 1 (classic) where the layer's generator draws u < p, else 0, one draw per
 * element in row-major order; in evaluation mode y = x (inverted) or y = p·x (classic).
 */
function dropoutForward(layer: Dropout, x: FloatArray, y: FloatArray, [mask]: FloatArray[], shape: number[]): void {
  const keep = layer.keepProbability;
  if (!layer.training) {
    if (layer.mode === 'inverted') y.set(x);
    else backend().unary('mulScalar', x, y, keep);
    return;
  }
  const kept = layer.mode === 'inverted' ? 1 / keep : 1;
  const rng = layer.rng;
  for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < keep ? kept : 0;
  backend().binary('mul', x, shape, mask, shape, y, shape);
}

/** ∂C/∂x = ∂C/∂y ⊙ m (training), ∂C/∂y (inverted evaluation) or p·∂C/∂y (classic evaluation), into gradX. */
function dropoutBackward(layer: Dropout, x: FloatArray, y: FloatArray, gradY: FloatArray, gradX: FloatArray, [mask, scratch]: FloatArray[], shape: number[]): void {
  const kernels = backend();
  if (!layer.training) {
    // Inverted evaluation returns x itself, so x's gradient is y's: a copy.
    if (layer.mode === 'inverted') gradX.set(gradY);
    else {
      gradX.fill(0);
      kernels.unaryBackward('mulScalar', x, y, gradY, gradX, layer.keepProbability, true);
    }
    return;
  }
  kernels.binary('mul', gradY, shape, mask, shape, scratch, shape);
  gradX.fill(0);
  kernels.binary('add', gradX, shape, scratch, shape, gradX, shape);
}

/**
 * Noisy ReLU as `ops.noisyRelu` computes it: in training mode (std > 0) y = relu(z + ε) with
 * ε = 0 + std·N(0, 1) drawn from the owner's generator per element in row-major order; otherwise
 * y = relu(z).
 */
function noisyReluForward(owner: Dense | Activation, std: number, z: FloatArray, y: FloatArray, [noise, noisy]: FloatArray[], shape: number[]): void {
  const kernels = backend();
  const rng = owner.rng;
  if (owner.training && rng === null) throw new ValueError('noisyRelu: training mode needs a random generator (pass rng or seed to the layer)');
  if (!owner.training || std === 0 || rng === null) {
    kernels.unary('relu', z, y, 0);
    return;
  }
  for (let i = 0; i < noise.length; i++) noise[i] = 0 + std * rng.normal();
  kernels.binary('add', z, shape, noise, shape, noisy, shape);
  kernels.unary('relu', noisy, y, 0);
}

/** ∂C/∂z = ∂C/∂y ⊙ relu′(z + ε) (relu′(z) without noise), into gradZ. */
function noisyReluBackward(owner: Dense | Activation, std: number, z: FloatArray, y: FloatArray, gradY: FloatArray, gradZ: FloatArray, [, noisy, gradNoisy]: FloatArray[], shape: number[]): void {
  const kernels = backend();
  gradZ.fill(0);
  if (!owner.training || std === 0) {
    kernels.unaryBackward('relu', z, y, gradY, gradZ, 0, true);
    return;
  }
  gradNoisy.fill(0);
  kernels.unaryBackward('relu', noisy, y, gradY, gradNoisy, 0, true);
  // z + ε sends its gradient to z unchanged (added into the zero-filled gradZ).
  kernels.binary('add', gradZ, shape, gradNoisy, shape, gradZ, shape);
}

/** Whether a stage is a Dense layer's affine map with its activation applied by the same kernel. */
function hasActivation(stage: Stage): boolean {
  return stage.kind === 'linear' && stage.op !== 'identity';
}

/** A parameter's gradient storage, created zero-filled on first use (as autograd's gradBuffer); null when frozen. */
function gradientOf(parameter: Tensor): FloatArray | null {
  if (!parameter.requiresGrad) return null;
  if (parameter.grad === null) parameter.grad = new Tensor(allocate(parameter.dtype, parameter.size), parameter.shape);
  return parameter.grad.data;
}
