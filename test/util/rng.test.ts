import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/util/rng.js';
import { readFixture } from '../helpers.js';

interface RngCase { seed: number; uint32: number[]; uniform: number[]; normal: number[] }

test('Rng reproduces an independent implementation of its specification (test/fixtures/make_rng_fixture.py)', () => {
  const { cases } = readFixture<{ cases: RngCase[] }>('rng.json');
  for (const c of cases) {
    const rng = new Rng(c.seed);
    assert.deepEqual(c.uint32.map(() => rng.nextUint32()), c.uint32, `seed ${c.seed}: integer stream`);
    assert.deepEqual(c.uniform.map(() => rng.uniform()), c.uniform, `seed ${c.seed}: uniforms`);
    // Normals use Math.log/sin/cos, which engines may round differently in the last place.
    c.normal.forEach((expected, i) => {
      const value = rng.normal();
      assert.ok(Math.abs(value - expected) <= 4e-16 * Math.max(1, Math.abs(expected)), `seed ${c.seed}: normal ${i} is ${value}, expected ${expected}`);
    });
  }
});

test('Rng state round-trips and rejects bad states', () => {
  const rng = new Rng(5);
  rng.normal();
  const state = JSON.parse(JSON.stringify(rng.getState()));
  const copy = Rng.fromState(state);
  assert.deepEqual([rng.normal(), rng.uniform(), rng.int(10)], [copy.normal(), copy.uniform(), copy.int(10)]);
  assert.throws(() => new Rng(0).setState({ words: [0, 0, 0, 0], spareNormal: null }), /not all zero/);
  assert.throws(() => new Rng(Number.NaN), /seed must be a finite number/);
});
