import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsBackend } from '../../src/kernels/index.js';
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
