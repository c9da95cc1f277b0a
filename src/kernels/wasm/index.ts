/**
 * The portable fast backend: float32 `gemm` in WebAssembly SIMD (gemm.wat), every other kernel
 * and float64 from the TypeScript backend (elementwise kernels would spend more on copying into
 * the module's memory than they save). Runs in Node and in browsers with WebAssembly SIMD
 * (Chrome 91+, Firefox 89+, Safari 16.4+); single-threaded.
 */
import type { Backend } from '../backend.js';
import { withFallback } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { WasmGemm, gemmModuleBytes } from './gemm.js';
import { wasmRuntime } from './runtime.js';

/**
 * Builds the wasm backend (named "wasm", or "wasm-relaxed" where the runtime has relaxed SIMD and
 * the fused multiply-add build is used), compiling its module synchronously (it is under 4 KiB,
 * within what browsers allow on the main thread). Throws naming the reason when this runtime
 * has no WebAssembly SIMD or the build could not assemble the module.
 */
export function createWasmBackend(base: Backend = jsBackend): Backend {
  const runtime = wasmRuntime();
  if (!runtime) throw new Error('createWasmBackend: this runtime has no WebAssembly');
  const module = gemmModuleBytes(runtime);
  if (!module) throw new Error('createWasmBackend: the wasm kernels were not assembled (npm run build needs the dev dependency wabt)');
  if (!runtime.validate(module.bytes)) throw new Error('createWasmBackend: this runtime lacks WebAssembly SIMD');
  const kernel = new WasmGemm(runtime, module.bytes);
  return withFallback(base, {
    name: module.fused ? 'wasm-relaxed' : 'wasm',
    threads: 1,
    gemm(transA, transB, m, n, k, a, b, out, accumulate) {
      if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) kernel.gemm(transA, transB, m, n, k, a, b, out, accumulate);
      else base.gemm(transA, transB, m, n, k, a, b, out, accumulate);
    },
  });
}
