/**
 * The optimisers' element loops in TypeScript, for float32 and float64 arrays alike: the reference
 * that the `adamUpdate` kernels of the faster backends reproduce bit for bit (src/optim/adam.ts
 * runs it where no kernel applies; the wasm backend runs it for small parameters, where copying
 * into its module costs more than the loop).
 */
import type { FloatArray } from '../backend.js';

/**
 * One Adam/AdamW step as the Backend's `adamUpdate` documents it (vMax null without AMSGrad):
 * g′ = g + l2·w; m ← β1·m + (1 − β1)·g′; v ← β2·v + (1 − β2)·g′·g′; vMax ← max(vMax, v);
 * w ← w − stepSize·m / (√v(or vMax) / sqrtBiasCorrection2 + eps), in double arithmetic in this order,
 * each stored value rounded to the arrays' type and read back as stored.
 */
export function adamUpdateJs(w: FloatArray, g: FloatArray, m: FloatArray, v: FloatArray, vMax: FloatArray | null, stepSize: number, beta1: number, beta2: number, eps: number,
  sqrtBiasCorrection2: number, l2: number): void {
  for (let i = 0; i < w.length; i++) {
    const gradient = g[i] + l2 * w[i];
    m[i] = beta1 * m[i] + (1 - beta1) * gradient;
    v[i] = beta2 * v[i] + (1 - beta2) * gradient * gradient;
    let secondMoment = v[i];
    if (vMax !== null) {
      if (v[i] > vMax[i]) vMax[i] = v[i];
      secondMoment = vMax[i];
    }
    w[i] -= (stepSize * m[i]) / (Math.sqrt(secondMoment) / sqrtBiasCorrection2 + eps);
  }
}
