// tanh and the logistic sigmoid over float32 arrays in AVX-512, 16 lanes at a time; within 1.5 ulp
// of the exact values wherever the result is a normal float (σ(x) below x ≈ −87 is subnormal and
// comes out with less precision or as 0). libm's scalar tanhf/expf cost ~10 ns an element, which was
// most of a small network's forward pass.
#include <immintrin.h>

#include <cmath>
#include <cstddef>

#include "activation.h"

#pragma GCC push_options
#pragma GCC target("avx512f,fma")

namespace {

/**
 * e^x for |x| ≤ 200 (callers clamp): x = n·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor series to
 * r⁷ (relative error < 1e-8), then scaled by 2ⁿ with vscalefps, which overflows to +∞ and
 * underflows to 0 as it should.
 */
inline __m512 exp16(__m512 x) {
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);  // ln2 split in two: exact n·ln2_hi
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.42860682030941723212e-6f), r);
  __m512 p = _mm512_set1_ps(1.0f / 5040);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 720));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 120));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 24));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f / 6));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(p, n);
}

inline __m512 clampMagnitude(__m512 x, float limit) {
  return _mm512_max_ps(_mm512_min_ps(x, _mm512_set1_ps(limit)), _mm512_set1_ps(-limit));
}

/**
 * tanh x: for |x| < 0.4 its odd Taylor series to x¹³ (truncation < 5e-9 relative); beyond,
 * sign(x)·(1 − 2/(e^(2|x|) + 1)), which is exactly ±1 past |x| ≈ 9. NaN stays NaN.
 */
inline __m512 tanh16(__m512 x) {
  const __m512 magnitude = _mm512_abs_ps(x);
  const __m512 square = _mm512_mul_ps(x, x);
  __m512 series = _mm512_set1_ps(21844.0f / 6081075);
  series = _mm512_fmadd_ps(series, square, _mm512_set1_ps(-1382.0f / 155925));
  series = _mm512_fmadd_ps(series, square, _mm512_set1_ps(62.0f / 2835));
  series = _mm512_fmadd_ps(series, square, _mm512_set1_ps(-17.0f / 315));
  series = _mm512_fmadd_ps(series, square, _mm512_set1_ps(2.0f / 15));
  series = _mm512_fmadd_ps(series, square, _mm512_set1_ps(-1.0f / 3));
  series = _mm512_fmadd_ps(_mm512_mul_ps(series, square), x, x);
  const __m512 e = exp16(clampMagnitude(_mm512_add_ps(magnitude, magnitude), 200.0f));
  const __m512 large = _mm512_sub_ps(_mm512_set1_ps(1.0f), _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
  const __m512 signedLarge = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(large),
      _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32(static_cast<int>(0x80000000u)))));
  const __mmask16 small = _mm512_cmp_ps_mask(magnitude, _mm512_set1_ps(0.4f), _CMP_LT_OQ);
  const __m512 result = _mm512_mask_blend_ps(small, signedLarge, series);
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), result, x);
}

/** σ(x) = 1/(1 + e^(−x)): exactly 0 for x ≤ −104 and 1 for x ≥ 17 (float32 rounding). NaN stays NaN. */
inline __m512 sigmoid16(__m512 x) {
  const __m512 e = exp16(clampMagnitude(_mm512_sub_ps(_mm512_setzero_ps(), x), 200.0f));
  const __m512 result = _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), result, x);
}

/** e^x for any x: +∞ above ~88.7, 0 below ~−103, NaN stays NaN. */
inline __m512 expAny16(__m512 x) {
  const __m512 result = exp16(clampMagnitude(x, 200.0f));
  return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), result, x);
}

template <__m512 (*f)(__m512)>
void applyInPlace(float* values, size_t count) {
  size_t i = 0;
  for (; i + 16 <= count; i += 16) _mm512_storeu_ps(values + i, f(_mm512_loadu_ps(values + i)));
  if (i < count) {
    const __mmask16 lanes = static_cast<__mmask16>((1u << (count - i)) - 1);
    _mm512_mask_storeu_ps(values + i, lanes, f(_mm512_maskz_loadu_ps(lanes, values + i)));
  }
}

}  // namespace

void tanhInPlaceAvx512(float* values, size_t count) { applyInPlace<tanh16>(values, count); }
void sigmoidInPlaceAvx512(float* values, size_t count) { applyInPlace<sigmoid16>(values, count); }
void expInPlaceAvx512(float* values, size_t count) { applyInPlace<expAny16>(values, count); }

/**
 * Softmax of each row, 16 columns at a time: the row maximum m, then Σ e^(x − m) (the exponentials
 * kept in `out` for the plain softmax), then x − m − ln Σ (log) or e^(x − m)/Σ. A row whose
 * maximum is −∞ (all −∞) uses m = 0, as the TypeScript backend does; a NaN spreads through its row.
 */
void softmaxAvx512(const float* x, size_t rows, size_t cols, float* out, bool log) {
  for (size_t r = 0; r < rows; r++) {
    const float* in = x + r * cols;
    float* row = out + r * cols;
    __m512 maxima = _mm512_set1_ps(-INFINITY);
    for (size_t c = 0; c < cols; c += 16) {
      const __mmask16 lanes = cols - c >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (cols - c)) - 1);
      maxima = _mm512_mask_max_ps(maxima, lanes, maxima, _mm512_maskz_loadu_ps(lanes, in + c));
    }
    float max = _mm512_reduce_max_ps(maxima);
    if (max == -INFINITY) max = 0.0f;
    const __m512 shift = _mm512_set1_ps(max);
    __m512 sums = _mm512_setzero_ps();
    for (size_t c = 0; c < cols; c += 16) {
      const __mmask16 lanes = cols - c >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (cols - c)) - 1);
      const __m512 e = expAny16(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, in + c), shift));
      sums = _mm512_add_ps(sums, _mm512_maskz_mov_ps(lanes, e));
      if (!log) _mm512_mask_storeu_ps(row + c, lanes, e);
    }
    const float sum = _mm512_reduce_add_ps(sums);
    if (log) {
      // (x − m) − ln Σ: x − m is exact near the maximum, where m + ln Σ rounded to float would
      // lose the digits of ln Σ when m is large (logits near 1000).
      const __m512 logSum = _mm512_set1_ps(std::log(sum));
      for (size_t c = 0; c < cols; c += 16) {
        const __mmask16 lanes = cols - c >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (cols - c)) - 1);
        _mm512_mask_storeu_ps(row + c, lanes, _mm512_sub_ps(_mm512_sub_ps(_mm512_maskz_loadu_ps(lanes, in + c), shift), logSum));
      }
    } else {
      const __m512 inverse = _mm512_set1_ps(1.0f / sum);
      for (size_t c = 0; c < cols; c += 16) {
        const __mmask16 lanes = cols - c >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (cols - c)) - 1);
        _mm512_mask_storeu_ps(row + c, lanes, _mm512_mul_ps(_mm512_maskz_loadu_ps(lanes, row + c), inverse));
      }
    }
  }
}

#pragma GCC pop_options
