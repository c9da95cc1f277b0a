/** The wasm backend's helper thread starts under `node --input-type=module -e …`, whose flag a worker inherits. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const entry = new URL('../../node/index.js', import.meta.url).href;

test('a product split with the wasm worker thread runs in an ES-module eval script', () => {
  const script = `const { Tensor, matmul, backend } = await import(${JSON.stringify(entry)});
const a = new Tensor(new Float32Array(512 * 512).fill(1), [512, 512]);
console.log(backend().name, backend().threads, matmul(a, a).data[0]);
// The worker thread starts asynchronously: give a failure to start the time to surface.
await new Promise((resolve) => setTimeout(resolve, 1000));
console.log('end', matmul(a, a).data[0]);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, BACKPROP_BACKEND: 'wasm', BACKPROP_WASM_THREADS: '2' },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.doesNotMatch(result.stderr, /require is not defined/);
  assert.match(result.stdout, /^wasm(-relaxed)? 2 512\nend 512$/m);
});
