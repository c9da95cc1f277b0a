// The cache-blocked driver around a register-blocked micro-kernel (the GotoBLAS/BLIS loop nest).
// Included once by each instruction-set translation unit after its `#pragma GCC target`, so every
// function here is compiled for that instruction set; everything is in an anonymous namespace so
// no inline copy can be shared with (and run on) a CPU that lacks the instructions.
//
// The including file defines `struct Kernel` with:
//   static constexpr int MR, NR;          micro-tile: MR rows × NR columns of C held in registers
//   static constexpr int KC, MC, NC;      block sizes: KC (depth) × NR B micro-panel stays in L1,
//                                         MC × KC block of A in L2, KC × NC panel of B in L3
//   static void run(int kc, const float* packedA, const float* packedB, float* c, long ldc, bool accumulate);
//     C[MR,NR] (row stride ldc) = (accumulate ? C : 0) + Σ_p packedA[p·MR + i] · packedB[p·NR + j]
//   static constexpr bool kHasTransposePack;   whether it has its own (SIMD) packTransposed:
//   static void packTransposed(const float* src, size_t stride, int count, int depth, float* dst, int width);
//     the same result as packTransposedPlain below
//
// Standard headers must be included before the pragma, never from here.

namespace {

inline int minInt(int x, int y) { return x < y ? x : y; }

/** A 64-byte-aligned scratch array per thread, grown on demand and kept for the thread's lifetime. */
struct Scratch {
  float* data = nullptr;
  size_t capacity = 0;
  float* reserve(size_t count) {
    if (count > capacity) {
      std::free(data);
      size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
      data = static_cast<float*>(std::aligned_alloc(64, bytes));
      capacity = data != nullptr ? count : 0;
    }
    return data;
  }
};
thread_local Scratch packedABuffer;
thread_local Scratch packedBBuffer;

/**
 * dst[p·width + r] = src[r·stride + p] for r < count, p < depth, and 0 for count ≤ r < width: turns
 * `count` rows of storage into a micro-panel whose rows are the storage's columns.
 */
void packTransposedPlain(const float* src, size_t stride, int count, int depth, float* dst, int width) {
  for (int p = 0; p < depth; p++) {
    float* out = dst + static_cast<size_t>(p) * width;
    for (int r = 0; r < width; r++) out[r] = r < count ? src[r * stride + p] : 0.0f;
  }
}

inline void packTransposed(const float* src, size_t stride, int count, int depth, float* dst, int width) {
  if constexpr (Kernel::kHasTransposePack) Kernel::packTransposed(src, stride, count, depth, dst, width);
  else packTransposedPlain(src, stride, count, depth, dst, width);
}

/**
 * Packs op(A)[rowStart .. rowStart+rows, depthStart .. depthStart+depth] into MR-row micro-panels:
 * panel r holds element (i, p) at r·depth·MR + p·MR + i; rows past the edge are zero.
 */
void packA(const GemmProblem& g, int rowStart, int rows, int depthStart, int depth, float* dst) {
  constexpr int MR = Kernel::MR;
  for (int r = 0; r < rows; r += MR) {
    const int valid = minInt(MR, rows - r);
    float* panel = dst + static_cast<size_t>(r) * depth;
    if (g.transA) {  // A stored [k,m]: a row of storage holds MR consecutive rows of op(A)
      const float* src = g.a + static_cast<size_t>(depthStart) * g.m + rowStart + r;
      for (int p = 0; p < depth; p++, src += g.m) {
        float* out = panel + p * MR;
        if (valid == MR) {
          for (int i = 0; i < MR; i++) out[i] = src[i];
        } else {
          for (int i = 0; i < MR; i++) out[i] = i < valid ? src[i] : 0.0f;
        }
      }
    } else {  // A stored [m,k]: transpose MR rows into the panel
      packTransposed(g.a + static_cast<size_t>(rowStart + r) * g.k + depthStart, g.k, valid, depth, panel, MR);
    }
  }
}

/**
 * Packs op(B)[depthStart .. +depth, colStart .. +cols] into NR-column micro-panels: panel c holds
 * element (p, j) at c·depth·NR + p·NR + j; columns past the edge are zero.
 */
void packB(const GemmProblem& g, int colStart, int cols, int depthStart, int depth, float* dst) {
  constexpr int NR = Kernel::NR;
  for (int c = 0; c < cols; c += NR) {
    const int valid = minInt(NR, cols - c);
    float* panel = dst + static_cast<size_t>(c) * depth;
    if (!g.transB) {  // B stored [k,n]: copy NR consecutive columns of each row
      const float* src = g.b + static_cast<size_t>(depthStart) * g.n + colStart + c;
      for (int p = 0; p < depth; p++, src += g.n) {
        float* out = panel + p * NR;
        if (valid == NR) {
          for (int j = 0; j < NR; j++) out[j] = src[j];
        } else {
          for (int j = 0; j < NR; j++) out[j] = j < valid ? src[j] : 0.0f;
        }
      }
    } else {  // B stored [n,k]: transpose NR rows into the panel
      packTransposed(g.b + static_cast<size_t>(colStart + c) * g.k + depthStart, g.k, valid, depth, panel, NR);
    }
  }
}

void gemmBlock(const GemmProblem& g, int rowBegin, int rowEnd, int colBegin, int colEnd) {
  constexpr int MR = Kernel::MR, NR = Kernel::NR;
  const int maxDepth = minInt(Kernel::KC, g.k);
  const int maxRows = minInt(Kernel::MC, (rowEnd - rowBegin + MR - 1) / MR * MR);
  const int maxCols = minInt(Kernel::NC, (colEnd - colBegin + NR - 1) / NR * NR);
  float* packedA = packedABuffer.reserve(static_cast<size_t>(maxRows) * maxDepth);
  float* packedB = packedBBuffer.reserve(static_cast<size_t>(maxCols) * maxDepth);
  if (packedA == nullptr || packedB == nullptr) std::abort();  // out of memory for a few MiB of scratch
  const long ldc = g.n;
  alignas(64) float edgeTile[MR * NR];

  for (int jc = colBegin; jc < colEnd; jc += Kernel::NC) {
    const int cols = minInt(Kernel::NC, colEnd - jc);
    for (int pc = 0; pc < g.k; pc += Kernel::KC) {
      const int depth = minInt(Kernel::KC, g.k - pc);
      const bool accumulate = g.accumulate || pc > 0;
      packB(g, jc, cols, pc, depth, packedB);
      for (int ic = rowBegin; ic < rowEnd; ic += Kernel::MC) {
        const int rows = minInt(Kernel::MC, rowEnd - ic);
        packA(g, ic, rows, pc, depth, packedA);
        for (int jr = 0; jr < cols; jr += NR) {
          const int validCols = minInt(NR, cols - jr);
          const float* panelB = packedB + static_cast<size_t>(jr) * depth;
          for (int ir = 0; ir < rows; ir += MR) {
            const int validRows = minInt(MR, rows - ir);
            const float* panelA = packedA + static_cast<size_t>(ir) * depth;
            float* c = g.c + static_cast<size_t>(ic + ir) * ldc + jc + jr;
            if (validRows == MR && validCols == NR) {
              Kernel::run(depth, panelA, panelB, c, ldc, accumulate);
            } else {
              Kernel::run(depth, panelA, panelB, edgeTile, NR, false);
              for (int i = 0; i < validRows; i++) {
                float* cRow = c + i * ldc;
                const float* tileRow = edgeTile + i * NR;
                if (accumulate) {
                  for (int j = 0; j < validCols; j++) cRow[j] += tileRow[j];
                } else {
                  for (int j = 0; j < validCols; j++) cRow[j] = tileRow[j];
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace
