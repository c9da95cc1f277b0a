/**
 * The kernel conformance suite: runs a backend's float32 kernels (gemm, unary, binary, biasActivation,
 * unaryBackward, reduce) on seeded random inputs and compares them with the TypeScript backend
 * computing in float64. Returns a list of failures (empty
 * when the backend agrees), so the same checks serve the in-process test and the child processes
 * that exercise each SIMD path of the native addon.
 */
import { denseBackward, denseForward, jsBackend } from '../../src/kernels/index.js';
import type { Backend, FloatArray, UnaryOp } from '../../src/kernels/index.js';
import { Rng } from '../../src/util/rng.js';

/** Unit roundoff of float32. */
const F32_EPS = 2 ** -24;

/** [m, n, k] triples: edges of every micro-tile, k past one depth block, m and n past a cache block, n past a column block. */
export const GEMM_SIZES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1], [3, 17, 5], [17, 3, 130], [1, 257, 130], [257, 1, 17], [130, 257, 17], [33, 65, 257],
  [257, 130, 3], [150, 100, 300], [5, 2100, 3], [128, 256, 128], [0, 4, 3], [4, 5, 0],
  [2, 70, 33], [4, 300, 1000], [4, 65, 17],
  // Around the native small-product path (m·n·k ≤ 32768): 8-row, 4-row and single-row tiles, column tails.
  [16, 16, 16], [16, 3, 16], [9, 33, 20], [13, 48, 50], [32, 32, 32], [33, 32, 32],
  // Its few-columns case (Cᵀ computed, A transposed through 16×16 register blocks with tails).
  [16, 4, 16], [40, 7, 9], [20, 10, 30], [35, 2, 17],
  // The wasm backend's one- and two-row products against a transposed B: k with tails of 4 and of 1.
  [1, 40, 125], [2, 64, 45],
];

function randomF32(rng: Rng, count: number, scale = 1): Float32Array {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = scale * rng.normal();
  return values;
}

/**
 * gemm for every transpose case and accumulate flag. Tolerance per element: the float32 error bound
 * of a k-term dot product, (k + 2)·u·Σ|a||b|, from the same product of absolute values in float64.
 */
export function checkGemm(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  for (const [m, n, k] of GEMM_SIZES) {
    for (const transA of [false, true])
      for (const transB of [false, true])
        for (const accumulate of [false, true]) {
          const a = randomF32(rng, m * k);
          const bm = randomF32(rng, k * n);
          const initial = randomF32(rng, m * n);
          const out = initial.slice();
          b.gemm(transA, transB, m, n, k, a, bm, out, accumulate);
          const exact = Float64Array.from(initial);
          jsBackend.gemm(transA, transB, m, n, k, Float64Array.from(a), Float64Array.from(bm), exact, accumulate);
          const magnitude = new Float64Array(m * n);
          jsBackend.gemm(transA, transB, m, n, k, Float64Array.from(a, Math.abs), Float64Array.from(bm, Math.abs), magnitude, false);
          for (let i = 0; i < m * n; i++) {
            const bound = (k + 2) * F32_EPS * (magnitude[i] + (accumulate ? Math.abs(initial[i]) : 0)) + 1e-30;
            if (!(Math.abs(out[i] - exact[i]) <= bound)) {
              failures.push(`${b.name} gemm transA=${transA} transB=${transB} m=${m} n=${n} k=${k} accumulate=${accumulate}: out[${i}] = ${out[i]}, expected ${exact[i]} ± ${bound.toExponential(2)}`);
              break;
            }
          }
        }
  }
  return failures;
}

/** Elementwise functions the fast backends implement natively, plus one they take from the TypeScript backend. */
const ACTIVATIONS: readonly UnaryOp[] = ['identity', 'relu', 'tanh', 'sigmoid', 'exp', 'square', 'abs', 'leakyRelu'];

/** Relative float32 tolerance for activations (a few ulps: libm's float tanh/exp differ from double). */
function close(actual: number, expected: number): boolean {
  // Equal infinities (e^1000) and NaNs match; finite values within a few ulps.
  if (Number.isNaN(expected) || !Number.isFinite(expected)) return Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected));
  return Math.abs(actual - expected) <= 8 * F32_EPS * Math.max(1, Math.abs(expected));
}

/** Inputs with the extremes the activations must survive: ±1000, exact zeros, tiny values. */
function activationInputs(rng: Rng, count: number): Float32Array {
  const x = randomF32(rng, count, 3);
  const specials = [0, -0, 1000, -1000, 1e-30, -1e-30, 20, -20];
  for (let i = 0; i < specials.length && i < count; i++) x[i * 7 % count] = specials[i];
  return x;
}

/** biasActivation with and without bias and preActivation, and with out aliasing x. */
export function checkBiasActivation(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  for (const [rows, cols] of [[1, 1], [3, 17], [64, 130]] as const)
    for (const op of ACTIVATIONS)
      for (const withBias of [true, false])
        for (const withPre of [true, false])
          for (const inPlace of [false, true]) {
            const x = activationInputs(rng, rows * cols);
            const bias = withBias ? randomF32(rng, cols) : null;
            const expectedOut = new Float64Array(rows * cols);
            const expectedPre = new Float64Array(rows * cols);
            jsBackend.biasActivation(Float64Array.from(x), bias && Float64Array.from(bias), rows, cols, op, 0.01, expectedOut, expectedPre);
            const input = x.slice();
            const out = inPlace ? input : new Float32Array(rows * cols);
            const pre = withPre ? new Float32Array(rows * cols) : null;
            b.biasActivation(input, bias, rows, cols, op, 0.01, out, pre);
            const where = `${b.name} biasActivation ${op} ${rows}x${cols} bias=${withBias} pre=${withPre} inPlace=${inPlace}`;
            for (let i = 0; i < rows * cols; i++) {
              // z is rounded to float32 before f, so compare f against f(float32(z)) from the float64 reference.
              const z = Math.fround(expectedPre[i]);
              const reference = new Float64Array(1);
              jsBackend.unary(op, Float64Array.of(z), reference, 0.01);
              if (!close(out[i], reference[0])) { failures.push(`${where}: out[${i}] = ${out[i]}, expected ${reference[0]}`); break; }
              if (pre && pre[i] !== z) { failures.push(`${where}: preActivation[${i}] = ${pre[i]}, expected ${z}`); break; }
            }
          }
  return failures;
}

/** unaryBackward: gradIn (+)= gradOut · f′, with y = f(x) computed by the backend under test. */
export function checkUnaryBackward(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  // 5003: past the wasm backend's elementwise threshold, with a tail.
  for (const count of [1, 17, 1000, 5003])
    for (const op of ACTIVATIONS)
      for (const accumulate of [false, true]) {
        const x = activationInputs(rng, count);
        const y = new Float32Array(count);
        jsBackend.unary(op, x, y, 0.01);
        const gradOut = randomF32(rng, count);
        const initial = randomF32(rng, count);
        const gradIn = initial.slice();
        b.unaryBackward(op, x, y, gradOut, gradIn, 0.01, accumulate);
        const expected = Float64Array.from(initial);
        jsBackend.unaryBackward(op, Float64Array.from(x), Float64Array.from(y), Float64Array.from(gradOut), expected, 0.01, accumulate);
        for (let i = 0; i < count; i++) {
          if (!close(gradIn[i], expected[i])) {
            failures.push(`${b.name} unaryBackward ${op} n=${count} accumulate=${accumulate}: gradIn[${i}] = ${gradIn[i]}, expected ${expected[i]}`);
            break;
          }
        }
      }
  return failures;
}

/** unary for the common activations (plus one taken from the TypeScript backend), in place and not. */
export function checkUnary(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  for (const count of [1, 17, 1000])
    for (const op of ACTIVATIONS)
      for (const inPlace of [false, true]) {
        const x = activationInputs(rng, count);
        const expected = new Float64Array(count);
        jsBackend.unary(op, Float64Array.from(x), expected, 0.01);
        const out = inPlace ? x : new Float32Array(count);
        b.unary(op, x, out, 0.01);
        for (let i = 0; i < count; i++) {
          if (!close(out[i], expected[i])) {
            failures.push(`${b.name} unary ${op} n=${count} inPlace=${inPlace}: out[${i}] = ${out[i]}, expected ${expected[i]}`);
            break;
          }
        }
      }
  return failures;
}

/**
 * biasActivationBackward: ∂C/∂z = ∂C/∂a · f′(z) (overwritten) and, when given, the bias gradient
 * plus the column sums of ∂C/∂z; y = f(z) computed by the backend under test.
 */
export function checkBiasActivationBackward(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  for (const [rows, cols] of [[1, 1], [16, 16], [7, 33], [64, 130]] as const)
    for (const op of ACTIVATIONS)
      for (const withBias of [false, true]) {
        const count = rows * cols;
        const z = activationInputs(rng, count);
        const y = new Float32Array(count);
        b.biasActivation(z, null, rows, cols, op, 0.01, y, null);
        const gradOut = randomF32(rng, count);
        const gradPre = randomF32(rng, count);
        const initialBias = randomF32(rng, cols);
        const gradBias = withBias ? initialBias.slice() : null;
        b.biasActivationBackward(op, z, y, gradOut, rows, cols, 0.01, gradPre, gradBias);
        const expectedPre = new Float64Array(count);
        const expectedBias = Float64Array.from(initialBias);
        jsBackend.biasActivationBackward(op, Float64Array.from(z), Float64Array.from(y), Float64Array.from(gradOut), rows, cols, 0.01, expectedPre, expectedBias);
        const where = `${b.name} biasActivationBackward ${op} ${rows}x${cols} bias=${withBias}`;
        const pre = gradPre.findIndex((v, i) => !close(v, expectedPre[i]));
        if (pre >= 0) failures.push(`${where}: gradPreActivation[${pre}] = ${gradPre[pre]}, expected ${expectedPre[pre]}`);
        if (gradBias) {
          const absolute = new Float64Array(cols);
          jsBackend.reduce('sum', Float64Array.from(expectedPre, Math.abs), 1, rows, cols, absolute, false);
          const bad = gradBias.findIndex((v, c) => !Object.is(v, expectedBias[c]) && !(Math.abs(v - expectedBias[c]) <= (rows + 2) * 8 * F32_EPS * (absolute[c] + Math.abs(initialBias[c])) + 1e-30));
          if (bad >= 0) failures.push(`${where}: gradBias[${bad}] = ${gradBias[bad]}, expected ${expectedBias[bad]}`);
        }
      }
  return failures;
}

/**
 * binary add/sub/mul/div with equal shapes, b a row vector or a scalar repeated over a's leading
 * axes (the native cases), b broadcast along a middle axis and a broadcast (taken from the
 * TypeScript backend), and out aliasing a. These operations round once, so the result must equal
 * the float64 reference rounded to float32.
 */
export function checkBinary(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  const cases: readonly (readonly [readonly number[], readonly number[], readonly number[]])[] = [
    [[3, 17], [3, 17], [3, 17]], [[64, 130], [1, 130], [64, 130]], [[5, 7], [1, 1], [5, 7]], [[1, 1000], [1, 1000], [1, 1000]],
    [[4, 3, 5], [4, 1, 5], [4, 3, 5]], [[1, 6], [4, 6], [4, 6]],
  ];
  for (const [aShape, bShape, outShape] of cases)
    for (const op of ['add', 'sub', 'mul', 'div'] as const)
      for (const inPlace of [false, true]) {
        const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);
        if (inPlace && size(aShape) !== size(outShape)) continue;
        const a = randomF32(rng, size(aShape));
        const bm = randomF32(rng, size(bShape));
        const expected = new Float64Array(size(outShape));
        jsBackend.binary(op, Float64Array.from(a), aShape, Float64Array.from(bm), bShape, expected, outShape);
        const out = inPlace ? a : new Float32Array(size(outShape));
        b.binary(op, a, aShape, bm, bShape, out, outShape);
        for (let i = 0; i < out.length; i++) {
          if (out[i] !== Math.fround(expected[i])) {
            failures.push(`${b.name} binary ${op} [${aShape}] ∘ [${bShape}] inPlace=${inPlace}: out[${i}] = ${out[i]}, expected ${Math.fround(expected[i])}`);
            break;
          }
        }
      }
  return failures;
}

/** softmax and log-softmax over rows, with logits near ±1000 and rows of −∞, in place and not. */
export function checkSoftmax(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  for (const [rows, cols] of [[1, 1], [16, 3], [37, 8], [20, 5], [7, 33], [128, 10]] as const)
    for (const log of [false, true])
      for (const inPlace of [false, true]) {
        const x = activationInputs(rng, rows * cols);
        if (rows > 1) x.fill(-Infinity, cols, 2 * cols); // a row of −∞: the maximum is taken as 0
        const out = inPlace ? x.slice() : new Float32Array(rows * cols);
        b.softmax(inPlace ? out : x, rows, cols, out, log);
        const expected = new Float64Array(rows * cols);
        jsBackend.softmax(Float64Array.from(x), rows, cols, expected, log);
        const bad = out.findIndex((v, i) => !close(v, expected[i]) && !(Math.abs(v - expected[i]) <= 1e-30));
        if (bad >= 0) failures.push(`${b.name} softmax log=${log} ${rows}x${cols} inPlace=${inPlace}: out[${bad}] = ${out[bad]}, expected ${expected[bad]}`);
      }
  return failures;
}

/** reduce over the middle axis of [outer, length, inner], sum with and without accumulate, and max. */
export function checkReduce(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  for (const [outer, length, inner] of [[1, 1, 1], [1, 128, 256], [3, 17, 5], [4, 33, 1], [2, 0, 3], [1, 5000, 1], [2, 15, 1], [3, 100, 7]] as const)
    for (const [op, accumulate] of [['sum', false], ['sum', true], ['max', false]] as const) {
      if (op === 'max' && length === 0) continue;
      const x = randomF32(rng, outer * length * inner);
      const initial = randomF32(rng, outer * inner);
      const out = initial.slice();
      b.reduce(op, x, outer, length, inner, out, accumulate);
      const expected = Float64Array.from(initial);
      jsBackend.reduce(op, Float64Array.from(x), outer, length, inner, expected, accumulate);
      const absolute = new Float64Array(outer * inner);
      jsBackend.reduce('sum', Float64Array.from(x, Math.abs), outer, length, inner, absolute, false);
      for (let i = 0; i < outer * inner; i++) {
        const bound = (length + 2) * F32_EPS * (absolute[i] + Math.abs(initial[i])) + 1e-30;
        if (!(Math.abs(out[i] - expected[i]) <= bound)) {
          failures.push(`${b.name} reduce ${op} [${outer},${length},${inner}] accumulate=${accumulate}: out[${i}] = ${out[i]}, expected ${expected[i]}`);
          break;
        }
      }
    }
  return failures;
}

/**
 * denseForward and denseBackward (the one-call dense-layer kernels, or their composition) against
 * the same backend's separate gemm/biasActivation/biasActivationBackward/reduce calls: the same
 * arithmetic, so the same values (0 and −0 alike), for every flag combination and δ in place of ∂C/∂y.
 */
export function checkDense(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  const separate: Backend = { ...b, denseForward: undefined, denseBackward: undefined };
  const same = (x: FloatArray | null, y: FloatArray | null) => x === null ? y === null : y !== null && x.every((v, i) => v === y[i] || (Number.isNaN(v) && Number.isNaN(y[i])));
  for (const [rows, inputs, outputs] of [[1, 3, 2], [16, 4, 16], [16, 16, 3], [33, 40, 70], [130, 64, 96]] as const)
    for (const op of ACTIVATIONS)
      for (const withBias of [true, false])
        for (const flags of [0, 1, 2, 3, 4, 5, 6, 7]) {
          const [accumulate, inPlace, withInput] = [(flags & 1) !== 0, (flags & 2) !== 0, (flags & 4) !== 0];
          const where = `${b.name} dense ${op} ${rows}x${inputs}->${outputs} bias=${withBias} accumulate=${accumulate} inPlace=${inPlace} gradInput=${withInput}`;
          const x = randomF32(rng, rows * inputs), w = randomF32(rng, outputs * inputs, 0.5), bias = withBias ? randomF32(rng, outputs) : null;
          const keepZ = op !== 'identity';
          const runs = [b, separate].map((kernels) => {
            const out = new Float32Array(rows * outputs), z = keepZ ? new Float32Array(rows * outputs) : null;
            denseForward(kernels, x, w, bias, rows, inputs, outputs, op, 0.01, out, z);
            return { out, z };
          });
          if (!same(runs[0].out, runs[1].out) || !same(runs[0].z, runs[1].z)) { failures.push(`${where}: forward differs from gemm + biasActivation`); continue; }
          const gradOut = randomF32(rng, rows * outputs);
          const start = { bias: randomF32(rng, outputs), weight: randomF32(rng, outputs * inputs), input: randomF32(rng, rows * inputs) };
          const grads = [b, separate].map((kernels) => {
            const g = { out: gradOut.slice(), bias: withBias ? start.bias.slice() : null, weight: start.weight.slice(), input: withInput ? start.input.slice() : null };
            const delta = inPlace ? g.out : new Float32Array(rows * outputs);
            denseBackward(kernels, op, 0.01, rows, inputs, outputs, x, w, runs[0].z, runs[0].out, g.out, delta, g.bias, accumulate, g.weight, accumulate, g.input, accumulate);
            return { ...g, delta };
          });
          for (const key of ['delta', 'bias', 'weight', 'input'] as const) {
            if (!same(grads[0][key], grads[1][key])) { failures.push(`${where}: backward ${key} differs from the separate kernels`); break; }
          }
        }
  return failures;
}

/** Float64 calls must give exactly the TypeScript backend's results (gradient checks rely on it). */
export function checkFloat64Exact(b: Backend, rng: Rng): string[] {
  const failures: string[] = [];
  const [m, n, k] = [9, 33, 70];
  const a = Float64Array.from(randomF32(rng, m * k));
  const bm = Float64Array.from(randomF32(rng, k * n));
  const out = new Float64Array(m * n);
  const expected = new Float64Array(m * n);
  b.gemm(false, true, m, n, k, a, bm, out, false);
  jsBackend.gemm(false, true, m, n, k, a, bm, expected, false);
  if (out.some((v, i) => v !== expected[i])) failures.push(`${b.name} gemm float64 differs from the TypeScript backend`);
  const x = Float64Array.from(activationInputs(rng, 50));
  const y = new Float64Array(50);
  const yExpected = new Float64Array(50);
  b.biasActivation(x, null, 5, 10, 'tanh', 0, y, null);
  jsBackend.biasActivation(x, null, 5, 10, 'tanh', 0, yExpected, null);
  if (y.some((v, i) => v !== yExpected[i])) failures.push(`${b.name} biasActivation float64 differs from the TypeScript backend`);
  return failures;
}

/** Every check above, on fresh seeded inputs. */
export function checkBackend(b: Backend, seed = 1234): string[] {
  const rng = new Rng(seed);
  return [...checkGemm(b, rng), ...checkUnary(b, rng), ...checkBinary(b, rng), ...checkBiasActivation(b, rng), ...checkUnaryBackward(b, rng), ...checkBiasActivationBackward(b, rng), ...checkDense(b, rng), ...checkSoftmax(b, rng), ...checkReduce(b, rng), ...checkFloat64Exact(b, rng)];
}
