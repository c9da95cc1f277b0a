// Float32 dense-layer epilogue and activation derivatives for the activations training uses most.
#pragma once

#include <cstddef>

/**
 * Elementwise functions with native loops: the activations, plus square and abs (the per-element
 * terms of mseLoss and maeLoss) and exp (softmax from log-softmax); the codes are shared with
 * node/native.ts.
 */
enum class Activation { Identity = 0, Relu = 1, Tanh = 2, Sigmoid = 3, Square = 4, Abs = 5, Exp = 6 };
constexpr Activation kLastActivation = Activation::Exp;

/** Whether f′ is computed from y = f(x) (tanh′ = 1 − y², σ′ = y(1 − y), exp′ = y) rather than from x. */
inline bool derivativeFromOutput(Activation op) { return op == Activation::Tanh || op == Activation::Sigmoid || op == Activation::Exp; }

/** Whether f′ needs the input x (relu′, square′ = 2x, abs′ = sign x). */
inline bool derivativeFromInput(Activation op) { return op == Activation::Relu || op == Activation::Square || op == Activation::Abs; }

/**
 * z[r,c] = x[r,c] + bias[c] (bias may be null) for x viewed as [rows, cols]; preActivation (may be
 * null) receives z; out = f(z). `out` and `preActivation` may alias x.
 */
void biasActivationF32(const float* x, const float* bias, size_t rows, size_t cols, Activation op, float* out, float* preActivation);

/**
 * Sums the middle axis of x viewed as [outer, length, inner]: out[o·inner + i] (+)= Σ_j
 * x[(o·length + j)·inner + i]; the bias gradient of a dense layer is the case outer = 1. With
 * inner = 1 (the sum of a whole array, as in a mean loss) the terms go to 16 running sums in
 * turn, added pairwise at the end: vectorised, and more accurate than one running sum.
 */
void reduceSumF32(const float* x, size_t outer, size_t length, size_t inner, float* out, bool accumulate);

/**
 * gradIn[i] (+)= gradOut[i] · f′(x[i]) over `count` elements, with f′ from x (relu, square′ = 2x,
 * abs′ = sign x) or from y = f(x) (tanh′ = 1 − y², σ′ = y(1 − y)); relu′(0) = abs′(0) = 0. Square
 * and abs accumulate in double, as the TypeScript backend does, so their results equal its.
 */
void unaryBackwardF32(Activation op, const float* x, const float* y, const float* gradOut, float* gradIn, size_t count, bool accumulate);

/**
 * Softmax (or log-softmax when `log`) over each row of x viewed as [rows, cols], with the row
 * maximum subtracted first so that logits near ±1000 stay finite; `out` may alias x.
 */
void softmaxF32(const float* x, size_t rows, size_t cols, float* out, bool log);

/** values[i] = tanh / σ / exp of values[i] with AVX-512; only for CPUs that have it (see cpu.h). */
void tanhInPlaceAvx512(float* values, size_t count);
void sigmoidInPlaceAvx512(float* values, size_t count);
void expInPlaceAvx512(float* values, size_t count);
void softmaxAvx512(const float* x, size_t rows, size_t cols, float* out, bool log);
/** reduceSumF32 for inner > 1 (column sums, e.g. a bias gradient) with AVX-512; the same sums in the same order. */
void columnSumsAvx512(const float* x, size_t outer, size_t length, size_t inner, float* out, bool accumulate);
