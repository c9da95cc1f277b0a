// V8 bindings of the native kernels. Every function checks its arguments (types, and that
// each array holds the elements the shapes need) and throws a TypeError/RangeError naming the
// kernel, the argument and the bad value; the kernels themselves then never read out of bounds.
#include <node.h>
#include <v8.h>

#include <algorithm>
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
  Arguments(const v8::FunctionCallbackInfo<v8::Value>& info, const char* kernel) : info_(info), kernel_(kernel) {}

  bool boolean(int index, const char* name) {
    v8::Local<v8::Value> value = at(index, name);
    if (!value->IsBoolean()) fail("TypeError", name, "must be a boolean");
    return value->IsTrue();
  }

  int dimension(int index, const char* name) {
    v8::Local<v8::Value> value = at(index, name);
    if (value->IsInt32()) {
      const int32_t integer = value.As<v8::Int32>()->Value();
      if (integer >= 0) return integer;
    }
    if (!value->IsNumber()) fail("TypeError", name, "must be a number");
    const double number = value.As<v8::Number>()->Value();
    fail("RangeError", name, ("must be a non-negative integer, got " + std::to_string(number)).c_str());
  }

  /**
   * A Float32Array with at least `needed` elements, or nullptr when `optional` and the argument is
   * null/undefined; its length goes to `lengthOut` when given.
   */
  float* floats(int index, const char* name, size_t needed, bool optional = false, size_t* lengthOut = nullptr) {
    v8::Local<v8::Value> value = at(index, name);
    if (!value->IsFloat32Array()) {
      if (optional && value->IsNullOrUndefined()) return nullptr;
      fail("TypeError", name, "must be a Float32Array");
    }
    v8::Local<v8::Float32Array> array = value.As<v8::Float32Array>();
    const size_t length = array->Length();
    if (length < needed) {
      fail("RangeError", name, ("has " + std::to_string(length) + " elements, the shapes need " + std::to_string(needed)).c_str());
    }
    if (lengthOut != nullptr) *lengthOut = length;
    return reinterpret_cast<float*>(static_cast<char*>(array->Buffer()->Data()) + array->ByteOffset());
  }

  double number(int index, const char* name) {
    v8::Local<v8::Value> value = at(index, name);
    if (!value->IsNumber()) fail("TypeError", name, "must be a number");
    return value.As<v8::Number>()->Value();
  }

  Activation activation(int index) {
    int code = dimension(index, "activation");
    if (code > static_cast<int>(kLastActivation)) fail("RangeError", "activation", ("unknown code " + std::to_string(code)).c_str());
    return static_cast<Activation>(code);
  }

  /** Throws a TypeError/RangeError "<kernel>: <name> <problem>" (as an ArgumentError, caught by the binding). */
  [[noreturn]] void fail(const char* errorType, const char* name, const char* problem) {
    v8::Isolate* isolate = info_.GetIsolate();
    const std::string message = std::string(kernel_) + ": " + name + " " + problem;
    v8::Local<v8::String> text = v8::String::NewFromUtf8(isolate, message.c_str()).ToLocalChecked();
    isolate->ThrowException(std::string(errorType) == "RangeError" ? v8::Exception::RangeError(text) : v8::Exception::TypeError(text));
    throw ArgumentError{};
  }

 private:
  v8::Local<v8::Value> at(int index, const char* name) {
    if (index >= info_.Length()) fail("TypeError", name, "is missing");
    return info_[index];
  }

  const v8::FunctionCallbackInfo<v8::Value>& info_;
  const char* kernel_;
};

/** gemm(transA, transB, m, n, k, a, b, out, accumulate): see GemmProblem. */
void Gemm(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "gemm");
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
}

/** biasActivation(x, bias | null, rows, cols, activationCode, out, preActivation | null). */
void BiasActivation(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "biasActivation");
    const size_t rows = args.dimension(2, "rows"), cols = args.dimension(3, "cols");
    const float* x = args.floats(0, "x", rows * cols);
    const float* bias = args.floats(1, "bias", cols, true);
    Activation op = args.activation(4);
    float* out = args.floats(5, "out", rows * cols);
    float* preActivation = args.floats(6, "preActivation", rows * cols, true);
    biasActivationF32(x, bias, rows, cols, op, out, preActivation);
  } catch (const ArgumentError&) {
  }
}

/** unary(activationCode, x, out): out[i] = f(x[i]) for i < x.length. */
void Unary(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "unary");
    Activation op = args.activation(0);
    size_t count = 0;
    const float* x = args.floats(1, "x", 0, false, &count);
    float* out = args.floats(2, "out", count);
    biasActivationF32(x, nullptr, 1, count, op, out, nullptr);
  } catch (const ArgumentError&) {
  }
}

/** unaryBackward(activationCode, x, y, gradOut, gradIn, count, accumulate). */
void UnaryBackward(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "unaryBackward");
    Activation op = args.activation(0);
    const size_t count = args.dimension(5, "count");
    const bool needsX = derivativeFromInput(op);
    const float* x = args.floats(1, "x", needsX ? count : 0, !needsX);
    const float* y = args.floats(2, "y", derivativeFromOutput(op) ? count : 0, !derivativeFromOutput(op));
    const float* gradOut = args.floats(3, "gradOut", count);
    float* gradIn = args.floats(4, "gradIn", count);
    const bool accumulate = args.boolean(6, "accumulate");
    unaryBackwardF32(op, x, y, gradOut, gradIn, count, accumulate);
  } catch (const ArgumentError&) {
  }
}

/**
 * biasActivationBackward(activationCode, z, y, gradOut, rows, cols, gradPreActivation, gradBias | null):
 * gradPreActivation = gradOut ⊙ f′(z) over rows·cols elements, then gradBias[c] += Σ_r gradPreActivation[r, c].
 */
void BiasActivationBackward(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "biasActivationBackward");
    Activation op = args.activation(0);
    const size_t rows = args.dimension(4, "rows"), cols = args.dimension(5, "cols"), count = rows * cols;
    const bool needsZ = derivativeFromInput(op);
    const float* z = args.floats(1, "preActivation", needsZ ? count : 0, !needsZ);
    const float* y = args.floats(2, "y", derivativeFromOutput(op) ? count : 0, !derivativeFromOutput(op));
    const float* gradOut = args.floats(3, "gradOut", count);
    float* gradPreActivation = args.floats(6, "gradPreActivation", count);
    float* gradBias = args.floats(7, "gradBias", cols, true);
    unaryBackwardF32(op, z, y, gradOut, gradPreActivation, count, false);
    if (gradBias != nullptr) reduceSumF32(gradPreActivation, 1, rows, cols, gradBias, true);
  } catch (const ArgumentError&) {
  }
}

/**
 * denseForward(x, w, bias | null, rows, inputs, outputs, activationCode, out, preActivation | null):
 * a dense layer's forward pass in one call, out = f(x·wᵀ + bias) for x [rows, inputs] and w
 * [outputs, inputs]; preActivation, when given, receives z = x·wᵀ + bias.
 */
void DenseForward(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "denseForward");
    const size_t rows = args.dimension(3, "rows"), inputs = args.dimension(4, "inputs"), outputs = args.dimension(5, "outputs");
    GemmProblem g{false, true, static_cast<int>(rows), static_cast<int>(outputs), static_cast<int>(inputs), nullptr, nullptr, nullptr, false};
    g.a = args.floats(0, "x", rows * inputs);
    g.b = args.floats(1, "w", outputs * inputs);
    const float* bias = args.floats(2, "bias", outputs, true);
    const Activation op = args.activation(6);
    g.c = args.floats(7, "out", rows * outputs);
    float* preActivation = args.floats(8, "preActivation", rows * outputs, true);
    gemmF32(g);
    if (bias != nullptr || op != Activation::Identity || preActivation != nullptr) biasActivationF32(g.c, bias, rows, outputs, op, g.c, preActivation);
  } catch (const ArgumentError&) {
  }
}

/**
 * denseBackward(activationCode, rows, inputs, outputs, x | null, w | null, z | null, y | null, gradOut,
 * delta, gradBias | null, accumulateBias, gradWeight | null, accumulateWeight, gradInput | null,
 * accumulateInput): δ = gradOut ⊙ f′(z) into delta (delta may be gradOut itself), then ∂C/∂b = Σ_rows δ,
 * ∂C/∂W = δᵀ·x and ∂C/∂x = δ·w, each added into its storage when its accumulate flag is set.
 */
void DenseBackward(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "denseBackward");
    const Activation op = args.activation(0);
    const size_t rows = args.dimension(1, "rows"), inputs = args.dimension(2, "inputs"), outputs = args.dimension(3, "outputs");
    const size_t count = rows * outputs;
    const bool needsZ = derivativeFromInput(op);
    float* gradWeight = args.floats(12, "gradWeight", outputs * inputs, true);
    float* gradInput = args.floats(14, "gradInput", rows * inputs, true);
    const float* x = args.floats(4, "x", gradWeight != nullptr ? rows * inputs : 0, gradWeight == nullptr);
    const float* w = args.floats(5, "w", gradInput != nullptr ? outputs * inputs : 0, gradInput == nullptr);
    const float* z = args.floats(6, "preActivation", needsZ ? count : 0, !needsZ);
    const float* y = args.floats(7, "y", derivativeFromOutput(op) ? count : 0, !derivativeFromOutput(op));
    const float* gradOut = args.floats(8, "gradOut", count);
    float* delta = args.floats(9, "delta", count);
    float* gradBias = args.floats(10, "gradBias", outputs, true);
    const bool accumulateBias = args.boolean(11, "accumulateBias");
    const bool accumulateWeight = args.boolean(13, "accumulateWeight");
    const bool accumulateInput = args.boolean(15, "accumulateInput");
    if (op != Activation::Identity) unaryBackwardF32(op, z, y, gradOut, delta, count, false);
    else if (delta != gradOut) std::copy(gradOut, gradOut + count, delta);
    if (gradBias != nullptr) reduceSumF32(delta, 1, rows, outputs, gradBias, accumulateBias);
    if (gradWeight != nullptr) {
      gemmF32(GemmProblem{true, false, static_cast<int>(outputs), static_cast<int>(inputs), static_cast<int>(rows), delta, x, gradWeight, accumulateWeight});
    }
    if (gradInput != nullptr) {
      gemmF32(GemmProblem{false, false, static_cast<int>(rows), static_cast<int>(inputs), static_cast<int>(outputs), delta, w, gradInput, accumulateInput});
    }
  } catch (const ArgumentError&) {
  }
}

/** softmax(x, rows, cols, out, log): see softmaxF32. */
void Softmax(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "softmax");
    const size_t rows = args.dimension(1, "rows"), cols = args.dimension(2, "cols");
    const float* x = args.floats(0, "x", rows * cols);
    float* out = args.floats(3, "out", rows * cols);
    softmaxF32(x, rows, cols, out, args.boolean(4, "log"));
  } catch (const ArgumentError&) {
  }
}

/** binary(opCode, a, b, out, period): out[i] = a[i] ∘ b[i mod period] for i < out.length; see elementwise.h. */
void Binary(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "binary");
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
}

/** reduceSum(x, outer, length, inner, out, accumulate). */
void ReduceSum(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "reduce");
    const size_t outer = args.dimension(1, "outer"), length = args.dimension(2, "length"), inner = args.dimension(3, "inner");
    const float* x = args.floats(0, "x", outer * length * inner);
    float* out = args.floats(4, "out", outer * inner);
    const bool accumulate = args.boolean(5, "accumulate");
    reduceSumF32(x, outer, length, inner, out, accumulate);
  } catch (const ArgumentError&) {
  }
}

/** adamUpdate(w, g, m, v, vMax | null, stepSize, beta1, beta2, eps, sqrtBiasCorrection2, l2): see optimizer.h; count = w.length. */
void AdamUpdate(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "adamUpdate");
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
}

/** sgdUpdate(w, g, velocity | null, lr, momentum, weightDecay, nesterov, textbook): see optimizer.h; count = w.length. */
void SgdUpdate(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "sgdUpdate");
    size_t count = 0;
    float* w = args.floats(0, "w", 0, false, &count);
    const float* g = args.floats(1, "g", count);
    float* velocity = args.floats(2, "velocity", count, true);
    sgdUpdateF32(w, g, velocity, count, args.number(3, "lr"), args.number(4, "momentum"), args.number(5, "weightDecay"), args.boolean(6, "nesterov"),
                 args.boolean(7, "textbook"));
  } catch (const ArgumentError&) {
  }
}

}  // namespace

// Context-aware, so worker threads may load it too. The V8 API rather than Node-API: a call costs
// about 60 ns instead of 230 (measured with gemm's nine arguments), which is most of what a
// small network's step spends crossing into the addon.
NODE_MODULE_INIT(/* exports, module, context */) {
  v8::Isolate* isolate = context->GetIsolate();
  const auto set = [&](const char* name, v8::Local<v8::Value> value) {
    exports->Set(context, v8::String::NewFromUtf8(isolate, name).ToLocalChecked(), value).Check();
  };
  const auto function = [&](const char* name, v8::FunctionCallback callback) {
    set(name, v8::FunctionTemplate::New(isolate, callback)->GetFunction(context).ToLocalChecked());
  };
  function("gemm", Gemm);
  function("biasActivation", BiasActivation);
  function("binary", Binary);
  function("unary", Unary);
  function("sgdUpdate", SgdUpdate);
  function("adamUpdate", AdamUpdate);
  function("softmax", Softmax);
  function("reduceSum", ReduceSum);
  function("biasActivationBackward", BiasActivationBackward);
  function("unaryBackward", UnaryBackward);
  function("denseForward", DenseForward);
  function("denseBackward", DenseBackward);
  set("simd", v8::String::NewFromUtf8(isolate, simdLevelName(detectSimdLevel())).ToLocalChecked());
  set("threads", v8::Integer::New(isolate, poolThreadCount()));
}
