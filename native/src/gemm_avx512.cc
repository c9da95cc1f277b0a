// The AVX-512 path: a 12×32 micro-tile (24 zmm accumulators, two B vectors, one broadcast of A).
#include <immintrin.h>

#include <cstddef>
#include <cstdlib>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx512f,fma")

namespace {

struct Kernel {
  static constexpr int MR = 12, NR = 32;
  static constexpr int KC = 256, MC = 144, NC = 2048;

  static void run(int kc, const float* a, const float* b, float* c, long ldc, bool accumulate) {
    __m512 left[MR], right[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      left[i] = _mm512_setzero_ps();
      right[i] = _mm512_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
      const __m512 b0 = _mm512_load_ps(b);
      const __m512 b1 = _mm512_load_ps(b + 16);
#pragma GCC unroll 12
      for (int i = 0; i < MR; i++) {
        const __m512 ai = _mm512_set1_ps(a[i]);
        left[i] = _mm512_fmadd_ps(ai, b0, left[i]);
        right[i] = _mm512_fmadd_ps(ai, b1, right[i]);
      }
      a += MR;
      b += NR;
    }
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      float* row = c + i * ldc;
      if (accumulate) {
        left[i] = _mm512_add_ps(left[i], _mm512_loadu_ps(row));
        right[i] = _mm512_add_ps(right[i], _mm512_loadu_ps(row + 16));
      }
      _mm512_storeu_ps(row, left[i]);
      _mm512_storeu_ps(row + 16, right[i]);
    }
  }
};

}  // namespace

#include "gemm_driver.h"

void gemmBlockAvx512(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd) {
  gemmBlock(problem, rowBegin, rowEnd, colBegin, colEnd);
}

#pragma GCC pop_options

MicroTile microTileAvx512() { return {Kernel::MR, Kernel::NR}; }
