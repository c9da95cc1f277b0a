/**
 * `backprop explain` on a 2-2-1 sigmoid network (Mazur's worked example with one output), every
 * number derived by hand below, with the textbook's C = ½(a² − t)² and plain SGD at ε = 0.5.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { backprop, json, temporaryDirectory } from './helpers.js';

const NETWORK = {
  format: 'backprop.model', version: 1, dtype: 'float64',
  layers: [
    { type: 'dense', inputs: 2, units: 2, activation: 'sigmoid', weights: [[0.15, 0.2], [0.25, 0.3]], biases: [0.35, 0.35] },
    { type: 'dense', inputs: 2, units: 1, activation: 'sigmoid', weights: [[0.4, 0.45]], biases: [0.6] },
  ],
};

// Worked by hand for x = (0.05, 0.1), t = 0.01:
// z¹ = (0.15·0.05 + 0.2·0.1 + 0.35, 0.25·0.05 + 0.3·0.1 + 0.35) = (0.3775, 0.3925)
// a¹ = σ(z¹) = (1/(1 + e^−0.3775), 1/(1 + e^−0.3925)) = (0.593269992107, 0.596884378260)
// z² = 0.4·0.593269992107 + 0.45·0.596884378260 + 0.6 = 1.105905967060
// a² = σ(z²) = 0.751365069552;  C = ½(0.751365069552 − 0.01)² = 0.274811083176
// δ² = (a² − t)·a²(1 − a²) = 0.741365069552 · 0.186815601809 = 0.138498561629
// ∂C/∂W² = δ²·a¹ = (0.082167040564, 0.082667627848);  ∂C/∂b² = δ²
// δ¹ = W²ᵀδ² ⊙ a¹(1 − a¹) = (0.4·0.138498561629·0.241300709, 0.45·0.138498561629·0.240613417) = (0.013367920423, 0.014996075489)
// ∂C/∂W¹ = δ¹·xᵀ = [[0.000668396021, 0.001336792042], [0.000749803774, 0.001499607549]]
// ∂C/∂x = W¹ᵀδ¹ = (0.15·δ¹₁ + 0.25·δ¹₂, 0.2·δ¹₁ + 0.3·δ¹₂) = (0.005754206936, 0.007172406731)
// W² := W² − 0.5·∂C/∂W² = (0.358916479718, 0.408666186076);  b² := 0.6 − 0.5·δ² = 0.530750719186
const HAND = {
  z1: [0.3775, 0.3925], a1: [0.593269992107, 0.59688437826], z2: 1.10590596706, a2: 0.751365069552, loss: 0.274811083176,
  delta2: 0.138498561629, gradW2: [0.082167040564, 0.082667627848], delta1: [0.013367920423, 0.014996075489],
  gradW1: [[0.000668396021, 0.001336792042], [0.000749803774, 0.001499607549]], gradInput: [0.005754206936, 0.007172406731],
  updatedW2: [0.358916479718, 0.408666186076], updatedB2: 0.530750719186,
};

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-11, `${what}: ${actual}, by hand ${expected}`);
}

test('explain --json gives the hand-worked numbers of a 2-2-1 network', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const path = join(dir, 'mazur.json');
  writeFileSync(path, JSON.stringify(NETWORK));
  const args = ['explain', '--model', path, '--input', '0.05,0.1', '--target', '0.01', '--loss', 'halfSquaredError', '--lr', '0.5'];
  const result = backprop([...args, '--json']);
  assert.equal(result.status, 0, result.stderr);
  const explained = json(result);
  const [hidden, output] = explained.layers;
  HAND.z1.forEach((v, j) => close(hidden.z[0][j], v, `z¹[${j}]`));
  HAND.a1.forEach((v, j) => close(hidden.a[0][j], v, `a¹[${j}]`));
  close(output.z[0][0], HAND.z2, 'z²');
  close(output.a[0][0], HAND.a2, 'a²');
  close(explained.loss, HAND.loss, 'C');
  close(output.delta[0][0], HAND.delta2, 'δ²');
  HAND.gradW2.forEach((v, k) => close(output.gradWeights[0][k], v, `∂C/∂W²[0][${k}]`));
  close(output.gradBiases[0], HAND.delta2, '∂C/∂b²');
  HAND.delta1.forEach((v, j) => close(hidden.delta[0][j], v, `δ¹[${j}]`));
  HAND.gradW1.forEach((row, j) => row.forEach((v, k) => close(hidden.gradWeights[j][k], v, `∂C/∂W¹[${j}][${k}]`)));
  HAND.delta1.forEach((v, j) => close(hidden.gradBiases[j], v, `∂C/∂b¹[${j}]`));
  HAND.gradInput.forEach((v, k) => close(explained.gradInput[0][k], v, `∂C/∂x[${k}]`));
  HAND.updatedW2.forEach((v, k) => close(output.updatedWeights[0][k], v, `W²[0][${k}] after the step`));
  close(output.updatedBiases[0], HAND.updatedB2, 'b² after the step');

  const text = backprop(args);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /z¹ = W¹a⁰ \+ b¹ = \[ 0\.3775  0\.3925 \]/);
  assert.match(text.stdout, /C = 0\.274811\n/);
  assert.match(text.stdout, /δᴸ = ∂C\/∂aᴸ ⊙ f′\(zᴸ\) = \[ 0\.138499 \]/);
  assert.match(text.stdout, /∂C\/∂a¹ = \(W²\)ᵀδᴸ = /);
  assert.match(text.stdout, /W² := \[ 0\.358916  0\.408666 \]/);

  const markdown = backprop([...args, '--format', 'markdown']);
  assert.equal(markdown.status, 0, markdown.stderr);
  assert.match(markdown.stdout, /\$\$\\delta\^\{L\} = \\frac\{\\partial C\}\{\\partial a\^\{L\}\} \\odot f'\(z\^\{L\}\) = /);
  assert.match(markdown.stdout, /\\begin\{bmatrix\} 0\.3775 & 0\.3925 \\end\{bmatrix\}/);
});

test('explain builds a network from --layers and takes a batch from --data', (t) => {
  const { dir, cleanup } = temporaryDirectory();
  t.after(cleanup);
  const data = join(dir, 'batch.csv');
  writeFileSync(data, 'x1,x2,x3,y\n0.1,0.2,0.3,0.5\n-0.1,0,0.4,0.2\n');
  const result = json(backprop(['explain', '--layers', '3,4,1', '--activation', 'relu', '--output-activation', 'identity', '--seed', '1', '--data', data, '--loss', 'mse', '--json']));
  assert.equal(result.layers.length, 2);
  assert.equal(result.layers[0].z.length, 2, 'z is [batch][units]');
  assert.equal(result.layers[0].z[0].length, 4);
  assert.equal(result.layers[0].gradWeights.length, 4, 'gradWeights is [out][in]');
  assert.equal(result.layers[0].gradWeights[0].length, 3);
  assert.equal(result.gradInput.length, 2);
  // mse over a batch of 2: δᴸ = 2(a − t)/2 per sample.
  result.layers[1].a.forEach((row: number[], i: number) => close(result.layers[1].delta[i][0], row[0] - [0.5, 0.2][i], `δᴸ of sample ${i}`));
});
