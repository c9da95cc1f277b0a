// Products with few rows of C (m ≤ 4: one-sample inference, the row-vector case), on AVX-512.
// Packing would cost more than the arithmetic here (every element of B is used only m times), so
// these loops read A and B where they lie: dot products of contiguous rows when B is stored [n,k],
// and sums of scaled rows of B when B is stored [k,n].
#include <immintrin.h>

#include <cstddef>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx512f,fma")

namespace {

inline __mmask16 firstLanes(int count) {
  return count >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << count) - 1);
}

/** op(A)[i,p] for A stored [m,k] (plain) or [k,m] (transA). */
inline float elementA(const GemmProblem& g, int i, int p) {
  return g.transA ? g.a[static_cast<size_t>(p) * g.m + i] : g.a[static_cast<size_t>(i) * g.k + p];
}

/** C[i, j .. j+J) for i < M with B stored [n,k] and A [m,k]: M×J dot products along k, 16 lanes at a time. */
template <int M, int J>
void dotProducts(const GemmProblem& g, int j) {
  __m512 sums[M][J];
  for (int i = 0; i < M; i++)
    for (int jj = 0; jj < J; jj++) sums[i][jj] = _mm512_setzero_ps();
  const float* rowsB = g.b + static_cast<size_t>(j) * g.k;
  for (int p = 0; p < g.k; p += 16) {
    const __mmask16 lanes = firstLanes(g.k - p);
    __m512 b[J];
    for (int jj = 0; jj < J; jj++) b[jj] = _mm512_maskz_loadu_ps(lanes, rowsB + static_cast<size_t>(jj) * g.k + p);
    for (int i = 0; i < M; i++) {
      const __m512 a = _mm512_maskz_loadu_ps(lanes, g.a + static_cast<size_t>(i) * g.k + p);
      for (int jj = 0; jj < J; jj++) sums[i][jj] = _mm512_fmadd_ps(a, b[jj], sums[i][jj]);
    }
  }
  for (int i = 0; i < M; i++)
    for (int jj = 0; jj < J; jj++) {
      float* c = g.c + static_cast<size_t>(i) * g.n + j + jj;
      const float value = _mm512_reduce_add_ps(sums[i][jj]);
      *c = g.accumulate ? *c + value : value;
    }
}

template <int M>
void dotProductColumns(const GemmProblem& g, int colBegin, int colEnd) {
  int j = colBegin;
  for (; j + 4 <= colEnd; j += 4) dotProducts<M, 4>(g, j);
  for (; j < colEnd; j++) dotProducts<M, 1>(g, j);
}

/** C[i, j .. j+64) for i < M with B stored [k,n]: Σ_p op(A)[i,p] · B[p, j ..], four vectors of columns. */
template <int M>
void scaledRowSums(const GemmProblem& g, int colBegin, int colEnd) {
  for (int j = colBegin; j < colEnd; j += 64) {
    __mmask16 lanes[4];
    for (int v = 0; v < 4; v++) lanes[v] = firstLanes(colEnd - j - 16 * v > 0 ? colEnd - j - 16 * v : 0);
    __m512 sums[M][4];
    for (int i = 0; i < M; i++)
      for (int v = 0; v < 4; v++) sums[i][v] = _mm512_setzero_ps();
    for (int p = 0; p < g.k; p++) {
      const float* rowB = g.b + static_cast<size_t>(p) * g.n + j;
      __m512 b[4];
      for (int v = 0; v < 4; v++) b[v] = _mm512_maskz_loadu_ps(lanes[v], rowB + 16 * v);
      for (int i = 0; i < M; i++) {
        const __m512 a = _mm512_set1_ps(elementA(g, i, p));
        for (int v = 0; v < 4; v++) sums[i][v] = _mm512_fmadd_ps(a, b[v], sums[i][v]);
      }
    }
    for (int i = 0; i < M; i++) {
      float* rowC = g.c + static_cast<size_t>(i) * g.n + j;
      for (int v = 0; v < 4; v++) {
        __m512 result = sums[i][v];
        if (g.accumulate) result = _mm512_add_ps(result, _mm512_maskz_loadu_ps(lanes[v], rowC + 16 * v));
        _mm512_mask_storeu_ps(rowC + 16 * v, lanes[v], result);
      }
    }
  }
}

template <int M>
void fewRows(const GemmProblem& g, int colBegin, int colEnd) {
  if (g.transB) dotProductColumns<M>(g, colBegin, colEnd);
  else scaledRowSums<M>(g, colBegin, colEnd);
}

}  // namespace

void gemmFewRowsAvx512(const GemmProblem& g, int /*rowBegin*/, int /*rowEnd*/, int colBegin, int colEnd) {
  switch (g.m) {
    case 1: return fewRows<1>(g, colBegin, colEnd);
    case 2: return fewRows<2>(g, colBegin, colEnd);
    case 3: return fewRows<3>(g, colBegin, colEnd);
    default: return fewRows<4>(g, colBegin, colEnd);
  }
}

#pragma GCC pop_options
