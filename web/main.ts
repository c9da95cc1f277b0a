/**
 * The playground page: reads the settings (form ⇄ URL hash), starts the training worker, draws the
 * data, the decision boundary and the loss curves, and shows one explained step on click.
 * All training runs in the worker through the library; this file only draws.
 */
import { DEFAULT_SETTINGS } from './protocol.js';
import type { FromWorker, PlaygroundSettings, Points } from './protocol.js';

const COLOURS = [[31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189]];
const form = document.getElementById('settings') as HTMLFieldSetElement;
const map = document.getElementById('map') as HTMLCanvasElement;
const lossCanvas = document.getElementById('loss') as HTMLCanvasElement;
const statusLine = document.getElementById('status') as HTMLDivElement;
const warningsBox = document.getElementById('warnings') as HTMLDivElement;
const explainBox = document.getElementById('explain') as HTMLDivElement;

let points: Points | null = null;
let extent = 1;
const losses: { loss: number; valLoss: number | null }[] = [];
const worker = new Worker('./worker.js', { type: 'module' });

function field(name: string): HTMLInputElement | HTMLSelectElement {
  return form.querySelector(`[name="${name}"]`) as HTMLInputElement | HTMLSelectElement;
}

function readSettings(): PlaygroundSettings {
  const number = (name: string) => Number(field(name).value);
  return {
    dataset: field('dataset').value as PlaygroundSettings['dataset'],
    noise: number('noise'),
    points: number('points'),
    hidden: field('hidden').value.split(',').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 0),
    activation: field('activation').value,
    optimizer: field('optimizer').value as PlaygroundSettings['optimizer'],
    lr: number('lr'),
    batchSize: number('batchSize'),
    epochs: number('epochs'),
    l2: number('l2'),
    dropout: number('dropout'),
    seed: number('seed'),
  };
}

function writeSettings(settings: PlaygroundSettings): void {
  for (const [key, value] of Object.entries(settings)) {
    const element = field(key);
    if (element) element.value = Array.isArray(value) ? value.join(',') : String(value);
  }
}

function settingsFromHash(): PlaygroundSettings {
  const settings = { ...DEFAULT_SETTINGS };
  const params = new URLSearchParams(location.hash.slice(1));
  for (const [key, value] of params) {
    if (!(key in settings)) continue;
    const current = (settings as Record<string, unknown>)[key];
    (settings as Record<string, unknown>)[key] = Array.isArray(current) ? value.split(',').map(Number) : typeof current === 'number' ? Number(value) : value;
  }
  return settings;
}

function toPixel(v: number, size: number): number {
  return ((v + extent) / (2 * extent)) * size;
}

function drawMap(grid: number[] | null, gridSize: number): void {
  const context = map.getContext('2d')!;
  const size = map.width;
  context.clearRect(0, 0, size, size);
  if (grid) {
    const cell = size / gridSize;
    grid.forEach((value, i) => {
      const [r, g, b] = COLOURS[Math.floor(value) % COLOURS.length];
      const confidence = value - Math.floor(value);
      context.fillStyle = `rgba(${r},${g},${b},${0.15 + 0.35 * confidence})`;
      context.fillRect((i % gridSize) * cell, Math.floor(i / gridSize) * cell, cell + 1, cell + 1);
    });
  }
  if (points) {
    points.x.forEach((x, i) => {
      const [r, g, b] = COLOURS[points!.label[i] % COLOURS.length];
      context.fillStyle = `rgb(${r},${g},${b})`;
      context.beginPath();
      context.arc(toPixel(x, size), size - toPixel(points!.y[i], size), 3, 0, 2 * Math.PI);
      context.fill();
    });
  }
}

function drawLoss(): void {
  const context = lossCanvas.getContext('2d')!;
  const { width, height } = lossCanvas;
  context.clearRect(0, 0, width, height);
  if (losses.length < 2) return;
  const top = Math.max(...losses.map((l) => Math.max(l.loss, l.valLoss ?? 0)));
  const line = (key: 'loss' | 'valLoss', colour: string) => {
    context.strokeStyle = colour;
    context.beginPath();
    losses.forEach((l, i) => {
      const value = l[key] ?? 0;
      const x = (i / (losses.length - 1)) * width;
      const y = height - (value / top) * (height - 10);
      if (i === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    });
    context.stroke();
  };
  line('loss', '#1f77b4');
  line('valLoss', '#ff7f0e');
  context.fillStyle = '#222';
  context.fillText('training loss (blue), validation loss (orange)', 6, 12);
}

/** The backend the worker trains on, as it reported. */
let backendName = '';

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type === 'data') {
    points = message.points;
    backendName = message.backend;
    statusLine.dataset.backend = backendName;
    extent = Math.max(1, ...points.x.map(Math.abs), ...points.y.map(Math.abs)) * 1.1;
    drawMap(null, 1);
  } else if (message.type === 'epoch') {
    const { record } = message;
    losses.push({ loss: record.loss, valLoss: record.valLoss });
    extent = message.extent;
    drawMap(message.grid, message.gridSize);
    drawLoss();
    statusLine.textContent = `epoch ${record.epoch}  loss ${record.loss.toFixed(4)}  validation loss ${record.valLoss?.toFixed(4)}  validation accuracy ${((record.valMetrics?.accuracy ?? 0) * 100).toFixed(1)}%  (${backendName} backend)`;
    statusLine.dataset.epoch = String(record.epoch);
    statusLine.dataset.accuracy = String(record.valMetrics?.accuracy ?? 0);
    warningsBox.textContent = record.warnings.map((w) => w.message).join('\n');
  } else if (message.type === 'done') {
    statusLine.textContent += `  (stopped: ${message.stoppedBy}${message.problem ? `: ${message.problem}` : ''})`;
    statusLine.dataset.done = message.stoppedBy;
  } else if (message.type === 'explained') {
    explainBox.textContent = message.text;
  } else if (message.type === 'error') {
    statusLine.textContent = `error: ${message.message}`;
    statusLine.dataset.error = message.message;
  }
};

function start(): void {
  const settings = readSettings();
  location.hash = new URLSearchParams(Object.entries(settings).map(([k, v]) => [k, String(v)])).toString();
  losses.length = 0;
  delete statusLine.dataset.done;
  worker.postMessage({ type: 'train', settings });
}

map.addEventListener('click', (event) => {
  const rect = map.getBoundingClientRect();
  const x = ((event.clientX - rect.left) / rect.width) * 2 * extent - extent;
  const y = extent - ((event.clientY - rect.top) / rect.height) * 2 * extent;
  let label = 0;
  if (points) {
    let best = Infinity;
    points.x.forEach((px, i) => {
      const d = (px - x) ** 2 + (points!.y[i] - y) ** 2;
      if (d < best) {
        best = d;
        label = points!.label[i];
      }
    });
  }
  worker.postMessage({ type: 'explain', point: [x, y], label });
});
document.getElementById('train')!.addEventListener('click', start);
document.getElementById('stop')!.addEventListener('click', () => worker.postMessage({ type: 'stop' }));
writeSettings(settingsFromHash());
start();
