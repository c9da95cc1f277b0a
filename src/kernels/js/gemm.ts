import type { FloatArray } from '../backend.js';

/**
 * Matrix product in plain TypeScript over typed arrays. Loop orders keep the innermost loop on
 * contiguous memory for every transpose case; the plain and A-transposed cases update four rows of
 * C per pass over a row of B (register blocking), and the k loop is blocked so the touched rows of
 * B stay in cache.
 */
const K_BLOCK = 128;

/** Products of at most this many multiply-adds (128³) take the register-tiled path `gemmSmall`. */
const SMALL_PRODUCT = 1 << 21;

export function gemmJs(transA: boolean, transB: boolean, m: number, n: number, k: number, a: FloatArray, b: FloatArray, out: FloatArray, accumulate: boolean): void {
  if (k > 0 && m * n * k <= SMALL_PRODUCT) {
    gemmSmall(m, n, k, a, transA ? 1 : k, transA ? m : 1, b, transB ? 1 : n, transB ? k : 1, out, accumulate);
    return;
  }
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

/**
 * C[m,n] = op(A)·op(B) (+ C when `accumulate`) for small products, any transposes:
 * op(A)[i,p] = a[i·aRow + p·aCol] and op(B)[p,j] = b[p·bRow + j·bCol]. Each 4×4 tile of C is summed
 * in sixteen float64 locals over the whole of k and stored once, so every element loaded from A or
 * B serves four multiply-adds and C is read and written once (the row-at-a-time kernels above
 * load and store C on every step of k, which dominates at the sizes of a small network). Edge
 * rows and columns use 4×1, 1×4 and 1×1 tiles. Sums are rounded to C's type once, at the store.
 */
function gemmSmall(m: number, n: number, k: number, a: FloatArray, aRow: number, aCol: number, b: FloatArray, bRow: number, bCol: number, c: FloatArray, accumulate: boolean): void {
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = i * aRow, a1 = a0 + aRow, a2 = a1 + aRow, a3 = a2 + aRow;
    const r0 = i * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
    for (let j = 0; j < n4; j += 4) {
      const b0 = j * bCol, b1 = b0 + bCol, b2 = b1 + bCol, b3 = b2 + bCol;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      // Offsets advance by the strides (cheaper than p·aCol and p·bRow per step).
      for (let p = 0, pa = 0, pb = 0; p < k; p++, pa += aCol, pb += bRow) {
        const x0 = a[a0 + pa], x1 = a[a1 + pa], x2 = a[a2 + pa], x3 = a[a3 + pa];
        const y0 = b[pb + b0], y1 = b[pb + b1], y2 = b[pb + b2], y3 = b[pb + b3];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
      }
      if (accumulate) {
        c00 += c[r0 + j]; c01 += c[r0 + j + 1]; c02 += c[r0 + j + 2]; c03 += c[r0 + j + 3];
        c10 += c[r1 + j]; c11 += c[r1 + j + 1]; c12 += c[r1 + j + 2]; c13 += c[r1 + j + 3];
        c20 += c[r2 + j]; c21 += c[r2 + j + 1]; c22 += c[r2 + j + 2]; c23 += c[r2 + j + 3];
        c30 += c[r3 + j]; c31 += c[r3 + j + 1]; c32 += c[r3 + j + 2]; c33 += c[r3 + j + 3];
      }
      c[r0 + j] = c00; c[r0 + j + 1] = c01; c[r0 + j + 2] = c02; c[r0 + j + 3] = c03;
      c[r1 + j] = c10; c[r1 + j + 1] = c11; c[r1 + j + 2] = c12; c[r1 + j + 3] = c13;
      c[r2 + j] = c20; c[r2 + j + 1] = c21; c[r2 + j + 2] = c22; c[r2 + j + 3] = c23;
      c[r3 + j] = c30; c[r3 + j + 1] = c31; c[r3 + j + 2] = c32; c[r3 + j + 3] = c33;
    }
    for (let j = n4; j < n; j++) {
      const bj = j * bCol;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, pa = 0, pb = bj; p < k; p++, pa += aCol, pb += bRow) {
        const y = b[pb];
        s0 += a[a0 + pa] * y; s1 += a[a1 + pa] * y; s2 += a[a2 + pa] * y; s3 += a[a3 + pa] * y;
      }
      if (accumulate) {
        s0 += c[r0 + j]; s1 += c[r1 + j]; s2 += c[r2 + j]; s3 += c[r3 + j];
      }
      c[r0 + j] = s0; c[r1 + j] = s1; c[r2 + j] = s2; c[r3 + j] = s3;
    }
  }
  for (let i = m4; i < m; i++) {
    const ai = i * aRow;
    const row = i * n;
    let j = 0;
    for (; j < n4; j += 4) {
      const b0 = j * bCol, b1 = b0 + bCol, b2 = b1 + bCol, b3 = b2 + bCol;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0, pa = ai, pb = 0; p < k; p++, pa += aCol, pb += bRow) {
        const x = a[pa];
        s0 += x * b[pb + b0]; s1 += x * b[pb + b1]; s2 += x * b[pb + b2]; s3 += x * b[pb + b3];
      }
      if (accumulate) {
        s0 += c[row + j]; s1 += c[row + j + 1]; s2 += c[row + j + 2]; s3 += c[row + j + 3];
      }
      c[row + j] = s0; c[row + j + 1] = s1; c[row + j + 2] = s2; c[row + j + 3] = s3;
    }
    for (; j < n; j++) {
      const bj = j * bCol;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[ai + p * aCol] * b[p * bRow + bj];
      c[row + j] = accumulate ? s + c[row + j] : s;
    }
  }
}
