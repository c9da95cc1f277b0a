/**
 * Seeded synthetic data sets for demos, tests and `backprop data make`. Every generator draws from
 * `new Rng(seed)` only, so a seed reproduces the set exactly. N(0, σ²) below is `σ · rng.normal()`,
 * U(a, b) is `rng.uniformRange(a, b)`; `noise` is always the σ of Gaussian noise (default 0.1, or 1
 * for blobs). Classification sets assign row i to class i mod C (classes interleave and are
 * balanced to within one row); their features are x1, x2 and their target `label`.
 */
import { checkNumber } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { formatCsv } from './csv.js';
import { formatFloat32 } from './number.js';
import type { Matrix } from './table.js';

export interface SyntheticData {
  /** Feature names, one per column of x (e.g. x1, x2). */
  featureNames: string[];
  /** The target's name: "label" (classification) or "y" (regression). */
  targetName: string;
  task: 'classification' | 'regression';
  /** Number of classes (classification) or 0. */
  classCount: number;
  x: Matrix;
  /** Class index 0 … classCount−1, or the regression value. */
  y: Int32Array | Float32Array;
}

export interface SyntheticOptions {
  /** Number of rows. Default 200. */
  n?: number;
  /** σ of the Gaussian noise; see each generator. */
  noise?: number;
  /** Seed of the generator. Default 0. */
  seed?: number;
}

/**
 * XOR: (x1, x2) ~ U(−1, 1)², label 1 when x1·x2 < 0 (the signs differ) else 0, decided before
 * noise N(0, noise²) is added to each coordinate. Classes come out roughly, not exactly, balanced.
 */
export function makeXor(options: SyntheticOptions = {}): SyntheticData {
  const { n, noise, rng } = common('makeXor', options, 0.1);
  return classification(n, 2, 2, (row, point) => {
    const a = rng.uniformRange(-1, 1);
    const b = rng.uniformRange(-1, 1);
    point[0] = a + noise * rng.normal();
    point[1] = b + noise * rng.normal();
    return a * b < 0 ? 1 : 0;
  });
}

/**
 * Two concentric circles: θ ~ U(0, 2π); class 0 on radius 1, class 1 on radius `factor`
 * (default 0.5, in (0, 1)); point = r·(cos θ, sin θ) + N(0, noise²) per coordinate.
 */
export function makeCircles(options: SyntheticOptions & { factor?: number } = {}): SyntheticData {
  const { n, noise, rng } = common('makeCircles', options, 0.1);
  const factor = checkNumber('makeCircles', 'factor', options.factor ?? 0.5, { min: 0, max: 1, exclusiveMin: true });
  return classification(n, 2, 2, (row, point) => {
    const label = row % 2;
    const radius = label === 0 ? 1 : factor;
    const angle = rng.uniformRange(0, 2 * Math.PI);
    point[0] = radius * Math.cos(angle) + noise * rng.normal();
    point[1] = radius * Math.sin(angle) + noise * rng.normal();
    return label;
  });
}

/**
 * Two interleaving half circles: t ~ U(0, π); class 0 at (cos t, sin t), class 1 at
 * (1 − cos t, 0.5 − sin t); plus N(0, noise²) per coordinate.
 */
export function makeMoons(options: SyntheticOptions = {}): SyntheticData {
  const { n, noise, rng } = common('makeMoons', options, 0.1);
  return classification(n, 2, 2, (row, point) => {
    const label = row % 2;
    const t = rng.uniformRange(0, Math.PI);
    point[0] = (label === 0 ? Math.cos(t) : 1 - Math.cos(t)) + noise * rng.normal();
    point[1] = (label === 0 ? Math.sin(t) : 0.5 - Math.sin(t)) + noise * rng.normal();
    return label;
  });
}

/**
 * Spiral arms, one per class (`classes` default 2, as in CS231n's spiral): for class c, u ~ U(0, 1),
 * radius r = u, angle θ = 2π·c/C + 2π·turns·u (`turns` default 1);
 * point = r·(cos θ, sin θ) + N(0, noise²) per coordinate.
 */
export function makeSpiral(options: SyntheticOptions & { classes?: number; turns?: number } = {}): SyntheticData {
  const { n, noise, rng } = common('makeSpiral', options, 0.1);
  const classes = checkNumber('makeSpiral', 'classes', options.classes ?? 2, { min: 2, max: 100, integer: true });
  const turns = checkNumber('makeSpiral', 'turns', options.turns ?? 1, { min: 0, max: 10, exclusiveMin: true });
  return classification(n, 2, classes, (row, point) => {
    const label = row % classes;
    const u = rng.uniform();
    const angle = (2 * Math.PI * label) / classes + 2 * Math.PI * turns * u;
    point[0] = u * Math.cos(angle) + noise * rng.normal();
    point[1] = u * Math.sin(angle) + noise * rng.normal();
    return label;
  });
}

/**
 * Gaussian blobs: `classes` (default 3) centres drawn first, each coordinate ~ U(−5, 5); then each
 * point = centre of its class + N(0, noise²) per coordinate (noise default 1), in `dimensions`
 * (default 2) features x1 … xd.
 */
export function makeBlobs(options: SyntheticOptions & { classes?: number; dimensions?: number } = {}): SyntheticData {
  const { n, noise, rng } = common('makeBlobs', options, 1);
  const classes = checkNumber('makeBlobs', 'classes', options.classes ?? 3, { min: 2, max: 100, integer: true });
  const dimensions = checkNumber('makeBlobs', 'dimensions', options.dimensions ?? 2, { min: 1, max: 1000, integer: true });
  const centres = Array.from({ length: classes }, () => Array.from({ length: dimensions }, () => rng.uniformRange(-5, 5)));
  return classification(n, dimensions, classes, (row, point) => {
    const label = row % classes;
    for (let d = 0; d < dimensions; d++) point[d] = centres[label][d] + noise * rng.normal();
    return label;
  });
}

/** 1-D regression: x ~ U(−π, π), y = sin(x) + N(0, noise²); feature `x`, target `y`. */
export function makeSin(options: SyntheticOptions = {}): SyntheticData {
  const { n, noise, rng } = common('makeSin', options, 0.1);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.uniformRange(-Math.PI, Math.PI);
    y[i] = Math.sin(x[i]) + noise * rng.normal();
  }
  return { featureNames: ['x'], targetName: 'y', task: 'regression', classCount: 0, x: { data: x, rows: n, columns: 1 }, y };
}

/** The generators by name, as `backprop data make <name>` offers them. */
export const SYNTHETIC_DATA_SETS = {
  xor: makeXor,
  circles: makeCircles,
  moons: makeMoons,
  spiral: makeSpiral,
  blobs: makeBlobs,
  sin: makeSin,
} as const;

export type SyntheticName = keyof typeof SYNTHETIC_DATA_SETS;

/**
 * CSV text of a synthetic set: header `x1,…,label` (or `x,y`), one row per sample, features as
 * the shortest text that reads back to the same float32, class labels as integers.
 */
export function syntheticToCsv(set: SyntheticData): string {
  const { x, y } = set;
  const rows: string[][] = [];
  for (let i = 0; i < x.rows; i++) {
    const row: string[] = [];
    for (let j = 0; j < x.columns; j++) row.push(formatFloat32(x.data[i * x.columns + j]));
    row.push(set.task === 'classification' ? String(y[i]) : formatFloat32(y[i]));
    rows.push(row);
  }
  return formatCsv([...set.featureNames, set.targetName], rows);
}

/** The most rows a synthetic set has (about 500 MB of CSV). */
export const SYNTHETIC_MAX_ROWS = 10_000_000;

function common(where: string, options: SyntheticOptions, defaultNoise: number): { n: number; noise: number; rng: Rng } {
  const n = checkNumber(where, 'n', options.n ?? 200, { min: 1, max: SYNTHETIC_MAX_ROWS, integer: true });
  const noise = checkNumber(where, 'noise', options.noise ?? defaultNoise, { min: 0 });
  const seed = checkNumber(where, 'seed', options.seed ?? 0, { integer: true });
  return { n, noise, rng: new Rng(seed) };
}

/** Fills an n × dimensions matrix row by row; `sample(row, point)` writes the point and returns its class. */
function classification(n: number, dimensions: number, classCount: number, sample: (row: number, point: Float64Array) => number): SyntheticData {
  const data = new Float32Array(n * dimensions);
  const labels = new Int32Array(n);
  const point = new Float64Array(dimensions);
  for (let i = 0; i < n; i++) {
    labels[i] = sample(i, point);
    data.set(point, i * dimensions);
  }
  const featureNames = Array.from({ length: dimensions }, (_, d) => `x${d + 1}`);
  return { featureNames, targetName: 'label', task: 'classification', classCount, x: { data, rows: n, columns: dimensions }, y: labels };
}
