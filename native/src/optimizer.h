// Optimiser updates over one parameter's flat float32 arrays, computed in double in exactly the
// order of src/optim's TypeScript loops (and without fused multiply-adds, see binding.gyp), so the
// weights come out bit-identical to theirs: a drop-in for the per-element loops that dominate
// small networks' steps (Adam over 235k weights took ~1 ms a step in TypeScript).
#pragma once

#include <cstddef>

/**
 * Adam / AdamW (src/optim/adam.ts, adamUpdate): with g′ = g + l2·w,
 *   m ← β1·m + (1 − β1)·g′,  v ← β2·v + (1 − β2)·g′·g′,  v̂max ← max(v̂max, v) when vMax is given,
 *   w ← w − stepSize·m / (√v(max) / sqrtBiasCorrection2 + ε),
 * where the caller passes stepSize = lr/(1 − β1ᵗ) and sqrtBiasCorrection2 = √(1 − β2ᵗ).
 */
void adamUpdateF32(float* w, const float* g, float* m, float* v, float* vMax, size_t count, double stepSize, double beta1, double beta2,
                   double eps, double sqrtBiasCorrection2, double l2);

/**
 * SGD (src/optim/sgd.ts): velocity null → w ← w − lr·(g + λw); else with g′ = g + λw,
 * 'pytorch' (textbook false): v ← μv + g′, w ← w − lr·(nesterov ? g′ + μv : v);
 * 'textbook': v ← μv − lr·g′, w ← w + (nesterov ? μv − lr·g′ : v).
 */
void sgdUpdateF32(float* w, const float* g, float* velocity, size_t count, double lr, double momentum, double weightDecay, bool nesterov,
                  bool textbook);
