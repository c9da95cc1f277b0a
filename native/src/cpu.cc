#include "cpu.h"

#include <cstdlib>
#include <cstring>

namespace {

SimdLevel hardwareLevel() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  // AVX-512 micro-kernels use F (arithmetic), VL/BW/DQ are not needed; FMA is implied by AVX-512F.
  if (__builtin_cpu_supports("avx512f")) return SimdLevel::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return SimdLevel::Avx2Fma;
#endif
  return SimdLevel::Scalar;
}

}  // namespace

SimdLevel detectSimdLevel() {
  SimdLevel level = hardwareLevel();
  // An override may only lower the level: asking for AVX-512 on a CPU without it must not crash.
  const char* requested = std::getenv("BACKPROP_NATIVE_SIMD");
  if (requested != nullptr) {
    if (std::strcmp(requested, "scalar") == 0) level = SimdLevel::Scalar;
    else if (std::strcmp(requested, "avx2") == 0 && level > SimdLevel::Avx2Fma) level = SimdLevel::Avx2Fma;
  }
  return level;
}

const char* simdLevelName(SimdLevel level) {
  switch (level) {
    case SimdLevel::Avx512: return "avx512";
    case SimdLevel::Avx2Fma: return "avx2";
    default: return "scalar";
  }
}
