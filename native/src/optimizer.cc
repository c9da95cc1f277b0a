#include "optimizer.h"

#include <cmath>

#include "cpu.h"
#include "thread_pool.h"

namespace {
#include "optimizer_loop.h"
}  // namespace

#ifndef BACKPROP_SCALAR_ONLY
void adamUpdateAvx512(float* w, const float* g, float* m, float* v, float* vMax, size_t count, double stepSize, double beta1, double beta2,
                      double eps, double sqrtBiasCorrection2, double l2);
#endif

namespace {

/** One update's arguments, for splitting it between the pool's threads. */
struct AdamTask {
  float* w;
  const float* g;
  float* m;
  float* v;
  float* vMax;
  size_t count;
  double stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2;
};

void adamRange(const AdamTask& t, size_t begin, size_t end);

void adamHalf(void* context, int part) {
  const AdamTask& t = *static_cast<const AdamTask*>(context);
  const size_t middle = t.count / 2 / 16 * 16;
  if (part == 0) adamRange(t, 0, middle);
  else adamRange(t, middle, t.count);
}

/** Updates of fewer elements run on one thread. */
constexpr size_t kParallelElements = 32768;

}  // namespace

void adamUpdateF32(float* w, const float* g, float* m, float* v, float* vMax, size_t count, double stepSize, double beta1, double beta2,
                   double eps, double sqrtBiasCorrection2, double l2) {
  AdamTask task{w, g, m, v, vMax, count, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2};
  if (count >= kParallelElements && poolThreadCount() > 1) runParallel(adamHalf, &task, 2);
  else adamRange(task, 0, count);
}

namespace {

void adamRange(const AdamTask& t, size_t begin, size_t end) {
  float* w = t.w + begin;
  const float* g = t.g + begin;
  float* m = t.m + begin;
  float* v = t.v + begin;
  float* vMax = t.vMax != nullptr ? t.vMax + begin : nullptr;
  const size_t count = end - begin;
  const double stepSize = t.stepSize, beta1 = t.beta1, beta2 = t.beta2, eps = t.eps, sqrtBiasCorrection2 = t.sqrtBiasCorrection2, l2 = t.l2;
#ifndef BACKPROP_SCALAR_ONLY
  static const bool hasAvx512 = detectSimdLevel() == SimdLevel::Avx512;
  if (hasAvx512) return adamUpdateAvx512(w, g, m, v, vMax, count, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
#endif
  if (vMax != nullptr) adamLoop<true>(w, g, m, v, vMax, count, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
  else adamLoop<false>(w, g, m, v, vMax, count, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
}

}  // namespace
