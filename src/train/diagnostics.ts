import type { FloatArray } from '../kernels/index.js';

/**
 * Gradient-health diagnostics: the numbers the textbooks' sections on vanishing and exploding
 * gradients ask for, per layer and per epoch, and warnings with concrete suggestions.
 */

/** What the diagnostics need to know about one layer after a training step. */
export interface LayerProbe {
  /** Layer name as shown to the user, e.g. "dense1 (64 → 32, relu)". */
  name: string;
  /** The weight values (after the update). */
  weights: FloatArray;
  /** ∂C/∂W of the step. */
  gradWeights: FloatArray | null;
  /** The activation function's name, e.g. "relu", "sigmoid", "tanh". */
  activation: string;
  /** The layer's pre-activation z of the last batch, [batch, units], when recorded. */
  preActivation: FloatArray | null;
  /** The layer's activation a of the last batch, when recorded. */
  output: FloatArray | null;
  /** Number of units (columns of z). */
  units: number;
}

export interface LayerHealth {
  name: string;
  /** ‖∂C/∂W‖₂ (Frobenius norm). */
  gradNorm: number;
  /** ‖W‖₂ (Frobenius norm). */
  weightNorm: number;
  /** ‖ΔW‖₂ / ‖W‖₂ of the last update (healthy training is around 1e-3). */
  updateRatio: number;
  /** Share of ReLU-family units that output 0 for every sample of the batch (dead units). Null for other activations. */
  deadShare: number | null;
  /** Share of sigmoid/tanh activations in the saturated region (σ < 0.01 or > 0.99; |tanh| > 0.99). Null for other activations. */
  saturatedShare: number | null;
}

export function norm(values: FloatArray | null): number {
  if (!values) return 0;
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] * values[i];
  return Math.sqrt(s);
}

/** ‖a − b‖₂. */
export function distance(a: FloatArray, b: FloatArray): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

const RELU_FAMILY = new Set(['relu', 'noisyRelu']);

/** Measures one layer. `previousWeights` are the weights before the last update. */
export function measureLayer(probe: LayerProbe, previousWeights: FloatArray | null): LayerHealth {
  const weightNorm = norm(probe.weights);
  const updateRatio = previousWeights && weightNorm > 0 ? distance(probe.weights, previousWeights) / weightNorm : 0;
  let deadShare: number | null = null;
  let saturatedShare: number | null = null;
  if (RELU_FAMILY.has(probe.activation) && probe.output && probe.units > 0) {
    const rows = probe.output.length / probe.units;
    let dead = 0;
    for (let u = 0; u < probe.units; u++) {
      let alive = false;
      for (let r = 0; r < rows && !alive; r++) if (probe.output[r * probe.units + u] > 0) alive = true;
      if (!alive) dead++;
    }
    deadShare = dead / probe.units;
  }
  const output = probe.output;
  if ((probe.activation === 'sigmoid' || probe.activation === 'tanh') && output && output.length > 0) {
    let saturated = 0;
    if (probe.activation === 'sigmoid') {
      for (let i = 0; i < output.length; i++) if (output[i] < 0.01 || output[i] > 0.99) saturated++;
    } else {
      for (let i = 0; i < output.length; i++) if (output[i] > 0.99 || output[i] < -0.99) saturated++;
    }
    saturatedShare = saturated / output.length;
  }
  return { name: probe.name, gradNorm: norm(probe.gradWeights), weightNorm, updateRatio, deadShare, saturatedShare };
}

export interface HealthWarning {
  kind: 'vanishing' | 'exploding' | 'dead-relu' | 'saturation';
  layer: string;
  message: string;
}

export interface HealthThresholds {
  /** Warn of vanishing gradients when the first layer's gradient norm is below this share of the last layer's. Default 1e-3. */
  vanishingRatio?: number;
  /** Warn of exploding gradients when a layer's update-to-weight ratio exceeds this. Default 1. */
  explodingUpdateRatio?: number;
  /** …or when a layer's gradient norm exceeds this. Default 1e3. */
  explodingGradNorm?: number;
  /** Warn when more than this share of ReLU units is dead. Default 0.5. */
  deadShare?: number;
  /** Warn when more than this share of sigmoid/tanh activations is saturated. Default 0.5. */
  saturatedShare?: number;
}

/** Warnings, each with a concrete suggestion, for one epoch's layer measurements (first layer first). */
export function healthWarnings(layers: readonly LayerHealth[], thresholds: HealthThresholds = {}): HealthWarning[] {
  const vanishingRatio = thresholds.vanishingRatio ?? 1e-3;
  const explodingUpdateRatio = thresholds.explodingUpdateRatio ?? 1;
  const explodingGradNorm = thresholds.explodingGradNorm ?? 1e3;
  const deadLimit = thresholds.deadShare ?? 0.5;
  const saturatedLimit = thresholds.saturatedShare ?? 0.5;
  const warnings: HealthWarning[] = [];
  if (layers.length >= 2) {
    const last = layers[layers.length - 1];
    const first = layers[0];
    if (last.gradNorm > 0 && first.gradNorm < vanishingRatio * last.gradNorm) {
      warnings.push({
        kind: 'vanishing',
        layer: first.name,
        message:
          (first.gradNorm === 0
            ? `vanishing gradients: the first layer's gradient is zero while the last layer's norm is ${last.gradNorm.toExponential(2)}; `
            : `vanishing gradients: the first layer's gradient norm (${first.gradNorm.toExponential(2)}) is ${(last.gradNorm / first.gradNorm).toExponential(1)}× smaller than the last layer's (${last.gradNorm.toExponential(2)}); `) +
          'try ReLU-family activations with He initialisation, fewer layers, or scaling the inputs',
      });
    }
  }
  for (const layer of layers) {
    if (layer.updateRatio > explodingUpdateRatio || layer.gradNorm > explodingGradNorm || !Number.isFinite(layer.gradNorm)) {
      warnings.push({
        kind: 'exploding',
        layer: layer.name,
        message:
          `exploding gradients in ${layer.name}: gradient norm ${layer.gradNorm.toExponential(2)}, update/weight ratio ${layer.updateRatio.toExponential(2)}; ` +
          'lower the learning rate, clip gradients (clipNorm / --clip-norm), or scale the inputs',
      });
    }
    if (layer.deadShare !== null && layer.deadShare > deadLimit) {
      warnings.push({
        kind: 'dead-relu',
        layer: layer.name,
        message: `${Math.round(layer.deadShare * 100)}% of the ReLU units in ${layer.name} never fire; lower the learning rate, use He initialisation, or try leaky ReLU`,
      });
    }
    if (layer.saturatedShare !== null && layer.saturatedShare > saturatedLimit) {
      warnings.push({
        kind: 'saturation',
        layer: layer.name,
        message: `${Math.round(layer.saturatedShare * 100)}% of the activations in ${layer.name} are saturated (derivative ≈ 0); scale the inputs, use Xavier/Glorot initialisation, or switch to ReLU`,
      });
    }
  }
  return warnings;
}
