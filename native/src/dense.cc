#include "dense.h"

#include <algorithm>

#include "gemm.h"

void denseForwardF32(const float* x, const float* w, const float* bias, int rows, int inputs, int outputs, Activation op, float* out,
                     float* preActivation) {
  gemmF32(GemmProblem{false, true, rows, outputs, inputs, x, w, out, false});
  if (bias != nullptr || op != Activation::Identity || preActivation != nullptr) biasActivationF32(out, bias, rows, outputs, op, out, preActivation);
}

void denseBackwardF32(Activation op, int rows, int inputs, int outputs, const float* x, const float* w, const float* z, const float* y,
                      const float* gradOut, float* delta, float* gradBias, bool accumulateBias, float* gradWeight, bool accumulateWeight,
                      float* gradInput, bool accumulateInput) {
  const size_t count = static_cast<size_t>(rows) * outputs;
  if (op != Activation::Identity) unaryBackwardF32(op, z, y, gradOut, delta, count, false);
  else if (delta != gradOut) std::copy(gradOut, gradOut + count, delta);
  if (gradBias != nullptr) reduceSumF32(delta, 1, rows, outputs, gradBias, accumulateBias);
  if (gradWeight != nullptr) gemmF32(GemmProblem{true, false, outputs, inputs, rows, delta, x, gradWeight, accumulateWeight});
  if (gradInput != nullptr) gemmF32(GemmProblem{false, false, rows, inputs, outputs, delta, w, gradInput, accumulateInput});
}
