// Small products (at most kSmallWork multiply-adds, e.g. a 4-16-16-3 network at batch 16), on
// AVX-512, without the packed driver: at these sizes packing, blocking and the thread pool cost
// several times the arithmetic (measured: 16×16×16 took 760 ns through the driver).
//
// Each row of C is built as a sum of scaled rows of op(B): C[i,:] = Σ_p op(A)[i,p] · op(B)[p,:],
// 16 columns and up to 8 rows at a time.
// When B is stored [n,k] (transB), op(B) is first transposed into a per-thread scratch of k×n
// values so that its rows are contiguous; op(A)[i,p] is read where it lies either way.
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

/** Room for op(B) transposed: kSmallWork bounds k·n, since m ≥ 1. */
thread_local float transposedB[kSmallWork];

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

}  // namespace

void gemmSmallAvx512(const GemmProblem& g) {
  const float* b = g.b;
  if (g.transB) {  // B stored [n,k]: scratch[p·n + j] = B[j·k + p]
    float* scratch = transposedB;  // once: a thread_local in a shared object costs a call per access
    const int n = g.n, k = g.k;
    for (int j = 0; j < n; j++) {
      const float* src = g.b + static_cast<size_t>(j) * k;
      for (int p = 0; p < k; p++) scratch[static_cast<size_t>(p) * n + j] = src[p];
    }
    b = scratch;
  }
  const int m = g.m, n = g.n, k = g.k;
  // A stored [m,k]: row i at i·k, depth step 1; stored [k,m] (transA): row i at i, depth step m.
  const long rowStep = g.transA ? 1 : k, depthStep = g.transA ? m : 1;
  for (int j = 0; j < n; j += 16) {
    const __mmask16 lanes = firstLanes(n - j);
    int i = 0;
    for (; i + 8 <= m; i += 8) tile<8>(g.a + i * rowStep, rowStep, depthStep, k, b + j, n, g.c + static_cast<size_t>(i) * n + j, g.accumulate, lanes);
    if (i + 4 <= m) {
      tile<4>(g.a + i * rowStep, rowStep, depthStep, k, b + j, n, g.c + static_cast<size_t>(i) * n + j, g.accumulate, lanes);
      i += 4;
    }
    for (; i < m; i++) tile<1>(g.a + i * rowStep, rowStep, depthStep, k, b + j, n, g.c + static_cast<size_t>(i) * n + j, g.accumulate, lanes);
  }
}

#pragma GCC pop_options
