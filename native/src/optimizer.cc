#include "optimizer.h"

#include <cmath>

#include "cpu.h"
#include "thread_pool.h"

namespace {
#include "optimizer_loop.h"
}  // namespace

#ifndef BACKPROP_SCALAR_ONLY
void sgdUpdateAvx512(int kind, float* w, const float* g, float* velocity, size_t count, double lr, double momentum, double weightDecay,
                     bool nesterov);
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

namespace {

struct SgdTask {
  int kind;
  float* w;
  const float* g;
  float* velocity;
  size_t count;
  double lr, momentum, weightDecay;
  bool nesterov;
};

void sgdRange(const SgdTask& t, size_t begin, size_t end) {
  float* velocity = t.velocity != nullptr ? t.velocity + begin : nullptr;
#ifndef BACKPROP_SCALAR_ONLY
  static const bool hasAvx512 = detectSimdLevel() == SimdLevel::Avx512;
  if (hasAvx512) return sgdUpdateAvx512(t.kind, t.w + begin, t.g + begin, velocity, end - begin, t.lr, t.momentum, t.weightDecay, t.nesterov);
#endif
  sgdAny(t.kind, t.w + begin, t.g + begin, velocity, end - begin, t.lr, t.momentum, t.weightDecay, t.nesterov);
}

void sgdHalf(void* context, int part) {
  const SgdTask& t = *static_cast<const SgdTask*>(context);
  const size_t middle = t.count / 2 / 16 * 16;
  if (part == 0) sgdRange(t, 0, middle);
  else sgdRange(t, middle, t.count);
}

}  // namespace

void sgdUpdateF32(float* w, const float* g, float* velocity, size_t count, double lr, double momentum, double weightDecay, bool nesterov,
                  bool textbook) {
  SgdTask task{velocity == nullptr ? 0 : (textbook ? 2 : 1), w, g, velocity, count, lr, momentum, weightDecay, nesterov};
  if (count >= kParallelElements && poolThreadCount() > 1) runParallel(sgdHalf, &task, 2);
  else sgdRange(task, 0, count);
}
