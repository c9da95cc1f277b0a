// Small products (at most kSmallWork multiply-adds, e.g. a 4-16-16-3 network at batch 16), on
// AVX-512, without the packed driver: at these sizes packing, blocking and the thread pool cost
// several times the arithmetic (measured: 16×16×16 took 760 ns through the driver).
//
// Each row of C is built as a sum of scaled rows of op(B): C[i,:] = Σ_p op(A)[i,p] · op(B)[p,:],
// 16 columns and up to 8 rows at a time.
// When B is stored [n,k] (transB), op(B) is first transposed, 16×16 blocks at a time through
// registers, into a per-thread scratch of k×n values so that its rows are contiguous; op(A)[i,p]
// is read where it lies either way. When C has few columns, Cᵀ = op(B)ᵀ·op(A)ᵀ is computed
// instead and written back transposed.
#include <immintrin.h>

#include <cstddef>
#include <cstdlib>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx512f,fma")

namespace {

inline __mmask16 firstLanes(int count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1);
}

/**
 * C[i0 .. i0+R, j .. j+16) ∩ the first `lanes` columns, with rows of op(B) `b` (stride n): R rows
 * at once so that R independent multiply-add chains hide the instruction's latency. op(A)[i0+r, p]
 * lies at a[r·rowStep + p·depthStep] (A's fields are passed as values so they stay in registers).
 */
template <int R>
inline void tile(const float* a, long rowStep, long depthStep, int k, const float* b, int n, float* c, bool accumulate, __mmask16 lanes) {
  __m512 sums[R];
#pragma GCC unroll 8
  for (int r = 0; r < R; r++) sums[r] = _mm512_setzero_ps();
  for (int p = 0; p < k; p++, a += depthStep, b += n) {
    const __m512 row = _mm512_maskz_loadu_ps(lanes, b);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) sums[r] = _mm512_fmadd_ps(_mm512_set1_ps(a[r * rowStep]), row, sums[r]);
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++, c += n) {
    const __m512 sum = accumulate ? _mm512_add_ps(sums[r], _mm512_maskz_loadu_ps(lanes, c)) : sums[r];
    _mm512_mask_storeu_ps(c, lanes, sum);
  }
}

/** Room for op(B) transposed, or for Cᵀ: kSmallWork bounds k·n and m·n. */
thread_local float scratchB[kSmallWork];
thread_local float scratchC[kSmallWork];

/**
 * dst[p·ldDst + j] = src[j·ldSrc + p] for j < rows, p < cols: a block of at most 16×16 through
 * registers (16 rows loaded, four rounds of shuffles, 16 rows stored) instead of one scalar load
 * and store per element.
 */
inline void transposeBlock(const float* src, size_t ldSrc, int rows, int cols, float* dst, size_t ldDst) {
  __m512 r[16];
  const __mmask16 colLanes = firstLanes(cols);
#pragma GCC unroll 16
  for (int j = 0; j < 16; j++) r[j] = j < rows ? _mm512_maskz_loadu_ps(colLanes, src + j * ldSrc) : _mm512_setzero_ps();
  // Round 1: interleave 32-bit elements of row pairs.
  __m512 t[16];
#pragma GCC unroll 8
  for (int j = 0; j < 16; j += 2) {
    t[j] = _mm512_unpacklo_ps(r[j], r[j + 1]);
    t[j + 1] = _mm512_unpackhi_ps(r[j], r[j + 1]);
  }
  // Round 2: 64-bit pairs of rows j and j + 2.
#pragma GCC unroll 4
  for (int j = 0; j < 16; j += 4) {
    r[j] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
    r[j + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j]), _mm512_castps_pd(t[j + 2])));
    r[j + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
    r[j + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(t[j + 1]), _mm512_castps_pd(t[j + 3])));
  }
  // Rounds 3 and 4: 128-bit lanes across groups of four rows, then across groups of eight.
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    t[j] = _mm512_shuffle_f32x4(r[j], r[j + 4], 0x88);
    t[j + 4] = _mm512_shuffle_f32x4(r[j], r[j + 4], 0xDD);
    t[j + 8] = _mm512_shuffle_f32x4(r[j + 8], r[j + 12], 0x88);
    t[j + 12] = _mm512_shuffle_f32x4(r[j + 8], r[j + 12], 0xDD);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; j++) {
    r[j] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0x88);
    r[j + 8] = _mm512_shuffle_f32x4(t[j], t[j + 8], 0xDD);
    r[j + 4] = _mm512_shuffle_f32x4(t[j + 4], t[j + 12], 0x88);
    r[j + 12] = _mm512_shuffle_f32x4(t[j + 4], t[j + 12], 0xDD);
  }
  // r[p] now holds column p of the block.
  const __mmask16 rowLanes = firstLanes(rows);
#pragma GCC unroll 16
  for (int p = 0; p < 16; p++)
    if (p < cols) _mm512_mask_storeu_ps(dst + p * ldDst, rowLanes, r[p]);
}

/** dst (cols × rows, row-major) = src (rows × cols, row stride ldSrc) transposed. */
void transpose(const float* src, size_t ldSrc, int rows, int cols, float* dst) {
  if (rows < 8) {  // a few rows (a layer with few units): fewer scalar moves than a block's shuffles
    for (int j = 0; j < rows; j++)
      for (int p = 0; p < cols; p++) dst[static_cast<size_t>(p) * rows + j] = src[j * ldSrc + p];
    return;
  }
  for (int j = 0; j < rows; j += 16)
    for (int p = 0; p < cols; p += 16)
      transposeBlock(src + j * ldSrc + p, ldSrc, rows - j < 16 ? rows - j : 16, cols - p < 16 ? cols - p : 16, dst + static_cast<size_t>(p) * rows + j, rows);
}

/**
 * C = op(A)·B (+ C) with B's rows contiguous (stride n): each row of C a sum of scaled rows of B,
 * 16 columns and up to 8 rows at a time. op(A)[i,p] lies at a[i·rowStep + p·depthStep].
 */
void rowsTimesB(const float* a, long rowStep, long depthStep, int m, int n, int k, const float* b, float* c, bool accumulate) {
  for (int j = 0; j < n; j += 16) {
    const __mmask16 lanes = firstLanes(n - j);
    int i = 0;
    for (; i + 8 <= m; i += 8) tile<8>(a + i * rowStep, rowStep, depthStep, k, b + j, n, c + static_cast<size_t>(i) * n + j, accumulate, lanes);
    if (i + 4 <= m) {
      tile<4>(a + i * rowStep, rowStep, depthStep, k, b + j, n, c + static_cast<size_t>(i) * n + j, accumulate, lanes);
      i += 4;
    }
    // The last rows together: independent chains hide the multiply-add latency.
    const float* aRows = a + i * rowStep;
    float* cRows = c + static_cast<size_t>(i) * n + j;
    switch (m - i) {
      case 3: tile<3>(aRows, rowStep, depthStep, k, b + j, n, cRows, accumulate, lanes); break;
      case 2: tile<2>(aRows, rowStep, depthStep, k, b + j, n, cRows, accumulate, lanes); break;
      case 1: tile<1>(aRows, rowStep, depthStep, k, b + j, n, cRows, accumulate, lanes); break;
      default: break;
    }
  }
}

}  // namespace

void gemmSmallAvx512(const GemmProblem& g) {
  const int m = g.m, n = g.n, k = g.k;
  if (n < 16 && m >= 2 * n) {
    // Few columns (a layer with few units or few inputs): C's rows would fill only n of 16 lanes,
    // so compute Cᵀ = op(B)ᵀ·op(A)ᵀ instead, whose rows run along m, then write it back
    // transposed. op(A)ᵀ's rows are A's stored rows when transA, else A transposed first. Each
    // element is the same chain of multiply-adds over p as the direct loop computes (the
    // products commute), so the values are identical.
    const float* aT = g.a;  // op(A)ᵀ, [k, m]
    if (!g.transA) {
      float* scratch = scratchB;  // once: a thread_local in a shared object costs a call per access
      transpose(g.a, k, m, k, scratch);
      aT = scratch;
    }
    float* cT = scratchC;
    // op(B)ᵀ[j,p] = op(B)[p,j]: B[j·k + p] when transB, else B[p·n + j].
    rowsTimesB(g.b, g.transB ? k : 1, g.transB ? 1 : n, n, m, k, aT, cT, false);
    for (int i = 0; i < m; i++) {
      float* rowC = g.c + static_cast<size_t>(i) * n;
      for (int j = 0; j < n; j++) rowC[j] = g.accumulate ? cT[static_cast<size_t>(j) * m + i] + rowC[j] : cT[static_cast<size_t>(j) * m + i];
    }
    return;
  }
  const float* b = g.b;
  if (g.transB) {  // B stored [n,k]: scratch[p·n + j] = B[j·k + p]
    float* scratch = scratchB;
    transpose(g.b, k, n, k, scratch);
    b = scratch;
  }
  // A stored [m,k]: row i at i·k, depth step 1; stored [k,m] (transA): row i at i, depth step m.
  rowsTimesB(g.a, g.transA ? 1 : k, g.transA ? m : 1, m, n, k, b, g.c, g.accumulate);
}

#pragma GCC pop_options
