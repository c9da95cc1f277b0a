// Float32 elementwise arithmetic of two arrays, the `binary` kernel's common cases.
#pragma once

#include <cstddef>

/** Binary operations with native loops; the codes are shared with node/native.ts. */
enum class BinaryOp { Add = 0, Sub = 1, Mul = 2, Div = 3 };
constexpr BinaryOp kLastBinaryOp = BinaryOp::Div;

/**
 * out[i] = a[i] ∘ b[i mod period] for i < count (period divides count): equal shapes (period =
 * count), or b a row vector or scalar repeated over a's leading axes. In float32, which for these
 * correctly rounded operations equals the TypeScript backend's double arithmetic rounded to float32.
 * `out` may alias a or b.
 */
void binaryF32(BinaryOp op, const float* a, const float* b, float* out, size_t count, size_t period);
