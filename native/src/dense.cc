#include "dense.h"

#include <algorithm>
#include <vector>

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

namespace {

/** Working storage of the stack passes, kept between calls of one thread. */
thread_local std::vector<float> stackHidden[2];

float* stackBuffer(int which, size_t size) {
  std::vector<float>& buffer = stackHidden[which];
  if (buffer.size() < size) buffer.resize(size);
  return buffer.data();
}

}  // namespace

size_t denseStackSavedPerRow(const DenseStackLayer* layers, int count) {
  size_t perRow = 0;
  for (int l = 0; l < count; l++) {
    if (l < count - 1) perRow += layers[l].units;
    if (derivativeFromInput(layers[l].op)) perRow += layers[l].units;
  }
  return perRow;
}

void denseStackForwardF32(const DenseStackLayer* layers, int count, const float* x, int rows, float* out, float* saved) {
  const float* input = x;
  size_t offset = 0;
  for (int l = 0; l < count; l++) {
    const DenseStackLayer& layer = layers[l];
    const size_t size = static_cast<size_t>(rows) * layer.units;
    float* y;
    if (l == count - 1) {
      y = out;
    } else if (saved != nullptr) {
      y = saved + offset;
      offset += size;
    } else {
      y = stackBuffer(l & 1, size);
    }
    float* z = nullptr;
    if (saved != nullptr && derivativeFromInput(layer.op)) {
      z = saved + offset;
      offset += size;
    }
    denseForwardF32(input, layer.weight, layer.bias, rows, layer.inputs, layer.units, layer.op, y, z);
    input = y;
  }
}

void denseStackBackwardF32(const DenseStackLayer* layers, int count, int rows, const float* x, const float* saved, const float* out, float* gradOut,
                           float* lastDelta, int firstBelow, float* gradInput, bool accumulateInput) {
  // Where each layer's saved a_l and z_l start (see denseStackSavedPerRow).
  thread_local std::vector<size_t> outputAt, preActivationAt;
  outputAt.resize(count);
  preActivationAt.resize(count);
  size_t offset = 0;
  for (int l = 0; l < count; l++) {
    const size_t size = static_cast<size_t>(rows) * layers[l].units;
    outputAt[l] = offset;
    if (l < count - 1) offset += size;
    preActivationAt[l] = offset;
    if (derivativeFromInput(layers[l].op)) offset += size;
  }
  float* gradY = gradOut;
  for (int l = count - 1; l >= 0; l--) {
    const DenseStackLayer& layer = layers[l];
    const float* input = l == 0 ? x : saved + outputAt[l - 1];
    const float* y = l == count - 1 ? out : saved + outputAt[l];
    const float* z = derivativeFromInput(layer.op) ? saved + preActivationAt[l] : nullptr;
    float* delta = l == count - 1 && lastDelta != nullptr ? lastDelta : gradY;
    float* gradBelow = nullptr;
    bool accumulateBelow = false;
    if (l == 0) {
      gradBelow = gradInput;
      accumulateBelow = accumulateInput;
    } else if (l >= firstBelow) {
      // Never the buffer gradY is in: layer l's ∂C/∂a came from layer l + 1 into buffer (l + 1) & 1.
      gradBelow = stackBuffer(l & 1, static_cast<size_t>(rows) * layer.inputs);
    }
    denseBackwardF32(layer.op, rows, layer.inputs, layer.units, input, layer.weight, z, y, gradY, delta, layer.gradBias, layer.accumulateBias,
                     layer.gradWeight, layer.accumulateWeight, gradBelow, accumulateBelow);
    if (gradBelow == nullptr) return;
    gradY = gradBelow;
  }
}
