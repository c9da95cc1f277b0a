/**
 * Child process of backends.test.ts: checks the native backend with the SIMD path and thread count
 * given by BACKPROP_NATIVE_SIMD / BACKPROP_NATIVE_THREADS (read by the addon when it loads), and
 * exits non-zero listing the failures. Does nothing unless BACKPROP_KERNEL_CHECK_CHILD=1, since the
 * test runner also loads every file under test/.
 */
import { createNativeBackend } from '../../node/native.js';
import { checkBackend } from './kernel-suite.js';

if (process.env.BACKPROP_KERNEL_CHECK_CHILD === '1') {
  const native = createNativeBackend();
  const failures = checkBackend(native, 99);
  if (failures.length > 0) {
    console.log(`${native.name} (threads ${native.threads}):\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
}
