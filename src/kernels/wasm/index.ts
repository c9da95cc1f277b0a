/**
 * The portable fast backend: float32 `gemm`, the Adam step and a relu layer's elementwise work
 * (bias + relu, relu's backward, sums over rows) in WebAssembly SIMD (gemm.wat); every other
 * kernel, small arrays and float64 from the TypeScript backend. Runs in Node and in browsers with WebAssembly SIMD
 * (Chrome 91+, Firefox 89+, Safari 16.4+); on one thread, or on two where workers can share memory
 * and `threads: 2` is asked for (threads.ts).
 */
import type { Backend, FloatArray } from '../backend.js';
import { withFallback } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { adamUpdateJs } from '../js/optimizers.js';
import { WasmGemm, chooseGemmBuild, gemmBuildsAssembled } from './gemm.js';
import { browserSpawnWorker, wasmRuntime } from './runtime.js';
import type { SpawnWorker } from './runtime.js';
import { TilesWorker } from './threads.js';

export type { SpawnWorker, WorkerHandle } from './runtime.js';

/**
 * Products of fewer multiply-adds run in TypeScript: below it the copies into the module cost more
 * than the SIMD saves (16×16×4: 0.7–1.0 µs in TypeScript, 1.1–2.1 in the module; 32×32×32: 18–24
 * against 4.2–6.0; bench/README.md).
 */
const GEMM_MIN_WORK = 4096;

/** Adam's update runs in the module from this many elements (see adamUpdate below). */
const ADAM_MIN_ELEMENTS = 256;

/** Elementwise kernels run in the module from this many elements (see biasActivation below). */
const ELEMENTWISE_MIN = 1024;

const isF32 = (array: FloatArray | null): boolean => array === null || array instanceof Float32Array;

export interface WasmBackendOptions {
  /** Backend for float64 and the kernels this one lacks (default the TypeScript backend). */
  base?: Backend;
  /**
   * 1 (default) or 2: with 2, a worker sharing the module's memory takes chunks of each large
   * product where workers can share memory, else it stays 1. The worker starts with the first
   * product large enough to share. Opt-in here, as pages rarely expect a library to start workers;
   * Node's entry asks for 2 (node/backends.ts): on mlp-mnist two threads measured 5–30% faster than
   * one on this project's 2-vCPU machine (six interleaved pairs, README's Performance notes).
   */
  threads?: number;
  /**
   * Starts a worker from JavaScript source. Default: in a cross-origin-isolated browser page, a
   * Web Worker from a Blob URL; elsewhere none (Node passes worker_threads from node/backends.ts).
   */
  spawnWorker?: SpawnWorker | null;
}

/**
 * Builds the wasm backend (named "wasm", or "wasm-relaxed" where the runtime has relaxed SIMD and
 * the fused multiply-add build is used), compiling its module synchronously (it is under 4 KiB,
 * within what browsers allow on the main thread). With two threads a worker runs half of each
 * large product (threads.ts); where no worker can start, it runs on one. Throws naming the reason
 * when this runtime has no WebAssembly SIMD or the build could not assemble the module.
 */
export function createWasmBackend(options: WasmBackendOptions = {}): Backend {
  return makeWasmBackend(options, 'createWasmBackend').backend;
}

export interface WasmBackendAsyncOptions extends WasmBackendOptions {
  /** How long to wait for the worker, in milliseconds (default 5000); then the backend keeps one thread. */
  timeoutMs?: number;
}

/**
 * `createWasmBackend`, for pages that want both threads from the first product: with `threads: 2`
 * it starts the worker at once and resolves when the worker runs. A browser starts a Worker only
 * once the page returns to its event loop, so a synchronous backend's worker joins in only after
 * the page yields; awaiting this first avoids that. Where no worker can share memory (a page that
 * is not cross-origin isolated), or the worker has not started within `timeoutMs`, it resolves
 * with a one-thread backend (`threads` 1; a worker that did not start is terminated). With
 * `threads: 1` it resolves at once. Outside browsers pass `spawnWorker` (Node's entry builds its
 * wasm backend with worker_threads itself; see node/backends.ts).
 */
export async function createWasmBackendAsync(options: WasmBackendAsyncOptions = {}): Promise<Backend> {
  const timeoutMs = options.timeoutMs ?? 5000;
  if (!(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs >= 0)) throw new Error(`createWasmBackendAsync: timeoutMs must be a finite number ≥ 0, got ${String(timeoutMs)}`);
  const { backend, kernel } = makeWasmBackend(options, 'createWasmBackendAsync');
  kernel.startWorker();
  const started = performance.now();
  while (kernel.threads === 2 && !kernel.workerReady) {
    if (performance.now() - started >= timeoutMs) {
      kernel.abandonWorker();
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return backend;
}

function makeWasmBackend(options: WasmBackendOptions, where: string): { backend: Backend; kernel: WasmGemm } {
  const base = options.base ?? jsBackend;
  const threads = options.threads ?? 1;
  if (threads !== 1 && threads !== 2) throw new Error(`${where}: threads must be 1 or 2, got ${String(threads)}`);
  const runtime = wasmRuntime();
  if (!runtime) throw new Error(`${where}: this runtime has no WebAssembly`);
  const spawn = threads === 2 ? (options.spawnWorker === undefined ? browserSpawnWorker() : options.spawnWorker) : null;
  const build = (spawn && typeof SharedArrayBuffer === 'function' ? chooseGemmBuild(runtime, true) : null) ?? chooseGemmBuild(runtime, false);
  if (!build) {
    throw new Error(gemmBuildsAssembled()
      ? `${where}: this runtime lacks WebAssembly SIMD`
      : `${where}: the wasm kernels were not assembled (npm run build needs the dev dependency wabt)`);
  }
  const kernel = new WasmGemm(runtime, build, (module, memory) => {
    try {
      return new TilesWorker(module, memory, spawn!);
    } catch {
      return null;
    }
  });
  const backend = withFallback(base, {
    name: build.fused ? 'wasm-relaxed' : 'wasm',
    gemm(transA, transB, m, n, k, a, b, out, accumulate) {
      // Tiny products run faster in TypeScript.
      if (a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array && m * n * k >= GEMM_MIN_WORK) {
        kernel.gemm(transA, transB, m, n, k, a, b, out, accumulate);
      } else {
        base.gemm(transA, transB, m, n, k, a, b, out, accumulate);
      }
    },
    // Adam's per-element square root and division in f64 cost more in JavaScript than the copies
    // in and out of the module: on mlp-mnist the update took 28% of a training step (in Node).
    // Under ADAM_MIN_ELEMENTS the TypeScript loop is faster than the copies (16: 0.14 against 0.78 µs;
    // 256: 2.4 against 1.8).
    adamUpdate(w, g, m, v, vMax, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2) {
      if (w.length >= ADAM_MIN_ELEMENTS) kernel.adamUpdate(w, g, m, v, vMax, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
      else adamUpdateJs(w, g, m, v, vMax, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2);
    },
    // A relu layer's elementwise work: a JavaScript pass over a Float32Array costs about 1.7 ns per
    // element here, a copy into or out of the module about 0.15 ns. Small arrays stay in JavaScript,
    // where a call costs less than the copies' fixed cost.
    biasActivation(x, bias, rows, cols, op, param, out, preActivation) {
      if ((op === 'relu' || op === 'identity') && rows * cols >= ELEMENTWISE_MIN && x instanceof Float32Array && out instanceof Float32Array && isF32(bias) && isF32(preActivation)) {
        kernel.biasRelu(x, bias as Float32Array | null, rows, cols, op === 'relu', out, preActivation as Float32Array | null);
      } else {
        base.biasActivation(x, bias, rows, cols, op, param, out, preActivation);
      }
    },
    unaryBackward(op, x, y, gradOut, gradIn, param, accumulate) {
      if (op === 'relu' && !accumulate && gradOut.length >= ELEMENTWISE_MIN && x instanceof Float32Array && gradOut instanceof Float32Array && gradIn instanceof Float32Array) {
        kernel.reluBackward(x, gradOut, gradIn, gradOut.length);
      } else {
        base.unaryBackward(op, x, y, gradOut, gradIn, param, accumulate);
      }
    },
    reduce(op, x, outer, length, inner, out, accumulate) {
      // Sums over the rows of one matrix of at least four columns (bias gradients): four columns at a
      // time keep each column's order. Other shapes (many short sums) were not measured.
      if (op === 'sum' && outer === 1 && inner >= 4 && length * inner >= ELEMENTWISE_MIN && x instanceof Float32Array && out instanceof Float32Array) {
        kernel.sumRows(x, length, inner, out, accumulate);
      } else {
        base.reduce(op, x, outer, length, inner, out, accumulate);
      }
    },
  });
  // Read live: 2 while the worker runs or may still start, 1 once it could not.
  Object.defineProperty(backend, 'threads', { get: () => kernel.threads, enumerable: true });
  return { backend, kernel };
}
