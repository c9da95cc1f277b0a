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


/** SGD in src/optim/sgd.ts's order: plain, or momentum in the 'pytorch' or 'textbook' convention, optionally Nesterov. */
template <int kind, bool nesterov>  // kind: 0 plain, 1 pytorch momentum, 2 textbook momentum
void sgdLoop(float* __restrict w, const float* __restrict g, float* __restrict velocity, size_t count, double lr, double momentum,
             double weightDecay) {
  for (size_t i = 0; i < count; i++) {
    if constexpr (kind == 0) {
      w[i] = static_cast<float>(static_cast<double>(w[i]) - lr * (static_cast<double>(g[i]) + weightDecay * static_cast<double>(w[i])));
    } else {
      const double gradient = static_cast<double>(g[i]) + weightDecay * static_cast<double>(w[i]);
      if constexpr (kind == 1) {
        velocity[i] = static_cast<float>(momentum * static_cast<double>(velocity[i]) + gradient);
        const double v = velocity[i];
        w[i] = static_cast<float>(static_cast<double>(w[i]) - lr * (nesterov ? gradient + momentum * v : v));
      } else {
        velocity[i] = static_cast<float>(momentum * static_cast<double>(velocity[i]) - lr * gradient);
        const double v = velocity[i];
        w[i] = static_cast<float>(static_cast<double>(w[i]) + (nesterov ? momentum * v - lr * gradient : v));
      }
    }
  }
}

template <int kind>
void sgdDispatch(float* w, const float* g, float* velocity, size_t count, double lr, double momentum, double weightDecay, bool nesterov) {
  if (nesterov) sgdLoop<kind, true>(w, g, velocity, count, lr, momentum, weightDecay);
  else sgdLoop<kind, false>(w, g, velocity, count, lr, momentum, weightDecay);
}

/** kind as in sgdLoop. */
inline void sgdAny(int kind, float* w, const float* g, float* velocity, size_t count, double lr, double momentum, double weightDecay, bool nesterov) {
  if (kind == 0) sgdDispatch<0>(w, g, velocity, count, lr, momentum, weightDecay, false);
  else if (kind == 1) sgdDispatch<1>(w, g, velocity, count, lr, momentum, weightDecay, nesterov);
  else sgdDispatch<2>(w, g, velocity, count, lr, momentum, weightDecay, nesterov);
}
