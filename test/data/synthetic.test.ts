import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SYNTHETIC_DATA_SETS, encodeTable, fitEncoder, makeBlobs, makeCircles, makeMoons, makeSin, makeSpiral, makeXor, parseCsv, syntheticToCsv, type SyntheticData } from '../../src/data/index.js';

const point = (set: SyntheticData, i: number): number[] => Array.from(set.x.data.subarray(i * set.x.columns, (i + 1) * set.x.columns));

test('every generator is reproducible from its seed and differs across seeds', () => {
  for (const [name, make] of Object.entries(SYNTHETIC_DATA_SETS)) {
    const a = make({ n: 50, seed: 4 });
    assert.deepEqual(make({ n: 50, seed: 4 }), a, name);
    assert.notDeepEqual(make({ n: 50, seed: 5 }).x.data, a.x.data, name);
    assert.equal(a.x.rows, 50, name);
    assert.equal(a.y.length, 50, name);
  }
});

test('without noise the points lie exactly on the documented curves', () => {
  const circles = makeCircles({ n: 40, noise: 0, factor: 0.3, seed: 1 });
  for (let i = 0; i < 40; i++) {
    const [x1, x2] = point(circles, i);
    assert.ok(Math.abs(Math.hypot(x1, x2) - (circles.y[i] === 0 ? 1 : 0.3)) < 1e-6);
    assert.equal(circles.y[i], i % 2);
  }
  const moons = makeMoons({ n: 40, noise: 0, seed: 1 });
  for (let i = 0; i < 40; i++) {
    const [x1, x2] = point(moons, i);
    const [cx, cy] = moons.y[i] === 0 ? [0, 0] : [1, 0.5];
    assert.ok(Math.abs(Math.hypot(x1 - cx, x2 - cy) - 1) < 1e-6, 'on a unit half circle');
    assert.ok(moons.y[i] === 0 ? x2 >= 0 : x2 <= 0.5, 'upper half for class 0, lower half for class 1');
  }
  const xor = makeXor({ n: 100, noise: 0, seed: 1 });
  for (let i = 0; i < 100; i++) {
    const [x1, x2] = point(xor, i);
    assert.equal(xor.y[i], x1 * x2 < 0 ? 1 : 0);
  }
  const spiral = makeSpiral({ n: 90, classes: 3, noise: 0, seed: 1 });
  for (let i = 0; i < 90; i++) {
    const [x1, x2] = point(spiral, i);
    const u = Math.hypot(x1, x2);
    const angle = (2 * Math.PI * spiral.y[i]) / 3 + 2 * Math.PI * u;
    assert.ok(Math.abs(x1 - u * Math.cos(angle)) < 1e-5 && Math.abs(x2 - u * Math.sin(angle)) < 1e-5, `row ${i}`);
  }
  const sin = makeSin({ n: 30, noise: 0, seed: 1 });
  for (let i = 0; i < 30; i++) assert.ok(Math.abs(sin.y[i] - Math.sin(sin.x.data[i])) < 1e-6);
});

test('classes interleave and are balanced; blobs cluster around their centres', () => {
  const spiral = makeSpiral({ n: 10, classes: 3 });
  assert.deepEqual([...spiral.y], [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]);
  assert.equal(spiral.classCount, 3);
  const blobs = makeBlobs({ n: 300, classes: 3, dimensions: 4, noise: 0.01, seed: 2 });
  assert.deepEqual([blobs.x.columns, blobs.featureNames.join()], [4, 'x1,x2,x3,x4']);
  // With tiny noise, two points of the same class are much closer than points of different classes.
  const distance = (i: number, j: number) => Math.hypot(...point(blobs, i).map((v, d) => v - point(blobs, j)[d]));
  assert.ok(distance(0, 3) < 0.1);
  assert.ok(distance(0, 1) > 0.5 && distance(1, 2) > 0.5);
});

test('generator options are validated', () => {
  assert.throws(() => makeMoons({ n: 0 }), { name: 'ValueError', message: 'makeMoons: n must be an integer >= 1 <= 10000000, got 0' });
  assert.throws(() => makeXor({ noise: -1 }), { name: 'ValueError', message: 'makeXor: noise must be a finite number >= 0, got -1' });
  assert.throws(() => makeSpiral({ classes: 1 }), { name: 'ValueError', message: 'makeSpiral: classes must be an integer >= 2 <= 100, got 1' });
  assert.throws(() => makeCircles({ factor: 1.5 }), { name: 'ValueError', message: 'makeCircles: factor must be a finite number > 0 <= 1, got 1.5' });
  assert.throws(() => makeBlobs({ seed: 0.5 }), { name: 'ValueError', message: 'makeBlobs: seed must be an integer, got 0.5' });
});

test('syntheticToCsv writes text that reads back to the same float32 values and labels, with the task inferred', () => {
  for (const set of [makeMoons({ n: 60, seed: 3 }), makeSpiral({ n: 60, classes: 4, seed: 3 }), makeSin({ n: 60, seed: 3 })]) {
    const text = syntheticToCsv(set);
    assert.equal(text.split('\n')[0], [...set.featureNames, set.targetName].join(','));
    const table = parseCsv(text, 'made.csv');
    const encoder = fitEncoder(table, { target: set.targetName });
    assert.equal(encoder.target.task, set.task);
    const encoded = encodeTable(encoder, table);
    assert.deepEqual(encoded.x.data, set.x.data);
    if (set.task === 'classification') {
      // Classes are the labels 0..C-1 as text, so class index equals label.
      assert.deepEqual([...(encoded.y ?? [])], [...set.y]);
    } else assert.deepEqual(encoded.y, set.y);
  }
});

test('a seed gives the same rows in every version (pinned output: change it only on purpose, with a note)', () => {
  assert.equal(syntheticToCsv(makeMoons({ n: 3, seed: 42 })), 'x1,x2,label\n-0.2994061,0.97520834,0\n0.021632973,0.4982929,1\n-1.0670472,0.0991792,0\n');
  assert.equal(syntheticToCsv(makeSin({ n: 3, seed: 42 })), 'x,y\n1.0091783,1.0304363\n-3.0460303,0.0044181747\n2.3919275,0.8620702\n');
});
