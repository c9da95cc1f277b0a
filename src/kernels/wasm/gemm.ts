import { GEMM_WASM_BUILDS } from './gemm-binary.generated.js';
import type { WasmMemory, WasmRuntime } from './runtime.js';
import { CONTROL_BYTES, TilesWorker } from './threads.js';

/** Micro-tile of gemm.wat (rows × columns of C per call of its inner kernel). */
const MR = 4;
const NR = 8;
/** Block sizes: KC deep, MC rows of A and NC columns of B per call of gemmTiles, so they stay in cache. */
const KC = 256;
const MC = 64;
const NC = 512;
/** Floats of slack after each operand: tiles at the edges read up to a tile past the last row or column. */
const SLACK = 16;
/** Blocks with fewer floating-point operations run on one thread: the hand-off would cost more. */
const MIN_SPLIT_FLOPS = 1e6;
/** Floating-point operations per chunk a block is cut into for two threads (see threads.ts). */
const CHUNK_FLOPS = 1e6;

interface GemmExports {
  memory: WasmMemory;
  /** Every MR×NR tile of a block (see gemm.wat), B packed by packB; pointers and strides in bytes. */
  gemmTiles(mTiles: number, nTiles: number, kc: number, a: number, rsa: number, csa: number, b: number, c: number, ldc: number, accumulate: number): void;
  /** Packs kc rows × nTiles·NR columns of a row-major matrix into NR-column panels. */
  packB(src: number, ldb: number, kc: number, nTiles: number, dst: number): void;
  /** dst[j·rows + i] = src[i·cols + j]; pointers in bytes. */
  transpose(src: number, rows: number, cols: number, dst: number): void;
  /** out[j] (+)= Σ_p x[p]·w[j·k + p] for j < n: one row of x·Wᵀ, W stored [n, k]. */
  gemvT(x: number, w: number, out: number, k: number, n: number, accumulate: number): void;
  /** One Adam step over n float32 parameters (see gemm.wat); vMax 0 without AMSGrad; pointers in bytes. */
  adam(w: number, g: number, m: number, v: number, vMax: number, n: number, stepSize: number, beta1: number, beta2: number, eps: number, sqrtBiasCorrection2: number, l2: number): void;
  /** out = f(x + bias) by rows, f relu (relu ≠ 0) or the identity, z = x + bias when z ≠ 0; bias 0: none. */
  biasRelu(x: number, bias: number, rows: number, cols: number, out: number, z: number, relu: number): void;
  /** out[i] = z[i] > 0 ? g[i] : 0. */
  reluBackward(z: number, g: number, out: number, n: number): void;
  /** out[o·inner + i] += Σ_j x[(o·length + j)·inner + i], row after row. */
  sumRows(x: number, outer: number, length: number, inner: number, out: number): void;
}

/**
 * Elements per block of the elementwise kernels and Adam (an even number, a multiple of four): the
 * module's memory then holds a few blocks rather than whole arrays (a large parameter would
 * otherwise need a memory the size of its four arrays), and a block stays in the L2 cache.
 */
const CHUNK = 65536;

/** n rounded up to whole vectors of four floats. */
function align4(n: number): number {
  return (n + 3) & ~3;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A build of gemm.wat (see scripts/build-wasm.mjs): fused = relaxed-SIMD multiply-add; shared = imports a shared memory. */
export interface GemmBuild {
  bytes: Uint8Array;
  fused: boolean;
  shared: boolean;
}

/** Whether the build assembled gemm.wat (false when wabt was missing). */
export function gemmBuildsAssembled(): boolean {
  return GEMM_WASM_BUILDS.plain !== '';
}

/**
 * The fastest build of gemm.wat this runtime validates: fused where it has relaxed SIMD, with a
 * shared memory when `shared`; null when there is none (not assembled, or no SIMD).
 */
export function chooseGemmBuild(runtime: WasmRuntime, shared: boolean): GemmBuild | null {
  const candidates = shared ? (['relaxedShared', 'shared'] as const) : (['relaxed', 'plain'] as const);
  for (const name of candidates) {
    if (!GEMM_WASM_BUILDS[name]) continue;
    const bytes = decodeBase64(GEMM_WASM_BUILDS[name]);
    if (runtime.validate(bytes)) return { bytes, fused: name.startsWith('relaxed'), shared };
  }
  return null;
}

/**
 * Float32 C = op(A)·op(B) (+ C) in WebAssembly SIMD, on one thread or two (see threads.ts). A and B are copied into the
 * module's memory as they are (B transposed there when stored [n,k]), C is kept there padded to
 * whole tiles; gemm.wat packs each block of B into column panels and its kernel reads A with
 * strides, so every transpose case runs without element-by-element work in JavaScript.
 */
export class WasmGemm {
  private readonly exports: GemmExports;
  private readonly memory: WasmMemory;
  /** The helper thread, once started. */
  private worker: TilesWorker | null = null;
  /** Starts the helper thread (null when it cannot start); null once tried, or without a shared build. */
  private launch: (() => TilesWorker | null) | null = null;
  private heap: Float32Array;

  /**
   * Instantiates `build`; with a shared build, `startWorker` starts the helper thread (returning
   * null when it cannot, which leaves one thread) on the first product large enough to share, or
   * on `startWorker()`: a backend made but not used for large products starts no thread.
   */
  constructor(runtime: WasmRuntime, build: GemmBuild, startWorker: (module: object, memory: WasmMemory) => TilesWorker | null = () => null) {
    const module = new runtime.Module(build.bytes);
    if (build.shared) {
      const memory = new runtime.Memory({ initial: 1, maximum: 16384, shared: true });
      this.memory = memory;
      this.exports = new runtime.Instance(module, { env: { memory } }).exports as GemmExports;
      this.launch = () => startWorker(module, memory);
    } else {
      this.exports = new runtime.Instance(module, {}).exports as GemmExports;
      this.memory = this.exports.memory;
    }
    this.heap = new Float32Array(this.memory.buffer);
  }

  /** Starts the helper thread now, if there is one to start (it starts asynchronously). */
  startWorker(): void {
    const launch = this.launch;
    if (launch === null) return;
    this.launch = null;
    this.worker = launch();
  }

  /**
   * Gives up on a worker that has not started (e.g. a browser that refused it): it is terminated
   * where the runtime can, products run on one thread from now on and `threads` reads 1. A worker
   * that starts anyway finds nothing to take (nothing writes the control block again).
   */
  abandonWorker(): void {
    this.launch = null;
    if (this.worker !== null && !this.worker.ready) {
      this.worker.terminate();
      this.worker = null;
    }
  }

  /** Chunks of products the helper thread has run (0 without one). */
  get workerChunks(): number {
    return this.worker?.chunksRun ?? 0;
  }

  /** Whether a second thread is running (it starts asynchronously; until then products run on one). */
  get workerReady(): boolean {
    return this.worker?.ready ?? false;
  }

  /** Threads one product may use: 2 with a helper thread running or still to start. */
  get threads(): number {
    return this.worker !== null || this.launch !== null ? 2 : 1;
  }

  /** A view of the module's memory, grown to at least `count` floats (control block included). */
  private reserve(count: number): Float32Array {
    const bytes = count * 4;
    const memory = this.memory;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    if (this.heap.buffer !== memory.buffer || this.heap.length * 4 < bytes) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }

  /** gemmTiles over a block, in chunks of tile columns shared with the worker when it is large. */
  private tiles(mTiles: number, nTiles: number, kc: number, a: number, rsa: number, csa: number, b: number, c: number, ldc: number, accumulate: number): void {
    const flops = mTiles * nTiles * kc * 2 * MR * NR;
    if (this.launch !== null && nTiles >= 2 && flops >= MIN_SPLIT_FLOPS) this.startWorker();
    if (this.worker && nTiles >= 2 && flops >= MIN_SPLIT_FLOPS) {
      this.worker.run(this.exports.gemmTiles, [mTiles, nTiles, kc, a, rsa, csa, b, c, ldc, accumulate], Math.max(2, Math.round(flops / CHUNK_FLOPS)));
    } else {
      this.exports.gemmTiles(mTiles, nTiles, kc, a, rsa, csa, b, c, ldc, accumulate);
    }
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, out: Float32Array, accumulate: boolean): void {
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!accumulate) out.fill(0, 0, m * n);
      return;
    }
    // One or two rows against a transposed B (a forward pass for one sample): row by row against
    // B as stored, which saves transposing all of B for one row of output.
    if (transB && m <= 2 && (!transA || m === 1)) {
      this.rowsTimesTransposed(m, n, k, a, b, out, accumulate);
      return;
    }
    const mPadded = Math.ceil(m / MR) * MR;
    const nPadded = Math.ceil(n / NR) * NR;
    // Layout (floats, after the control block): A, B as [k,n], B as stored when it must be
    // transposed, a packed block of B, C.
    const aStart = CONTROL_BYTES / 4;
    const bStart = aStart + mPadded * k + SLACK;
    const storedBStart = bStart + k * nPadded + SLACK;
    const packedStart = storedBStart + (transB ? k * n + SLACK : 0);
    const cStart = packedStart + Math.min(KC, k) * Math.min(NC, nPadded);
    const heap = this.reserve(cStart + mPadded * nPadded);
    heap.set(a.subarray(0, m * k), aStart);
    if (transB) {
      heap.set(b.subarray(0, n * k), storedBStart);
      this.exports.transpose(storedBStart * 4, n, k, bStart * 4);
    } else {
      heap.set(b.subarray(0, k * n), bStart);
    }
    if (accumulate) for (let i = 0; i < m; i++) heap.set(out.subarray(i * n, i * n + n), cStart + i * nPadded);
    const rsa = transA ? 4 : 4 * k;
    const csa = transA ? 4 * m : 4;
    for (let jc = 0; jc < nPadded; jc += NC) {
      const cols = Math.min(NC, nPadded - jc);
      for (let pc = 0; pc < k; pc += KC) {
        const depth = Math.min(KC, k - pc);
        this.exports.packB((bStart + pc * n + jc) * 4, n * 4, depth, cols / NR, packedStart * 4);
        for (let ic = 0; ic < mPadded; ic += MC) {
          const rows = Math.min(MC, mPadded - ic);
          this.tiles(rows / MR, cols / NR, depth, aStart * 4 + ic * rsa + pc * csa, rsa, csa,
            packedStart * 4, (cStart + ic * nPadded + jc) * 4, nPadded * 4, accumulate || pc > 0 ? 1 : 0);
        }
      }
    }
    for (let i = 0; i < m; i++) out.set(heap.subarray(cStart + i * nPadded, cStart + i * nPadded + n), i * n);
  }

  /** C = A·Bᵀ (+ C) for A of one or two rows, B stored [n, k], by gemm.wat's $gemvT. */
  private rowsTimesTransposed(m: number, n: number, k: number, a: Float32Array, b: Float32Array, out: Float32Array, accumulate: boolean): void {
    // A's rows are all copied in first: out may be A itself.
    const bStart = CONTROL_BYTES / 4, xStart = bStart + align4(n * k), outStart = xStart + align4(m * k);
    const heap = this.reserve(outStart + n);
    heap.set(b.subarray(0, n * k), bStart);
    heap.set(a.subarray(0, m * k), xStart);
    for (let i = 0; i < m; i++) {
      if (accumulate) heap.set(out.subarray(i * n, i * n + n), outStart);
      this.exports.gemvT((xStart + i * k) * 4, bStart * 4, outStart * 4, k, n, accumulate ? 1 : 0);
      out.set(heap.subarray(outStart, outStart + n), i * n);
    }
  }

  /**
   * The Backend's `biasActivation` for relu and the identity: x (and bias) copied in, gemm.wat's
   * $biasRelu in place, out (and z) copied back, a block of rows at a time (so the module's memory
   * stays small whatever the size). The same values as the TypeScript backend's.
   */
  biasRelu(x: Float32Array, bias: Float32Array | null, rows: number, cols: number, relu: boolean, out: Float32Array, preActivation: Float32Array | null): void {
    if (rows * cols === 0) return;
    const block = Math.max(1, Math.floor(CHUNK / cols));
    const biasStart = CONTROL_BYTES / 4, xStart = biasStart + align4(cols), zStart = xStart + align4(Math.min(rows, block) * cols);
    const heap = this.reserve(zStart + (preActivation ? Math.min(rows, block) * cols : 0));
    if (bias) heap.set(bias.subarray(0, cols), biasStart);
    for (let first = 0; first < rows; first += block) {
      const count = Math.min(block, rows - first), from = first * cols, n = count * cols;
      heap.set(x.subarray(from, from + n), xStart);
      this.exports.biasRelu(xStart * 4, bias ? biasStart * 4 : 0, count, cols, xStart * 4, preActivation ? zStart * 4 : 0, relu ? 1 : 0);
      out.set(heap.subarray(xStart, xStart + n), from);
      if (preActivation) preActivation.set(heap.subarray(zStart, zStart + n), from);
    }
  }

  /** The Backend's `unaryBackward` for relu, written (not accumulated): gradIn = z > 0 ? gradOut : 0, in blocks. */
  reluBackward(z: Float32Array, gradOut: Float32Array, gradIn: Float32Array, n: number): void {
    const zStart = CONTROL_BYTES / 4, gStart = zStart + Math.min(n, CHUNK);
    const heap = this.reserve(gStart + Math.min(n, CHUNK));
    for (let from = 0; from < n; from += CHUNK) {
      const count = Math.min(CHUNK, n - from);
      heap.set(z.subarray(from, from + count), zStart);
      heap.set(gradOut.subarray(from, from + count), gStart);
      this.exports.reluBackward(zStart * 4, gStart * 4, gStart * 4, count);
      gradIn.set(heap.subarray(gStart, gStart + count), from);
    }
  }

  /**
   * The Backend's `reduce` for the column sums of one matrix x [rows, cols]: the TypeScript
   * backend's float32 sums, in its order (row after row), a block of rows at a time.
   */
  sumRows(x: Float32Array, rows: number, cols: number, out: Float32Array, accumulate: boolean): void {
    if (cols === 0) return;
    const block = Math.max(1, Math.floor(CHUNK / cols));
    const outStart = CONTROL_BYTES / 4, xStart = outStart + align4(cols);
    const heap = this.reserve(xStart + Math.min(rows, block) * cols);
    if (accumulate) heap.set(out.subarray(0, cols), outStart);
    else heap.fill(0, outStart, outStart + cols);
    for (let first = 0; first < rows; first += block) {
      const count = Math.min(block, rows - first), from = first * cols;
      heap.set(x.subarray(from, from + count * cols), xStart);
      this.exports.sumRows(xStart * 4, 1, count, cols, outStart * 4);
    }
    out.set(heap.subarray(outStart, outStart + cols));
  }

  /**
   * One Adam step (the Backend's `adamUpdate`): the arrays are copied into the module's memory, updated
   * there by gemm.wat's $adam (f64 arithmetic in src/optim/adam.ts's order, so the same numbers) and
   * copied back, a block at a time. On the main thread only.
   */
  adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, vMax: Float32Array | null, stepSize: number, beta1: number, beta2: number, eps: number,
    sqrtBiasCorrection2: number, l2: number): void {
    const n = w.length;
    if (n === 0) return;
    const stride = Math.min(n + (n & 1), CHUNK);
    const wStart = CONTROL_BYTES / 4;
    const gStart = wStart + stride, mStart = gStart + stride, vStart = mStart + stride, vMaxStart = vStart + stride;
    const heap = this.reserve(vMaxStart + (vMax ? stride : 0));
    for (let from = 0; from < n; from += CHUNK) {
      const count = Math.min(CHUNK, n - from), to = from + count;
      heap.set(w.subarray(from, to), wStart);
      heap.set(g.subarray(from, to), gStart);
      heap.set(m.subarray(from, to), mStart);
      heap.set(v.subarray(from, to), vStart);
      if (vMax) heap.set(vMax.subarray(from, to), vMaxStart);
      this.exports.adam(wStart * 4, gStart * 4, mStart * 4, vStart * 4, vMax ? vMaxStart * 4 : 0, count, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
      w.set(heap.subarray(wStart, wStart + count), from);
      m.set(heap.subarray(mStart, mStart + count), from);
      v.set(heap.subarray(vStart, vStart + count), from);
      if (vMax) vMax.set(heap.subarray(vMaxStart, vMaxStart + count), from);
    }
  }
}
