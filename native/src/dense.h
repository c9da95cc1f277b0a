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
