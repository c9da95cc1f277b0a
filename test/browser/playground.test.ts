/** The playground page trains in its worker, draws, and explains a step on click. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SKIP_WITHOUT_CHROMIUM, withPage } from './harness.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

test('the playground trains a spiral in its worker and explains a clicked point', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-playground-'));
  try {
    execFileSync(process.execPath, [join(root, 'web/build.mjs'), dir], { stdio: 'ignore' });
    await withPage(dir, '#dataset=moons&epochs=60&hidden=8,8&lr=0.03&points=200', async (page, errors) => {
      await page.waitForSelector('#status[data-done]', { timeout: 90_000 });
      const status = {
        done: await page.getAttribute('#status', 'data-done'),
        epoch: await page.getAttribute('#status', 'data-epoch'),
        accuracy: await page.getAttribute('#status', 'data-accuracy'),
        text: await page.textContent('#status'),
        backend: await page.getAttribute('#status', 'data-backend'),
      };
      assert.deepEqual(errors, []);
      assert.equal(status.done, 'epochs', status.text ?? '');
      assert.equal(status.epoch, '60');
      // The worker trains on the default backend: WebAssembly in Chromium, shown in the status line.
      assert.match(status.backend ?? '', /^wasm/);
      assert.match(status.text ?? '', /\(wasm(-relaxed)? backend\)/);
      assert.ok(Number(status.accuracy) >= 0.9, `validation accuracy ${status.accuracy}`);
      await page.click('#map', { position: { x: 100, y: 100 } });
      await page.waitForSelector('#explain:has-text("δ1")', { timeout: 10_000 });
      const text = await page.textContent('#explain');
      assert.match(text!, /loss C = \d/);
      assert.match(text!, /layer 1: Dense\(2→8, tanh\)/);
      if (process.env.PLAYGROUND_SCREENSHOT) await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT, fullPage: true });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the playground refuses a bad setting from the address or the form with a message, and does not train', { skip: SKIP_WITHOUT_CHROMIUM, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-playground-'));
  try {
    execFileSync(process.execPath, [join(root, 'web/build.mjs'), dir], { stdio: 'ignore' });
    await withPage(dir, '#dataset=moons&epochs=5&hidden=8&lr=abc&points=100', async (page, errors) => {
      await page.waitForSelector('#status[data-error]', { timeout: 30_000 });
      assert.equal(await page.getAttribute('#status', 'data-error'), 'lr: must be a number, got "abc"');
      assert.equal(await page.textContent('#status'), 'error: lr: must be a number, got "abc"');
      // A run posts its data set first, then an epoch record; give a run time to show either.
      await page.waitForTimeout(2_000);
      assert.equal(await page.getAttribute('#status', 'data-backend'), null, 'no data set was made');
      assert.equal(await page.getAttribute('#status', 'data-epoch'), null, 'no epoch was trained');
      assert.equal(await page.textContent('#status'), 'error: lr: must be a number, got "abc"');

      // The form goes through the same check: fix lr, break hidden.
      await page.fill('[name="lr"]', '0.03');
      await page.fill('[name="hidden"]', '16,abc');
      await page.click('#train');
      await page.waitForSelector('#status[data-error^="hidden"]', { timeout: 30_000 });
      assert.equal(await page.getAttribute('#status', 'data-error'), 'hidden: must be a list of positive integer widths such as 64,32, got "16,abc"');
      assert.equal(await page.getAttribute('#status', 'data-backend'), null);

      // Good settings train, and the message goes.
      await page.fill('[name="hidden"]', '8');
      await page.click('#train');
      await page.waitForSelector('#status[data-done]', { timeout: 60_000 });
      assert.equal(await page.getAttribute('#status', 'data-done'), 'epochs');
      assert.equal(await page.getAttribute('#status', 'data-epoch'), '5');
      assert.equal(await page.getAttribute('#status', 'data-error'), null);
      const hash = new URLSearchParams(new URL(page.url()).hash.slice(1));
      assert.equal(hash.get('lr'), '0.03');
      assert.equal(hash.get('hidden'), '8');
      assert.deepEqual(errors, []);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
