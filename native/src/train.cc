#include "train.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "dense.h"
#include "elementwise.h"
#include "optimizer.h"

namespace {

/** Working storage, kept between calls of one thread (a Node worker may run its own training). */
struct Workspace {
  std::vector<float> batchX, batchTargets, local, probability, gradDifference, terms, gradTerms;
  std::vector<int32_t> batchLabels;
  // Per layer: its output a, z (activation layers), ∂C/∂a and ∂C/∂z.
  std::vector<std::vector<float>> outputs, preActivations, grads, gradPreActivations;
  // Per parameter: e(w) of a penalty and its upstream gradient.
  std::vector<std::vector<float>> penaltyValues, penaltyUpstream;
};

thread_local Workspace workspace;

void ensureSize(std::vector<float>& buffer, size_t size) {
  if (buffer.size() < size) buffer.resize(size);
}

bool allFinite(const float* values, size_t count) {
  // An exponent of all ones is ±∞ or NaN; OR-ing the tests keeps the loop branch-free (vectorised).
  uint32_t special = 0;
  for (size_t i = 0; i < count; i++) {
    uint32_t bits;
    std::memcpy(&bits, values + i, sizeof bits);
    special |= (bits & 0x7f800000u) == 0x7f800000u;
  }
  return special == 0;
}

}  // namespace

void linkLayers(DenseTraining& t) {
  for (DenseLayerRef& layer : t.layers) {
    const ParameterRef& weight = t.parameters[layer.parameter];
    layer.weight = weight.value;
    layer.gradWeight = weight.grad;
    layer.bias = layer.hasBias ? t.parameters[layer.parameter + 1].value : nullptr;
    layer.gradBias = layer.hasBias ? t.parameters[layer.parameter + 1].grad : nullptr;
  }
}

int trainDenseSteps(const DenseTraining& t, StopKind* stop) {
  *stop = StopKind::None;
  Workspace& w = workspace;
  const size_t layerCount = t.layers.size();
  const size_t last = layerCount - 1;
  w.outputs.resize(layerCount);
  w.preActivations.resize(layerCount);
  w.grads.resize(layerCount);
  w.gradPreActivations.resize(layerCount);
  const size_t batchSize = t.batchSize;
  for (size_t l = 0; l < layerCount; l++) {
    const size_t size = batchSize * t.layers[l].units;
    ensureSize(w.outputs[l], size);
    ensureSize(w.grads[l], size);
    if (t.layers[l].op != Activation::Identity) {
      ensureSize(w.preActivations[l], size);
      ensureSize(w.gradPreActivations[l], size);
    }
  }
  const size_t outputs = t.outputs;
  ensureSize(w.batchX, batchSize * t.features);
  ensureSize(w.local, batchSize * outputs);
  ensureSize(w.probability, batchSize * outputs);
  ensureSize(w.gradDifference, batchSize * outputs);
  ensureSize(w.terms, batchSize * outputs);
  ensureSize(w.gradTerms, batchSize * outputs);
  if (!t.penalties.empty()) {
    w.penaltyValues.resize(t.parameters.size());
    w.penaltyUpstream.resize(t.parameters.size());
    for (size_t i = 0; i < t.parameters.size(); i++) {
      ensureSize(w.penaltyValues[i], t.parameters[i].count);
      ensureSize(w.penaltyUpstream[i], t.parameters[i].count);
    }
  }
  if (t.loss == LossKind::Mse) ensureSize(w.batchTargets, batchSize * outputs);
  else if (w.batchLabels.size() < batchSize) w.batchLabels.resize(batchSize);

  for (int step = 0; step < t.count; step++) {
    const long start = t.first + static_cast<long>(step) * t.batchSize;
    const int rows = static_cast<int>(std::min<long>(t.batchSize, t.rows - start));
    // fillBatch: the rows of this batch, in order.
    for (int r = 0; r < rows; r++) {
      const long source = t.order[start + r];
      std::memcpy(w.batchX.data() + static_cast<size_t>(r) * t.features, t.x + source * t.features, sizeof(float) * t.features);
      if (t.loss == LossKind::Mse) std::memcpy(w.batchTargets.data() + static_cast<size_t>(r) * outputs, t.targets + source * outputs, sizeof(float) * outputs);
      else w.batchLabels[r] = t.labels[source];
    }
    // optimizer.zeroGrad()
    for (const ParameterRef& p : t.parameters) std::fill(p.grad, p.grad + p.count, 0.0f);

    // FusedTrainingStep.forward: the layers, then FusedLoss.forward.
    const float* input = w.batchX.data();
    for (size_t l = 0; l < layerCount; l++) {
      const DenseLayerRef& layer = t.layers[l];
      denseForwardF32(input, layer.weight, layer.bias, rows, layer.inputs, layer.units, layer.op, w.outputs[l].data(),
                      layer.op != Activation::Identity ? w.preActivations[l].data() : nullptr);
      input = w.outputs[l].data();
    }
    const float* y = w.outputs[last].data();
    const size_t size = static_cast<size_t>(rows) * outputs;
    const size_t termCount = t.loss == LossKind::SoftmaxCrossEntropy ? rows : size;
    if (t.loss == LossKind::SoftmaxCrossEntropy) {
      softmaxF32(y, rows, outputs, w.local.data(), true);
      for (int i = 0; i < rows; i++) w.terms[i] = -w.local[static_cast<size_t>(i) * outputs + w.batchLabels[i]];
    } else {
      binaryF32(BinaryOp::Sub, y, w.batchTargets.data(), w.local.data(), size, size);
      biasActivationF32(w.local.data(), nullptr, 1, size, Activation::Square, w.terms.data(), nullptr);
    }
    float total = 0;
    reduceSumF32(w.terms.data(), 1, termCount, 1, &total, false);
    // unary('mulScalar') of the TypeScript backend: the product in double, stored as float32.
    const double inverseCount = 1.0 / static_cast<double>(termCount);
    const float loss = static_cast<float>(static_cast<double>(total) * inverseCount);
    t.losses[step] = loss;
    // FusedPenalty.totalLoss: C + factor·Σ e(w) per term, each sum weight by weight, all in float32.
    float totalLoss = loss;
    for (const PenaltyTerm& term : t.penalties) {
      float sum = 0;
      bool first = true;
      for (size_t i = 0; i < t.parameters.size(); i++) {
        const ParameterRef& p = t.parameters[i];
        if (!p.penalised) continue;
        float* values = w.penaltyValues[i].data();
        biasActivationF32(p.value, nullptr, 1, p.count, term.op, values, nullptr);
        float partial = 0;
        reduceSumF32(values, 1, p.count, 1, first ? &sum : &partial, false);
        if (!first) sum = sum + partial;
        first = false;
      }
      const float scaled = static_cast<float>(static_cast<double>(sum) * term.factor);
      totalLoss = totalLoss + scaled;
    }
    if (!std::isfinite(totalLoss)) {
      *stop = StopKind::NonFiniteLoss;
      return step;
    }

    // FusedLoss.backward: ∂C/∂Σ = 0 + 1·(1/n), handed to every term (0 + g), then ∂C/∂y.
    const float gradTerm = 0.0f + static_cast<float>(0.0 + 1.0 * inverseCount);
    float* gradY = w.grads[last].data();
    std::fill(gradY, gradY + size, 0.0f);
    if (t.loss == LossKind::SoftmaxCrossEntropy) {
      biasActivationF32(w.local.data(), nullptr, 1, size, Activation::Exp, w.probability.data(), nullptr);
      for (int i = 0; i < rows; i++) {
        const size_t base = static_cast<size_t>(i) * outputs;
        for (size_t j = 0; j < outputs; j++) {
          gradY[base + j] = static_cast<float>(static_cast<double>(gradY[base + j]) + static_cast<double>(gradTerm) * static_cast<double>(w.probability[base + j]));
        }
        const size_t target = base + w.batchLabels[i];
        gradY[target] = static_cast<float>(static_cast<double>(gradY[target]) - static_cast<double>(gradTerm));
      }
    } else {
      std::fill(w.gradTerms.data(), w.gradTerms.data() + size, gradTerm);
      std::fill(w.gradDifference.data(), w.gradDifference.data() + size, 0.0f);
      unaryBackwardF32(Activation::Square, w.local.data(), w.terms.data(), w.gradTerms.data(), w.gradDifference.data(), size, true);
      binaryF32(BinaryOp::Add, gradY, w.gradDifference.data(), gradY, size, size);
    }

    // FusedPenalty.addGradients (before the network's): l2's then l1's ∂P/∂w = factor·e′(w) into the zeroed gradients.
    for (size_t k = t.penalties.size(); k-- > 0;) {
      const PenaltyTerm& term = t.penalties[k];
      const float g = static_cast<float>(0.0 + 1.0 * term.factor);
      for (size_t i = 0; i < t.parameters.size(); i++) {
        const ParameterRef& p = t.parameters[i];
        if (!p.penalised) continue;
        float* upstream = w.penaltyUpstream[i].data();
        std::fill(upstream, upstream + p.count, g);
        unaryBackwardF32(term.op, p.value, w.penaltyValues[i].data(), upstream, p.grad, p.count, true);
      }
    }

    // FusedTrainingStep.backward: each layer's denseBackward, from the last.
    for (size_t l = layerCount; l-- > 0;) {
      const DenseLayerRef& layer = t.layers[l];
      float* gradOutput = w.grads[l].data();
      const float* layerInput = l == 0 ? w.batchX.data() : w.outputs[l - 1].data();
      const bool activated = layer.op != Activation::Identity;
      denseBackwardF32(layer.op, rows, layer.inputs, layer.units, layerInput, layer.weight, activated ? w.preActivations[l].data() : nullptr,
                       w.outputs[l].data(), gradOutput, activated ? w.gradPreActivations[l].data() : gradOutput, layer.gradBias, true,
                       layer.gradWeight, true, l > 0 ? w.grads[l - 1].data() : nullptr, false);
    }

    // The guard's copy, optimizer.step(), the guard's check.
    const bool guarded = !t.parameters.empty() && t.parameters[0].saved != nullptr;
    if (guarded) for (const ParameterRef& p : t.parameters) std::memcpy(p.saved, p.value, sizeof(float) * p.count);
    for (const ParameterRef& p : t.parameters) {
      if (t.optimizer == OptimizerKind::Sgd) {
        sgdUpdateF32(p.value, p.grad, p.velocity, p.count, t.lr, t.momentum, t.weightDecay, t.nesterov, t.textbook);
      } else {
        if (t.optimizer == OptimizerKind::AdamW) {
          // AdamW's shrink, in double as TypeScript's w[i] *= shrink rounds it.
          const double shrink = 1 - t.lr * t.weightDecay;
          if (shrink != 1) for (size_t i = 0; i < p.count; i++) p.value[i] = static_cast<float>(static_cast<double>(p.value[i]) * shrink);
        }
        adamUpdateF32(p.value, p.grad, p.firstMoment, p.secondMoment, p.maxSecondMoment, p.count, t.stepSizes[step], t.beta1, t.beta2, t.eps,
                      t.sqrtBiasCorrections2[step], t.l2);
      }
    }
    if (guarded) {
      for (const ParameterRef& p : t.parameters) {
        if (!allFinite(p.value, p.count)) {
          *stop = StopKind::NonFiniteWeight;
          return step + 1;
        }
      }
    }

    // countCorrect: rows whose first largest output is their label.
    int32_t correct = 0;
    if (t.loss == LossKind::SoftmaxCrossEntropy) {
      for (int r = 0; r < rows; r++) {
        const float* row = y + static_cast<size_t>(r) * outputs;
        size_t best = 0;
        for (size_t c = 1; c < outputs; c++) if (row[c] > row[best]) best = c;
        if (static_cast<int32_t>(best) == w.batchLabels[r]) correct++;
      }
    }
    t.correct[step] = correct;
  }
  return t.count;
}
