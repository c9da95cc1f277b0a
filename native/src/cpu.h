// Run-time CPU feature detection: picks the widest SIMD path this processor supports, so one
// binary (built without -march flags) runs on any x86-64 machine and uses AVX-512 where present.
#pragma once

enum class SimdLevel { Scalar = 0, Avx2Fma = 1, Avx512 = 2 };

/** The best level the CPU supports, lowered by BACKPROP_NATIVE_SIMD=scalar|avx2 (for testing each path). */
SimdLevel detectSimdLevel();

/** "scalar", "avx2", "avx512". */
const char* simdLevelName(SimdLevel level);
