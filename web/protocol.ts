/** Messages between the playground page and its training worker. */
import type { EpochRecord } from '../src/index.js';

/** The synthetic data sets the page offers: the library's two-feature classification sets. */
export const PLAYGROUND_DATA_SETS = ['spiral', 'xor', 'circles', 'moons', 'blobs'] as const;

/** A run's settings, checked (web/settings.ts parses and validates them). */
export interface PlaygroundSettings {
  dataset: (typeof PLAYGROUND_DATA_SETS)[number];
  noise: number;
  points: number;
  /** Hidden layer widths; [] is no hidden layer (written "none"). */
  hidden: number[];
  activation: string;
  /** One of the library's OPTIMIZER_NAMES. */
  optimizer: string;
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

/** Every setting's name, in the form's order. */
export const SETTING_NAMES = Object.keys(DEFAULT_SETTINGS) as (keyof PlaygroundSettings)[];

/** Each setting as the text the form and the address hold (no hidden layer is "none"); web/settings.ts reads it back. */
export function settingsToText(settings: PlaygroundSettings): [string, string][] {
  return SETTING_NAMES.map((name) => {
    const value = settings[name];
    return [name, Array.isArray(value) ? (value.length > 0 ? value.join(',') : 'none') : String(value)];
  });
}

/**
 * `train` carries the settings as (name, text) pairs, from the form or the address, unchecked: the
 * worker checks them (web/settings.ts) and answers `error` for a bad one instead of training.
 * `run` numbers the page's requests; the worker's answers carry it, so the page can ignore what a
 * stopped run still sends.
 */
export type ToWorker =
  | { type: 'train'; run: number; settings: [string, string][] }
  | { type: 'stop' }
  | { type: 'explain'; point: [number, number]; label: number };

export interface Points {
  x: number[];
  y: number[];
  label: number[];
}

export type FromWorker =
  | { type: 'data'; run: number; points: Points; classes: number; backend: string }
  | { type: 'epoch'; run: number; record: EpochRecord; grid: number[]; gridSize: number; extent: number }
  | { type: 'done'; run: number; stoppedBy: string; problem: string | null }
  | { type: 'explained'; text: string }
  | { type: 'error'; run: number; message: string };
