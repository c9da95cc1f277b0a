/** Messages between the playground page and its training worker. */
import type { EpochRecord } from '../src/index.js';

export interface PlaygroundSettings {
  dataset: 'xor' | 'circles' | 'moons' | 'spiral' | 'blobs';
  noise: number;
  points: number;
  hidden: number[];
  activation: string;
  optimizer: 'sgd' | 'adam' | 'rmsprop';
  lr: number;
  batchSize: number;
  epochs: number;
  l2: number;
  dropout: number;
  seed: number;
}

export const DEFAULT_SETTINGS: PlaygroundSettings = {
  dataset: 'spiral',
  noise: 0.05,
  points: 400,
  hidden: [16, 16],
  activation: 'tanh',
  optimizer: 'adam',
  lr: 0.02,
  batchSize: 16,
  epochs: 300,
  l2: 0,
  dropout: 0,
  seed: 1,
};

export type ToWorker = { type: 'train'; settings: PlaygroundSettings } | { type: 'stop' } | { type: 'explain'; point: [number, number]; label: number };

export interface Points {
  x: number[];
  y: number[];
  label: number[];
}

export type FromWorker =
  | { type: 'data'; points: Points; classes: number; backend: string }
  | { type: 'epoch'; record: EpochRecord; grid: number[]; gridSize: number; extent: number }
  | { type: 'done'; stoppedBy: string; problem: string | null }
  | { type: 'explained'; text: string }
  | { type: 'error'; message: string };
