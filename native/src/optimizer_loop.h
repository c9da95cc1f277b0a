// The Adam loop of optimizer.cc, included by each instruction-set translation unit after its
// `#pragma GCC target` (so the compiler vectorises it for that set) inside an anonymous namespace.
// Plain double arithmetic in src/optim/adam.ts's order; binding.gyp compiles with
// -ffp-contract=off so no multiply-add is fused and every lane rounds as TypeScript does.

template <bool amsgrad>
void adamLoop(float* __restrict w, const float* __restrict g, float* __restrict m, float* __restrict v, float* __restrict vMax, size_t count, double stepSize, double beta1, double beta2,
              double eps, double sqrtBiasCorrection2, double l2) {
  for (size_t i = 0; i < count; i++) {
    const double gradient = static_cast<double>(g[i]) + l2 * static_cast<double>(w[i]);
    m[i] = static_cast<float>(beta1 * static_cast<double>(m[i]) + (1 - beta1) * gradient);
    v[i] = static_cast<float>(beta2 * static_cast<double>(v[i]) + (1 - beta2) * gradient * gradient);
    double secondMoment = v[i];
    if constexpr (amsgrad) {
      vMax[i] = v[i] > vMax[i] ? v[i] : vMax[i];
      secondMoment = vMax[i];
    }
    w[i] = static_cast<float>(static_cast<double>(w[i]) - (stepSize * static_cast<double>(m[i])) / (std::sqrt(secondMoment) / sqrtBiasCorrection2 + eps));
  }
}

