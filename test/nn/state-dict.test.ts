/** Module.stateDict / loadStateDict: any module's weights, custom ones included, through JSON and back. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Dense, Module, Sequential, mlp } from '../../src/nn/index.js';
import { add, mul } from '../../src/ops/index.js';
import { Tensor, tensor } from '../../src/tensor/index.js';

/** A custom layer with a learnable per-feature scale and shift: y = x ⊙ s + t. */
class Affine extends Module {
  readonly scale: Tensor;
  readonly shift: Tensor;
  constructor(width: number, start: number) {
    super();
    this.scale = this.registerParameter('scale', new Tensor(Float32Array.from({ length: width }, (_, i) => start + i), [width]));
    this.shift = this.registerParameter('shift', new Tensor(new Float32Array(width).fill(start), [width]));
  }
  forward(x: Tensor): Tensor {
    return add(mul(x, this.scale), this.shift);
  }
}

const build = (start: number) => new Sequential([new Dense({ inputs: 2, units: 3, seed: start }), new Affine(3, start)]);

test('a model with a custom module round-trips its weights through JSON and computes the same outputs', () => {
  const trained = build(1);
  const text = JSON.stringify(trained.stateDict());
  const state = JSON.parse(text);
  assert.deepEqual(Object.keys(state), ['0.weight', '0.bias', '1.scale', '1.shift']);
  assert.deepEqual(state['1.scale'], { shape: [3], dtype: 'float32', values: [1, 2, 3] });
  const fresh = build(7);
  const x = tensor([[0.5, -1], [2, 0.25]]);
  assert.notDeepEqual(Array.from(fresh.forward(x).data), Array.from(trained.forward(x).data));
  assert.equal(fresh.loadStateDict(state), fresh);
  assert.deepEqual(Array.from(fresh.forward(x).data), Array.from(trained.forward(x).data));
  // Copies: changing the model afterwards does not change a state taken before.
  const before = trained.stateDict();
  trained.parameters()[0].data[0] += 1;
  assert.notEqual(before['0.weight'].values[0], trained.parameters()[0].data[0]);
});

test('loadStateDict checks every entry before writing any, naming the bad one', () => {
  const model = mlp({ sizes: [2, 3, 1], seed: 2 });
  const good = model.stateDict();
  const snapshot = JSON.stringify(good);
  const variant = (change: (state: any) => void) => {
    const state = JSON.parse(snapshot);
    change(state);
    return state;
  };
  const cases: [any, RegExp][] = [
    [variant((s) => delete s['1.bias']), /Sequential\.loadStateDict: no entry for parameter "1\.bias"$/],
    [variant((s) => (s.extra = s['0.bias'])), /unknown entry "extra"; the module's parameters are 0\.weight, 0\.bias, 1\.weight, 1\.bias$/],
    [variant((s) => (s['0.weight'].shape = [2, 3])), /0\.weight has shape \[2,3\], the parameter \[3,2\]$/],
    [variant((s) => s['0.weight'].values.pop()), /0\.weight has 5 values for shape \[3,2\] \(6\)$/],
    [variant((s) => (s['1.weight'].values[2] = 'abc')), /1\.weight\.values\[2\] must be a finite number, got "abc"$/],
    [variant((s) => (s['1.weight'].values[0] = null)), /1\.weight\.values\[0\] must be a finite number, got null$/],
    [[1, 2], /expected an object from stateDict\(\), got \[1,2\]/],
  ];
  const other = mlp({ sizes: [2, 3, 1], seed: 3 });
  const untouched = JSON.stringify(other.stateDict());
  for (const [state, message] of cases) {
    // The last entry of the first layers is good: a partial write would change them.
    assert.throws(() => other.loadStateDict(state), message);
    assert.equal(JSON.stringify(other.stateDict()), untouched, String(message));
  }
});

test('a module prints its class name unless it describes itself', () => {
  assert.equal(String(new Affine(2, 0)), 'Affine');
  assert.match(String(build(1)), /Affine/);
  assert.doesNotMatch(String(build(1)), /object Object/);
});
