// Single-precision matrix product C = op(A)·op(B) (+ C), the `gemm` kernel of the Backend interface.
#pragma once

/**
 * One product: op(A) is [m,k] and op(B) is [k,n]; storage is row-major, A is [m,k] or [k,m] when
 * transA, B is [k,n] or [n,k] when transB, C is [m,n]. With `accumulate`, C += op(A)·op(B).
 */
struct GemmProblem {
  bool transA;
  bool transB;
  int m;
  int n;
  int k;
  const float* a;
  const float* b;
  float* c;
  bool accumulate;
};

/** Computes rows [rowBegin, rowEnd) × columns [colBegin, colEnd) of C on the calling thread (k > 0). */
using GemmBlockFn = void (*)(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd);

// The blocked, packed product with each micro-kernel; each is compiled for its instruction set in
// its own translation unit and must only be called when the CPU supports it.
void gemmBlockAvx512(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd);
void gemmBlockAvx2(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd);
void gemmBlockScalar(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd);

/**
 * Products with m ≤ kFewRows and not both operands transposed, without packing (AVX-512 only);
 * every row of C, columns [colBegin, colEnd).
 */
constexpr int kFewRows = 4;
void gemmFewRowsAvx512(const GemmProblem& problem, int rowBegin, int rowEnd, int colBegin, int colEnd);

/**
 * Products of at most kSmallWork multiply-adds (m·n·k), on one thread without packing (AVX-512
 * only): below this size the packed driver's set-up costs more than the arithmetic.
 */
constexpr long kSmallWork = 32768;
void gemmSmallAvx512(const GemmProblem& problem);

/** The micro-tile shape (rows, columns of C) of each path; splits between threads follow it. */
struct MicroTile {
  int rows;
  int columns;
};
MicroTile microTileAvx512();
MicroTile microTileAvx2();
MicroTile microTileScalar();

/** The product on this machine's widest SIMD path, split across the thread pool when large enough. */
void gemmF32(const GemmProblem& problem);
