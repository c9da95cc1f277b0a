#pragma once

#include <cstddef>

#include "activation.h"

/**
 * A dense layer's forward pass: out = f(x·wᵀ + bias) for x [rows, inputs] and w [outputs, inputs]
 * (a gemm, then biasActivationF32 in place), with z into preActivation when given. The one body
 * behind the addon's denseForward and the training loop of train.cc, so both give the same bits.
 */
void denseForwardF32(const float* x, const float* w, const float* bias, int rows, int inputs, int outputs, Activation op, float* out,
                     float* preActivation);

/**
 * A dense layer's backward pass: δ = gradOut ⊙ f′(z) into delta (delta may be gradOut itself; for
 * the identity δ = gradOut), then ∂C/∂b = Σ_rows δ, ∂C/∂W = δᵀ·x and ∂C/∂x = δ·w, each into its
 * storage when not null, added to what is there when its accumulate flag is set. The body behind
 * the addon's denseBackward and train.cc.
 */
void denseBackwardF32(Activation op, int rows, int inputs, int outputs, const float* x, const float* w, const float* z, const float* y,
                      const float* gradOut, float* delta, float* gradBias, bool accumulateBias, float* gradWeight, bool accumulateWeight,
                      float* gradInput, bool accumulateInput);

/**
 * One layer of a stack of dense layers (see denseStackForwardF32): W [units, inputs], bias [units]
 * or null, and for the backward pass ∂C/∂W and ∂C/∂b (null: not wanted), each added to what is
 * there when its accumulate flag is set.
 */
struct DenseStackLayer {
  int inputs;
  int units;
  Activation op;
  const float* weight;
  const float* bias;
  float* gradWeight;
  bool accumulateWeight;
  float* gradBias;
  bool accumulateBias;
};

/**
 * Numbers per row that the forward pass of a stack saves for its backward pass: each layer's
 * output a_l but the last's, then its z_l when f′ needs it (relu), each units_l numbers, in that
 * order, layer after layer.
 */
size_t denseStackSavedPerRow(const DenseStackLayer* layers, int count);

/**
 * The forward pass of `count` dense layers, layer after layer by denseForwardF32 (so the bits are
 * those of one call per layer): out receives the last layer's output; `saved` (rows ·
 * denseStackSavedPerRow numbers, laid out as said there) receives what the backward pass needs,
 * or is null when no backward pass will follow (the hidden outputs then go to working storage).
 */
void denseStackForwardF32(const DenseStackLayer* layers, int count, const float* x, int rows, float* out, float* saved);

/**
 * The backward pass of a stack from ∂C/∂out (gradOut), layer after layer from the last by
 * denseBackwardF32, as one call per layer would run it: each layer's δ overwrites its ∂C/∂a
 * (gradOut itself for the last layer, unless lastDelta is given), ∂C/∂W and ∂C/∂b go to the
 * layers' gradients; the layers below `firstBelow` (whose inputs need no gradient, and so, below
 * it, none of theirs) are not visited past the first of them; gradInput (may be null) receives
 * ∂C/∂x.
 */
void denseStackBackwardF32(const DenseStackLayer* layers, int count, int rows, const float* x, const float* saved, const float* out, float* gradOut,
                           float* lastDelta, int firstBelow, float* gradInput, bool accumulateInput);
