import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adam, SGD, Tensor, setBackend } from '../../src/index.js';
import { Rng } from '../../src/util/rng.js';
import { nodeBackends } from '../../node/backends.js';
import { nativeOptimizerKernels } from '../../node/native.js';
import type { AdamUpdateKernel } from '../../node/native.js';
import { createWasmBackend } from '../../src/kernels/wasm/index.js';

const nativeBuilt = nodeBackends().some((entry) => entry.family === 'native' && entry.backend !== null);

function wasmAdamUpdate(): AdamUpdateKernel | null {
  try {
    return createWasmBackend().adamUpdate ?? null;
  } catch {
    return null;
  }
}

const wasmAdam = wasmAdamUpdate();

test('native adamUpdate reproduces src/optim Adam bit for bit (plain, L2, AMSGrad)', { skip: nativeBuilt ? false : 'native addon not built' }, () => {
  checkAdamKernel(nativeOptimizerKernels().adamUpdate, [1000, 40_000]);
});

test('wasm adamUpdate reproduces src/optim Adam bit for bit (plain, L2, AMSGrad; even and odd sizes)', { skip: wasmAdam ? false : 'wasm kernels not assembled' }, () => {
  // 131,075: three blocks of the module's memory, the last odd.
  checkAdamKernel(wasmAdam!, [1, 2, 7, 1000, 1001, 131_075]);
});

/** Runs `adamUpdate` beside an Adam optimiser for 25 steps and asserts the same weights bit for bit. */
function checkAdamKernel(adamUpdate: AdamUpdateKernel, sizes: readonly number[]): void {
  // The reference is the optimiser's own loop: on the TypeScript backend, whatever the default.
  const previous = setBackend('js');
  try {
    checkAdamKernelOnJs(adamUpdate, sizes);
  } finally {
    setBackend(previous);
  }
}

function checkAdamKernelOnJs(adamUpdate: AdamUpdateKernel, sizes: readonly number[]): void {
  const rng = new Rng(11);
  type Options = { lr: number; weightDecay?: number; amsgrad?: boolean; beta1?: number; beta2?: number; eps?: number };
  const cases: Options[] = [{ lr: 1e-3 }, { lr: 0.01, weightDecay: 0.1 }, { lr: 0.005, amsgrad: true, beta1: 0.8, beta2: 0.99, eps: 1e-6 }];
  // 40,000 elements take the native addon's two-thread path; odd sizes the wasm kernel's scalar tail.
  for (const [options, size] of cases.flatMap((options) => sizes.map((size) => [options, size] as const))) {
    const start = Float32Array.from({ length: size }, () => rng.normal());
    const param = new Tensor(start.slice(), [size], true);
    const optimizer = new Adam([param], options);
    const { beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0, amsgrad = false } = options;
    const w = start.slice(), m = new Float32Array(size), v = new Float32Array(size), vMax = amsgrad ? new Float32Array(size) : null;
    for (let step = 1; step <= 25; step++) {
      const gradient = Float32Array.from({ length: size }, (_, i) => (i % 7 === 0 ? 0 : 1e-3 * rng.normal()));
      param.grad = new Tensor(gradient.slice(), [size]);
      optimizer.step();
      adamUpdate(w, gradient, m, v, vMax, options.lr / (1 - Math.pow(beta1, step)), beta1, beta2, eps, Math.sqrt(1 - Math.pow(beta2, step)), weightDecay);
    }
    assert.deepEqual(w, param.data, `Adam ${JSON.stringify(options)} on ${size} weights`);
    if (vMax && size >= 1000) assert.ok(vMax.some((value, i) => value > v[i]), 'AMSGrad: some maximum exceeds the current second moment');
  }
}

test('native sgdUpdate reproduces src/optim SGD bit for bit (plain, momentum in both conventions, Nesterov, weight decay)', { skip: nativeBuilt ? false : 'native addon not built' }, () => {
  const { sgdUpdate } = nativeOptimizerKernels();
  const rng = new Rng(12);
  type Options = { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number; momentumConvention?: 'pytorch' | 'textbook' };
  const cases: Options[] = [
    { lr: 0.1 }, { lr: 0.05, weightDecay: 0.01 }, { lr: 0.01, momentum: 0.9 }, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
    { lr: 0.02, momentum: 0.8, momentumConvention: 'textbook' }, { lr: 0.02, momentum: 0.8, nesterov: true, momentumConvention: 'textbook' },
  ];
  for (const [options, size] of cases.flatMap((options) => [[options, 1000], [options, 40_000]] as const)) {
    const start = Float32Array.from({ length: size }, () => rng.normal());
    const param = new Tensor(start.slice(), [size], true);
    const optimizer = new SGD([param], options);
    const { momentum = 0, nesterov = false, weightDecay = 0, momentumConvention = 'pytorch' } = options;
    const w = start.slice();
    const velocity = momentum > 0 ? new Float32Array(size) : null;
    for (let step = 1; step <= 25; step++) {
      const gradient = Float32Array.from({ length: size }, () => 0.1 * rng.normal());
      param.grad = new Tensor(gradient.slice(), [size]);
      optimizer.step();
      sgdUpdate(w, gradient, velocity, options.lr, momentum, weightDecay, nesterov, momentumConvention === 'textbook');
    }
    assert.deepEqual(w, param.data, `SGD ${JSON.stringify(options)} on ${size} weights`);
  }
});
