#include "activation.h"

#include <cmath>

#include "cpu.h"

namespace {

/** σ(z) = 1 / (1 + e^(−z)), written so that neither branch overflows. */
inline float sigmoid(float z) {
  if (z >= 0.0f) return 1.0f / (1.0f + std::exp(-z));
  const float e = std::exp(z);
  return e / (1.0f + e);
}

template <Activation op>
inline float apply(float z) {
  if constexpr (op == Activation::Relu) return z > 0.0f ? z : 0.0f;
  else if constexpr (op == Activation::Tanh) return std::tanh(z);
  else if constexpr (op == Activation::Sigmoid) return sigmoid(z);
  else if constexpr (op == Activation::Exp) return std::exp(z);
  else if constexpr (op == Activation::Square) return z * z;
  else if constexpr (op == Activation::Abs) return std::fabs(z);
  else return z;
}

template <Activation op>
void biasActivationLoop(const float* x, const float* bias, size_t rows, size_t cols, float* out, float* preActivation) {
  for (size_t r = 0; r < rows; r++) {
    const float* xRow = x + r * cols;
    float* outRow = out + r * cols;
    float* preRow = preActivation != nullptr ? preActivation + r * cols : nullptr;
    for (size_t c = 0; c < cols; c++) {
      const float z = bias != nullptr ? xRow[c] + bias[c] : xRow[c];
      if (preRow != nullptr) preRow[c] = z;
      outRow[c] = apply<op>(z);
    }
  }
}

template <Activation op>
inline float derivativeTimes(float gradOut, float x, float y) {
  if constexpr (op == Activation::Relu) return x > 0.0f ? gradOut : 0.0f;
  else if constexpr (op == Activation::Tanh) return gradOut * (1.0f - y * y);
  else if constexpr (op == Activation::Sigmoid) return gradOut * (y * (1.0f - y));
  else if constexpr (op == Activation::Exp) return gradOut * y;
  else return gradOut;
}

template <Activation op>
void unaryBackwardLoop(const float* x, const float* y, const float* gradOut, float* gradIn, size_t count, bool accumulate) {
  if (accumulate) {
    for (size_t i = 0; i < count; i++) gradIn[i] += derivativeTimes<op>(gradOut[i], x[i], y[i]);
  } else {
    for (size_t i = 0; i < count; i++) gradIn[i] = derivativeTimes<op>(gradOut[i], x[i], y[i]);
  }
}

/**
 * gradIn (+)= gradOut · f′(x) for f′(x) = 2x (square) or sign x (abs), in double as the TypeScript
 * backend computes it (the product is exact in double, so only the final sum rounds, once to double
 * and once to float32, exactly as there).
 */
template <Activation op>
void exactBackwardLoop(const float* x, const float* gradOut, float* gradIn, size_t count, bool accumulate) {
  for (size_t i = 0; i < count; i++) {
    const double v = x[i];
    const double derivative = op == Activation::Square ? 2.0 * v : (v > 0 ? 1.0 : v < 0 ? -1.0 : 0.0);
    const double product = static_cast<double>(gradOut[i]) * derivative;
    gradIn[i] = static_cast<float>(accumulate ? static_cast<double>(gradIn[i]) + product : product);
  }
}

/** Σ_j x[j] for j < length, in 16 running sums (vectorised) added pairwise at the end. */
float sumContiguous(const float* x, size_t length) {
  constexpr size_t kLanes = 16;
  float lanes[kLanes] = {};
  size_t j = 0;
  for (; j + kLanes <= length; j += kLanes)
    for (size_t l = 0; l < kLanes; l++) lanes[l] += x[j + l];
  for (size_t l = 0; j < length; j++, l++) lanes[l] += x[j];
  for (size_t width = kLanes / 2; width > 0; width /= 2)
    for (size_t l = 0; l < width; l++) lanes[l] += lanes[l + width];
  return lanes[0];
}

}  // namespace

void biasActivationF32(const float* x, const float* bias, size_t rows, size_t cols, Activation op, float* out, float* preActivation) {
#ifndef BACKPROP_SCALAR_ONLY
  static const bool hasAvx512 = detectSimdLevel() == SimdLevel::Avx512;
  if (hasAvx512 && (op == Activation::Tanh || op == Activation::Sigmoid || op == Activation::Exp)) {
    biasActivationLoop<Activation::Identity>(x, bias, rows, cols, out, preActivation);
    if (op == Activation::Tanh) tanhInPlaceAvx512(out, rows * cols);
    else if (op == Activation::Sigmoid) sigmoidInPlaceAvx512(out, rows * cols);
    else expInPlaceAvx512(out, rows * cols);
    return;
  }
#endif
  switch (op) {
    case Activation::Relu: return biasActivationLoop<Activation::Relu>(x, bias, rows, cols, out, preActivation);
    case Activation::Tanh: return biasActivationLoop<Activation::Tanh>(x, bias, rows, cols, out, preActivation);
    case Activation::Sigmoid: return biasActivationLoop<Activation::Sigmoid>(x, bias, rows, cols, out, preActivation);
    case Activation::Exp: return biasActivationLoop<Activation::Exp>(x, bias, rows, cols, out, preActivation);
    case Activation::Identity: return biasActivationLoop<Activation::Identity>(x, bias, rows, cols, out, preActivation);
    case Activation::Square: return biasActivationLoop<Activation::Square>(x, bias, rows, cols, out, preActivation);
    case Activation::Abs: return biasActivationLoop<Activation::Abs>(x, bias, rows, cols, out, preActivation);
  }
}

void unaryBackwardF32(Activation op, const float* x, const float* y, const float* gradOut, float* gradIn, size_t count, bool accumulate) {
  switch (op) {
    case Activation::Relu: return unaryBackwardLoop<Activation::Relu>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Tanh: return unaryBackwardLoop<Activation::Tanh>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Sigmoid: return unaryBackwardLoop<Activation::Sigmoid>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Exp: return unaryBackwardLoop<Activation::Exp>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Identity: return unaryBackwardLoop<Activation::Identity>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Square: return exactBackwardLoop<Activation::Square>(x, gradOut, gradIn, count, accumulate);
    case Activation::Abs: return exactBackwardLoop<Activation::Abs>(x, gradOut, gradIn, count, accumulate);
  }
}

void reduceSumF32(const float* x, size_t outer, size_t length, size_t inner, float* out, bool accumulate) {
  if (inner == 1) {
    for (size_t o = 0; o < outer; o++) {
      const float sum = sumContiguous(x + o * length, length);
      out[o] = accumulate ? out[o] + sum : sum;
    }
    return;
  }
#ifndef BACKPROP_SCALAR_ONLY
  static const bool hasAvx512 = detectSimdLevel() == SimdLevel::Avx512;
  if (hasAvx512) return columnSumsAvx512(x, outer, length, inner, out, accumulate);
#endif
  for (size_t o = 0; o < outer; o++) {
    float* sums = out + o * inner;
    if (!accumulate)
      for (size_t i = 0; i < inner; i++) sums[i] = 0.0f;
    const float* block = x + o * length * inner;
    for (size_t j = 0; j < length; j++) {
      const float* row = block + j * inner;
      for (size_t i = 0; i < inner; i++) sums[i] += row[i];
    }
  }
}

void softmaxF32(const float* x, size_t rows, size_t cols, float* out, bool log) {
#ifndef BACKPROP_SCALAR_ONLY
  static const bool hasAvx512 = detectSimdLevel() == SimdLevel::Avx512;
  if (hasAvx512) return softmaxAvx512(x, rows, cols, out, log);
#endif
  for (size_t r = 0; r < rows; r++) {
    const float* in = x + r * cols;
    float* row = out + r * cols;
    float max = -INFINITY;
    for (size_t c = 0; c < cols; c++) max = in[c] > max ? in[c] : max;
    if (max == -INFINITY) max = 0.0f;
    double sum = 0;
    for (size_t c = 0; c < cols; c++) sum += std::exp(static_cast<double>(in[c]) - max);
    if (log) {
      const double logSum = max + std::log(sum);
      for (size_t c = 0; c < cols; c++) row[c] = static_cast<float>(in[c] - logSum);
    } else {
      for (size_t c = 0; c < cols; c++) row[c] = static_cast<float>(std::exp(static_cast<double>(in[c]) - max) / sum);
    }
  }
}
