// The Adam loop (optimizer_loop.h) vectorised for AVX-512: eight doubles a lane group, the same
// roundings as the scalar loop (IEEE operations lane by lane, nothing fused).
#include <cmath>
#include <cstddef>

#pragma GCC push_options
#pragma GCC target("avx512f")

namespace {
#include "optimizer_loop.h"
}  // namespace

void adamUpdateAvx512(float* w, const float* g, float* m, float* v, float* vMax, size_t count, double stepSize, double beta1, double beta2,
                      double eps, double sqrtBiasCorrection2, double l2) {
  if (vMax != nullptr) adamLoop<true>(w, g, m, v, vMax, count, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
  else adamLoop<false>(w, g, m, v, vMax, count, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
}

void sgdUpdateAvx512(int kind, float* w, const float* g, float* velocity, size_t count, double lr, double momentum, double weightDecay,
                     bool nesterov) {
  sgdAny(kind, w, g, velocity, count, lr, momentum, weightDecay, nesterov);
}

#pragma GCC pop_options
