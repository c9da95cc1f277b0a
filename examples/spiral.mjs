// Trains a small network on a two-arm spiral and prints the loss falling and the final accuracy.
// Run with `npm start` (after `npm ci`).
import { mlp, Adam, fit, makeSpiral, toDataset } from 'backprop';

const spiral = makeSpiral({ n: 600, noise: 0.05, seed: 1 });
const data = toDataset(spiral.x, spiral.y);
const model = mlp({ sizes: [2, 32, 32, 2], activation: 'relu', seed: 1 });
console.log(`spiral: ${spiral.x.rows} points, 2 classes; model 2-32-32-2 (relu), Adam, batch 32`);
const result = fit(model, data, {
  loss: 'softmaxCrossEntropy',
  optimizer: new Adam(model.parameters(), { lr: 0.01 }),
  epochs: 120,
  batchSize: 32,
  validationSplit: 0.2,
  seed: 1,
  onEpochEnd: ({ record }) => {
    if (record.epoch % 10 === 0 || record.epoch === 1) {
      const bar = '#'.repeat(Math.max(1, Math.round(record.loss * 40)));
      console.log(`epoch ${String(record.epoch).padStart(3)}  loss ${record.loss.toFixed(4)}  val loss ${record.valLoss.toFixed(4)}  val acc ${(100 * record.valMetrics.accuracy).toFixed(1)}%  ${bar}`);
    }
    for (const warning of record.warnings) console.log(`  warning: ${warning.message}`);
  },
});
const last = result.history.at(-1);
console.log(`done after ${result.history.length} epochs (${(result.timeMs / 1000).toFixed(1)} s): training accuracy ${(100 * last.metrics.accuracy).toFixed(1)}%, validation accuracy ${(100 * last.valMetrics.accuracy).toFixed(1)}%`);
