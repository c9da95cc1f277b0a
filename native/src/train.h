#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "activation.h"

/**
 * Whole training steps of a multilayer perceptron of Dense layers, each step exactly the kernel
 * calls of src/train/fused.ts with the native backend (the same functions, arguments and order),
 * so the weights come out bit for bit as `fit` computes them step by step. See trainDenseSteps.
 */
struct DenseLayerRef {
  int inputs;
  int units;
  Activation op;
  float* weight;
  float* bias;  // nullptr without bias
  float* gradWeight;
  float* gradBias;  // nullptr without bias
  int parameter;  // the index of its weight in DenseTraining::parameters (its bias follows)
  bool hasBias;
};

/** One parameter's arrays: the values, the gradient, the optimiser's buffers (by kind) and the guard's copy. */
struct ParameterRef {
  float* value;
  float* grad;
  size_t count;
  float* velocity;  // SGD with momentum, else nullptr
  float* firstMoment;  // Adam
  float* secondMoment;
  float* maxSecondMoment;  // AMSGrad, else nullptr
  float* saved;  // the NaN guard's copy of the weights before each update, or nullptr when it is off
  bool penalised;  // whether the l1/l2 penalties include it (fit's weights)
};

/** A penalty of fit's loss, as src/train/fused-penalty.ts adds it: factor·Σ e(w) over the penalised parameters, e = abs (l1) or square (l2, factor λ/2). */
struct PenaltyTerm {
  Activation op;
  double factor;
};

enum class LossKind { SoftmaxCrossEntropy = 0, Mse = 1 };
/** AdamW: Adam without L2, after shrinking every weight by 1 − lr·weightDecay (src/optim/adam.ts). */
enum class OptimizerKind { Sgd = 0, Adam = 1, AdamW = 2 };
enum class StopKind { None = 0, NonFiniteLoss = 1, NonFiniteWeight = 2 };

struct DenseTraining {
  std::vector<DenseLayerRef> layers;
  std::vector<ParameterRef> parameters;
  LossKind loss;
  OptimizerKind optimizer;
  // The whole data set: x [rows, features]; labels [rows] (softmax cross-entropy) or targets [rows, outputs] (MSE).
  const float* x;
  const int32_t* labels;
  const float* targets;
  long rows;
  int features;
  int outputs;
  // The batches: rows order[first + b·batchSize …] of batch b, for b < count (the last one may be short).
  const int32_t* order;
  long first;
  int batchSize;
  int count;
  /** The most steps one call may run (the length of stepSizes, losses and correct). */
  int maxSteps;
  // SGD
  double lr, momentum, weightDecay;
  bool nesterov, textbook;
  // Adam: the step size lr/(1 − β1ᵗ) and √(1 − β2ᵗ) of each of the count steps.
  const double* stepSizes;
  const double* sqrtBiasCorrections2;
  double beta1, beta2, eps, l2;
  // l1, then l2, when fit has them.
  std::vector<PenaltyTerm> penalties;
  // Per step: the loss C and the rows whose largest output is their label (softmax cross-entropy).
  double* losses;
  int32_t* correct;
};

/** Points each layer's weight, bias and gradients at its parameters' arrays. */
void linkLayers(DenseTraining& t);

/**
 * Runs up to `count` steps: gather the batch, zero the gradients, forward, loss (and the penalties'
 * total, whose finiteness is checked), the loss's gradient, the penalties' gradients, the layers'
 * backward pass, then
 * (guard on) save the weights, update, and check them. Returns the steps whose update ran; stops early
 * on a non-finite loss (before that step's backward pass: its loss is in losses[step], and the
 * return value does not count it) or on a non-finite weight after an update (counted; the guard's
 * copies hold the weights before it).
 */
int trainDenseSteps(const DenseTraining& t, StopKind* stop);
