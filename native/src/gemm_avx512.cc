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
  // Measured on a 2-core AVX-512 Xeon (48 KiB L1, 2 MiB L2): NC = 2048 lost 10% at n = 4096.
  static constexpr int KC = 256, MC = 144, NC = 1024;

  static constexpr bool kHasTransposePack = true;

  /** Transposes 16 rows of 16 floats in registers: rows[i][j] becomes rows[j][i]. */
  static void transpose16(__m512 rows[16]) {
    __m512 pairs[16], quads[16];
    for (int i = 0; i < 16; i += 2) {  // interleave neighbouring rows' 32-bit elements
      pairs[i] = _mm512_unpacklo_ps(rows[i], rows[i + 1]);
      pairs[i + 1] = _mm512_unpackhi_ps(rows[i], rows[i + 1]);
    }
    for (int i = 0; i < 16; i += 4) {  // then 64-bit pairs: each 128-bit lane holds one column of 4 rows
      for (int h = 0; h < 2; h++) {
        const __m512d lo = _mm512_castps_pd(pairs[i + h]), hi = _mm512_castps_pd(pairs[i + 2 + h]);
        quads[i + 2 * h] = _mm512_castpd_ps(_mm512_unpacklo_pd(lo, hi));
        quads[i + 2 * h + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(lo, hi));
      }
    }
    for (int q = 0; q < 4; q++) {  // quads[4g + q], lane L: column 4L + q of rows 4g .. 4g+3
      const __m512 low01 = _mm512_shuffle_f32x4(quads[q], quads[4 + q], 0x44);
      const __m512 low23 = _mm512_shuffle_f32x4(quads[8 + q], quads[12 + q], 0x44);
      const __m512 high01 = _mm512_shuffle_f32x4(quads[q], quads[4 + q], 0xEE);
      const __m512 high23 = _mm512_shuffle_f32x4(quads[8 + q], quads[12 + q], 0xEE);
      rows[q] = _mm512_shuffle_f32x4(low01, low23, 0x88);
      rows[4 + q] = _mm512_shuffle_f32x4(low01, low23, 0xDD);
      rows[8 + q] = _mm512_shuffle_f32x4(high01, high23, 0x88);
      rows[12 + q] = _mm512_shuffle_f32x4(high01, high23, 0xDD);
    }
  }

  /** packTransposedPlain of gemm_driver.h in 16×16 register transposes (width 12 or 32). */
  static void packTransposed(const float* src, size_t stride, int count, int depth, float* dst, int width) {
    for (int rowStart = 0; rowStart < width; rowStart += 16) {
      const int rows = width - rowStart < 16 ? width - rowStart : 16;
      const int valid = count - rowStart < 0 ? 0 : (count - rowStart < rows ? count - rowStart : rows);
      const __mmask16 storeMask = static_cast<__mmask16>((1u << rows) - 1);
      for (int p = 0; p < depth; p += 16) {
        const int length = depth - p < 16 ? depth - p : 16;
        const __mmask16 loadMask = static_cast<__mmask16>((1u << length) - 1);
        __m512 block[16];
        for (int i = 0; i < 16; i++) {
          block[i] = i < valid ? _mm512_maskz_loadu_ps(loadMask, src + (rowStart + i) * stride + p) : _mm512_setzero_ps();
        }
        transpose16(block);
        for (int q = 0; q < length; q++) _mm512_mask_storeu_ps(dst + static_cast<size_t>(p + q) * width + rowStart, storeMask, block[q]);
      }
    }
  }

  static void run(int kc, const float* a, const float* b, float* c, long ldc, bool accumulate) {
    __m512 left[MR], right[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; i++) {
      left[i] = _mm512_setzero_ps();
      right[i] = _mm512_setzero_ps();
      // Start loading the tile of C now, so the read-modify-write at the end does not wait for
      // memory: with a large C (the weight gradient δᵀ·a) every tile is a cache miss.
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
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
