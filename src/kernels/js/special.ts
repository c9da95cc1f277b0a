/**
 * Special functions JavaScript lacks, accurate to float64 (a few units in the last place).
 *
 * erf: for |x| < 3 the all-positive series
 *   erf(x) = (2/√π)·e^(−x²)·Σₙ 2ⁿ x^(2n+1) / (1·3·5···(2n+1)),
 * which has no cancellation; for |x| ≥ 3, erf(x) = 1 − erfc(x) with erfc from its continued fraction
 *   erfc(x) = (e^(−x²)/√π) · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …))))),
 * evaluated by the modified Lentz method. erfc(x) for |x| < 1.5 is 1 − erf(x) (relative error
 * below 1e-14 there), and beyond uses the fraction, which keeps full relative precision, which Φ(x) for very negative x needs.
 */
const TWO_OVER_SQRT_PI = 1.1283791670955126;
const ONE_OVER_SQRT_PI = 0.5641895835477563;

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 1.5 by the continued fraction (Lentz). */
function erfcContinuedFraction(x: number): number {
  // erfc(x) = e^(-x²)/√π · 1/(x + a1/(x + a2/(x + ...))), aₙ = n/2.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : d;
    c = x + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function erf(x) = (2/√π)∫₀ˣ e^(−t²) dt. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const value = ax < 3 ? erfSeries(ax) : ax > 6 ? 1 : 1 - erfcContinuedFraction(ax);
  return x < 0 ? -value : value;
}

/** The complementary error function erfc(x) = 1 − erf(x), accurate in the far tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 1.5) return x > 27 ? 0 : erfcContinuedFraction(x);
  if (x <= -1.5) return 2 - (x < -6 ? 0 : erfcContinuedFraction(-x));
  return 1 - erf(x);
}

/** The standard normal cumulative distribution Φ(x) = ½·erfc(−x/√2). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}
