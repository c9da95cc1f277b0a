/**
 * The gemm workload: C = A·B in float32 for n×n matrices, GFLOP/s = 2n³/t (median of the reps), as
 * ../shared/bench defines it; plus `gemm-shapes`, the products one mlp-mnist training step makes
 * (forward A·Wᵀ, backward δᵀ·A and δ·W), to see the transposed cases the backward pass needs.
 */
import { backend } from '../src/index.js';
import { emit, nowSeconds } from './measure.js';
import { uniformFloat32 } from './workloads.js';

/** GFLOP/s of each of `reps` timed calls after `warmup` untimed ones. */
function timeGemm(transA: boolean, transB: boolean, m: number, n: number, k: number, warmup: number, reps: number): number[] {
  const a = uniformFloat32(m * k, 8);
  const b = uniformFloat32(k * n, 9);
  const c = new Float32Array(m * n);
  const kernels = backend();
  for (let i = 0; i < warmup; i++) kernels.gemm(transA, transB, m, n, k, a, b, c, false);
  const rates: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = nowSeconds();
    kernels.gemm(transA, transB, m, n, k, a, b, c, false);
    rates.push((2 * m * n * k) / (nowSeconds() - start) / 1e9);
  }
  return rates;
}

function describe(): Record<string, unknown> {
  return { backend: backend().name, threads: backend().threads };
}

export function gemmWorkload(sizes: readonly number[]): void {
  for (const n of sizes) {
    const reps = n <= 256 ? 50 : 10;
    const rates = timeGemm(false, false, n, n, n, 3, reps);
    emit(`gemm-${n}`, 'gflops', 'GFLOP/s', rates, { ...describe(), n, how: 'backend().gemm(false,false,n,n,n,a,b,c,false) fp32' });
  }
}

/** [name, transA, transB, m, n, k] of the mlp-mnist products (batch 128, layers 784-256-128-10). */
const MNIST_PRODUCTS: readonly [string, boolean, boolean, number, number, number][] = [
  ['fwd1-NT-128x256x784', false, true, 128, 256, 784],
  ['fwd2-NT-128x128x256', false, true, 128, 128, 256],
  ['gradW1-TN-256x784x128', true, false, 256, 784, 128],
  ['gradW2-TN-128x256x128', true, false, 128, 256, 128],
  ['gradX2-NN-128x256x128', false, false, 128, 256, 128],
  ['fwd3-NT-128x10x128', false, true, 128, 10, 128],
];

export function gemmShapesWorkload(): void {
  for (const [name, transA, transB, m, n, k] of MNIST_PRODUCTS) {
    const rates = timeGemm(transA, transB, m, n, k, 20, 200);
    emit(`gemm-${name}`, 'gflops', 'GFLOP/s', rates, { ...describe(), m, n, k, transA, transB });
  }
}
