#include "loss.h"

#include "activation.h"

long softmaxCrossEntropyLabelsF32(const float* logits, const int32_t* labels, size_t rows, size_t cols, float* logProb, float* perSample) {
  for (size_t i = 0; i < rows; i++) {
    if (labels[i] < 0 || static_cast<size_t>(labels[i]) >= cols) return static_cast<long>(i);
  }
  softmaxF32(logits, rows, cols, logProb, true);
  for (size_t i = 0; i < rows; i++) perSample[i] = -logProb[i * cols + labels[i]];
  return -1;
}

void softmaxCrossEntropyLabelsBackwardF32(const float* logProb, const int32_t* labels, size_t rows, size_t cols, double gradTerm, float* gradZ) {
  const size_t count = rows * cols;
  biasActivationF32(logProb, nullptr, 1, count, Activation::Exp, gradZ, nullptr);
  for (size_t i = 0; i < count; i++) gradZ[i] = static_cast<float>(0.0 + gradTerm * static_cast<double>(gradZ[i]));
  for (size_t i = 0; i < rows; i++) {
    float& target = gradZ[i * cols + labels[i]];
    target = static_cast<float>(static_cast<double>(target) - gradTerm);
  }
}
