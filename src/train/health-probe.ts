import { noGrad } from '../autograd/index.js';
import type { FloatArray } from '../kernels/index.js';
import { withRecordedActivations } from '../nn/index.js';
import type { Dense, Module } from '../nn/index.js';
import { Tensor } from '../tensor/index.js';
import { measureLayer } from './diagnostics.js';
import type { LayerHealth } from './diagnostics.js';
import type { FusedTrainingStep } from './fused.js';
import type { Dataset } from './types.js';

/**
 * Rows of the training set on which the diagnostics measure dead and saturated units: at least
 * 64 (so a last batch of one row cannot make every unit look dead), at most 256, and no more than
 * a batch beyond that floor (so the probe costs about one step's forward pass per epoch).
 */
export function probeRows(rows: number, batchSize: number): number {
  return Math.min(rows, 256, Math.max(64, batchSize));
}

/**
 * Gradient-health measurements of the step just taken: norms from `gradients` (as computed,
 * before clipping) and the update from `previousWeights`; dead and saturated units from a
 * forward pass in evaluation mode over the first probeRows(…) training rows (not the last batch,
 * which may be a single row). The probe draws no random numbers, so training is unaffected; the
 * model is left in training mode.
 */
export function measureHealth(
  model: Module, fused: FusedTrainingStep | null, train: Dataset, batchSize: number,
  denseLayers: [string, Dense][], names: string[], gradients: FloatArray[], previousWeights: FloatArray[],
): LayerHealth[] {
  const rows = probeRows(train.x.shape[0], batchSize);
  const probe = new Tensor(train.x.data.subarray(0, rows * train.x.shape[1]), [rows, train.x.shape[1]]);
  const measure = (): LayerHealth[] => {
    model.eval();
    try {
      if (fused) fused.predict(probe);
      else noGrad(() => model.forward(probe));
      return denseLayers.map(([, layer], i) => {
        const recorded = fused ? fused.predictedRecord(layer, rows) : layer.lastForward && { preActivation: layer.lastForward.preActivation.data, activation: layer.lastForward.activation.data };
        return measureLayer(
          {
            name: names[i],
            weights: layer.weight.data,
            gradWeights: layer.weight.grad ? gradients[i] : null,
            activation: layer.activation.name,
            preActivation: recorded?.preActivation ?? null,
            output: recorded?.activation ?? null,
            units: layer.units,
          },
          previousWeights[i],
        );
      });
    } finally {
      model.train();
    }
  };
  // The fused step runs the same kernels into its own buffers (no graph, no allocation per epoch,
  // no recording); otherwise the layers record the probe's pass, and a caller's own recording
  // and last records are put back afterwards.
  return fused ? measure() : withRecordedActivations(model, measure);
}
