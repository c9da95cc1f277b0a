import { test } from 'node:test';
import assert from 'node:assert/strict';
import { INITIALIZER_NAMES, InitializerSpec, fans, initDistribution, initTensor, resolveInitializer } from '../../src/nn/index.js';
import { Rng } from '../../src/util/index.js';

function moments(data: ArrayLike<number>): { mean: number; variance: number; maxAbs: number } {
  let sum = 0;
  let maxAbs = 0;
  for (let i = 0; i < data.length; i++) {
    sum += data[i];
    maxAbs = Math.max(maxAbs, Math.abs(data[i]));
  }
  const mean = sum / data.length;
  let squares = 0;
  for (let i = 0; i < data.length; i++) squares += (data[i] - mean) ** 2;
  return { mean, variance: squares / data.length, maxAbs };
}

test('fans come from the weight shape [out, in]', () => {
  assert.deepEqual(fans([3, 5]), { fanIn: 5, fanOut: 3 });
  assert.deepEqual(fans([7]), { fanIn: 7, fanOut: 7 });
  assert.deepEqual(fans([4, 2, 3, 3]), { fanIn: 18, fanOut: 36 });
  assert.throws(() => fans([]), /scalar/);
});

// Shapes chosen so each formula gives a round number by hand:
//   xavierUniform: √(6/(16+8)) = √(1/4) = 0.5      xavierNormal: √(2/(30+20)) = √(1/25) = 0.2
//   heUniform:     √(6/24) = 0.5                    heNormal:     √(2/50) = 0.2
//   lecunUniform:  √(3/12) = 0.5                    lecunNormal:  √(1/25) = 0.2
test('fan-based limits and standard deviations follow the documented formulas', () => {
  assert.deepEqual(initDistribution('xavierUniform', [16, 8]), { kind: 'uniform', low: -0.5, high: 0.5 });
  assert.deepEqual(initDistribution('xavierNormal', [30, 20]), { kind: 'normal', mean: 0, std: 0.2 });
  assert.deepEqual(initDistribution('heUniform', [5, 24]), { kind: 'uniform', low: -0.5, high: 0.5 });
  assert.deepEqual(initDistribution('heNormal', [9, 50]), { kind: 'normal', mean: 0, std: 0.2 });
  assert.deepEqual(initDistribution('lecunUniform', [3, 12]), { kind: 'uniform', low: -0.5, high: 0.5 });
  assert.deepEqual(initDistribution('lecunNormal', [1, 25]), { kind: 'normal', mean: 0, std: 0.2 });
  assert.deepEqual(initDistribution({ name: 'heNormal', gain: 3 }, [9, 50]), { kind: 'normal', mean: 0, std: 0.6000000000000001 });
  assert.deepEqual(initDistribution('uniform', [2, 2]), { kind: 'uniform', low: -0.05, high: 0.05 });
  assert.deepEqual(initDistribution({ name: 'constant', value: 0.25 }, [2, 2]), { kind: 'constant', value: 0.25 });
});

test('drawn weights have the distribution the formulas promise', () => {
  // 300×200 = 60 000 draws: the sample variance is within ~0.6% (normal) of the truth per standard error.
  const shape = [300, 200];
  const rng = new Rng(11);
  const cases: [InitializerSpec['name'], number, 'uniform' | 'normal'][] = [
    ['xavierUniform', Math.sqrt(6 / 500), 'uniform'],
    ['heUniform', Math.sqrt(6 / 200), 'uniform'],
    ['lecunUniform', Math.sqrt(3 / 200), 'uniform'],
    ['xavierNormal', Math.sqrt(2 / 500), 'normal'],
    ['heNormal', Math.sqrt(2 / 200), 'normal'],
    ['lecunNormal', Math.sqrt(1 / 200), 'normal'],
  ];
  for (const [name, scale, kind] of cases) {
    const { mean, variance, maxAbs } = moments(initTensor(shape, name, rng, { dtype: 'float64' }).data);
    const expectedVariance = kind === 'uniform' ? (scale * scale) / 3 : scale * scale;
    assert.ok(Math.abs(variance / expectedVariance - 1) < 0.03, `${name}: variance ${variance}, expected ${expectedVariance}`);
    assert.ok(Math.abs(mean) < 4 * Math.sqrt(expectedVariance / 60000), `${name}: mean ${mean}`);
    if (kind === 'uniform') {
      assert.ok(maxAbs <= scale && maxAbs > 0.999 * scale, `${name}: max |w| ${maxAbs}, limit ${scale}`);
    } else {
      assert.ok(maxAbs > 3.5 * scale, `${name}: a normal of 60 000 draws reaches beyond 3.5σ, got max ${maxAbs / scale}σ`);
    }
  }
  const uniform = initTensor([1000], { name: 'uniform', low: 2, high: 3 }, rng).data;
  assert.ok(uniform.every((v) => v >= 2 && v <= 3));
  const normal = moments(initTensor([20000], { name: 'normal', mean: 5, std: 2 }, rng, { dtype: 'float64' }).data);
  assert.ok(Math.abs(normal.mean - 5) < 0.06 && Math.abs(normal.variance / 4 - 1) < 0.05, JSON.stringify(normal));
  assert.ok(initTensor([3, 3], 'zeros', rng).data.every((v) => v === 0));
  assert.ok(initTensor([3, 3], { name: 'constant', value: -1.5 }, rng).data.every((v) => v === -1.5));
});

test('same seed, same numbers; different seeds, different numbers; every initialiser', () => {
  for (const name of INITIALIZER_NAMES) {
    const a = initTensor([6, 5], name, new Rng(42)).data;
    const b = initTensor([6, 5], name, new Rng(42)).data;
    assert.deepEqual(a, b, name);
    if (name !== 'zeros' && name !== 'constant') assert.notDeepEqual(a, initTensor([6, 5], name, new Rng(43)).data, name);
  }
});

test('constant initialisers do not advance the generator', () => {
  const rng = new Rng(5);
  initTensor([10, 10], 'zeros', rng);
  assert.equal(rng.nextUint32(), new Rng(5).nextUint32());
});

test('names: case and separators are ignored, aliases map to canonical names, unknown names list the valid ones', () => {
  assert.equal(resolveInitializer('glorot_uniform').name, 'xavierUniform');
  assert.equal(resolveInitializer('Kaiming-Normal').name, 'heNormal');
  assert.equal(resolveInitializer('he').name, 'heNormal');
  assert.equal(resolveInitializer('HE_UNIFORM').name, 'heUniform');
  assert.throws(() => resolveInitializer('orthogonal'), /init: unknown initialiser "orthogonal"; expected one of "zeros", "constant", "uniform", "normal", "xavierUniform",/);
  assert.throws(() => resolveInitializer({ name: 'heNormal', std: 2 }), /init: initialiser "heNormal" has no parameter "std" \(it takes gain\)/);
  assert.throws(() => resolveInitializer({ name: 'normal', std: -1 }), /init: std must be a finite number >= 0, got -1/);
  assert.throws(() => resolveInitializer({ name: 'uniform', low: 1, high: 0 }), /low <= high, got low=1, high=0/);
  assert.throws(() => resolveInitializer(7), /init: initialiser must be a name or an object with a name, got 7/);
});
