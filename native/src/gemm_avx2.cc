// The AVX2 + FMA path: a 6×16 micro-tile (12 ymm accumulators, two B vectors, one broadcast of A).
#include <immintrin.h>

#include <cstddef>
#include <cstdlib>

#include "gemm.h"

#pragma GCC push_options
#pragma GCC target("avx2,fma")

namespace {

struct Kernel {
  static constexpr int MR = 6, NR = 16;
  static constexpr int KC = 256, MC = 96, NC = 1024;

  static constexpr bool kHasTransposePack = false;
  static void packTransposed(const float*, size_t, int, int, float*, int) {}

  static void run(int kc, const float* a, const float* b, float* c, long ldc, bool accumulate) {
    __m256 left[MR], right[MR];
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      left[i] = _mm256_setzero_ps();
      right[i] = _mm256_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
      const __m256 b0 = _mm256_load_ps(b);
      const __m256 b1 = _mm256_load_ps(b + 8);
#pragma GCC unroll 6
      for (int i = 0; i < MR; i++) {
        const __m256 ai = _mm256_broadcast_ss(a + i);
        left[i] = _mm256_fmadd_ps(ai, b0, left[i]);
        right[i] = _mm256_fmadd_ps(ai, b1, right[i]);
      }
      a += MR;
      b += NR;
    }
#pragma GCC unroll 6
    for (int i = 0; i < MR; i++) {
      float* row = c + i * ldc;
      if (accumulate) {
        left[i] = _mm256_add_ps(left[i], _mm256_loadu_ps(row));
        right[i] = _mm256_add_ps(right[i], _mm256_loadu_ps(row + 8));
      }
      _mm256_storeu_ps(row, left[i]);
      _mm256_storeu_ps(row + 8, right[i]);
    }
  }
};

}  // namespace

#include "gemm_driver.h"

void gemmBlockAvx2(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd) {
  gemmBlock(problem, rowBegin, rowEnd, colBegin, colEnd);
}

#pragma GCC pop_options

MicroTile microTileAvx2() { return {Kernel::MR, Kernel::NR}; }
