import { composedBiasActivationBackward } from '../backend.js';
import type { Backend } from '../backend.js';
import { gemmJs } from './gemm.js';
import { biasActivationJs, binaryJs, reduceJs, softmaxJs, unaryBackwardJs, unaryJs } from './elementwise.js';

/** The portable backend: plain TypeScript over typed arrays, float32 and float64. */
export const jsBackend: Backend = {
  name: 'js',
  threads: 1,
  gemm: gemmJs,
  unary: unaryJs,
  unaryBackward: unaryBackwardJs,
  binary: binaryJs,
  reduce: reduceJs,
  softmax: softmaxJs,
  biasActivation: biasActivationJs,
  biasActivationBackward: composedBiasActivationBackward(unaryBackwardJs, reduceJs),
};
