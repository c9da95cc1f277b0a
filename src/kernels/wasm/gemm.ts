import type { FloatArray } from '../backend.js';
import { GEMM_WASM_BASE64 } from './gemm-binary.generated.js';
import { GEMM_RELAXED_WASM_BASE64 } from './gemm-relaxed-binary.generated.js';
import type { WasmMemory, WasmRuntime } from './runtime.js';

/** Micro-tile of gemm.wat (rows × columns of C per call of its inner kernel). */
const MR = 4;
const NR = 8;
/** Block sizes: a KC × NR panel of B stays in L1 while MC × KC of A comes from L2; NC columns per B block. */
const KC = 256;
const MC = 64;
const NC = 1024;

interface GemmExports {
  memory: WasmMemory;
  /** Every MR×NR tile of a packed block (see gemm.wat); pointers and ldc in bytes. */
  gemmBlock(mPanels: number, nPanels: number, kc: number, a: number, b: number, c: number, ldc: number, accumulate: number): void;
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
 * Float32 C = op(A)·op(B) (+ C) in WebAssembly SIMD, single-threaded. The operands are packed into
 * the module's memory here (which serves every transpose case, the copy doubling as the packing),
 * C is kept there padded to whole tiles, and gemm.wat's kernel runs on each packed block.
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
    const depthMax = Math.min(KC, k);
    const aStart = 0;
    const bStart = aStart + Math.min(MC, mPadded) * depthMax;
    const cStart = bStart + Math.min(NC, nPadded) * depthMax;
    const heap = this.reserve(cStart + mPadded * nPadded);
    if (accumulate) for (let i = 0; i < m; i++) heap.set(out.subarray(i * n, i * n + n), cStart + i * nPadded);
    for (let jc = 0; jc < nPadded; jc += NC) {
      const cols = Math.min(NC, nPadded - jc);
      for (let pc = 0; pc < k; pc += KC) {
        const depth = Math.min(KC, k - pc);
        packB(transB, b, n, k, jc, cols, pc, depth, heap, bStart);
        for (let ic = 0; ic < mPadded; ic += MC) {
          const rows = Math.min(MC, mPadded - ic);
          packA(transA, a, m, k, ic, rows, pc, depth, heap, aStart);
          this.exports.gemmBlock(rows / MR, cols / NR, depth, aStart * 4, bStart * 4, (cStart + ic * nPadded + jc) * 4, nPadded * 4, accumulate || pc > 0 ? 1 : 0);
        }
      }
    }
    for (let i = 0; i < m; i++) out.set(heap.subarray(cStart + i * nPadded, cStart + i * nPadded + n), i * n);
  }
}

/**
 * op(A)[rowStart .. +rows, depthStart .. +depth] into MR-row micro-panels at heap[start ..]:
 * element (i, p) of panel r at r·depth + p·MR + i; rows past m are zero.
 */
function packA(transA: boolean, a: FloatArray, m: number, k: number, rowStart: number, rows: number, depthStart: number, depth: number, heap: Float32Array, start: number): void {
  for (let r = 0; r < rows; r += MR) {
    const panel = start + r * depth;
    for (let i = 0; i < MR; i++) {
      const row = rowStart + r + i;
      if (row >= m) {
        for (let p = 0; p < depth; p++) heap[panel + p * MR + i] = 0;
      } else if (transA) {
        for (let p = 0, src = depthStart * m + row; p < depth; p++, src += m) heap[panel + p * MR + i] = a[src];
      } else {
        for (let p = 0, src = row * k + depthStart; p < depth; p++) heap[panel + p * MR + i] = a[src + p];
      }
    }
  }
}

/**
 * op(B)[depthStart .. +depth, colStart .. +cols] into NR-column micro-panels at heap[start ..]:
 * element (p, j) of panel c at c·depth + p·NR + j; columns past n are zero.
 */
function packB(transB: boolean, b: FloatArray, n: number, k: number, colStart: number, cols: number, depthStart: number, depth: number, heap: Float32Array, start: number): void {
  for (let c = 0; c < cols; c += NR) {
    const panel = start + c * depth;
    for (let j = 0; j < NR; j++) {
      const col = colStart + c + j;
      if (col >= n) {
        for (let p = 0; p < depth; p++) heap[panel + p * NR + j] = 0;
      } else if (transB) {
        for (let p = 0, src = col * k + depthStart; p < depth; p++) heap[panel + p * NR + j] = b[src + p];
      } else {
        for (let p = 0, src = depthStart * n + col; p < depth; p++, src += n) heap[panel + p * NR + j] = b[src];
      }
    }
  }
}
