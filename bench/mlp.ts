/**
 * The MLP workloads in Node: times bench/workloads.ts on the selected backend and prints the
 * peers' JSON lines, plus predict-latency (one-sample inference, timed call by call).
 */
import { Tensor, backend, mlp, noGrad } from '../src/index.js';
import { emit, nowSeconds, roundSignificant, summarize } from './measure.js';
import { mnistFitRates, mnistTrainingRates, tinyEpochRates, tinyFitEpochRates, uniformFloat32, wideTrainingRates } from './workloads.js';

function describe(): Record<string, unknown> {
  return { backend: backend().name, threads: backend().threads };
}

/** mlp-mnist twice: the autograd loop (library "backprop"), then `fit` (library "backprop (fit)"). */
export function mlpMnistWorkload(): void {
  const rates = mnistTrainingRates(nowSeconds);
  emit('mlp-mnist', 'samples_per_s', 'samples/s', rates, {
    ...describe(), batch: 128, epoch_s_median: roundSignificant(60000 / summarize(rates).median), extrapolated: false,
    peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024), loss: 'softmaxCrossEntropy (log-softmax fused)',
    how: 'forward, loss, backward(), optimizer.step() per batch',
  });
  const { rates: fitRates, batchedSteps } = mnistFitRates(nowSeconds);
  emit('mlp-mnist', 'samples_per_s', 'samples/s', fitRates, {
    ...describe(), batch: 128, epoch_s_median: roundSignificant(60000 / summarize(fitRates).median), extrapolated: false,
    how: 'fit(model, {x, y}, {shuffle: false, diagnostics: false})', batched_steps: batchedSteps,
  }, 'backprop (fit)');
}

export function mlpWideWorkload(): void {
  const rates = wideTrainingRates(nowSeconds);
  const weights = 1024 * 2048 + 2048 * 2048 + 2048 * 1024;
  const median = summarize(rates).median;
  emit('mlp-wide', 'samples_per_s', 'samples/s', rates, {
    ...describe(), batch: 256, gflops_median: roundSignificant((median * 6 * weights) / 1e9), epoch_s_median: roundSignificant(8192 / median),
    extrapolated: false, loss: 'mseLoss',
  });
}

/**
 * µs a step over all the timed runs together (their total time over their total steps): beside the
 * median run, what the whole of a short loop cost, JIT warm-up included.
 */
function meanStepMicroseconds(epochRates: readonly number[]): number {
  return roundSignificant(epochRates.reduce((sum, rate) => sum + 1e6 / (rate * 10), 0) / epochRates.length);
}

/** mlp-tiny twice: the autograd loop (library "backprop"), then `fit` (library "backprop (fit)"). */
export function mlpTinyWorkload(): void {
  const rates = tinyEpochRates(nowSeconds);
  emit('mlp-tiny', 'epochs_per_s', 'epochs/s', rates, {
    ...describe(), us_per_step_median: roundSignificant(1e6 / (summarize(rates).median * 10)), us_per_step_all_runs: meanStepMicroseconds(rates), steps_per_epoch: 10,
    loss: 'softmaxCrossEntropy', how: 'forward, loss, backward(), optimizer.step() per batch',
  });
  const { rates: fitRates, batchedSteps } = tinyFitEpochRates(nowSeconds);
  emit('mlp-tiny', 'epochs_per_s', 'epochs/s', fitRates, {
    ...describe(), us_per_step_median: roundSignificant(1e6 / (summarize(fitRates).median * 10)), us_per_step_all_runs: meanStepMicroseconds(fitRates), steps_per_epoch: 10,
    loss: 'softmaxCrossEntropy',
    how: 'fit(model, {x, y}, {shuffle: false, diagnostics: false})', batched_steps: batchedSteps,
  }, 'backprop (fit)');
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
