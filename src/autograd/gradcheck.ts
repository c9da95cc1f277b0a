import { Tensor } from '../tensor/index.js';
import { ValueError } from '../util/errors.js';
import { backward, noGrad } from './graph.js';

export interface GradcheckOptions {
  /** Finite-difference step h in (f(x + h) − f(x − h)) / 2h. Default 1e-6. */
  step?: number;
  /** Allowed error: |analytic − numeric| ≤ atol + rtol·|numeric|. Defaults 1e-6 and 1e-5. */
  atol?: number;
  rtol?: number;
  /** The upstream gradient v for non-scalar outputs (checks vᵀ·J); default: all ones. */
  upstream?: Tensor;
}

export interface GradcheckInputReport {
  /** Position of the input in the `inputs` array. */
  index: number;
  name: string | undefined;
  /** Largest |analytic − numeric| over the input's elements. */
  maxAbsError: number;
  /** Largest |analytic − numeric| / max(|analytic|, |numeric|, 1e-12)… over elements with an error above atol. */
  maxRelError: number;
  /** Element index of the worst error. */
  worstElement: number;
  passed: boolean;
}

export interface GradcheckReport {
  passed: boolean;
  inputs: GradcheckInputReport[];
}

/**
 * Compares the gradient that backpropagation computes for `fn(...inputs)` with central finite
 * differences in float64. Every input must be a float64 tensor with requiresGrad; `fn` must be
 * deterministic (seed any randomness inside it). For a non-scalar output the check is on
 * vᵀ·f(x) with v = `upstream` (default all ones). Reports the worst error per input.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const step = options.step ?? 1e-6;
  const atol = options.atol ?? 1e-6;
  const rtol = options.rtol ?? 1e-5;
  inputs.forEach((t, i) => {
    if (t.dtype !== 'float64') throw new ValueError(`gradcheck: input ${i} must be float64 (finite differences in float32 are too coarse), got ${t.dtype}`);
  });
  const checked = inputs.filter((t) => t.requiresGrad);
  if (checked.length === 0) throw new ValueError('gradcheck: no input has requiresGrad');

  const weightedOutput = (out: Tensor): number => {
    let s = 0;
    const v = options.upstream?.data;
    for (let i = 0; i < out.size; i++) s += (v ? v[i] : 1) * out.data[i];
    return s;
  };

  for (const t of checked) t.grad = null;
  const output = fn(...inputs);
  const upstream = options.upstream ?? new Tensor(new Float64Array(output.size).fill(1), output.shape);
  backward(output, upstream);
  const analytic = checked.map((t) => (t.grad ? Float64Array.from(t.grad.data) : new Float64Array(t.size)));

  const reports: GradcheckInputReport[] = [];
  noGrad(() => {
    checked.forEach((t, k) => {
      let maxAbsError = 0;
      let maxRelError = 0;
      let worstElement = -1;
      let passed = true;
      for (let i = 0; i < t.size; i++) {
        const original = t.data[i];
        t.data[i] = original + step;
        const plus = weightedOutput(fn(...inputs));
        t.data[i] = original - step;
        const minus = weightedOutput(fn(...inputs));
        t.data[i] = original;
        const numeric = (plus - minus) / (2 * step);
        const error = Math.abs(analytic[k][i] - numeric);
        const relative = error / Math.max(Math.abs(numeric), Math.abs(analytic[k][i]), 1e-12);
        if (!(error <= atol + rtol * Math.abs(numeric))) passed = false;
        if (error > maxAbsError || Number.isNaN(error)) {
          maxAbsError = error;
          worstElement = i;
        }
        if (error > atol && relative > maxRelError) maxRelError = relative;
      }
      reports.push({ index: inputs.indexOf(t), name: t.name, maxAbsError, maxRelError, worstElement, passed });
    });
  });
  return { passed: reports.every((r) => r.passed), inputs: reports };
}
