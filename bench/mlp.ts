/**
 * The MLP workloads of ../shared/bench (definitions in its README), trained through backprop's
 * public API: `mlp` (Sequential of Dense layers), the losses, `Adam`/`SGD`, `backward()`.
 * Batches are views of the data set (no copies); data are synthetic with the peers' seeds.
 */
import { Adam, SGD, Tensor, backend, mlp, mseLoss, noGrad, softmaxCrossEntropy } from '../node/index.js';
import type { Optimizer, Sequential } from '../node/index.js';
import { emit, nowSeconds, roundSignificant, summarize, uniformFloat32 } from './measure.js';

/** The peers' label generator: mulberry32 uniform values, floor(u · classes). */
function labels(count: number, classes: number, seed: number): Int32Array {
  const uniform = uniformFloat32(count, seed);
  return Int32Array.from(uniform, (u) => Math.floor(u * classes));
}

function describe(): Record<string, unknown> {
  return { backend: backend().name, threads: backend().threads };
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

type Loss = (output: Tensor, first: number, count: number) => Tensor;

/** One training step on rows [first, first + count) of the data set. */
function step(model: Sequential, optimizer: Optimizer, inputs: Float32Array, width: number, loss: Loss, first: number, count: number): void {
  const batch = new Tensor(inputs.subarray(first * width, (first + count) * width), [count, width]);
  optimizer.zeroGrad();
  loss(model.forward(batch), first, count).backward();
  optimizer.step();
}

/** One pass over `samples` rows in batches (the last one partial), or the first `maxSteps` batches. */
function epoch(model: Sequential, optimizer: Optimizer, inputs: Float32Array, width: number, loss: Loss, samples: number, batch: number, maxSteps = Infinity): void {
  for (let first = 0, steps = 0; first < samples && steps < maxSteps; first += batch, steps++) {
    step(model, optimizer, inputs, width, loss, first, Math.min(batch, samples - first));
  }
}

/** mlp-mnist: 784-256-128-10 ReLU, softmax cross-entropy, Adam lr 1e-3, 60000 samples, batch 128. */
export function mlpMnistWorkload(): void {
  const samples = 60000, batch = 128;
  const inputs = uniformFloat32(samples * 784, 1);
  const targets = labels(samples, 10, 2);
  const model = mlp({ sizes: [784, 256, 128, 10], activation: 'relu' });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  const loss: Loss = (logits, first, count) => softmaxCrossEntropy(logits, targets.subarray(first, first + count));
  epoch(model, optimizer, inputs, 784, loss, samples, batch, 20);
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = nowSeconds();
    epoch(model, optimizer, inputs, 784, loss, samples, batch);
    rates.push(samples / (nowSeconds() - start));
  }
  emit('mlp-mnist', 'samples_per_s', 'samples/s', rates, {
    ...describe(), batch, epoch_s_median: roundSignificant(samples / summarize(rates).median), extrapolated: false,
    peak_rss_mib: Math.round(peakRssMiB()), loss: 'softmaxCrossEntropy (log-softmax fused)',
  });
}

/** mlp-wide: 1024-2048-2048-1024 ReLU, linear output, MSE, SGD momentum 0.9 lr 0.01, 8192 samples, batch 256. */
export function mlpWideWorkload(): void {
  const samples = 8192, batch = 256;
  const inputs = uniformFloat32(samples * 1024, 3);
  const targets = uniformFloat32(samples * 1024, 4);
  const model = mlp({ sizes: [1024, 2048, 2048, 1024], activation: 'relu' });
  const optimizer = new SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const loss: Loss = (output, first, count) => mseLoss(output, new Tensor(targets.subarray(first * 1024, (first + count) * 1024), [count, 1024]));
  epoch(model, optimizer, inputs, 1024, loss, samples, batch, 3);
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = nowSeconds();
    epoch(model, optimizer, inputs, 1024, loss, samples, batch);
    rates.push(samples / (nowSeconds() - start));
  }
  const weights = 1024 * 2048 + 2048 * 2048 + 2048 * 1024;
  const median = summarize(rates).median;
  emit('mlp-wide', 'samples_per_s', 'samples/s', rates, {
    ...describe(), batch, gflops_median: roundSignificant((median * 6 * weights) / 1e9), epoch_s_median: roundSignificant(samples / median), extrapolated: false, loss: 'mseLoss',
  });
}

/** mlp-tiny: 4-16-16-3 tanh, softmax cross-entropy, SGD lr 0.1, 150 samples, batch 16; 5 warm-up epochs, 3 × 200 timed. */
export function mlpTinyWorkload(): void {
  const samples = 150, batch = 16, epochs = 200;
  const inputs = uniformFloat32(samples * 4, 5);
  const targets = labels(samples, 3, 6);
  const model = mlp({ sizes: [4, 16, 16, 3], activation: 'tanh' });
  const optimizer = new SGD(model.parameters(), { lr: 0.1 });
  const loss: Loss = (logits, first, count) => softmaxCrossEntropy(logits, targets.subarray(first, first + count));
  for (let e = 0; e < 5; e++) epoch(model, optimizer, inputs, 4, loss, samples, batch);
  const rates: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = nowSeconds();
    for (let e = 0; e < epochs; e++) epoch(model, optimizer, inputs, 4, loss, samples, batch);
    rates.push(epochs / (nowSeconds() - start));
  }
  const stepsPerEpoch = Math.ceil(samples / batch);
  emit('mlp-tiny', 'epochs_per_s', 'epochs/s', rates, {
    ...describe(), us_per_step_median: roundSignificant(1e6 / (summarize(rates).median * stepsPerEpoch)), steps_per_epoch: stepsPerEpoch, loss: 'softmaxCrossEntropy',
  });
}

/** predict-latency: the mlp-mnist network on one sample [1,784] without a graph; median µs per call of 3 × 10,000. */
export function predictLatencyWorkload(): void {
  const model = mlp({ sizes: [784, 256, 128, 10], activation: 'relu' });
  model.eval();
  const input = new Tensor(uniformFloat32(784, 7), [1, 784]);
  const predict = () => noGrad(() => model.forward(input));
  for (let i = 0; i < 500; i++) predict();
  const medians: number[] = [];
  for (let run = 0; run < 3; run++) {
    const times = new Float64Array(10000);
    for (let i = 0; i < times.length; i++) {
      const start = process.hrtime.bigint();
      predict();
      times[i] = Number(process.hrtime.bigint() - start) / 1e3;
    }
    medians.push(summarize(Array.from(times)).median);
  }
  emit('predict-latency', 'latency_us', 'us', medians, { ...describe(), calls_per_run: 10000, how: 'noGrad(() => model.forward(Tensor[1,784]))' });
}
