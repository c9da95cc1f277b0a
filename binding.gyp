{
  "targets": [
    {
      "target_name": "backprop_native",
      "sources": [
        "native/src/addon.cc",
        "native/src/activation.cc",
        "native/src/activation_avx512.cc",
        "native/src/cpu.cc",
        "native/src/dense.cc",
        "native/src/elementwise.cc",
        "native/src/gemm.cc",
        "native/src/gemm_avx512.cc",
        "native/src/gemm_avx2.cc",
        "native/src/gemm_few_rows_avx512.cc",
        "native/src/gemm_small_avx512.cc",
        "native/src/gemm_scalar.cc",
        "native/src/loss.cc",
        "native/src/optimizer.cc",
        "native/src/optimizer_avx512.cc",
        "native/src/thread_pool.cc",
        "native/src/train.cc"
      ],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-ffp-contract=off", "-fno-math-errno", "-Wno-maybe-uninitialized"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "cflags!": ["-O2"],
      "defines": [],
      "conditions": [
        ["target_arch not in 'x64 ia32'", {
          "sources!": ["native/src/activation_avx512.cc", "native/src/optimizer_avx512.cc", "native/src/gemm_avx512.cc", "native/src/gemm_avx2.cc", "native/src/gemm_few_rows_avx512.cc", "native/src/gemm_small_avx512.cc"],
          "defines": ["BACKPROP_SCALAR_ONLY"]
        }]
      ]
    }
  ]
}
