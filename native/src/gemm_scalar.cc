// The portable path (any CPU, baseline instruction set): a 4×8 micro-tile in plain C++, which
// compilers vectorise with the baseline SIMD (SSE2 on x86-64, NEON on arm64).
#include <cstddef>
#include <cstdlib>

#include "gemm.h"

namespace {

struct Kernel {
  static constexpr int MR = 4, NR = 8;
  static constexpr int KC = 256, MC = 64, NC = 2048;

  static constexpr bool kHasTransposePack = false;
  static void packTransposed(const float*, size_t, int, int, float*, int) {}

  static void run(int kc, const float* a, const float* b, float* c, long ldc, bool accumulate) {
    float tile[MR][NR] = {};
    for (int p = 0; p < kc; p++) {
      for (int i = 0; i < MR; i++) {
        const float ai = a[i];
        for (int j = 0; j < NR; j++) tile[i][j] += ai * b[j];
      }
      a += MR;
      b += NR;
    }
    for (int i = 0; i < MR; i++) {
      float* row = c + i * ldc;
      for (int j = 0; j < NR; j++) row[j] = accumulate ? row[j] + tile[i][j] : tile[i][j];
    }
  }
};

}  // namespace

#include "gemm_driver.h"

void gemmBlockScalar(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd) {
  gemmBlock(problem, rowBegin, rowEnd, colBegin, colEnd);
}

MicroTile microTileScalar() { return {Kernel::MR, Kernel::NR}; }
