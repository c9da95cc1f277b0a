/**
 * The playground page: reads the settings (form ⇄ URL hash), starts the training worker, draws the
 * data, the decision boundary and the loss curves, and shows one explained step on click.
 * All training runs in the worker through the library; this file only draws.
 */
import { DEFAULT_SETTINGS, SETTING_NAMES, settingsToText } from './protocol.js';
import type { FromWorker, Points } from './protocol.js';

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

/** The form's fields as (name, text); the worker checks them (web/settings.ts). */
function readFields(): [string, string][] {
  return SETTING_NAMES.map((name) => [name, field(name).value]);
}

/** Fills the form; a select gets an option for a value it lacks (an address may name any optimiser, or a bad data set). */
function writeFields(entries: Iterable<readonly [string, string]>): void {
  for (const [name, text] of entries) {
    const element = field(name);
    if (!element) continue;
    if (element instanceof HTMLSelectElement && ![...element.options].some((option) => option.value === text)) element.add(new Option(text));
    element.value = text;
  }
}

/** The settings in the address, as (name, text), unchecked. */
function addressEntries(): [string, string][] {
  return [...new URLSearchParams(location.hash.slice(1))];
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

/** The number of the latest train request: what an earlier, stopped run still sends is not shown. */
let run = 0;

function showError(message: string): void {
  statusLine.textContent = `error: ${message}`;
  statusLine.dataset.error = message;
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const message = event.data;
  if (message.type !== 'explained' && message.run !== run) return;
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
    showError(message.message);
  }
};

/**
 * Trains with the settings (from the form or the address, as text) and keeps them in the address.
 * The worker checks them first: a bad one is refused before training, with a message naming the
 * setting and its value, and the run before is stopped either way.
 */
function start(entries: [string, string][]): void {
  location.hash = new URLSearchParams(entries).toString();
  losses.length = 0;
  run += 1;
  delete statusLine.dataset.epoch;
  delete statusLine.dataset.done;
  delete statusLine.dataset.error;
  statusLine.textContent = '';
  worker.postMessage({ type: 'train', run, settings: entries });
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
document.getElementById('train')!.addEventListener('click', () => start(readFields()));
document.getElementById('stop')!.addEventListener('click', () => worker.postMessage({ type: 'stop' }));
// The address is checked as written: a number field or a select would turn a bad value into ''.
writeFields([...settingsToText(DEFAULT_SETTINGS), ...addressEntries()]);
start(addressEntries());
