/** `backprop info` without a model: the engine backend in use and what each family gave, through the real command. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backprop, json } from './helpers.js';

test('backprop info without a model names the backend in use and each family', () => {
  const auto = json(backprop(['info', '--json']));
  assert.deepEqual(auto.backends.map((b: { family: string }) => b.family), ['native', 'wasm', 'js']);
  const first = auto.backends.find((b: { backend: string | null }) => b.backend !== null);
  assert.equal(auto.backend, first.backend, 'auto picks the first family that loads');
  assert.equal(auto.threads, first.threads);
  for (const b of auto.backends) assert.ok((b.backend === null) !== (b.problem === null), `${b.family}: a backend or a reason`);
  const js = json(backprop(['info', '--json'], { env: { BACKPROP_BACKEND: 'js' } }));
  assert.equal(js.backend, 'js');
  assert.equal(js.threads, 1);
  const text = backprop(['info'], { env: { BACKPROP_BACKEND: 'js' } });
  assert.equal(text.status, 0);
  assert.match(text.stdout, /^engine backend: js \(1 thread\)/);
  for (const family of ['native', 'wasm', 'js']) assert.match(text.stdout, new RegExp(`^\\s+${family}\\s+\\S+\\s+\\S+\\s+\\S`, 'm'), `${family} row`);
});
