/**
 * The engine runs unchanged in a browser: src/ is bundled as it is (esbuild, ESM) and loaded
 * into headless Chromium, which trains XOR with fitAsync and runs a float64 gradient check.
 * Needs Debian's chromium (.ci/run installs it); without it the test is skipped, saying why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SKIP_WITHOUT_CHROMIUM, withPage } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the engine trains a network inside headless Chromium', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 120_000 }, async () => {
  const { build } = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'backprop-browser-'));
  try {
    await build({ entryPoints: [join(root, 'dist/src/index.js')], bundle: true, format: 'esm', platform: 'browser', outfile: join(dir, 'backprop.js'), logLevel: 'error' });
    const page = `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module">
      import * as bp from './backprop.js';
      const x = bp.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]);
      const y = Int32Array.from([0, 1, 1, 0]);
      const model = bp.mlp({ sizes: [2, 8, 2], activation: 'tanh', seed: 1 });
      const result = await bp.fitAsync(model, { x, y }, { loss: 'softmaxCrossEntropy', optimizer: new bp.Adam(model.parameters(), { lr: 0.05 }), epochs: 300, batchSize: 4, seed: 1 });
      const w = bp.tensor([[0.5, -1.5], [2, 0.25]], { dtype: 'float64', requiresGrad: true });
      const check = bp.gradcheck((v) => bp.sum(bp.gelu(bp.matmul(v, v))), [w]);
      window.result = { backend: bp.backend().name, loss: result.history.at(-1).loss, accuracy: result.history.at(-1).metrics.accuracy, gradcheck: check.passed, weights: Array.from(model.parameters()[0].data) };
    </script>`;
    writeFileSync(join(dir, 'index.html'), page);
    await withPage(dir, '', async (tab, errors) => {
      // The page functions run in the browser, where `globalThis` is the window.
      await tab.waitForFunction(() => (globalThis as unknown as { result?: unknown }).result !== undefined, null, { timeout: 60_000 });
      const result = await tab.evaluate(() => (globalThis as unknown as { result: { backend: string; loss: number; accuracy: number; gradcheck: boolean; weights: number[] } }).result);
      assert.deepEqual(errors, []);
      // Nobody chose a backend in the page: the default is WebAssembly (Chromium has SIMD).
      assert.match(result.backend, /^wasm/);
      assert.ok(result.loss < 0.05, `browser XOR loss ${result.loss}`);
      assert.equal(result.accuracy, 1);
      assert.equal(result.gradcheck, true);
      // The same seed gives the same weights in the browser as in Node.
      const bp = await import('../../src/index.js');
      // The reference runs the TypeScript backend (BACKPROP_BACKEND may select another here). The
      // page's wasm backend gives the same bits for this network: its products and arrays are under
      // the wasm kernels' thresholds (TypeScript runs them), and its Adam kernel reproduces
      // src/optim's arithmetic exactly.
      const previousBackend = bp.setBackend('js');
      try {
        const model = bp.mlp({ sizes: [2, 8, 2], activation: 'tanh', seed: 1 });
        bp.fit(model, { x: bp.tensor([[0, 0], [0, 1], [1, 0], [1, 1]]), y: Int32Array.from([0, 1, 1, 0]) }, { loss: 'softmaxCrossEntropy', optimizer: new bp.Adam(model.parameters(), { lr: 0.05 }), epochs: 300, batchSize: 4, seed: 1 });
        assert.deepEqual(result.weights, Array.from(model.parameters()[0].data));
      } finally {
        bp.setBackend(previousBackend);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
