/**
 * The training workloads of ../shared/bench (definitions in its README) through backprop's public
 * API (`mlp`, the losses, `Adam`/`SGD`, `backward()`: the loop PyTorch's script writes), plus
 * mlp-mnist and mlp-tiny through `fit`; portable so the Node runner and the browser page time the
 * same code. Batches are views of the data set (no copies); data are synthetic with
 * the peers' generator and seeds.
 */
import { Adam, SGD, Tensor, Trainer, fit, mlp, mseLoss, softmaxCrossEntropy } from '../src/index.js';
import type { FitOptions, Optimizer, Sequential } from '../src/index.js';

/** Seconds from a monotonic clock. */
export type Clock = () => number;

/** mulberry32, the peers' generator: uniform values in [0, 1). */
export function uniformFloat32(count: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  return values;
}

/** The peers' labels: floor(u · classes) for mulberry32 values u. */
export function labels(count: number, classes: number, seed: number): Int32Array {
  return Int32Array.from(uniformFloat32(count, seed), (u) => Math.floor(u * classes));
}

type Loss = (output: Tensor, first: number, count: number) => Tensor;

interface Training {
  model: Sequential;
  optimizer: Optimizer;
  inputs: Float32Array;
  width: number;
  loss: Loss;
  samples: number;
  batch: number;
}

/** One pass over the data set in batches (the last one partial), or its first `maxSteps` batches. */
function epoch(t: Training, maxSteps = Infinity): void {
  for (let first = 0, steps = 0; first < t.samples && steps < maxSteps; first += t.batch, steps++) {
    const count = Math.min(t.batch, t.samples - first);
    const batch = new Tensor(t.inputs.subarray(first * t.width, (first + count) * t.width), [count, t.width]);
    t.optimizer.zeroGrad();
    t.loss(t.model.forward(batch), first, count).backward();
    t.optimizer.step();
  }
}

/** Samples per second of each of `runs` full epochs, after `warmupSteps` steps. */
function epochRates(t: Training, clock: Clock, warmupSteps: number, runs: number): number[] {
  epoch(t, warmupSteps);
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = clock();
    epoch(t);
    rates.push(t.samples / (clock() - start));
  }
  return rates;
}

/** mlp-mnist: 784-256-128-10 ReLU, softmax cross-entropy, Adam lr 1e-3, 60000 samples, batch 128; samples/s per epoch. */
export function mnistTrainingRates(clock: Clock, runs = 3): number[] {
  const samples = 60000;
  const targets = labels(samples, 10, 2);
  const model = mlp({ sizes: [784, 256, 128, 10], activation: 'relu' });
  return epochRates({
    model, optimizer: new Adam(model.parameters(), { lr: 1e-3 }), inputs: uniformFloat32(samples * 784, 1), width: 784,
    loss: (logits, first, count) => softmaxCrossEntropy(logits, targets.subarray(first, first + count)), samples, batch: 128,
  }, clock, 20, runs);
}

/** mlp-wide: 1024-2048-2048-1024 ReLU, linear output, MSE, SGD momentum 0.9 lr 0.01, 8192 samples, batch 256; samples/s per epoch. */
export function wideTrainingRates(clock: Clock, runs = 3): number[] {
  const samples = 8192;
  const targets = uniformFloat32(samples * 1024, 4);
  const model = mlp({ sizes: [1024, 2048, 2048, 1024], activation: 'relu' });
  return epochRates({
    model, optimizer: new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 }), inputs: uniformFloat32(samples * 1024, 3), width: 1024,
    loss: (output, first, count) => mseLoss(output, new Tensor(targets.subarray(first * 1024, (first + count) * 1024), [count, 1024])), samples, batch: 256,
  }, clock, 3, runs);
}

/** mlp-tiny: 4-16-16-3 tanh, softmax cross-entropy, SGD lr 0.1, 150 samples, batch 16; epochs/s of runs of 200 epochs after 5. */
export function tinyEpochRates(clock: Clock, runs = 3): number[] {
  const samples = 150, epochs = 200;
  const targets = labels(samples, 3, 6);
  const model = mlp({ sizes: [4, 16, 16, 3], activation: 'tanh' });
  const t: Training = {
    model, optimizer: new SGD(model.parameters(), { lr: 0.1 }), inputs: uniformFloat32(samples * 4, 5), width: 4,
    loss: (logits, first, count) => softmaxCrossEntropy(logits, targets.subarray(first, first + count)), samples, batch: 16,
  };
  for (let e = 0; e < 5; e++) epoch(t);
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = clock();
    for (let e = 0; e < epochs; e++) epoch(t);
    rates.push(epochs / (clock() - start));
  }
  return rates;
}

/** Rates of `fit` runs, and whether its steps ran batched in the backend (`Trainer.batchedSteps`). */
export interface FitRates {
  rates: number[];
  batchedSteps: boolean;
}

/**
 * The same two workloads through `fit` (its fused, allocation-free step where the model allows),
 * in order (shuffle off, as the peers), without the per-epoch gradient-health measurements.
 */
function fitRates(model: Sequential, x: Tensor, y: Int32Array, options: FitOptions, clock: Clock, warmupEpochs: number, epochs: number, runs: number): FitRates {
  const base: FitOptions = { ...options, shuffle: false, diagnostics: false };
  const batchedSteps = new Trainer(model, { x, y }, base).batchedSteps;
  fit(model, { x, y }, { ...base, epochs: warmupEpochs });
  const rates: number[] = [];
  for (let run = 0; run < runs; run++) {
    const start = clock();
    fit(model, { x, y }, { ...base, epochs });
    rates.push(epochs / (clock() - start));
  }
  return { rates, batchedSteps };
}

/** mlp-mnist through fit: samples/s per epoch (one warm-up epoch). */
export function mnistFitRates(clock: Clock, runs = 3): FitRates {
  const samples = 60000;
  const model = mlp({ sizes: [784, 256, 128, 10], activation: 'relu' });
  const x = new Tensor(uniformFloat32(samples * 784, 1), [samples, 784]);
  const options: FitOptions = { loss: 'softmaxCrossEntropy', optimizer: new Adam(model.parameters(), { lr: 1e-3 }), batchSize: 128 };
  const { rates, batchedSteps } = fitRates(model, x, labels(samples, 10, 2), options, clock, 1, 1, runs);
  return { rates: rates.map((epochsPerSecond) => epochsPerSecond * samples), batchedSteps };
}

/** mlp-tiny through fit: epochs/s of runs of 200 epochs after 5. */
export function tinyFitEpochRates(clock: Clock, runs = 3): FitRates {
  const model = mlp({ sizes: [4, 16, 16, 3], activation: 'tanh' });
  const x = new Tensor(uniformFloat32(150 * 4, 5), [150, 4]);
  const options: FitOptions = { loss: 'softmaxCrossEntropy', optimizer: new SGD(model.parameters(), { lr: 0.1 }), batchSize: 16 };
  return fitRates(model, x, labels(150, 3, 6), options, clock, 5, 200, runs);
}
