import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Adagrad, Adam, AdamW, RMSprop } from '../../src/optim/index.js';
import { assertClose, param, setGrad } from './helpers.js';

// δ (eps) perturbs these results by about ε·δ/|g|, hence the tolerances (and a tiny δ where the default would show).

test('Adagrad: G ← G + g², w ← w − ε·g/(√G + δ), three steps with a fixed gradient', () => {
  const w = param([0, 0]);
  const adagrad = new Adagrad([w], { lr: 1 });
  setGrad(w, [3, -4]);
  // step 1: G = [9, 16];  w1 = −[3/3, −4/4] = [−1, 1]
  adagrad.step();
  assertClose(w.data, [-1, 1], 1e-9, 'w1');
  // step 2: G = [18, 32]; steps 3/√18 = 4/√32 = 1/√2
  adagrad.step();
  assertClose(w.data, [-1 - 1 / Math.SQRT2, 1 + 1 / Math.SQRT2], 1e-9, 'w2');
  // step 3: G = [27, 48]; steps 3/√27 = 4/√48 = 1/√3
  adagrad.step();
  assertClose(w.data, [-1 - 1 / Math.SQRT2 - 1 / Math.sqrt(3), 1 + 1 / Math.SQRT2 + 1 / Math.sqrt(3)], 1e-9, 'w3');
});

test('Adagrad initialAccumulator starts G above zero', () => {
  const w = param([0]);
  const adagrad = new Adagrad([w], { lr: 1, initialAccumulator: 7 });
  setGrad(w, [3]);
  adagrad.step();
  // G = 7 + 9 = 16; w = −3/4
  assertClose(w.data, [-0.75], 1e-9);
});

test('RMSprop: s ← ρs + (1 − ρ)g², w ← w − ε·g/(√s + δ)', () => {
  const w = param([0, 0]);
  const rmsprop = new RMSprop([w], { lr: 0.1, alpha: 0.5, eps: 1e-12 });
  setGrad(w, [2, -1]);
  // step 1: s = 0.5·[4, 1] = [2, 0.5]; g/√s = [2/√2, −1/√0.5] = [√2, −√2]
  rmsprop.step();
  const w1 = [-0.1 * Math.SQRT2, 0.1 * Math.SQRT2];
  assertClose(w.data, w1, 1e-9, 'w1');
  // step 2: s = 0.5·[2, 0.5] + 0.5·[4, 1] = [3, 0.75]; g/√s = [2/√3, −1/√0.75] = [2/√3, −2/√3]
  rmsprop.step();
  assertClose(w.data, [w1[0] - 0.2 / Math.sqrt(3), w1[1] + 0.2 / Math.sqrt(3)], 1e-9, 'w2');
});

test('RMSprop centred divides by √(s − ḡ²)', () => {
  const w = param([0, 0]);
  const rmsprop = new RMSprop([w], { lr: 0.1, alpha: 0.5, centered: true, eps: 1e-12 });
  setGrad(w, [2, -1]);
  // step 1: ḡ = 0.5·g = [1, −0.5]; s = [2, 0.5]; s − ḡ² = [1, 0.25]; g/√· = [2, −2]; w1 = [−0.2, 0.2]
  rmsprop.step();
  assertClose(w.data, [-0.2, 0.2], 1e-9, 'w1');
  // step 2: ḡ = [1.5, −0.75]; s = [3, 0.75]; s − ḡ² = [0.75, 0.1875] = [3/4, 3/16];
  //         g/√· = [2/(√3/2), −1/(√3/4)] = [4/√3, −4/√3]
  rmsprop.step();
  assertClose(w.data, [-0.2 - 0.4 / Math.sqrt(3), 0.2 + 0.4 / Math.sqrt(3)], 1e-9, 'w2');
});

test('RMSprop with momentum: b ← μb + g/(√s + δ), w ← w − ε·b', () => {
  const w = param([0, 0]);
  const rmsprop = new RMSprop([w], { lr: 0.1, alpha: 0.5, momentum: 0.5, eps: 1e-12 });
  setGrad(w, [2, -1]);
  // step 1: b1 = [√2, −√2] (as the plain test); w1 = −0.1·b1
  rmsprop.step();
  const b1 = Math.SQRT2;
  assertClose(w.data, [-0.1 * b1, 0.1 * b1], 1e-9, 'w1');
  // step 2: b2 = 0.5·b1 + 2/√3 (and its negative); w2 = w1 − 0.1·b2
  rmsprop.step();
  const b2 = 0.5 * b1 + 2 / Math.sqrt(3);
  assertClose(w.data, [-0.1 * (b1 + b2), 0.1 * (b1 + b2)], 1e-9, 'w2');
});

test('Adam: bias-corrected moments over three steps with changing gradients', () => {
  // β₁ = 0.5, β₂ = 0.75 make the corrections large and the fractions simple.
  const w = param([1, 1]);
  const adam = new Adam([w], { lr: 0.1, beta1: 0.5, beta2: 0.75 });
  // The second element's gradient is −½ times the first's; Adam is invariant to the scale, so it moves opposite by the same amount.
  // step 1, g = 2: m = 0.5·2 = 1, v = 0.25·4 = 1; m̂ = 1/(1 − 0.5) = 2, v̂ = 1/(1 − 0.75) = 4; step = 0.1·2/√4 = 0.1
  setGrad(w, [2, -1]);
  adam.step();
  assertClose(w.data, [0.9, 1.1], 1e-8, 'w1');
  // step 2, g = 1: m = 0.5 + 0.5 = 1, v = 0.75 + 0.25 = 1; m̂ = 1/(1 − 0.25) = 4/3, v̂ = 1/(1 − 0.5625) = 16/7;
  //        step = 0.1·(4/3)/(4/√7) = 0.1·√7/3
  setGrad(w, [1, -0.5]);
  adam.step();
  const step2 = (0.1 * Math.sqrt(7)) / 3;
  assertClose(w.data, [0.9 - step2, 1.1 + step2], 1e-8, 'w2');
  // step 3, g = −2: m = 0.5 − 1 = −0.5, v = 0.75 + 0.25·4 = 1.75; m̂ = −0.5/0.875 = −4/7,
  //        v̂ = 1.75/(1 − 0.421875) = 1.75/(37/64) = 112/37; step = 0.1·(−4/7)/√(112/37)
  setGrad(w, [-2, 1]);
  adam.step();
  const step3 = (0.1 * (-4 / 7)) / Math.sqrt(112 / 37);
  assertClose(w.data, [0.9 - step2 - step3, 1.1 + step2 + step3], 1e-8, 'w3');
});

test('Adam divides by the bias corrections (ConvNetJS multiplied): the first step is ε·sign(g)', () => {
  const w = param([1, 1]);
  const adam = new Adam([w], { lr: 0.1 });
  setGrad(w, [2, -0.5]);
  adam.step();
  // m = 0.1·g, v = 0.001·g²; m̂ = g, v̂ = g²; step = 0.1·g/|g|. Multiplying instead of dividing would give
  // m·0.1 / √(v·0.001) = 0.01·g / (0.001·|g|) = 10·sign(g), i.e. a step of 1.0, not 0.1.
  assertClose(w.data, [0.9, 1.1], 1e-8);
});

test('AMSGrad keeps the largest second moment: it differs from Adam when v shrinks', () => {
  const run = (amsgrad: boolean): number => {
    const w = param([0]);
    const adam = new Adam([w], { lr: 0.1, beta1: 0.5, beta2: 0.75, amsgrad });
    setGrad(w, [2]);
    adam.step(); // m = 1, v = 1, v_max = 1; step 0.1 (as above)
    setGrad(w, [0.5]);
    adam.step();
    return w.data[0];
  };
  // step 2, g = 0.5: m = 0.5 + 0.25 = 0.75, v = 0.75 + 0.25·0.25 = 0.8125 < v_max = 1;
  // m̂ = 0.75/0.75 = 1; corrections 1 − 0.75² = 0.4375.
  // Adam:    step = 0.1·1/√(0.8125/0.4375) = 0.1·√(7/13)
  // AMSGrad: step = 0.1·1/√(1/0.4375)      = 0.1·√0.4375
  assertClose([run(false)], [-0.1 - 0.1 * Math.sqrt(7 / 13)], 1e-8, 'Adam');
  assertClose([run(true)], [-0.1 - 0.1 * Math.sqrt(0.4375)], 1e-8, 'AMSGrad');
});

test('AdamW decays the weights directly; Adam + L2 sends λw through the adaptive scaling', () => {
  // Zero data gradient, so only the regulariser moves the weight. ε = 0.1, λ = 0.1.
  const adamW = new AdamW([param([1])], { lr: 0.1, weightDecay: 0.1, eps: 1e-12 });
  const adamL2 = new Adam([param([1])], { lr: 0.1, weightDecay: 0.1, eps: 1e-12 });
  const [wW] = adamW.parameters;
  const [wL2] = adamL2.parameters;
  for (const t of [1, 2]) {
    setGrad(wW, [0]);
    setGrad(wL2, [0]);
    adamW.step();
    adamL2.step();
    // AdamW: w ← w·(1 − 0.1·0.1) = 0.99·w, then Adam on g = 0 moves nothing: 0.99, 0.9801
    assertClose(wW.data, [Math.pow(0.99, t)], 1e-12, `AdamW step ${t}`);
  }
  // Adam + L2: g = λw = 0.1·w. The first step is ε·sign(g) = 0.1 whatever λ is (m̂/√v̂ = 1): w1 = 0.9, ten times AdamW's decay.
  // step 1: g = 0.1, m = 0.01, v = 1e-5.
  // step 2: g = 0.09: m = 0.9·0.01 + 0.1·0.09 = 0.018, v = 0.999·1e-5 + 0.001·0.0081 = 1.809e-5;
  // m̂ = 0.018/0.19, √v̂ = √(1.8089e-5/0.001999); w2 = 0.9 − 0.1·m̂/√v̂
  const mHat = 0.018 / 0.19;
  const vHat = 1.809e-5 / 0.001999;
  assertClose(wL2.data, [0.9 - (0.1 * mHat) / Math.sqrt(vHat)], 1e-8, 'Adam + L2');
});

test('AdamW with a gradient: shrink first, then the Adam step', () => {
  const w = param([1]);
  const adamW = new AdamW([w], { lr: 0.1, weightDecay: 0.1 });
  setGrad(w, [2]);
  adamW.step();
  // w = 1·(1 − 0.01) = 0.99, then the first Adam step ε·sign(g) = 0.1: 0.89
  assertClose(w.data, [0.89], 1e-8);
});
