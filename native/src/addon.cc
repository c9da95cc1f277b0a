// V8 bindings of the native kernels. Every function checks its arguments (types, and that
// each array holds the elements the shapes need) and throws a TypeError/RangeError naming the
// kernel, the argument and the bad value; the kernels themselves then never read out of bounds.
#include <node.h>
#include <v8.h>

#include <algorithm>
#include <memory>
#include <type_traits>
#include <cstdio>
#include <string>
#include <vector>

#include "activation.h"
#include "cpu.h"
#include "dense.h"
#include "elementwise.h"
#include "gemm.h"
#include "loss.h"
#include "optimizer.h"
#include "thread_pool.h"
#include "train.h"

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

  /** A typed array of `T` (checked by `isType`) with at least `needed` elements, or nullptr when `optional` and null. */
  template <typename T, typename ArrayType>
  T* typed(v8::Local<v8::Value> value, const char* name, const char* typeName, bool isType, size_t needed, bool optional = false) {
    if (!isType) {
      if (optional && value->IsNullOrUndefined()) return nullptr;
      fail("TypeError", name, (std::string("must be a ") + typeName).c_str());
    }
    v8::Local<ArrayType> array = value.As<ArrayType>();
    const size_t length = array->Length();
    if (length < needed) fail("RangeError", name, ("has " + std::to_string(length) + " elements, needs " + std::to_string(needed)).c_str());
    return reinterpret_cast<T*>(static_cast<char*>(array->Buffer()->Data()) + array->ByteOffset());
  }

  v8::Local<v8::Value> value(int index, const char* name) { return at(index, name); }

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
    denseForwardF32(g.a, g.b, bias, g.m, g.k, g.n, op, g.c, preActivation);
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
    denseBackwardF32(op, static_cast<int>(rows), static_cast<int>(inputs), static_cast<int>(outputs), x, w, z, y, gradOut, delta, gradBias, accumulateBias,
                     gradWeight, accumulateWeight, gradInput, accumulateInput);
  } catch (const ArgumentError&) {
  }
}

/**
 * softmaxCrossEntropyLabels(logits, labels: Int32Array, rows, cols, logProb, perSample, total |
 * null): returns the first row whose label is out of range, or −1 after computing log softmax, the
 * per-sample losses and, into total[0] when given, their sum by reduceSumF32 (see loss.h).
 */
void SoftmaxCrossEntropyLabels(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "softmaxCrossEntropyLabels");
    const size_t rows = args.dimension(2, "rows"), cols = args.dimension(3, "cols");
    const float* logits = args.floats(0, "logits", rows * cols);
    v8::Local<v8::Value> labelsValue = args.value(1, "labels");
    const int32_t* labels = args.typed<int32_t, v8::Int32Array>(labelsValue, "labels", "Int32Array", labelsValue->IsInt32Array(), rows);
    float* logProb = args.floats(4, "logProb", rows * cols);
    float* perSample = args.floats(5, "perSample", rows);
    float* total = args.floats(6, "total", 1, true);
    const long bad = softmaxCrossEntropyLabelsF32(logits, labels, rows, cols, logProb, perSample);
    if (bad < 0 && total != nullptr) reduceSumF32(perSample, 1, rows, 1, total, false);
    info.GetReturnValue().Set(static_cast<double>(bad));
  } catch (const ArgumentError&) {
  }
}

/** softmaxCrossEntropyLabelsBackward(logProb, labels: Int32Array, rows, cols, gradTerm, gradZ): see loss.h. */
void SoftmaxCrossEntropyLabelsBackward(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "softmaxCrossEntropyLabelsBackward");
    const size_t rows = args.dimension(2, "rows"), cols = args.dimension(3, "cols");
    const float* logProb = args.floats(0, "logProb", rows * cols);
    v8::Local<v8::Value> labelsValue = args.value(1, "labels");
    const int32_t* labels = args.typed<int32_t, v8::Int32Array>(labelsValue, "labels", "Int32Array", labelsValue->IsInt32Array(), rows);
    for (size_t i = 0; i < rows; i++) {
      if (labels[i] < 0 || static_cast<size_t>(labels[i]) >= cols) args.fail("RangeError", "labels", ("label " + std::to_string(i) + " is out of range").c_str());
    }
    const double gradTerm = args.number(4, "gradTerm");
    float* gradZ = args.floats(5, "gradZ", rows * cols);
    softmaxCrossEntropyLabelsBackwardF32(logProb, labels, rows, cols, gradTerm, gradZ);
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

/**
 * One array a plan reads: its ArrayBuffer (held, so it outlives the plan), where the view starts,
 * the bytes the plan needs, and the plan's pointer into it, set again before every run from the
 * buffer as it is then (a buffer detached or shrunk since is refused, never read).
 */
struct HeldArray {
  v8::Global<v8::ArrayBuffer> buffer;
  size_t byteOffset;
  size_t bytes;
  void** slot;
};

/** Throws a RangeError "<kernel>: out of memory" (after std::bad_alloc). */
void throwOutOfMemory(const v8::FunctionCallbackInfo<v8::Value>& info, const char* kernel) {
  const std::string message = std::string(kernel) + ": out of memory";
  info.GetIsolate()->ThrowException(v8::Exception::RangeError(v8::String::NewFromUtf8(info.GetIsolate(), message.c_str()).ToLocalChecked()));
}

/**
 * Objects of type T (a training plan, a held list; each with a `v8::Global<v8::Object> handle`)
 * that the addon owns behind JavaScript handles: each lives until its handle is collected, and a
 * handle is taken only if its pointer is one of this thread's live objects (a foreign object with
 * one internal field is refused, never dereferenced).
 */
template <typename T>
struct Handles {
  static std::vector<T*>& live() {
    thread_local std::vector<T*> objects;
    return objects;
  }

  /** A new handle owning `owned`. */
  static v8::Local<v8::Object> wrap(v8::Isolate* isolate, v8::Local<v8::Context> context, std::unique_ptr<T> owned) {
    v8::Local<v8::ObjectTemplate> shape = v8::ObjectTemplate::New(isolate);
    shape->SetInternalFieldCount(1);
    v8::Local<v8::Object> handle = shape->NewInstance(context).ToLocalChecked();
    T* object = owned.release();
    live().push_back(object);
    handle->SetAlignedPointerInInternalField(0, object);
    object->handle.Reset(isolate, handle);
    object->handle.SetWeak(object, [](const v8::WeakCallbackInfo<T>& data) {
      data.GetParameter()->handle.Reset();
      // Freed in the second pass, where V8 calls (releasing the held buffers) are allowed.
      data.SetSecondPassCallback([](const v8::WeakCallbackInfo<T>& second) {
        T* object = second.GetParameter();
        std::vector<T*>& objects = live();
        objects.erase(std::remove(objects.begin(), objects.end(), object), objects.end());
        delete object;
      });
    }, v8::WeakCallbackType::kParameter);
    return handle;
  }

  /** The live object behind a handle, or nullptr for anything else. */
  static T* find(v8::Local<v8::Value> value) {
    if (!value->IsObject() || value.As<v8::Object>()->InternalFieldCount() != 1) return nullptr;
    void* pointer = value.As<v8::Object>()->GetAlignedPointerFromInternalField(0);
    for (T* object : live()) if (object == pointer) return object;
    return nullptr;
  }
};

/** A parsed `trainDensePrepare` plan, freed when its JavaScript handle is collected. */
struct PreparedTraining {
  DenseTraining training;
  std::vector<HeldArray> arrays;
  v8::Global<v8::Object> handle;
};

/**
 * Reads arrays for a plan: each is checked (type, length) and held, with `slot` pointing into it.
 * Reading an element out of the JavaScript Array that throws leaves its exception pending.
 */
class PlanReader {
 public:
  PlanReader(Arguments& args, v8::Isolate* isolate, PreparedTraining& plan) : args_(args), isolate_(isolate), plan_(plan) {}

  template <typename T, typename ArrayType>
  T* hold(v8::Local<v8::Value> value, const char* name, const char* typeName, bool isType, size_t needed, bool optional, T** slot) {
    T* data = args_.typed<T, ArrayType>(value, name, typeName, isType, needed, optional);
    *slot = data;
    if (data != nullptr) {
      v8::Local<ArrayType> array = value.As<ArrayType>();
      HeldArray held{v8::Global<v8::ArrayBuffer>(isolate_, array->Buffer()), array->ByteOffset(), needed * sizeof(T), reinterpret_cast<void**>(const_cast<std::remove_const_t<T>**>(slot))};
      plan_.arrays.push_back(std::move(held));
    }
    return data;
  }

 private:
  Arguments& args_;
  v8::Isolate* isolate_;
  PreparedTraining& plan_;
};

/**
 * trainDensePrepare(ints: Int32Array, arrays: Array, losses: Float64Array, correct: Int32Array):
 * parses a training plan (see train.h) once and returns a handle for trainDenseRun (reading thirty
 * arrays out of a JavaScript Array costs microseconds, as much as a small network's step). The
 * plan holds the arrays' buffers; before each run it checks that none was detached or shrunk.
 * ints: [layers, loss, optimizer, features, outputs, batchSize, maxSteps, 0, rows, 0], then
 * [inputs, units, activation, hasBias] per layer, then per parameter whether the l1/l2 penalties
 * include it. arrays: [x, labels (Int32Array) or targets, order, stepSizes | null,
 * sqrtBiasCorrections2 | null], then per parameter (each layer's weight, then its bias) [value,
 * grad, velocity or first moment | null, second moment | null, max second moment | null, guard
 * copy | null].
 */
void TrainDensePrepare(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "trainDensePrepare");
    v8::Isolate* isolate = info.GetIsolate();
    v8::Local<v8::Context> context = isolate->GetCurrentContext();
    auto prepared = std::make_unique<PreparedTraining>();
    DenseTraining& t = prepared->training;
    PlanReader reader(args, isolate, *prepared);
    v8::Local<v8::Value> intsValue = args.value(0, "ints");
    const int32_t* header = args.typed<int32_t, v8::Int32Array>(intsValue, "ints", "Int32Array", intsValue->IsInt32Array(), 10);
    const int layerCount = header[0];
    if (layerCount < 1 || layerCount > 1000) args.fail("RangeError", "ints", ("layer count " + std::to_string(layerCount)).c_str());
    const int32_t* ints = args.typed<int32_t, v8::Int32Array>(intsValue, "ints", "Int32Array", true, 10 + 4 * static_cast<size_t>(layerCount));
    int parameterCount = 0;
    for (int l = 0; l < layerCount; l++) parameterCount += ints[10 + 4 * l + 3] != 0 ? 2 : 1;
    // Then one flag per parameter: whether the penalties include it.
    const int32_t* penalised = args.typed<int32_t, v8::Int32Array>(intsValue, "ints", "Int32Array", true, 10 + 4 * static_cast<size_t>(layerCount) + parameterCount) + 10 + 4 * layerCount;
    if (ints[1] != 0 && ints[1] != 1) args.fail("RangeError", "ints", "unknown loss");
    if (ints[2] < 0 || ints[2] > 2) args.fail("RangeError", "ints", "unknown optimizer");
    t.loss = static_cast<LossKind>(ints[1]);
    t.optimizer = static_cast<OptimizerKind>(ints[2]);
    t.features = ints[3];
    t.outputs = ints[4];
    t.batchSize = ints[5];
    t.maxSteps = ints[6];
    t.rows = ints[8];
    if (t.features < 1 || t.outputs < 1 || t.batchSize < 1 || t.maxSteps < 1 || t.rows < 1 || t.batchSize > t.rows) args.fail("RangeError", "ints", "sizes out of range");
    int width = t.features;
    for (int l = 0; l < layerCount; l++) {
      const int32_t* layer = ints + 10 + 4 * l;
      if (layer[0] != width || layer[1] < 1 || layer[2] < 0 || layer[2] > static_cast<int>(Activation::Sigmoid)) {
        args.fail("RangeError", "ints", ("layer " + std::to_string(l) + " does not fit").c_str());
      }
      t.layers.push_back(DenseLayerRef{layer[0], layer[1], static_cast<Activation>(layer[2]), nullptr, nullptr, nullptr, nullptr, 0, false});
      width = layer[1];
    }
    if (width != t.outputs) args.fail("RangeError", "ints", "the last layer's units differ from outputs");
    v8::Local<v8::Value> arraysValue = args.value(1, "arrays");
    if (!arraysValue->IsArray()) args.fail("TypeError", "arrays", "must be an Array");
    v8::Local<v8::Array> arrays = arraysValue.As<v8::Array>();
    const auto element = [&](uint32_t i) {
      v8::Local<v8::Value> value;
      if (!arrays->Get(context, i).ToLocal(&value)) throw ArgumentError{};
      return value;
    };
    const size_t rows = t.rows;
    // Filled in place: the held arrays point at these fields, so the vectors must not grow afterwards.
    t.parameters.resize(parameterCount);
    v8::Local<v8::Value> item = element(0);
    reader.hold<const float, v8::Float32Array>(item, "x", "Float32Array", item->IsFloat32Array(), rows * t.features, false, &t.x);
    item = element(1);
    if (t.loss == LossKind::SoftmaxCrossEntropy) reader.hold<const int32_t, v8::Int32Array>(item, "labels", "Int32Array", item->IsInt32Array(), rows, false, &t.labels);
    else reader.hold<const float, v8::Float32Array>(item, "targets", "Float32Array", item->IsFloat32Array(), rows * t.outputs, false, &t.targets);
    item = element(2);
    reader.hold<const int32_t, v8::Int32Array>(item, "order", "Int32Array", item->IsInt32Array(), rows, false, &t.order);
    const size_t steps = t.maxSteps;
    const bool adam = t.optimizer != OptimizerKind::Sgd;
    item = element(3);
    reader.hold<const double, v8::Float64Array>(item, "stepSizes", "Float64Array", item->IsFloat64Array(), steps, !adam, &t.stepSizes);
    item = element(4);
    reader.hold<const double, v8::Float64Array>(item, "sqrtBiasCorrections2", "Float64Array", item->IsFloat64Array(), steps, !adam, &t.sqrtBiasCorrections2);
    uint32_t next = 5;
    bool guarded = false;
    size_t index = 0;
    for (int l = 0; l < layerCount; l++) {
      DenseLayerRef& layer = t.layers[l];
      const bool hasBias = ints[10 + 4 * l + 3] != 0;
      layer.parameter = static_cast<int>(index);
      layer.hasBias = hasBias;
      for (int part = 0; part < (hasBias ? 2 : 1); part++) {
        const size_t count = part == 0 ? static_cast<size_t>(layer.units) * layer.inputs : layer.units;
        ParameterRef& p = t.parameters[index];
        p.count = count;
        const auto floats = [&](const char* name, bool optional, float** slot) {
          v8::Local<v8::Value> value = element(next++);
          return reader.hold<float, v8::Float32Array>(value, name, "Float32Array", value->IsFloat32Array(), count, optional, slot);
        };
        floats("parameter", false, &p.value);
        floats("gradient", false, &p.grad);
        floats("buffer", !adam, adam ? &p.firstMoment : &p.velocity);
        floats("buffer", !adam, &p.secondMoment);
        floats("buffer", true, &p.maxSecondMoment);
        floats("guard copy", true, &p.saved);
        p.penalised = penalised[index] != 0;
        if (index == 0) guarded = p.saved != nullptr;
        else if ((p.saved != nullptr) != guarded) args.fail("TypeError", "guard copy", "must be given for every parameter or none");
        index++;
      }
    }
    v8::Local<v8::Value> lossesValue = args.value(2, "losses");
    reader.hold<double, v8::Float64Array>(lossesValue, "losses", "Float64Array", lossesValue->IsFloat64Array(), steps, false, &t.losses);
    v8::Local<v8::Value> correctValue = args.value(3, "correct");
    reader.hold<int32_t, v8::Int32Array>(correctValue, "correct", "Int32Array", correctValue->IsInt32Array(), steps, false, &t.correct);

    info.GetReturnValue().Set(Handles<PreparedTraining>::wrap(isolate, context, std::move(prepared)));
  } catch (const ArgumentError&) {
  } catch (const std::bad_alloc&) {
    throwOutOfMemory(info, "trainDensePrepare");
  }
}

/**
 * trainDenseRun(handle, first, count, scalars: Float64Array, result: Int32Array): runs `count`
 * steps of a prepared plan from the batch starting at order[first]; scalars: [lr, momentum,
 * weightDecay, beta1, beta2, eps, flags (1 nesterov, 2 textbook), l1 factor, l2 factor (0 for
 * none)]; result receives [steps run, stop kind] (see trainDenseSteps).
 */
void TrainDenseRun(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "trainDenseRun");
    v8::Isolate* isolate = info.GetIsolate();
    v8::Local<v8::Value> handleValue = args.value(0, "handle");
    PreparedTraining* prepared = Handles<PreparedTraining>::find(handleValue);
    if (prepared == nullptr) args.fail("TypeError", "handle", "must come from trainDensePrepare");
    // Every array as it is now: a buffer detached or shrunk since trainDensePrepare is refused.
    for (HeldArray& held : prepared->arrays) {
      v8::Local<v8::ArrayBuffer> buffer = held.buffer.Get(isolate);
      if (buffer->ByteLength() < held.byteOffset + held.bytes) args.fail("TypeError", "handle", "holds an array whose buffer was detached or shrunk");
      *held.slot = static_cast<char*>(buffer->Data()) + held.byteOffset;
    }
    DenseTraining& t = prepared->training;
    linkLayers(t);
    const long first = args.dimension(1, "first");
    const int count = args.dimension(2, "count");
    if (count > t.maxSteps) args.fail("RangeError", "count", ("is more than the plan's " + std::to_string(t.maxSteps) + " steps").c_str());
    if (count > 0 && first + static_cast<long>(count - 1) * t.batchSize >= t.rows) args.fail("RangeError", "first", "leaves batches past the last row");
    // The rows these steps read: each order entry must be a row, each label a class.
    const long end = std::min<long>(t.rows, first + static_cast<long>(count) * t.batchSize);
    for (long i = first; i < end; i++) {
      const int32_t row = t.order[i];
      if (row < 0 || row >= t.rows) args.fail("RangeError", "order", ("entry " + std::to_string(i) + " is not a row").c_str());
      if (t.labels != nullptr && (t.labels[row] < 0 || t.labels[row] >= t.outputs)) args.fail("RangeError", "labels", ("label " + std::to_string(row) + " is out of range").c_str());
    }
    v8::Local<v8::Value> scalarsValue = args.value(3, "scalars");
    const double* scalars = args.typed<double, v8::Float64Array>(scalarsValue, "scalars", "Float64Array", scalarsValue->IsFloat64Array(), 9);
    t.lr = scalars[0];
    t.momentum = scalars[1];
    t.weightDecay = scalars[2];
    // Adam adds weightDecay·w to the gradient; AdamW decays the weights instead.
    t.l2 = t.optimizer == OptimizerKind::Adam ? scalars[2] : 0;
    t.beta1 = scalars[3];
    t.beta2 = scalars[4];
    t.eps = scalars[5];
    if (!(scalars[6] == 0 || scalars[6] == 1 || scalars[6] == 2 || scalars[6] == 3)) args.fail("RangeError", "scalars", "flags must be 0 to 3");
    const int flags = static_cast<int>(scalars[6]);
    t.nesterov = (flags & 1) != 0;
    t.textbook = (flags & 2) != 0;
    t.penalties.clear();
    if (scalars[7] != 0) t.penalties.push_back(PenaltyTerm{Activation::Abs, scalars[7]});
    if (scalars[8] != 0) t.penalties.push_back(PenaltyTerm{Activation::Square, scalars[8]});
    if (t.optimizer == OptimizerKind::Sgd && t.momentum != 0) {
      for (const ParameterRef& p : t.parameters) if (p.velocity == nullptr) args.fail("TypeError", "buffer", "SGD with momentum needs a velocity");
    }
    if (t.optimizer != OptimizerKind::Sgd) {
      for (const ParameterRef& p : t.parameters) if (p.firstMoment == nullptr || p.secondMoment == nullptr) args.fail("TypeError", "buffer", "Adam needs both moments");
    }
    v8::Local<v8::Value> resultValue = args.value(4, "result");
    int32_t* result = args.typed<int32_t, v8::Int32Array>(resultValue, "result", "Int32Array", resultValue->IsInt32Array(), 2);
    t.first = first;
    t.count = count;
    StopKind stop = StopKind::None;
    result[0] = trainDenseSteps(t, &stop);
    result[1] = static_cast<int32_t>(stop);
  } catch (const ArgumentError&) {
  } catch (const std::bad_alloc&) {
    throwOutOfMemory(info, "trainDenseRun");
  }
}

/**
 * Float32 arrays the addon holds for calls that take the same arrays again and again (a stack's
 * weights and gradients, an optimiser's lists): the JavaScript side passes one handle instead of
 * every array, and each call refreshes the pointers from the buffers as they are then (a buffer
 * detached or shrunk since is refused, never read). Freed when the handle is collected.
 */
struct HeldFloats {
  struct Entry {
    v8::Global<v8::ArrayBuffer> buffer;  // empty for a null entry
    size_t byteOffset = 0;
    size_t length = 0;
  };
  std::vector<Entry> entries;
  std::vector<float*> pointers;
  v8::Global<v8::Object> handle;
};

/** holdFloats(list: Array of Float32Array | null): a handle holding the list (see HeldFloats). */
void HoldFloats(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "holdFloats");
    v8::Isolate* isolate = info.GetIsolate();
    v8::Local<v8::Context> context = isolate->GetCurrentContext();
    v8::Local<v8::Value> listValue = args.value(0, "list");
    if (!listValue->IsArray()) args.fail("TypeError", "list", "must be an Array");
    v8::Local<v8::Array> list = listValue.As<v8::Array>();
    auto held = std::make_unique<HeldFloats>();
    const uint32_t count = list->Length();
    held->entries.resize(count);
    held->pointers.resize(count, nullptr);
    for (uint32_t i = 0; i < count; i++) {
      v8::Local<v8::Value> item;
      if (!list->Get(context, i).ToLocal(&item)) throw ArgumentError{};
      if (item->IsNullOrUndefined()) continue;
      if (!item->IsFloat32Array()) args.fail("TypeError", ("list[" + std::to_string(i) + "]").c_str(), "must be a Float32Array or null");
      v8::Local<v8::Float32Array> array = item.As<v8::Float32Array>();
      HeldFloats::Entry& entry = held->entries[i];
      entry.buffer.Reset(isolate, array->Buffer());
      entry.byteOffset = array->ByteOffset();
      entry.length = array->Length();
    }
    info.GetReturnValue().Set(Handles<HeldFloats>::wrap(isolate, context, std::move(held)));
  } catch (const ArgumentError&) {
  } catch (const std::bad_alloc&) {
    throwOutOfMemory(info, "holdFloats");
  }
}

/** The held list a handle argument names, its pointers refreshed; fails for a foreign handle or a detached or shrunk buffer. */
HeldFloats& heldArgument(Arguments& args, v8::Isolate* isolate, int index, const char* name) {
  v8::Local<v8::Value> value = args.value(index, name);
  HeldFloats* held = Handles<HeldFloats>::find(value);
  if (held == nullptr) args.fail("TypeError", name, "must come from holdFloats");
  for (size_t i = 0; i < held->entries.size(); i++) {
    HeldFloats::Entry& entry = held->entries[i];
    if (entry.buffer.IsEmpty()) {
      held->pointers[i] = nullptr;
      continue;
    }
    // (An empty array may have no data pointer: its entry is present all the same, see heldFloats.)
    v8::Local<v8::ArrayBuffer> buffer = entry.buffer.Get(isolate);
    if (buffer->ByteLength() < entry.byteOffset + entry.length * sizeof(float)) args.fail("TypeError", name, "holds an array whose buffer was detached or shrunk");
    held->pointers[i] = reinterpret_cast<float*>(static_cast<char*>(buffer->Data()) + entry.byteOffset);
  }
  return *held;
}

/** Entry i of a held list, checked: at least `needed` elements, or null when `optional`. */
float* heldFloats(Arguments& args, const HeldFloats& held, size_t i, const char* name, size_t needed, bool optional) {
  if (i >= held.entries.size()) args.fail("RangeError", name, "is missing from the held list");
  float* pointer = held.pointers[i];
  if (held.entries[i].buffer.IsEmpty()) {
    if (!optional) args.fail("TypeError", name, "must not be null");
    return nullptr;
  }
  if (held.entries[i].length < needed) {
    args.fail("RangeError", name, ("has " + std::to_string(held.entries[i].length) + " elements, the shapes need " + std::to_string(needed)).c_str());
  }
  return pointer;
}

/**
 * The layers of a dense stack: ints = [count, inputs of the first layer, then units and activation
 * code per layer]; `params` holds weight and bias (null for none) per layer; `grads`, when given,
 * the weight's and bias's gradients (null: not wanted), with their accumulate flags in `flags`
 * from index 2 (weight, bias per layer). Everything is checked against the shapes.
 */
std::vector<DenseStackLayer>& stackLayers(Arguments& args, const HeldFloats& params, const HeldFloats* grads, const int32_t* flags) {
  thread_local std::vector<DenseStackLayer> layers;
  v8::Local<v8::Value> intsValue = args.value(0, "ints");
  const int32_t* header = args.typed<int32_t, v8::Int32Array>(intsValue, "ints", "Int32Array", intsValue->IsInt32Array(), 2);
  const int count = header[0];
  if (count < 1 || count > 4096) args.fail("RangeError", "ints", ("layer count " + std::to_string(count)).c_str());
  const int32_t* ints = args.typed<int32_t, v8::Int32Array>(intsValue, "ints", "Int32Array", true, 2 + 2 * static_cast<size_t>(count));
  layers.resize(count);
  int inputs = ints[1];
  if (inputs < 1) args.fail("RangeError", "ints", "inputs must be at least 1");
  for (int l = 0; l < count; l++) {
    const int units = ints[2 + 2 * l], code = ints[3 + 2 * l];
    if (units < 1 || code < 0 || code > static_cast<int>(Activation::Sigmoid)) args.fail("RangeError", "ints", ("layer " + std::to_string(l) + " does not fit").c_str());
    DenseStackLayer& layer = layers[l];
    layer.inputs = inputs;
    layer.units = units;
    layer.op = static_cast<Activation>(code);
    const size_t weights = static_cast<size_t>(units) * inputs;
    layer.weight = heldFloats(args, params, 2 * l, "weight", weights, false);
    layer.bias = heldFloats(args, params, 2 * l + 1, "bias", units, true);
    layer.gradWeight = grads != nullptr ? heldFloats(args, *grads, 2 * l, "gradWeight", weights, true) : nullptr;
    layer.gradBias = grads != nullptr ? heldFloats(args, *grads, 2 * l + 1, "gradBias", units, true) : nullptr;
    layer.accumulateWeight = grads != nullptr && flags[2 + 2 * l] != 0;
    layer.accumulateBias = grads != nullptr && flags[3 + 2 * l] != 0;
    inputs = units;
  }
  return layers;
}

/**
 * denseStackForward(ints, params: held, x, rows, out, saved | null): the forward pass of a stack
 * of dense layers in one call (see denseStackForwardF32; ints and params as in stackLayers).
 */
void DenseStackForward(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "denseStackForward");
    HeldFloats& params = heldArgument(args, info.GetIsolate(), 1, "params");
    std::vector<DenseStackLayer>& layers = stackLayers(args, params, nullptr, nullptr);
    const int count = static_cast<int>(layers.size());
    const size_t rows = args.dimension(3, "rows");
    const float* x = args.floats(2, "x", rows * layers[0].inputs);
    float* out = args.floats(4, "out", rows * layers[count - 1].units);
    float* saved = args.floats(5, "saved", rows * denseStackSavedPerRow(layers.data(), count), true);
    denseStackForwardF32(layers.data(), count, x, static_cast<int>(rows), out, saved);
  } catch (const ArgumentError&) {
  } catch (const std::bad_alloc&) {
    throwOutOfMemory(info, "denseStackForward");
  }
}

/**
 * denseStackBackward(ints, params: held, grads: held, flags, rows, x, saved | null, out, gradOut,
 * lastDelta | null, gradInput | null): the backward pass of a stack in one call (see
 * denseStackBackwardF32); flags: Int32Array [firstBelow, accumulateInput, then per layer
 * accumulateWeight, accumulateBias].
 */
void DenseStackBackward(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "denseStackBackward");
    v8::Isolate* isolate = info.GetIsolate();
    v8::Local<v8::Value> intsValue = args.value(0, "ints");
    const int32_t* header = args.typed<int32_t, v8::Int32Array>(intsValue, "ints", "Int32Array", intsValue->IsInt32Array(), 1);
    const size_t layerCount = header[0] > 0 ? header[0] : 0;
    v8::Local<v8::Value> flagsValue = args.value(3, "flags");
    const int32_t* flags = args.typed<int32_t, v8::Int32Array>(flagsValue, "flags", "Int32Array", flagsValue->IsInt32Array(), 2 + 2 * layerCount);
    HeldFloats& params = heldArgument(args, isolate, 1, "params");
    HeldFloats& grads = heldArgument(args, isolate, 2, "grads");
    std::vector<DenseStackLayer>& layers = stackLayers(args, params, &grads, flags);
    const int count = static_cast<int>(layers.size());
    const size_t rows = args.dimension(4, "rows");
    const float* x = args.floats(5, "x", rows * layers[0].inputs);
    const size_t savedSize = rows * denseStackSavedPerRow(layers.data(), count);
    const float* saved = args.floats(6, "saved", savedSize, true);
    if (saved == nullptr && savedSize > 0) args.fail("TypeError", "saved", "is needed by these layers");
    const size_t outputs = rows * layers[count - 1].units;
    const float* out = args.floats(7, "out", outputs);
    float* gradOut = args.floats(8, "gradOut", outputs);
    float* lastDelta = args.floats(9, "lastDelta", outputs, true);
    float* gradInput = args.floats(10, "gradInput", rows * layers[0].inputs, true);
    const int firstBelow = flags[0];
    if (firstBelow < 0 || firstBelow > count) args.fail("RangeError", "flags", ("firstBelow " + std::to_string(firstBelow) + " is not a layer").c_str());
    denseStackBackwardF32(layers.data(), count, static_cast<int>(rows), x, saved, out, gradOut, lastDelta, firstBelow, gradInput, flags[1] != 0);
  } catch (const ArgumentError&) {
  } catch (const std::bad_alloc&) {
    throwOutOfMemory(info, "denseStackBackward");
  }
}

/**
 * sgdUpdates(lists: held [w, g | null, velocity | null] per parameter, lr, momentum, weightDecay,
 * flags (1 nesterov, 2 textbook)): sgdUpdate over each parameter that has a gradient, in order, in
 * one call; every array is checked before any is updated.
 */
void SgdUpdates(const v8::FunctionCallbackInfo<v8::Value>& info) {
  try {
    Arguments args(info, "sgdUpdates");
    HeldFloats& lists = heldArgument(args, info.GetIsolate(), 0, "lists");
    const double lr = args.number(1, "lr"), momentum = args.number(2, "momentum"), weightDecay = args.number(3, "weightDecay");
    const int flags = args.dimension(4, "flags");
    if (lists.entries.size() % 3 != 0) args.fail("RangeError", "lists", "must hold three arrays per parameter");
    const size_t count = lists.entries.size() / 3;
    for (size_t i = 0; i < count; i++) {
      float* w = heldFloats(args, lists, 3 * i, "w", 0, false);
      (void)w;
      const size_t n = lists.entries[3 * i].length;
      const float* g = heldFloats(args, lists, 3 * i + 1, "g", n, true);
      heldFloats(args, lists, 3 * i + 2, "velocity", momentum != 0 && g != nullptr ? n : 0, momentum == 0 || g == nullptr);
    }
    for (size_t i = 0; i < count; i++) {
      const float* g = lists.pointers[3 * i + 1];
      // No gradient, or an empty parameter (nothing to update).
      if (lists.entries[3 * i + 1].buffer.IsEmpty() || lists.entries[3 * i].length == 0) continue;
      sgdUpdateF32(lists.pointers[3 * i], g, momentum != 0 ? lists.pointers[3 * i + 2] : nullptr, lists.entries[3 * i].length, lr, momentum, weightDecay,
                   (flags & 1) != 0, (flags & 2) != 0);
    }
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
  function("sgdUpdates", SgdUpdates);
  function("holdFloats", HoldFloats);
  function("adamUpdate", AdamUpdate);
  function("softmax", Softmax);
  function("reduceSum", ReduceSum);
  function("biasActivationBackward", BiasActivationBackward);
  function("unaryBackward", UnaryBackward);
  function("denseForward", DenseForward);
  function("denseBackward", DenseBackward);
  function("trainDensePrepare", TrainDensePrepare);
  function("trainDenseRun", TrainDenseRun);
  function("denseStackForward", DenseStackForward);
  function("denseStackBackward", DenseStackBackward);
  function("softmaxCrossEntropyLabels", SoftmaxCrossEntropyLabels);
  function("softmaxCrossEntropyLabelsBackward", SoftmaxCrossEntropyLabelsBackward);
  set("simd", v8::String::NewFromUtf8(isolate, simdLevelName(detectSimdLevel())).ToLocalChecked());
  set("threads", v8::Integer::New(isolate, poolThreadCount()));
}
