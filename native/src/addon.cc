// Node-API bindings of the native kernels. Every function checks its arguments (types, and that
// each array holds the elements the shapes need) and throws a TypeError/RangeError naming the
// kernel, the argument and the bad value; the kernels themselves then never read out of bounds.
#include <node_api.h>

#include <cstdio>
#include <string>

#include "activation.h"
#include "cpu.h"
#include "elementwise.h"
#include "gemm.h"
#include "optimizer.h"
#include "thread_pool.h"

namespace {

/** Set when a check failed and a JavaScript exception is pending. */
struct ArgumentError {};

class Arguments {
 public:
  Arguments(napi_env env, napi_callback_info info, const char* kernel) : env_(env), kernel_(kernel) {
    count_ = kMax;
    napi_get_cb_info(env, info, &count_, values_, nullptr, nullptr);
  }

  bool boolean(size_t index, const char* name) {
    bool value = false;
    if (napi_get_value_bool(env_, at(index, name), &value) != napi_ok) fail("TypeError", name, "must be a boolean");
    return value;
  }

  int dimension(size_t index, const char* name) {
    double value = 0;
    if (napi_get_value_double(env_, at(index, name), &value) != napi_ok) fail("TypeError", name, "must be a number");
    if (!(value >= 0 && value <= 2147483647.0) || value != static_cast<double>(static_cast<long long>(value))) {
      fail("RangeError", name, ("must be a non-negative integer, got " + std::to_string(value)).c_str());
    }
    return static_cast<int>(value);
  }

  /**
   * A Float32Array with at least `needed` elements, or nullptr when `optional` and the argument is
   * null/undefined; its length goes to `lengthOut` when given.
   */
  float* floats(size_t index, const char* name, size_t needed, bool optional = false, size_t* lengthOut = nullptr) {
    napi_value value = at(index, name);
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    // One Node-API call on the common path (a typed array); the type checks run only on failure.
    if (napi_get_typedarray_info(env_, value, &type, &length, &data, nullptr, nullptr) != napi_ok) {
      napi_valuetype kind;
      napi_typeof(env_, value, &kind);
      if (optional && (kind == napi_null || kind == napi_undefined)) return nullptr;
      fail("TypeError", name, "must be a Float32Array");
    }
    if (type != napi_float32_array) fail("TypeError", name, "must be a Float32Array");
    if (length < needed) {
      fail("RangeError", name, ("has " + std::to_string(length) + " elements, the shapes need " + std::to_string(needed)).c_str());
    }
    if (lengthOut != nullptr) *lengthOut = length;
    return static_cast<float*>(data);
  }

  double number(size_t index, const char* name) {
    double value = 0;
    if (napi_get_value_double(env_, at(index, name), &value) != napi_ok) fail("TypeError", name, "must be a number");
    return value;
  }

  Activation activation(size_t index) {
    int code = dimension(index, "activation");
    if (code > static_cast<int>(kLastActivation)) fail("RangeError", "activation", ("unknown code " + std::to_string(code)).c_str());
    return static_cast<Activation>(code);
  }

  /** Throws a TypeError/RangeError "<kernel>: <name> <problem>" (as an ArgumentError, caught by the binding). */
  [[noreturn]] void fail(const char* errorType, const char* name, const char* problem) {
    std::string message = std::string(kernel_) + ": " + name + " " + problem;
    if (std::string(errorType) == "RangeError") napi_throw_range_error(env_, nullptr, message.c_str());
    else napi_throw_type_error(env_, nullptr, message.c_str());
    throw ArgumentError{};
  }

 private:
  static constexpr size_t kMax = 12;

  napi_value at(size_t index, const char* name) {
    if (index >= count_) fail("TypeError", name, "is missing");
    return values_[index];
  }

  napi_env env_;
  const char* kernel_;
  size_t count_;
  napi_value values_[kMax];
};

/** gemm(transA, transB, m, n, k, a, b, out, accumulate): see GemmProblem. */
napi_value Gemm(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "gemm");
    GemmProblem g;
    g.transA = args.boolean(0, "transA");
    g.transB = args.boolean(1, "transB");
    g.m = args.dimension(2, "m");
    g.n = args.dimension(3, "n");
    g.k = args.dimension(4, "k");
    const size_t m = g.m, n = g.n, k = g.k;
    g.a = args.floats(5, "a", m * k);
    g.b = args.floats(6, "b", k * n);
    g.c = args.floats(7, "out", m * n);
    g.accumulate = args.boolean(8, "accumulate");
    gemmF32(g);
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** biasActivation(x, bias | null, rows, cols, activationCode, out, preActivation | null). */
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "biasActivation");
    const size_t rows = args.dimension(2, "rows"), cols = args.dimension(3, "cols");
    const float* x = args.floats(0, "x", rows * cols);
    const float* bias = args.floats(1, "bias", cols, true);
    Activation op = args.activation(4);
    float* out = args.floats(5, "out", rows * cols);
    float* preActivation = args.floats(6, "preActivation", rows * cols, true);
    biasActivationF32(x, bias, rows, cols, op, out, preActivation);
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** unary(activationCode, x, out): out[i] = f(x[i]) for i < x.length. */
napi_value Unary(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "unary");
    Activation op = args.activation(0);
    size_t count = 0;
    const float* x = args.floats(1, "x", 0, false, &count);
    float* out = args.floats(2, "out", count);
    biasActivationF32(x, nullptr, 1, count, op, out, nullptr);
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** unaryBackward(activationCode, x, y, gradOut, gradIn, count, accumulate). */
napi_value UnaryBackward(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "unaryBackward");
    Activation op = args.activation(0);
    const size_t count = args.dimension(5, "count");
    const bool needsX = op == Activation::Relu || op == Activation::Square || op == Activation::Abs;
    const float* x = args.floats(1, "x", needsX ? count : 0, !needsX);
    const float* y = args.floats(2, "y", derivativeFromOutput(op) ? count : 0, !derivativeFromOutput(op));
    const float* gradOut = args.floats(3, "gradOut", count);
    float* gradIn = args.floats(4, "gradIn", count);
    const bool accumulate = args.boolean(6, "accumulate");
    unaryBackwardF32(op, x, y, gradOut, gradIn, count, accumulate);
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/**
 * biasActivationBackward(activationCode, z, y, gradOut, rows, cols, gradPreActivation, gradBias | null):
 * gradPreActivation = gradOut ⊙ f′(z) over rows·cols elements, then gradBias[c] += Σ_r gradPreActivation[r, c].
 */
napi_value BiasActivationBackward(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "biasActivationBackward");
    Activation op = args.activation(0);
    const size_t rows = args.dimension(4, "rows"), cols = args.dimension(5, "cols"), count = rows * cols;
    const bool needsZ = op == Activation::Relu || op == Activation::Square || op == Activation::Abs;
    const float* z = args.floats(1, "preActivation", needsZ ? count : 0, !needsZ);
    const float* y = args.floats(2, "y", derivativeFromOutput(op) ? count : 0, !derivativeFromOutput(op));
    const float* gradOut = args.floats(3, "gradOut", count);
    float* gradPreActivation = args.floats(6, "gradPreActivation", count);
    float* gradBias = args.floats(7, "gradBias", cols, true);
    unaryBackwardF32(op, z, y, gradOut, gradPreActivation, count, false);
    if (gradBias != nullptr) reduceSumF32(gradPreActivation, 1, rows, cols, gradBias, true);
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** softmax(x, rows, cols, out, log): see softmaxF32. */
napi_value Softmax(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "softmax");
    const size_t rows = args.dimension(1, "rows"), cols = args.dimension(2, "cols");
    const float* x = args.floats(0, "x", rows * cols);
    float* out = args.floats(3, "out", rows * cols);
    softmaxF32(x, rows, cols, out, args.boolean(4, "log"));
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** binary(opCode, a, b, out, period): out[i] = a[i] ∘ b[i mod period] for i < out.length; see elementwise.h. */
napi_value Binary(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "binary");
    const int code = args.dimension(0, "op");
    if (code > static_cast<int>(kLastBinaryOp)) args.fail("RangeError", "op", ("unknown code " + std::to_string(code)).c_str());
    size_t count = 0;
    float* out = args.floats(3, "out", 0, false, &count);
    const size_t period = args.dimension(4, "period");
    if (count > 0 && (period == 0 || count % period != 0)) {
      args.fail("RangeError", "period", ("must divide the " + std::to_string(count) + " elements of out, got " + std::to_string(period)).c_str());
    }
    const float* a = args.floats(1, "a", count);
    const float* b = args.floats(2, "b", period);
    binaryF32(static_cast<BinaryOp>(code), a, b, out, count, period);
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** reduceSum(x, outer, length, inner, out, accumulate). */
napi_value ReduceSum(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "reduce");
    const size_t outer = args.dimension(1, "outer"), length = args.dimension(2, "length"), inner = args.dimension(3, "inner");
    const float* x = args.floats(0, "x", outer * length * inner);
    float* out = args.floats(4, "out", outer * inner);
    const bool accumulate = args.boolean(5, "accumulate");
    reduceSumF32(x, outer, length, inner, out, accumulate);
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** adamUpdate(w, g, m, v, vMax | null, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2): see optimizer.h; count = w.length. */
napi_value AdamUpdate(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "adamUpdate");
    size_t count = 0;
    float* w = args.floats(0, "w", 0, false, &count);
    const float* g = args.floats(1, "g", count);
    float* m = args.floats(2, "m", count);
    float* v = args.floats(3, "v", count);
    float* vMax = args.floats(4, "vMax", count, true);
    adamUpdateF32(w, g, m, v, vMax, count, args.number(5, "stepSize"), args.number(6, "beta1"), args.number(7, "beta2"), args.number(8, "eps"),
                  args.number(9, "sqrtBiasCorrection2"), args.number(10, "l2"));
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

/** sgdUpdate(w, g, velocity | null, lr, momentum, weightDecay, nesterov, textbook): see optimizer.h; count = w.length. */
napi_value SgdUpdate(napi_env env, napi_callback_info info) {
  try {
    Arguments args(env, info, "sgdUpdate");
    size_t count = 0;
    float* w = args.floats(0, "w", 0, false, &count);
    const float* g = args.floats(1, "g", count);
    float* velocity = args.floats(2, "velocity", count, true);
    sgdUpdateF32(w, g, velocity, count, args.number(3, "lr"), args.number(4, "momentum"), args.number(5, "weightDecay"), args.boolean(6, "nesterov"),
                 args.boolean(7, "textbook"));
  } catch (const ArgumentError&) {
  }
  return nullptr;
}

napi_value String(napi_env env, const char* text) {
  napi_value value;
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
  return value;
}

napi_value Int(napi_env env, int number) {
  napi_value value;
  napi_create_int32(env, number, &value);
  return value;
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor properties[] = {
      {"gemm", nullptr, Gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, Unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sgdUpdate", nullptr, SgdUpdate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamUpdate", nullptr, AdamUpdate, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"softmax", nullptr, Softmax, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"reduceSum", nullptr, ReduceSum, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasActivationBackward", nullptr, BiasActivationBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unaryBackward", nullptr, UnaryBackward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"simd", nullptr, nullptr, nullptr, nullptr, String(env, simdLevelName(detectSimdLevel())), napi_enumerable, nullptr},
      {"threads", nullptr, nullptr, nullptr, nullptr, Int(env, poolThreadCount()), napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}
