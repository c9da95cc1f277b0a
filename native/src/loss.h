// Softmax cross-entropy with integer labels (the classification loss), forward and backward.
#pragma once

#include <cstddef>
#include <cstdint>

/**
 * The first row whose label is not in [0, cols), or −1 when every label is; only then
 * logProb = log softmax of each row of logits [rows, cols] (softmaxF32) and perSample[i] =
 * −logProb[i, labels[i]].
 */
long softmaxCrossEntropyLabelsF32(const float* logits, const int32_t* labels, size_t rows, size_t cols, float* logProb, float* perSample);

/**
 * ∂C/∂z of that loss when every sample's term has the gradient gradTerm: gradZ = 0 + gradTerm ·
 * e^logProb (e^ as the unary kernel computes it), then gradZ[i, labels[i]] −= gradTerm, each
 * operation in double rounded to float32, as src/ops/losses.ts computes it. Labels are not checked
 * again (the forward pass did).
 */
void softmaxCrossEntropyLabelsBackwardF32(const float* logProb, const int32_t* labels, size_t rows, size_t cols, double gradTerm, float* gradZ);
