import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createOptimizer } from '../../src/optim/index.js';
import type { OptionValue } from '../../src/optim/index.js';
import { param, setGrad } from './helpers.js';

// Trajectories of torch.optim in float64, made by fixtures/make_fixtures.py (see there). This file
// runs from dist/test/optim/, the fixture stays in the source tree.
const fixturePath = fileURLToPath(new URL('../../../test/optim/fixtures/torch-trajectories.json', import.meta.url));

interface Case {
  optimizer: string;
  options: Record<string, OptionValue>;
  start: number[];
  steps: { gradient: number[]; weights: number[] }[];
}
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as { torch: string; halveLrAtStep: number; cases: Case[] };

for (const { optimizer: name, options, start, steps } of fixture.cases) {
  test(`${name} ${JSON.stringify(options)} follows torch.optim (${fixture.torch}) for ${steps.length} steps, lr halved at step ${fixture.halveLrAtStep}`, () => {
    const w = param(start);
    const optimizer = createOptimizer(name, [w], options);
    steps.forEach(({ gradient, weights }, index) => {
      if (index + 1 === fixture.halveLrAtStep) optimizer.lr = optimizer.lr / 2;
      setGrad(w, gradient);
      optimizer.step();
      // Same algorithm, same float64 arithmetic up to the order of a few operations: agree to within a few ulps.
      weights.forEach((expected, i) => {
        const error = Math.abs(w.data[i] - expected);
        assert.ok(error <= 1e-14 * Math.max(1, Math.abs(expected)), `step ${index + 1} weight ${i}: got ${w.data[i]}, torch ${expected}`);
      });
    });
  });
}

test('the torch fixture covers every optimiser', () => {
  assert.deepEqual([...new Set(fixture.cases.map((c) => c.optimizer))].sort(), ['adagrad', 'adam', 'adamw', 'rmsprop', 'sgd']);
});
