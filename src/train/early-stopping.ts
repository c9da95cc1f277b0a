import type { FloatArray } from '../kernels/index.js';
import { Tensor, allocate } from '../tensor/index.js';
import type { EarlyStoppingOptions, EpochRecord } from './types.js';

/** What early stopping remembers between epochs (and in a trainer state). */
export interface EarlyStoppingState {
  best: number | null;
  bestEpoch: number | null;
  /** Epochs in a row without an improvement larger than minDelta. */
  wait: number;
}

/**
 * Early stopping on a monitored value (validation loss by default): an epoch improves when the
 * value beats the best so far by more than `minDelta` (lower for losses, higher for accuracies);
 * training stops once `patience` epochs in a row brought no improvement, and (by default) the
 * weights of the best epoch are put back.
 */
export class EarlyStopping {
  readonly monitor: NonNullable<EarlyStoppingOptions['monitor']>;
  private readonly patience: number;
  private readonly minDelta: number;
  readonly restoresBest: boolean;
  state: EarlyStoppingState = { best: null, bestEpoch: null, wait: 0 };
  /** The parameters' values at the best epoch (when restoring). */
  bestWeights: FloatArray[] | null = null;

  constructor(options: EarlyStoppingOptions, hasValidation: boolean) {
    this.monitor = options.monitor ?? (hasValidation ? 'valLoss' : 'loss');
    this.patience = options.patience;
    this.minDelta = options.minDelta ?? 0;
    this.restoresBest = options.restoreBestWeights ?? true;
  }

  /** The monitored value of an epoch record. */
  valueOf(record: EpochRecord): number {
    switch (this.monitor) {
      case 'valLoss': return record.valLoss ?? NaN;
      case 'loss': return record.loss;
      case 'valAccuracy': return record.valMetrics?.accuracy ?? NaN;
      case 'accuracy': return record.metrics.accuracy ?? NaN;
    }
  }

  /** Takes an epoch's record; keeps a copy of `params` when it is the best so far. */
  observe(record: EpochRecord, params: readonly Tensor[]): void {
    const value = this.valueOf(record);
    const maximise = this.monitor === 'valAccuracy' || this.monitor === 'accuracy';
    const { best } = this.state;
    const improved = best === null || (maximise ? value > best + this.minDelta : value < best - this.minDelta);
    if (!improved) {
      this.state.wait++;
      return;
    }
    this.state = { best: value, bestEpoch: record.epoch, wait: 0 };
    if (this.restoresBest) {
      this.bestWeights ??= params.map((p) => allocate(p.dtype, p.size));
      params.forEach((p, i) => this.bestWeights![i].set(p.data));
    }
  }

  /** Whether `patience` epochs in a row have brought no improvement. */
  get due(): boolean {
    return this.state.wait > 0 && this.state.wait >= this.patience;
  }

  /** Puts the best epoch's weights back into `params` (when restoring and one was recorded). */
  restoreBest(params: readonly Tensor[]): boolean {
    if (!this.restoresBest || !this.bestWeights) return false;
    params.forEach((p, i) => p.data.set(this.bestWeights![i]));
    return true;
  }
}
