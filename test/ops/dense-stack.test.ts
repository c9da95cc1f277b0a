/**
 * denseStack (a Sequential of Dense layers as one graph node) against the layer-by-layer graph of
 * linearActivation: the same values and gradients bit for bit, with frozen layers, shared
 * weights, a retained output gradient and without a graph.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { noGrad } from '../../src/autograd/index.js';
import { backend } from '../../src/kernels/index.js';
import type { UnaryOp } from '../../src/kernels/index.js';
import { Dense, Sequential } from '../../src/nn/index.js';
import * as ops from '../../src/ops/index.js';
import { Tensor } from '../../src/tensor/index.js';
import { Rng } from '../../src/util/rng.js';

function random(rng: Rng, shape: number[], requiresGrad: boolean): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(Float32Array.from({ length: size }, () => rng.normal()), shape, requiresGrad);
}

interface Layer { weight: Tensor; bias: Tensor | null; op: UnaryOp; param: number }

function layers(rng: Rng, widths: number[], ops_: UnaryOp[], frozen: boolean[] = []): Layer[] {
  return ops_.map((op, l) => ({
    weight: random(rng, [widths[l + 1], widths[l]], !frozen[l]),
    bias: l === 1 ? null : random(rng, [widths[l + 1]], !frozen[l]),
    op, param: op === 'leakyRelu' ? 0.1 : 0,
  }));
}

/** Values and every gradient of sum(y ⊙ r) for a fixed r, by the stack or layer by layer. */
function run(stack: boolean, x: Tensor, stages: Layer[], retain = false): { y: Float32Array; grads: (Float32Array | null)[]; outGrad: Float32Array | null } {
  for (const t of [x, ...stages.flatMap((s) => [s.weight, s.bias])]) if (t) t.grad = null;
  let y: Tensor;
  if (stack) y = ops.denseStack(x, stages);
  else {
    y = x;
    for (const s of stages) y = ops.linearActivation(y, s.weight, s.bias, s.op, s.param);
  }
  if (retain) y.retainGrad();
  const r = new Tensor(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i + 1)), y.shape);
  ops.sum(ops.mul(y, r)).backward();
  const grads = [x, ...stages.flatMap((s) => [s.weight, s.bias])].filter((t): t is Tensor => t !== null).map((t) => (t.grad ? Float32Array.from(t.grad.data) : null));
  return { y: Float32Array.from(y.data), grads, outGrad: retain && y.grad ? Float32Array.from(y.grad.data) : null };
}

test('denseStack gives the values and gradients of linearActivation layer by layer, bit for bit', () => {
  const rng = new Rng(11);
  for (const activations of [['relu', 'tanh', 'identity'], ['sigmoid', 'leakyRelu', 'elu', 'tanh'], ['tanh', 'tanh', 'identity']] as UnaryOp[][]) {
    const widths = [4, 16, 7, 5, 3].slice(0, activations.length + 1);
    const stages = layers(rng, widths, activations);
    const x = random(rng, [9, 4], true);
    const stacked = run(true, x, stages, true);
    const separate = run(false, x, stages, true);
    assert.deepEqual(stacked.y, separate.y, activations.join());
    assert.deepEqual(stacked.grads, separate.grads, activations.join());
    assert.deepEqual(stacked.outGrad, separate.outGrad, `${activations.join()} retained ∂C/∂y`);
    assert.ok(stacked.grads.every((g) => g !== null && g.some((v) => v !== 0)));
  }
});

test('denseStack: frozen layers and an input without a gradient leave those gradients null; the rest match', () => {
  const rng = new Rng(12);
  const stages = layers(rng, [3, 6, 5, 2], ['tanh', 'relu', 'identity'], [true, false, false]);
  const x = random(rng, [5, 3], false);
  const stacked = run(true, x, stages);
  const separate = run(false, x, stages);
  assert.deepEqual(stacked.grads, separate.grads);
  assert.equal(stacked.grads[0], null); // x
  assert.equal(stacked.grads[1], null); // frozen weight of layer 0
  assert.ok(stacked.grads[3] !== null);
});

test('denseStack: one weight in two layers accumulates both contributions as the separate graph does', () => {
  const rng = new Rng(13);
  const shared = random(rng, [4, 4], true);
  const stages: Layer[] = [
    { weight: shared, bias: random(rng, [4], true), op: 'tanh', param: 0 },
    { weight: shared, bias: null, op: 'sigmoid', param: 0 },
  ];
  const x = random(rng, [6, 4], true);
  assert.deepEqual(run(true, x, stages), run(false, x, stages));
});

test('denseStack without a graph: same values, no record, nothing requires a gradient', () => {
  const rng = new Rng(14);
  const stages = layers(rng, [4, 8, 3], ['relu', 'identity']);
  const x = random(rng, [5, 4], false);
  const y = noGrad(() => ops.denseStack(x, stages));
  const expected = noGrad(() => ops.linearActivation(ops.linearActivation(x, stages[0].weight, stages[0].bias, 'relu', 0), stages[1].weight, stages[1].bias, 'identity', 0));
  assert.deepEqual(y.data, expected.data);
  assert.equal(y.requiresGrad, false);
  assert.equal(y.parents, null);
});

test('Sequential of Dense layers takes one node; a width mismatch names the layer as Dense.forward does', () => {
  const model = new Sequential([new Dense({ inputs: 3, units: 4, activation: 'tanh', seed: 1 }), new Dense({ inputs: 4, units: 2, seed: 2 })]);
  const y = model.forward(new Tensor(new Float32Array(6), [2, 3]));
  assert.equal(y.parents?.length, 5); // x, W1, b1, W2, b2: one node for both layers
  const broken = new Sequential([new Dense({ inputs: 3, units: 4, seed: 1 }), new Dense({ inputs: 5, units: 2, seed: 2 })]);
  assert.throws(() => broken.forward(new Tensor(new Float32Array(6), [2, 3])), { message: 'Dense(5→2, identity): input must have shape [batch, 5], got [2,4]' });
  assert.throws(() => model.forward(new Tensor(new Float32Array(8), [2, 4])), { message: 'Dense(3→4, tanh): input must have shape [batch, 3], got [2,4]' });
});

test('denseStack checks every stage: widths, bias shape, dtype, at least one stage', () => {
  const rng = new Rng(15);
  const x = random(rng, [3, 4], false);
  const w1 = random(rng, [8, 4], true);
  assert.throws(() => ops.denseStack(x, [{ weight: w1, bias: null, op: 'relu', param: 0 }, { weight: random(rng, [2, 5], true), bias: null, op: 'identity', param: 0 }]),
    { name: 'ShapeError', message: 'denseStack: stage 1: weight [2,5] expects 5 inputs but the stage gets 8 features' });
  assert.throws(() => ops.denseStack(x, [{ weight: w1, bias: random(rng, [7], true), op: 'relu', param: 0 }]), { name: 'ShapeError', message: 'denseStack: stage 0: bias must have shape [8], got [7]' });
  const w64 = new Tensor(new Float64Array(16), [2, 8], true);
  assert.throws(() => ops.denseStack(x, [{ weight: w1, bias: null, op: 'relu', param: 0 }, { weight: w64, bias: null, op: 'identity', param: 0 }]), { name: 'ValueError', message: 'denseStack: stage 1: input (float32), weight (float64) must share a dtype' });
  assert.throws(() => ops.denseStack(x, []), { name: 'ValueError', message: 'denseStack: needs at least one stage' });
});

test('a Sequential whose layers mix dtypes reports the mismatch as the layer-by-layer path does', () => {
  const model = new Sequential([new Dense({ inputs: 4, units: 8, seed: 1 }), new Dense({ inputs: 8, units: 2, seed: 2, dtype: 'float64' })]);
  assert.throws(() => model.forward(new Tensor(new Float32Array(12), [3, 4])), { message: 'linear: input (float32), weight (float64) and bias (float64) must share a dtype' });
});

test('denseStack keeps its own copy of the stages: changing the caller\'s array after the call does not change the gradients', () => {
  const rng = new Rng(16);
  const stages = layers(rng, [3, 5, 2], ['tanh', 'identity']);
  const x = random(rng, [4, 3], false);
  const expected = run(true, x, stages);
  const changed = stages.map((stage) => ({ ...stage }));
  const y = ops.denseStack(x, changed);
  changed[0] = { ...changed[0], op: 'relu' };
  changed[1] = { ...changed[1], weight: random(rng, [2, 5], true) };
  for (const t of stages.flatMap((s) => [s.weight, s.bias])) if (t) t.grad = null;
  ops.sum(ops.mul(y, new Tensor(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i + 1)), y.shape))).backward();
  assert.deepEqual(stages.flatMap((s) => [s.weight, s.bias]).filter((t): t is Tensor => t !== null).map((t) => Float32Array.from(t.grad!.data)), expected.grads.slice(1));
});

test('a Sequential takes the per-layer path while a layer records its activations, and the stack again after', () => {
  const first = new Dense({ inputs: 3, units: 4, activation: 'tanh', seed: 1 });
  const model = new Sequential([first, new Dense({ inputs: 4, units: 2, seed: 2 })]);
  const x = new Tensor(new Float32Array(6).fill(0.5), [2, 3]);
  const stacked = model.forward(x);
  first.recordActivations = true;
  const separate = model.forward(x);
  assert.equal(separate.parents?.length, 3); // the last Dense's own node: its input, W2, b2
  assert.ok(first.lastForward !== null);
  assert.deepEqual(separate.data, stacked.data);
  first.recordActivations = false;
  assert.equal(model.forward(x).parents?.length, 5);
});

/**
 * A Sequential's stack (made once; one call each way on a backend with the stack kernels, the
 * native addon) against the layer-by-layer graph of linearActivation over the same tensors.
 */
function sequentialOf(specs: { inputs: number; units: number; activation: string; bias: boolean }[], seed: number): { model: Sequential; dense: Dense[] } {
  const dense = specs.map((spec, l) => new Dense({ ...spec, seed: seed + l } as ConstructorParameters<typeof Dense>[0]));
  return { model: new Sequential(dense), dense };
}

function separately(x: Tensor, dense: Dense[]): Tensor {
  let y = x;
  for (const layer of dense) y = ops.linearActivation(y, layer.weight, layer.bias, layer.stackedKernel!.op, layer.stackedKernel!.param);
  return y;
}

function gradsOf(tensors: (Tensor | null)[]): (Float32Array | null)[] {
  return tensors.map((t) => (t?.grad ? Float32Array.from(t.grad.data) : null));
}

test('a Sequential\'s stack gives the values and gradients of its layers one by one, bit for bit: activations, biases, frozen layers, an input gradient, accumulation', () => {
  const rng = new Rng(21);
  const cases: { activations: string[]; bias: boolean[]; frozen: boolean[]; inputGrad: boolean; rows: number }[] = [
    { activations: ['tanh', 'tanh', 'identity'], bias: [true, true, true], frozen: [false, false, false], inputGrad: false, rows: 16 },
    { activations: ['relu', 'sigmoid', 'identity'], bias: [true, false, true], frozen: [false, false, false], inputGrad: true, rows: 6 },
    { activations: ['sigmoid', 'relu'], bias: [false, false], frozen: [true, false], inputGrad: false, rows: 1 },
    { activations: ['relu', 'relu', 'tanh', 'sigmoid'], bias: [true, true, true, true], frozen: [true, true, false, false], inputGrad: false, rows: 9 },
    { activations: ['leakyRelu', 'identity'], bias: [true, true], frozen: [false, false], inputGrad: true, rows: 5 },
  ];
  const widths = [4, 16, 16, 3, 5];
  cases.forEach((c, k) => {
    const { model, dense } = sequentialOf(c.activations.map((activation, l) => ({ inputs: widths[l], units: widths[l + 1], activation, bias: c.bias[l] })), 100 * k);
    dense.forEach((layer, l) => {
      layer.weight.requiresGrad = !c.frozen[l];
      if (layer.bias) layer.bias.requiresGrad = !c.frozen[l];
    });
    const x = random(rng, [c.rows, widths[0]], c.inputGrad);
    const params = [x, ...dense.flatMap((layer) => [layer.weight, layer.bias])];
    const r = new Tensor(Float32Array.from({ length: c.rows * widths[c.activations.length] }, (_, i) => Math.cos(i + 1)), [c.rows, widths[c.activations.length]]);
    // Twice without clearing the gradients: the second pass adds into the first's.
    const results = [true, false].map((stacked) => {
      for (const t of params) if (t) t.grad = null;
      const values: Float32Array[] = [];
      for (let pass = 0; pass < 2; pass++) {
        const y = stacked ? model.forward(x) : separately(x, dense);
        values.push(Float32Array.from(y.data));
        ops.sum(ops.mul(y, r)).backward();
      }
      return { values, grads: gradsOf(params) };
    });
    assert.deepEqual(results[0].values, results[1].values, `case ${k}: values`);
    assert.deepEqual(results[0].grads, results[1].grads, `case ${k}: gradients`);
    c.frozen.forEach((frozen, l) => assert.equal(dense[l].weight.grad === null, frozen, `case ${k}: layer ${l}'s gradient`));
    assert.equal(x.grad === null, !c.inputGrad, `case ${k}: the input's gradient`);
  });
});

test('a Sequential\'s stack: a retained output gradient, a gradient replaced between passes, and a forward pass without a graph', () => {
  const { model, dense } = sequentialOf([{ inputs: 3, units: 8, activation: 'relu', bias: true }, { inputs: 8, units: 4, activation: 'tanh', bias: true }], 7);
  const rng = new Rng(22);
  const x = random(rng, [5, 3], false);
  const params = dense.flatMap((layer) => [layer.weight, layer.bias]);
  const r = new Tensor(Float32Array.from({ length: 20 }, (_, i) => Math.sin(3 * i)), [5, 4]);
  const results = [true, false].map((stacked) => {
    for (const t of params) if (t) t.grad = null;
    const first = stacked ? model.forward(x) : separately(x, dense);
    first.retainGrad();
    ops.sum(ops.mul(first, r)).backward();
    const retained = Float32Array.from(first.grad!.data);
    const afterFirst = gradsOf(params);
    // A new gradient tensor for one weight: the next pass must write there, not into the old one.
    const old = dense[0].weight.grad!;
    dense[0].weight.grad = null;
    ops.sum(ops.mul(stacked ? model.forward(x) : separately(x, dense), r)).backward();
    assert.notEqual(dense[0].weight.grad, old);
    return { retained, afterFirst, afterSecond: gradsOf(params), oldAfter: Float32Array.from(old.data) };
  });
  assert.deepEqual(results[0], results[1]);
  // The retained ∂C/∂y is r itself (C = Σ y ⊙ r), not δ = r ⊙ tanh′.
  assert.deepEqual(results[0].retained, r.data);
  const free = noGrad(() => model.forward(x));
  assert.equal(free.requiresGrad, false);
  assert.deepEqual(free.data, noGrad(() => separately(x, dense)).data);
});

test('a Sequential\'s stack with wide layers (three hidden layers of 300) gives its layers\' values and gradients, with and without a graph', () => {
  // Wide enough that a backend's working buffers could alias (small products read whole operands first).
  const { model, dense } = sequentialOf([
    { inputs: 32, units: 300, activation: 'relu', bias: true }, { inputs: 300, units: 300, activation: 'tanh', bias: true },
    { inputs: 300, units: 300, activation: 'sigmoid', bias: false }, { inputs: 300, units: 10, activation: 'identity', bias: true },
  ], 31);
  const rng = new Rng(23);
  const x = random(rng, [96, 32], true);
  const params = [x, ...dense.flatMap((layer) => [layer.weight, layer.bias])];
  const r = new Tensor(Float32Array.from({ length: 960 }, (_, i) => Math.sin(0.7 * i)), [96, 10]);
  const results = [true, false].map((stacked) => {
    for (const t of params) if (t) t.grad = null;
    const y = stacked ? model.forward(x) : separately(x, dense);
    ops.sum(ops.mul(y, r)).backward();
    const free = noGrad(() => (stacked ? model.forward(x) : separately(x, dense)));
    return { y: Float32Array.from(y.data), free: Float32Array.from(free.data), grads: gradsOf(params) };
  });
  assert.deepEqual(results[0], results[1]);
  assert.deepEqual(results[0].free, results[0].y);
});

test('a layer unfrozen between a stack\'s forward and backward passes gets no gradient (as layer by layer); a failing backward pass leaves no half-made gradients', () => {
  const { model, dense } = sequentialOf([
    { inputs: 3, units: 5, activation: 'tanh', bias: true }, { inputs: 5, units: 4, activation: 'relu', bias: true }, { inputs: 4, units: 2, activation: 'identity', bias: true },
  ], 41);
  const x = random(new Rng(24), [6, 3], false);
  for (const stacked of [true, false]) {
    for (const layer of dense) {
      layer.weight.grad = null;
      if (layer.bias) layer.bias.grad = null;
    }
    dense[0].weight.requiresGrad = false;
    dense[0].bias!.requiresGrad = false;
    const y = stacked ? model.forward(x) : separately(x, dense);
    dense[0].weight.requiresGrad = true;
    dense[0].bias!.requiresGrad = true;
    ops.sum(y).backward();
    assert.equal(dense[0].weight.grad, null, `stacked ${stacked}: the unfrozen layer's weight`);
    assert.equal(dense[0].bias!.grad, null, `stacked ${stacked}: the unfrozen layer's bias`);
    assert.ok(dense[1].weight.grad !== null && dense[2].weight.grad !== null);
  }
  if (backend().denseStackBackward !== undefined && backend().name.startsWith('native')) {
    // A gradient of the wrong size is refused by the addon before anything is written; the
    // gradients this pass had just made for the other layers are dropped, not left arbitrary.
    for (const layer of dense) {
      layer.weight.grad = null;
      if (layer.bias) layer.bias.grad = null;
    }
    dense[1].weight.grad = new Tensor(new Float32Array(5), [5]);
    assert.throws(() => ops.sum(model.forward(x)).backward(), /denseStackBackward: gradWeight has 5 elements, the shapes need 20/);
    assert.equal(dense[2].weight.grad, null);
    assert.equal(dense[0].weight.grad, null);
    assert.equal(dense[1].weight.grad!.size, 5);
  }
});
