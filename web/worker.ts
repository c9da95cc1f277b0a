/**
 * The playground's training worker: checks the settings (web/settings.ts, refusing bad ones with
 * an `error` before anything trains), builds the data set and the network from them,
 * trains with the library's Trainer (async, so a stop message is heard), and after every epoch
 * posts the history record and the class-1 probability over a grid (the decision boundary).
 */
import { Trainer, backend, createOptimizer, explainStep, mlp, noGrad, softmax, tensor, toDataset, SYNTHETIC_DATA_SETS } from '../src/index.js';
import type { Module } from '../src/index.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { parseSettings } from './settings.js';

declare const self: { postMessage(message: FromWorker): void; onmessage: ((event: { data: ToWorker }) => void) | null };

const GRID = 48;
let current: Trainer | null = null;
let model: Module | null = null;
/** The page's latest train request: an error outside a run is reported against it. */
let latestRun = 0;

function post(message: FromWorker): void {
  self.postMessage(message);
}

function grid(net: Module, extent: number): number[] {
  const points: number[][] = [];
  for (let r = 0; r < GRID; r++)
    for (let c = 0; c < GRID; c++) points.push([-extent + (2 * extent * (c + 0.5)) / GRID, extent - (2 * extent * (r + 0.5)) / GRID]);
  const wasTraining = net.training;
  net.eval();
  const probabilities = noGrad(() => softmax(net.forward(tensor(points))));
  net.train(wasTraining);
  const classes = probabilities.shape[1];
  const result: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probabilities.data[i * classes + k] > probabilities.data[i * classes + best]) best = k;
    result.push(best + probabilities.data[i * classes + best] * 0.999); // class index + confidence
  }
  return result;
}

async function train(run: number, entries: [string, string][]): Promise<void> {
  current?.requestStop();
  // Cleared first, so a refused request leaves no run to report `done`.
  current = null;
  const settings = parseSettings(entries);
  const data = SYNTHETIC_DATA_SETS[settings.dataset]({ n: settings.points, noise: settings.noise, seed: settings.seed });
  const labels = data.y as Int32Array;
  let extent = 1;
  for (const v of data.x.data) extent = Math.max(extent, Math.abs(v) * 1.1);
  post({
    type: 'data',
    run,
    classes: data.classCount,
    // The engine's default backend in this worker: wasm where the browser has WebAssembly SIMD.
    backend: backend().name,
    points: { x: Array.from({ length: data.x.rows }, (_, i) => data.x.data[2 * i]), y: Array.from({ length: data.x.rows }, (_, i) => data.x.data[2 * i + 1]), label: Array.from(labels) },
  });
  const net = mlp({ sizes: [2, ...settings.hidden, data.classCount], activation: settings.activation as never, dropout: settings.dropout, seed: settings.seed });
  model = net;
  const trainer = new Trainer(net, toDataset(data.x, labels), {
    loss: 'softmaxCrossEntropy',
    optimizer: createOptimizer(settings.optimizer, net.parameters(), { lr: settings.lr }),
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    validationSplit: 0.2,
    l2: settings.l2,
    seed: settings.seed,
    onEpochEnd: ({ record }) => post({ type: 'epoch', run, record, grid: grid(net, extent), gridSize: GRID, extent }),
  });
  current = trainer;
  const result = await trainer.fitAsync(30);
  if (current === trainer) post({ type: 'done', run, stoppedBy: result.stoppedBy, problem: result.problem });
}

function explain(point: [number, number], label: number): void {
  if (!model) return;
  const step = explainStep(model, tensor([point]), Int32Array.from([label]), { loss: 'softmaxCrossEntropy', lr: 0.1 });
  const number = (v: number) => (v !== 0 && Math.abs(v) < 1e-3 ? v.toExponential(2) : v.toFixed(4));
  const fmt = (rows: number[][]) => rows.map((row) => row.map(number).join('  ')).join('\n');
  const lines = [`sample x = (${point.map((v) => v.toFixed(3)).join(', ')}), label ${label}; loss C = ${step.loss.toFixed(5)}`];
  for (const layer of step.layers) {
    lines.push(`\nlayer ${layer.index}: ${layer.description}`, `z = ${fmt(layer.z)}`, `a = ${fmt(layer.a)}`);
  }
  lines.push('\nbackwards: δᴸ = ∂C/∂aᴸ ⊙ f′(zᴸ), δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ f′(zˡ), ∂C/∂Wˡ = δˡ·(aˡ⁻¹)ᵀ, ∂C/∂bˡ = δˡ');
  for (const layer of [...step.layers].reverse()) {
    lines.push(`\nδ${layer.index} = ∂C/∂z${layer.index} = ${fmt(layer.delta)}`, `∂C/∂W${layer.index} =\n${fmt(layer.gradWeights)}`);
  }
  post({ type: 'explained', text: lines.join('\n') });
}

self.onmessage = (event) => {
  const message = event.data;
  try {
    if (message.type === 'train') {
      latestRun = message.run;
      void train(message.run, message.settings).catch((error: Error) => post({ type: 'error', run: message.run, message: error.message }));
    } else if (message.type === 'stop') current?.requestStop();
    else if (message.type === 'explain') explain(message.point, message.label);
  } catch (error) {
    post({ type: 'error', run: latestRun, message: (error as Error).message });
  }
};
