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

/**
 * ln x for x ≥ 0 (softmax's sums, which are ≥ 1): x = 2ᵉ·m with m in [0.75, 1.5), then
 * ln m = 2·atanh s = 2(s + s³/3 + … + s¹¹/11) for s = (m − 1)/(m + 1), |s| ≤ 0.2 (truncation below
 * 1e-9), plus e·ln 2. ln 0 = −∞, ln ∞ = ∞; NaN stays NaN.
 */
inline __m512 log16(__m512 x) {
  __m512 m = _mm512_getmant_ps(x, _MM_MANT_NORM_1_2, _MM_MANT_SIGN_src);
  __m512 e = _mm512_getexp_ps(x);
  const __mmask16 high = _mm512_cmp_ps_mask(m, _mm512_set1_ps(1.5f), _CMP_GE_OQ);
  m = _mm512_mask_mul_ps(m, high, m, _mm512_set1_ps(0.5f));
  e = _mm512_mask_add_ps(e, high, e, _mm512_set1_ps(1.0f));
  const __m512 s = _mm512_div_ps(_mm512_sub_ps(m, _mm512_set1_ps(1.0f)), _mm512_add_ps(m, _mm512_set1_ps(1.0f)));
  const __m512 s2 = _mm512_mul_ps(s, s);
  __m512 series = _mm512_set1_ps(2.0f / 11);
  series = _mm512_fmadd_ps(series, s2, _mm512_set1_ps(2.0f / 9));
  series = _mm512_fmadd_ps(series, s2, _mm512_set1_ps(2.0f / 7));
  series = _mm512_fmadd_ps(series, s2, _mm512_set1_ps(2.0f / 5));
  series = _mm512_fmadd_ps(series, s2, _mm512_set1_ps(2.0f / 3));
  series = _mm512_fmadd_ps(series, s2, _mm512_set1_ps(2.0f));
  const __m512 logM = _mm512_mul_ps(series, s);
  __m512 result = _mm512_fmadd_ps(e, _mm512_set1_ps(0.693147182464599609375f), logM);
  // x = 0: getexp gives −∞ but getmant 0, whose series is finite; ±∞ and NaN come through e.
  result = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_EQ_OQ), result, _mm512_set1_ps(-INFINITY));
  return result;
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

namespace {

/** Rows at most this wide take the one-row-per-lane softmax. */
constexpr size_t kNarrowColumns = 8;

/**
 * Softmax of rows with at most kNarrowColumns columns (a classifier's few classes), 16 rows at a
 * time with one row per lane: each column is gathered across the rows, so the maximum, the sum of
 * exponentials and the logarithm are each a few vector instructions for 16 rows rather than a
 * horizontal reduction and a scalar logarithm per row. The same arithmetic as the row loop below
 * except that the exponentials are summed column by column and ln Σ comes from log16.
 */
void softmaxNarrow(const float* x, size_t rows, size_t cols, float* out, bool log) {
  const __m512i rowOffsets = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0), _mm512_set1_epi32(static_cast<int>(cols)));
  for (size_t r = 0; r < rows; r += 16) {
    const __mmask16 lanes = rows - r >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (rows - r)) - 1);
    const float* in = x + r * cols;
    float* block = out + r * cols;
    __m512 values[kNarrowColumns];
    __m512 max = _mm512_set1_ps(-INFINITY);
    for (size_t c = 0; c < cols; c++) {
      values[c] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), lanes, rowOffsets, in + c, 4);
      max = _mm512_max_ps(max, values[c]);  // as the row loop: a NaN is caught by the sum below
    }
    max = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(max, _mm512_set1_ps(-INFINITY), _CMP_EQ_OQ), max, _mm512_setzero_ps());
    __m512 sum = _mm512_setzero_ps();
    for (size_t c = 0; c < cols; c++) {
      values[c] = _mm512_sub_ps(values[c], max);
      const __m512 e = expAny16(values[c]);
      sum = _mm512_add_ps(sum, e);
      if (!log) values[c] = e;
    }
    if (log) {
      const __m512 logSum = log16(sum);
      for (size_t c = 0; c < cols; c++) _mm512_mask_i32scatter_ps(block + c, lanes, rowOffsets, _mm512_sub_ps(values[c], logSum), 4);
    } else {
      const __m512 inverse = _mm512_div_ps(_mm512_set1_ps(1.0f), sum);
      for (size_t c = 0; c < cols; c++) _mm512_mask_i32scatter_ps(block + c, lanes, rowOffsets, _mm512_mul_ps(values[c], inverse), 4);
    }
  }
}

/** Column sums over the middle axis of x viewed as [outer, length, inner], 16 columns at a time. */
void columnSums(const float* x, size_t outer, size_t length, size_t inner, float* out, bool accumulate) {
  for (size_t o = 0; o < outer; o++) {
    const float* block = x + o * length * inner;
    float* sums = out + o * inner;
    for (size_t i = 0; i < inner; i += 16) {
      const __mmask16 lanes = inner - i >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (inner - i)) - 1);
      __m512 sum = accumulate ? _mm512_maskz_loadu_ps(lanes, sums + i) : _mm512_setzero_ps();
      for (size_t j = 0; j < length; j++) sum = _mm512_add_ps(sum, _mm512_maskz_loadu_ps(lanes, block + j * inner + i));
      _mm512_mask_storeu_ps(sums + i, lanes, sum);
    }
  }
}

}  // namespace

void columnSumsAvx512(const float* x, size_t outer, size_t length, size_t inner, float* out, bool accumulate) {
  columnSums(x, outer, length, inner, out, accumulate);
}

/**
 * Softmax of each row, 16 columns at a time: the row maximum m, then Σ e^(x − m) (the exponentials
 * kept in `out` for the plain softmax), then x − m − ln Σ (log) or e^(x − m)/Σ. A row whose
 * maximum is −∞ (all −∞) uses m = 0, as the TypeScript backend does; a NaN spreads through its row.
 * Narrow rows go to softmaxNarrow (a block's values are all read before any is written, so `out`
 * may alias x there too).
 */
void softmaxAvx512(const float* x, size_t rows, size_t cols, float* out, bool log) {
  if (cols <= kNarrowColumns) return softmaxNarrow(x, rows, cols, out, log);
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
