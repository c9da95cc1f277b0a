/**
 * Child process of backends.test.ts: runs the conformance suite on one backend configured by the
 * environment and exits non-zero listing the failures. BACKPROP_KERNEL_CHECK_CHILD names the
 * backend: "native" (with BACKPROP_NATIVE_SIMD / BACKPROP_NATIVE_THREADS, read by the addon when it
 * loads) or "wasm" (run with node's --experimental-wasm-relaxed-simd for the fused build). Does
 * nothing without it, since the test runner also loads every file under test/.
 */
import { createWasmBackend } from '../../src/kernels/index.js';
import { createNativeBackend } from '../../node/native.js';
import { checkBackend } from './kernel-suite.js';

const which = process.env.BACKPROP_KERNEL_CHECK_CHILD;
if (which === 'native' || which === 'wasm') {
  const backend = which === 'native' ? createNativeBackend() : createWasmBackend({ threads: 1 });
  const failures = checkBackend(backend, 99);
  console.log(backend.name);
  if (failures.length > 0) {
    console.log(`${backend.name} (threads ${backend.threads}):\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}
