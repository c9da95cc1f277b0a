/**
 * The engine's test suites (ops, autograd, nn, optim, train) run again on every fast backend that
 * loads on this machine (the rest of `npm test` runs on the TypeScript backend),
 * each in a child process with BACKPROP_BACKEND set, so CI covers every backend that builds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBackends } from '../../node/backends.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const suites = ['ops', 'autograd', 'nn', 'optim', 'train'].map((folder) => join(root, 'dist', 'test', folder));

for (const family of ['native', 'wasm'] as const) {
  const entry = nodeBackends().find((candidate) => candidate.family === family);
  const skip = entry?.backend ? false : `the ${family} backend does not load here (${entry?.problem ?? 'not available'})`;
  test(`the engine suites pass on the ${family} backend`, { skip, timeout: 600_000 }, () => {
    const result = spawnSync(process.execPath, ['--expose-gc', '--import', join(root, 'dist/node/test-setup.js'), '--test', '--test-reporter=dot', ...suites], {
      cwd: root,
      encoding: 'utf8',
      // Without NODE_TEST_CONTEXT: the child is a test run of its own, not a file of this one.
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT')), BACKPROP_BACKEND: family },
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(result.stdout, /\.{10}/, `no tests ran on ${family}: ${result.stdout.slice(0, 500)} ${result.stderr.slice(0, 500)}`);
    const failures = result.stdout.split('\n').filter((line) => /✖|not ok|Error|failing/.test(line)).slice(0, 30).join('\n');
    assert.equal(result.status, 0, `suites failed on ${family}:\n${failures}\n${result.stderr.slice(0, 2000)}`);
  });
}
