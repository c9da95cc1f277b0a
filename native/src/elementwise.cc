#include "elementwise.h"

namespace {

template <BinaryOp op>
inline float apply(float a, float b) {
  if constexpr (op == BinaryOp::Add) return a + b;
  else if constexpr (op == BinaryOp::Sub) return a - b;
  else if constexpr (op == BinaryOp::Mul) return a * b;
  else return a / b;
}

template <BinaryOp op>
void binaryLoop(const float* a, const float* b, float* out, size_t count, size_t period) {
  if (period == count) {
    for (size_t i = 0; i < count; i++) out[i] = apply<op>(a[i], b[i]);
  } else if (period == 1) {
    const float scalar = b[0];
    for (size_t i = 0; i < count; i++) out[i] = apply<op>(a[i], scalar);
  } else {
    for (size_t base = 0; base < count; base += period)
      for (size_t j = 0; j < period; j++) out[base + j] = apply<op>(a[base + j], b[j]);
  }
}

}  // namespace

void binaryF32(BinaryOp op, const float* a, const float* b, float* out, size_t count, size_t period) {
  switch (op) {
    case BinaryOp::Add: return binaryLoop<BinaryOp::Add>(a, b, out, count, period);
    case BinaryOp::Sub: return binaryLoop<BinaryOp::Sub>(a, b, out, count, period);
    case BinaryOp::Mul: return binaryLoop<BinaryOp::Mul>(a, b, out, count, period);
    case BinaryOp::Div: return binaryLoop<BinaryOp::Div>(a, b, out, count, period);
  }
}
