/** noGrad: no graph inside; recording comes back after, even when the function throws; a promise is refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isGradEnabled, noGrad } from '../../src/autograd/index.js';
import { mul } from '../../src/ops/index.js';
import { tensor } from '../../src/tensor/index.js';

test('noGrad records nothing inside and restores recording after, also after a throw', () => {
  const w = tensor([2], { requiresGrad: true });
  const inside = noGrad(() => mul(w, w));
  assert.equal(inside.requiresGrad, false);
  assert.equal(isGradEnabled(), true);
  assert.throws(() => noGrad(() => { throw new Error('boom'); }), /boom/);
  assert.equal(isGradEnabled(), true);
  assert.equal(mul(w, w).requiresGrad, true);
});

test('noGrad refuses a function that returns a promise (its code after an await would record again)', async () => {
  const w = tensor([2], { requiresGrad: true });
  let after: boolean | null = null;
  assert.throws(() => noGrad(async () => {
    await null;
    after = mul(w, w).requiresGrad;
  }), { name: 'BackpropError', message: 'noGrad: the function returned a promise, but recording is off only until it returns (not after an await); call noGrad around the synchronous work inside the async function' });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(after, true, 'what the refusal guards against: the code after the await recorded a graph');
  assert.equal(isGradEnabled(), true);
});
