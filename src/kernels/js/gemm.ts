import type { FloatArray } from '../backend.js';

/**
 * Matrix product in plain TypeScript over typed arrays. Loop orders keep the innermost loop on
 * contiguous memory for every transpose case; the plain and A-transposed cases update four rows of
 * C per pass over a row of B (register blocking), and the k loop is blocked so the touched rows of
 * B stay in cache.
 */
const K_BLOCK = 128;

export function gemmJs(transA: boolean, transB: boolean, m: number, n: number, k: number, a: FloatArray, b: FloatArray, out: FloatArray, accumulate: boolean): void {
  if (!accumulate) out.fill(0, 0, m * n);
  if (m === 0 || n === 0 || k === 0) return;
  if (!transB) {
    if (!transA) gemmTimesB(m, n, k, a, k, 1, b, out);
    else gemmTimesB(m, n, k, a, 1, m, b, out);
  } else if (!transA) {
    gemmNT(m, n, k, a, b, out);
  } else {
    gemmTT(m, n, k, a, b, out);
  }
}

/**
 * C[m,n] += op(A)·B with B [k,n] row-major and op(A)[i,p] = a[i·rowStride + p·colStride]: A [m,k]
 * has strides (k, 1), Aᵀ stored [k,m] has strides (1, m). The innermost loop runs along a row of B
 * and of C (contiguous) for four rows of C at a time.
 */
function gemmTimesB(m: number, n: number, k: number, a: FloatArray, rowStride: number, colStride: number, b: FloatArray, c: FloatArray): void {
  for (let p0 = 0; p0 < k; p0 += K_BLOCK) {
    const p1 = Math.min(k, p0 + K_BLOCK);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const c0 = i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
      const r0 = i * rowStride, r1 = r0 + rowStride, r2 = r1 + rowStride, r3 = r2 + rowStride;
      for (let p = p0; p < p1; p++) {
        const offset = p * colStride;
        const a0 = a[r0 + offset], a1 = a[r1 + offset], a2 = a[r2 + offset], a3 = a[r3 + offset];
        const bRow = p * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bRow + j];
          c[c0 + j] += a0 * bv;
          c[c1 + j] += a1 * bv;
          c[c2 + j] += a2 * bv;
          c[c3 + j] += a3 * bv;
        }
      }
    }
    for (; i < m; i++) {
      const c0 = i * n;
      for (let p = p0; p < p1; p++) {
        const a0 = a[i * rowStride + p * colStride];
        if (a0 === 0) continue;
        const bRow = p * n;
        for (let j = 0; j < n; j++) c[c0 + j] += a0 * b[bRow + j];
      }
    }
  }
}

/** C[m,n] += A·Bᵀ with A [m,k], B stored [n,k]: dot products of contiguous rows, four at a time. */
function gemmNT(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  for (let i = 0; i < m; i++) {
    const aRow = i * k;
    const cRow = i * n;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const b0 = j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const av = a[aRow + p];
        s0 += av * b[b0 + p];
        s1 += av * b[b1 + p];
        s2 += av * b[b2 + p];
        s3 += av * b[b3 + p];
      }
      c[cRow + j] += s0;
      c[cRow + j + 1] += s1;
      c[cRow + j + 2] += s2;
      c[cRow + j + 3] += s3;
    }
    for (; j < n; j++) {
      const b0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[aRow + p] * b[b0 + p];
      c[cRow + j] += s;
    }
  }
}

/** C[m,n] += Aᵀ·Bᵀ with A stored [k,m], B stored [n,k]; rare, so a direct loop. */
function gemmTT(m: number, n: number, k: number, a: FloatArray, b: FloatArray, c: FloatArray): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      const bRow = j * k;
      for (let p = 0; p < k; p++) s += a[p * m + i] * b[bRow + p];
      c[i * n + j] += s;
    }
  }
}
