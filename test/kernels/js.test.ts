import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/kernels/index.js';
import { tanhForFloat32 } from '../../src/kernels/js/elementwise.js';
import { erf, erfc } from '../../src/kernels/js/special.js';
import { Rng } from '../../src/util/rng.js';

function naiveGemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float64Array, b: Float64Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = s;
    }
  return c;
}

test('gemm matches the naive triple loop for every transpose case and odd sizes', () => {
  const rng = new Rng(7);
  // Small products take the register-tiled path (4×4, 4×1, 1×4 and 1×1 tiles); 130×129×131 the k-blocked one.
  for (const [m, n, k] of [[1, 1, 1], [5, 7, 3], [16, 3, 16], [3, 16, 4], [9, 4, 130], [17, 33, 257], [4, 8, 0], [130, 129, 131]]) {
    for (const transA of [false, true])
      for (const transB of [false, true]) {
        const a = Float64Array.from({ length: m * k }, () => rng.normal());
        const b = Float64Array.from({ length: k * n }, () => rng.normal());
        const expected = naiveGemm(transA, transB, m, n, k, a, b);
        const out = new Float64Array(m * n).fill(3);
        jsBackend.gemm(transA, transB, m, n, k, a, b, out, false);
        for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - expected[i]) < 1e-12, `gemm ${transA}${transB} ${m}x${n}x${k} at ${i}`);
        jsBackend.gemm(transA, transB, m, n, k, a, b, out, true);
        for (let i = 0; i < out.length; i++) assert.ok(Math.abs(out[i] - 2 * expected[i]) < 1e-12, 'accumulate');
      }
  }
});

test('erf and erfc agree with reference values (Python math.erf / math.erfc) to float64 precision', () => {
  // Values printed by CPython's math.erf and math.erfc (repr, full precision).
  const cases: [number, number, number][] = [
    [0.1, 0.1124629160182849, 0.8875370839817152],
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [1.0, 0.8427007929497149, 0.15729920705028513],
    [2.0, 0.9953222650189527, 0.004677734981047265],
    [3.5, 0.9999992569016276, 7.430983723414128e-07],
    [-1.7, -0.9837904585907745, 1.9837904585907746],
    [5.0, 0.9999999999984626, 1.5374597944280351e-12],
    [10.0, 1.0, 2.088487583762545e-45],
  ];
  for (const [x, erfRef, erfcRef] of cases) {
    assert.ok(Math.abs(erf(x) - erfRef) <= 4e-16 * Math.max(1, Math.abs(erfRef)), `erf(${x}) = ${erf(x)}, want ${erfRef}`);
    assert.ok(Math.abs(erfc(x) - erfcRef) <= 1e-14 * Math.abs(erfcRef), `erfc(${x}) = ${erfc(x)}, want ${erfcRef}`);
  }
});

test('tanh into float32 equals Math.fround(Math.tanh(x)) (every 61st float32 bit pattern, both signs, and special values)', () => {
  // The full check over all 2³² patterns passes too; it takes about a minute.
  const value = new Float32Array(1);
  const bits = new Uint32Array(value.buffer);
  let checked = 0;
  for (let pattern = 0; pattern < 0x7f800000; pattern += 61) {
    for (const sign of [0, 0x80000000]) {
      bits[0] = (pattern | sign) >>> 0;
      const x = value[0];
      const expected = Math.fround(Math.tanh(x));
      const actual = Math.fround(tanhForFloat32(x));
      if (!Object.is(actual, expected)) assert.fail(`tanh(${x}): ${actual}, Math.tanh gives ${expected}`);
      checked++;
    }
  }
  assert.ok(checked > 6e7);
  for (const x of [0, -0, Infinity, -Infinity, NaN, 9.1, -9.1, 0.0625, 1.220703125e-4, 0.006125214044004679]) assert.ok(Object.is(Math.fround(tanhForFloat32(x)), Math.fround(Math.tanh(x))), `tanh(${x})`);
  const out = new Float32Array(3);
  jsBackend.unary('tanh', Float32Array.of(-2, 0.5, 20), out, 0);
  assert.deepEqual(Array.from(out), [-2, 0.5, 20].map((x) => Math.fround(Math.tanh(x))));
  const out64 = new Float64Array(1);
  jsBackend.unary('tanh', Float64Array.of(0.3), out64, 0);
  assert.equal(out64[0], Math.tanh(0.3), 'float64 keeps Math.tanh');
});
