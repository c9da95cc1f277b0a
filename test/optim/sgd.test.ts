import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SGD } from '../../src/optim/index.js';
import { mul, scale, sum } from '../../src/ops/index.js';
import { assertClose, param, setGrad } from './helpers.js';

// All numbers below are chosen to be exact in binary (halves and quarters), so the expected
// weights are exact and compared with deepEqual.

test('SGD: w ← w − ε·g, two steps with a fixed gradient', () => {
  const w = param([1, 1]);
  const sgd = new SGD([w], { lr: 0.5 });
  setGrad(w, [1, -2]);
  sgd.step();
  // w1 = [1 − 0.5·1, 1 − 0.5·(−2)] = [0.5, 2]
  assert.deepEqual([...w.data], [0.5, 2]);
  sgd.step();
  // w2 = [0.5 − 0.5, 2 + 1] = [0, 3]
  assert.deepEqual([...w.data], [0, 3]);
});

test('SGD on f(w) = ½‖w‖² through autograd: each step multiplies w by (1 − ε)', () => {
  const w = param([2, -4]);
  const sgd = new SGD([w], { lr: 0.25 });
  for (const expected of [[1.5, -3], [1.125, -2.25]]) {
    sgd.zeroGrad();
    scale(sum(mul(w, w)), 0.5).backward(); // ∂f/∂w = w
    sgd.step();
    // w ← w − 0.25·w = 0.75·w: 2 → 1.5 → 1.125, −4 → −3 → −2.25
    assert.deepEqual([...w.data], expected);
  }
});

test('SGD weightDecay adds λw to the gradient (L2 in the gradient)', () => {
  const w = param([1, 2]);
  const sgd = new SGD([w], { lr: 0.5, weightDecay: 0.5 });
  setGrad(w, [0, 1]);
  sgd.step();
  // g = [0 + 0.5·1, 1 + 0.5·2] = [0.5, 2]; w = [1 − 0.25, 2 − 1] = [0.75, 1]
  assert.deepEqual([...w.data], [0.75, 1]);
});

test('SGD momentum: both conventions give the same first three steps while ε is constant', () => {
  for (const momentumConvention of ['pytorch', 'textbook'] as const) {
    const w = param([0, 0]);
    const sgd = new SGD([w], { lr: 0.5, momentum: 0.5, momentumConvention });
    setGrad(w, [1, -2]);
    // pytorch:  v1 = g = [1,−2];            w1 = −0.5·v1 = [−0.5, 1]
    //           v2 = 0.5·v1 + g = [1.5,−3]; w2 = w1 − 0.5·v2 = [−1.25, 2.5]
    //           v3 = [1.75,−3.5];          w3 = w2 − 0.5·v3 = [−2.125, 4.25]
    // textbook: v1 = −0.5·g = [−0.5, 1];  w1 = [−0.5, 1]
    //           v2 = 0.5·v1 − 0.5·g = [−0.75, 1.5]; w2 = [−1.25, 2.5]
    //           v3 = 0.5·v2 − 0.5·g = [−0.875, 1.75]; w3 = [−2.125, 4.25]
    const expected = [[-0.5, 1], [-1.25, 2.5], [-2.125, 4.25]];
    for (const weights of expected) {
      sgd.step();
      assert.deepEqual([...w.data], weights, momentumConvention);
    }
  }
});

test('SGD momentum: the conventions diverge once the learning rate changes', () => {
  const run = (momentumConvention: 'pytorch' | 'textbook'): number[] => {
    const w = param([0, 0]);
    const sgd = new SGD([w], { lr: 0.5, momentum: 0.5, momentumConvention });
    setGrad(w, [1, -2]);
    sgd.step();
    sgd.step(); // both at w2 = [−1.25, 2.5] (previous test)
    sgd.lr = 0.25;
    sgd.step();
    return [...w.data];
  };
  // pytorch:  v3 = 0.5·[1.5,−3] + [1,−2] = [1.75,−3.5]; w3 = w2 − 0.25·v3 = [−1.6875, 3.375]
  //           (the new ε rescales the whole velocity at once)
  assert.deepEqual(run('pytorch'), [-1.6875, 3.375]);
  // textbook: v3 = 0.5·[−0.75,1.5] − 0.25·[1,−2] = [−0.625, 1.25]; w3 = w2 + v3 = [−1.875, 3.75]
  //           (the old velocity keeps the old ε; only the new gradient gets the new one)
  assert.deepEqual(run('textbook'), [-1.875, 3.75]);
});

test('SGD Nesterov, both conventions: w1 = −0.75·g, w2 = −1.625·g for a fixed g', () => {
  for (const momentumConvention of ['pytorch', 'textbook'] as const) {
    const w = param([0, 0]);
    const sgd = new SGD([w], { lr: 0.5, momentum: 0.5, nesterov: true, momentumConvention });
    setGrad(w, [1, -2]);
    // pytorch:  v1 = g;      w1 = −0.5·(g + 0.5·v1) = −0.75·g
    //           v2 = 1.5·g;  w2 = w1 − 0.5·(g + 0.5·v2) = −0.75·g − 0.875·g = −1.625·g
    // textbook: v1 = −0.5·g; w1 = 0.5·v1 − 0.5·g = −0.75·g
    //           v2 = 0.5·v1 − 0.5·g = −0.75·g; w2 = w1 + 0.5·v2 − 0.5·g = −1.625·g
    sgd.step();
    assert.deepEqual([...w.data], [-0.75, 1.5], momentumConvention);
    sgd.step();
    assert.deepEqual([...w.data], [-1.625, 3.25], momentumConvention);
  }
});

test('SGD Nesterov uses the look-ahead: on f = ½w² it differs from plain momentum at step 2', () => {
  const run = (nesterov: boolean): number[] => {
    const w = param([1]);
    const sgd = new SGD([w], { lr: 0.5, momentum: 0.5, nesterov });
    const trajectory: number[] = [];
    for (let t = 0; t < 2; t++) {
      setGrad(w, [w.data[0]]);
      sgd.step();
      trajectory.push(w.data[0]);
    }
    return trajectory;
  };
  // momentum: v1 = 1, w1 = 0.5; v2 = 0.5 + 0.5 = 1, w2 = 0.5 − 0.5 = 0
  assert.deepEqual(run(false), [0.5, 0]);
  // Nesterov: v1 = 1, w1 = 1 − 0.5·(1 + 0.5) = 0.25; v2 = 0.5 + 0.25 = 0.75, w2 = 0.25 − 0.5·(0.25 + 0.375) = −0.0625
  assert.deepEqual(run(true), [0.25, -0.0625]);
});

test('SGD on float32 parameters updates in float32 and keeps float32 buffers', () => {
  const w = param([0.1, 0.2], 'float32');
  const sgd = new SGD([w], { lr: 0.1, momentum: 0.9 });
  setGrad(w, [1, 1]);
  sgd.step();
  assert.ok(w.data instanceof Float32Array);
  assert.ok(sgd.parameterState(0).buffers.velocity instanceof Float32Array);
  assertClose(w.data, [0.1 - 0.1, 0.2 - 0.1], 1e-7);
});

test('SGD with one group (one update call for all parameters where the backend has it) matches SGD over one group per parameter, bit for bit', async () => {
  const { Tensor } = await import('../../src/tensor/index.js');
  const { Rng } = await import('../../src/util/rng.js');
  type Options = { lr: number; momentum?: number; nesterov?: boolean; weightDecay?: number; momentumConvention?: 'pytorch' | 'textbook' };
  const cases: Options[] = [
    { lr: 0.1 }, { lr: 0.05, weightDecay: 0.01 }, { lr: 0.01, momentum: 0.9 }, { lr: 0.01, momentum: 0.9, nesterov: true, weightDecay: 1e-3 },
    { lr: 0.02, momentum: 0.8, momentumConvention: 'textbook' }, { lr: 0.02, momentum: 0.8, nesterov: true, momentumConvention: 'textbook' },
  ];
  const sizes = [1, 3, 16, 64, 257];
  for (const [c, options] of cases.entries()) {
    const rng = new Rng(40 + c);
    const starts = sizes.map((size) => Float32Array.from({ length: size }, () => rng.normal()));
    const one = starts.map((start) => new Tensor(start.slice(), [start.length], true));
    const each = starts.map((start) => new Tensor(start.slice(), [start.length], true));
    const grouped = new SGD(one, options);
    const separate = new SGD(each.map((p) => ({ params: [p] })), options);
    for (let step = 1; step <= 12; step++) {
      sizes.forEach((size, i) => {
        // Parameter 2 has no gradient at steps 3 and 4; parameter 0 gets a new gradient tensor at each of the first five steps, the others keep theirs.
        if (i === 2 && (step === 3 || step === 4)) {
          one[i].grad = null;
          each[i].grad = null;
          return;
        }
        const g = Float32Array.from({ length: size }, () => 0.1 * rng.normal());
        for (const p of [one[i], each[i]]) {
          if (p.grad === null || (i === 0 && step <= 5)) p.grad = new Tensor(g.slice(), [size]);
          else p.grad.data.set(g);
        }
      });
      grouped.step();
      separate.step();
      if (step === 6) {
        // A state loaded midway (new velocity buffers) is the one updated from then on.
        grouped.loadStateDict(JSON.parse(JSON.stringify(grouped.stateDict())));
      }
    }
    one.forEach((p, i) => assert.deepEqual(p.data, each[i].data, `${JSON.stringify(options)}: parameter ${i}`));
    assert.deepEqual(grouped.stateDict().state.map((s) => s.step), separate.stateDict().state.map((s) => s.step), `${JSON.stringify(options)}: step counts`);
    assert.deepEqual(grouped.stateDict().state.map((s) => s.buffers), separate.stateDict().state.map((s) => s.buffers), `${JSON.stringify(options)}: velocities`);
    assert.equal(grouped.stateDict().state[2].step, 10);
  }
  const p = new Tensor(new Float32Array(4), [4], true);
  p.grad = new Tensor(new Float32Array(3), [3]);
  assert.throws(() => new SGD([p], { lr: 0.1 }).step(), /SGD\.step: gradient \[3\] does not match parameter +\[4\]/);
});

test('SGD with one group: an empty parameter is updated (nothing to do) beside the others, and a subclass\'s own update rule is the one used', async () => {
  const { Tensor } = await import('../../src/tensor/index.js');
  const empty = new Tensor(new Float32Array(0), [0], true);
  const w = new Tensor(Float32Array.from([1, 2]), [2], true);
  empty.grad = new Tensor(new Float32Array(0), [0]);
  w.grad = new Tensor(Float32Array.from([0.5, -0.5]), [2]);
  const optimizer = new SGD([empty, w], { lr: 0.5 });
  optimizer.step();
  assert.deepEqual(Array.from(w.data), [0.75, 2.25]);
  assert.deepEqual(optimizer.stateDict().state.map((s) => s.step), [1, 1]);
  class HalfSGD extends SGD {
    protected override update(param: Float32Array | Float64Array, grad: Float32Array | Float64Array): void {
      for (let i = 0; i < param.length; i++) param[i] -= 0.5 * grad[i];
    }
  }
  const v = new Tensor(Float32Array.from([1, 2]), [2], true);
  v.grad = new Tensor(Float32Array.from([1, 1]), [2]);
  new HalfSGD([v], { lr: 10 }).step();
  assert.deepEqual(Array.from(v.data), [0.5, 1.5]);
});
