/**
 * The wasm backend's second thread in a real browser: in a cross-origin-isolated page,
 * `createWasmBackendAsync({ threads: 2 })` resolves with its Web Worker running, and products
 * shared between the page and the worker give the one-thread backend's values bit for bit (the
 * same tiles, computed by the same kernel), as does training; in a page that is not isolated, the
 * same call falls back to one thread. The kernel's own count shows the worker runs chunks of the
 * products. Needs Debian's chromium (skipped, saying why, without it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SKIP_WITHOUT_CHROMIUM, withPage } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** What the page leaves in window.result. */
interface ThreadsResult {
  isolated: boolean;
  name: string;
  threads: number;
  /** Per product case: largest |two − one| and largest |two − js| / (1 + |js|). */
  products: { label: string; vsOneThread: number; vsTypeScript: number }[];
  threadsAfterTraining: number;
  sameWeights: boolean;
  loss: number;
  /** Chunks of products a worker ran in the page (-1 where none can start). */
  workerChunks: number;
}

const PAGE = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
  import * as bp from './backprop.js';
  try {
    const values = (count, seed) => {
      let state = seed;
      return Float32Array.from({ length: count }, () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5);
    };
    const two = await bp.createWasmBackendAsync({ threads: 2, timeoutMs: 30000 });
    const threadsAtStart = two.threads;
    const one = bp.createWasmBackend({ threads: 1 });
    const products = [];
    // Odd sizes (partial tiles), every transpose case, and accumulation; each over 10⁶ flops, so shared.
    for (const [transA, transB, m, n, k, accumulate] of [[false, false, 130, 200, 300, false], [true, false, 96, 257, 160, false], [false, true, 128, 190, 250, true], [true, true, 70, 300, 129, false]]) {
      const a = values(m * k, m + 1), b = values(k * n, n + 2), start = values(m * n, 3);
      const run = (backend) => { const out = start.slice(); backend.gemm(transA, transB, m, n, k, a, b, out, accumulate); return out; };
      const withTwo = run(two), withOne = run(one), reference = run(bp.jsBackend);
      let vsOneThread = 0, vsTypeScript = 0;
      for (let i = 0; i < withTwo.length; i++) {
        vsOneThread = Math.max(vsOneThread, Math.abs(withTwo[i] - withOne[i]));
        vsTypeScript = Math.max(vsTypeScript, Math.abs(withTwo[i] - reference[i]) / (1 + Math.abs(reference[i])));
      }
      products.push({ label: [transA, transB, m, n, k, accumulate].join(' '), vsOneThread, vsTypeScript });
    }
    // Training on each backend from the same seed: 256-256-10, batch 128 (products of 16.8 MFLOP).
    const train = (backend) => {
      const previous = bp.setBackend(backend);
      try {
        const x = bp.tensor(values(512 * 256, 7), [512, 256]);
        const y = Int32Array.from({ length: 512 }, (_, i) => (i * 7) % 10);
        const model = bp.mlp({ sizes: [256, 256, 10], activation: 'relu', seed: 3 });
        const result = bp.fit(model, { x, y }, { loss: 'softmaxCrossEntropy', optimizer: new bp.Adam(model.parameters(), { lr: 1e-3 }), epochs: 2, batchSize: 128, seed: 4 });
        return { weights: model.parameters().map((p) => Array.from(p.data)), loss: result.history.at(-1).loss };
      } finally {
        bp.setBackend(previous);
      }
    };
    const shared = train(two), single = train(one);
    // The kernel under the backend, to count the chunks its worker ran (-1: no worker can start here).
    let workerChunks = -1;
    const spawn = bp.browserSpawnWorker();
    if (spawn) {
      const runtime = bp.wasmRuntime();
      const kernel = new bp.WasmGemm(runtime, bp.chooseGemmBuild(runtime, true), (module, memory) => new bp.TilesWorker(module, memory, spawn));
      kernel.startWorker();
      for (let i = 0; i < 3000 && !kernel.workerReady; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      const n = 256, a = values(n * n, 9), out = new Float32Array(n * n);
      for (let i = 0; i < 50 && kernel.workerChunks === 0; i++) kernel.gemm(false, false, n, n, n, a, a, out, false);
      workerChunks = kernel.workerChunks;
    }
    window.result = { isolated: crossOriginIsolated, name: two.name, threads: threadsAtStart, products, threadsAfterTraining: two.threads,
      sameWeights: JSON.stringify(shared.weights) === JSON.stringify(single.weights), loss: shared.loss, workerChunks };
  } catch (error) {
    window.result = { error: String(error) };
  }
</script>`;

async function runPage(isolated: boolean): Promise<ThreadsResult> {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'backprop-threads-'));
  try {
    // The public API, plus the wasm kernel's classes to count the worker's chunks.
    const wasm = join(root, 'dist/src/kernels/wasm');
    writeFileSync(join(dir, 'entry.js'), [
      `export * from ${JSON.stringify(join(root, 'dist/src/index.js'))};`,
      `export { WasmGemm, chooseGemmBuild } from ${JSON.stringify(join(wasm, 'gemm.js'))};`,
      `export { TilesWorker } from ${JSON.stringify(join(wasm, 'threads.js'))};`,
      `export { browserSpawnWorker, wasmRuntime } from ${JSON.stringify(join(wasm, 'runtime.js'))};`,
    ].join('\n'));
    await build({ entryPoints: [join(dir, 'entry.js')], bundle: true, format: 'esm', platform: 'browser', outfile: join(dir, 'backprop.js'), logLevel: 'error' });
    writeFileSync(join(dir, 'index.html'), PAGE);
    return await withPage(dir, '', async (tab, errors) => {
      await tab.waitForFunction(() => (globalThis as unknown as { result?: unknown }).result !== undefined, null, { timeout: 90_000 });
      const result = await tab.evaluate(() => (globalThis as unknown as { result: ThreadsResult & { error?: string } }).result);
      assert.equal(result.error, undefined, result.error);
      assert.deepEqual(errors, []);
      return result;
    }, { isolated });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertAgrees(result: ThreadsResult): void {
  assert.equal(result.products.length, 4);
  for (const { label, vsOneThread, vsTypeScript } of result.products) {
    assert.equal(vsOneThread, 0, `${label}: two threads give the one-thread values`);
    assert.ok(vsTypeScript < 1e-4, `${label}: within float32 tolerance of the TypeScript backend (${vsTypeScript})`);
  }
  assert.equal(result.sameWeights, true, 'training on two threads gives the one-thread weights');
  assert.ok(Number.isFinite(result.loss));
}

test('wasm threads in Chromium: a cross-origin-isolated page gets its worker, with the one-thread values', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 180_000 }, async () => {
  const result = await runPage(true);
  assert.equal(result.isolated, true);
  assert.match(result.name, /^wasm/);
  assert.equal(result.threads, 2, 'the worker runs when createWasmBackendAsync resolves');
  assert.equal(result.threadsAfterTraining, 2);
  assert.ok(result.workerChunks > 0, `the worker ran chunks of shared products (${result.workerChunks})`);
  assertAgrees(result);
});

test('wasm threads in Chromium: a page that is not cross-origin isolated falls back to one thread', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 180_000 }, async () => {
  const result = await runPage(false);
  assert.equal(result.isolated, false);
  assert.equal(result.threads, 1);
  assert.equal(result.workerChunks, -1, 'no worker can share memory here');
  assertAgrees(result);
});
