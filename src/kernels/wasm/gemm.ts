import { GEMM_WASM_BASE64 } from './gemm-binary.generated.js';
import { GEMM_RELAXED_WASM_BASE64 } from './gemm-relaxed-binary.generated.js';
import type { WasmMemory, WasmRuntime } from './runtime.js';

/** Micro-tile of gemm.wat (rows × columns of C per call of its inner kernel). */
const MR = 4;
const NR = 8;
/** Block sizes: KC deep, MC rows of A and NC columns of B per call of gemmTiles, so they stay in cache. */
const KC = 256;
const MC = 64;
const NC = 512;
/** Floats of slack after each operand: tiles at the edges read up to a tile past the last row or column. */
const SLACK = 16;

interface GemmExports {
  memory: WasmMemory;
  /** Every MR×NR tile of a block (see gemm.wat), B packed by packB; pointers and strides in bytes. */
  gemmTiles(mTiles: number, nTiles: number, kc: number, a: number, rsa: number, csa: number, b: number, c: number, ldc: number, accumulate: number): void;
  /** Packs kc rows × nTiles·NR columns of a row-major matrix into NR-column panels. */
  packB(src: number, ldb: number, kc: number, nTiles: number, dst: number): void;
  /** dst[j·rows + i] = src[i·cols + j]; pointers in bytes. */
  transpose(src: number, rows: number, cols: number, dst: number): void;
}

function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The bytes of gemm.wat for this runtime: the relaxed-SIMD build (fused multiply-add) when the
 * runtime accepts it, else the plain SIMD one; null when the build could not assemble them.
 */
export function gemmModuleBytes(runtime: WasmRuntime): { bytes: Uint8Array; fused: boolean } | null {
  if (GEMM_RELAXED_WASM_BASE64) {
    const relaxed = decodeBase64(GEMM_RELAXED_WASM_BASE64);
    if (runtime.validate(relaxed)) return { bytes: relaxed, fused: true };
  }
  return GEMM_WASM_BASE64 ? { bytes: decodeBase64(GEMM_WASM_BASE64), fused: false } : null;
}

/**
 * Float32 C = op(A)·op(B) (+ C) in WebAssembly SIMD, single-threaded. A and B are copied into the
 * module's memory as they are (B transposed there when stored [n,k]), C is kept there padded to
 * whole tiles; gemm.wat packs each block of B into column panels and its kernel reads A with
 * strides, so every transpose case runs without element-by-element work in JavaScript.
 */
export class WasmGemm {
  private readonly exports: GemmExports;
  private heap: Float32Array;

  constructor(runtime: WasmRuntime, bytes: Uint8Array) {
    this.exports = new runtime.Instance(new runtime.Module(bytes), {}).exports as GemmExports;
    this.heap = new Float32Array(this.exports.memory.buffer);
  }

  /** A view of at least `count` floats of the module's memory (grown as needed). */
  private reserve(count: number): Float32Array {
    const bytes = count * 4;
    const memory = this.exports.memory;
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536));
    if (this.heap.buffer !== memory.buffer) this.heap = new Float32Array(memory.buffer);
    return this.heap;
  }

  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number, a: Float32Array, b: Float32Array, out: Float32Array, accumulate: boolean): void {
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (!accumulate) out.fill(0, 0, m * n);
      return;
    }
    const mPadded = Math.ceil(m / MR) * MR;
    const nPadded = Math.ceil(n / NR) * NR;
    // Layout (floats): A, B as [k,n], B as stored when it must be transposed, a packed block of B, C.
    const aStart = 0;
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
          this.exports.gemmTiles(rows / MR, cols / NR, depth, aStart * 4 + ic * rsa + pc * csa, rsa, csa,
            packedStart * 4, (cStart + ic * nPadded + jc) * 4, nPadded * 4, accumulate || pc > 0 ? 1 : 0);
        }
      }
    }
    for (let i = 0; i < m; i++) out.set(heap.subarray(cStart + i * nPadded, cStart + i * nPadded + n), i * n);
  }
}
