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
  }
}

void unaryBackwardF32(Activation op, const float* x, const float* y, const float* gradOut, float* gradIn, size_t count, bool accumulate) {
  switch (op) {
    case Activation::Relu: return unaryBackwardLoop<Activation::Relu>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Tanh: return unaryBackwardLoop<Activation::Tanh>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Sigmoid: return unaryBackwardLoop<Activation::Sigmoid>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Exp: return unaryBackwardLoop<Activation::Exp>(x, y, gradOut, gradIn, count, accumulate);
    case Activation::Identity: return unaryBackwardLoop<Activation::Identity>(x, y, gradOut, gradIn, count, accumulate);
  }
}

void reduceSumF32(const float* x, size_t outer, size_t length, size_t inner, float* out, bool accumulate) {
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
