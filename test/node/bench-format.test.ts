/**
 * `npm run bench` lines carry the peers' fields (../shared/bench compares them by these names).
 * Only the format is checked, on a product small enough to take milliseconds: no timing is asserted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const runner = fileURLToPath(new URL('../../bench/run.js', import.meta.url));

test('bench lines have library, workload, metric, unit, median, min, max, backend and threads', () => {
  const result = spawnSync(process.execPath, [runner, '--workload=gemm', '--sizes=32,48'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(lines.map((line) => line.workload), ['gemm-32', 'gemm-48']);
  for (const line of lines) {
    assert.equal(line.library, 'backprop');
    assert.equal(line.metric, 'gflops');
    assert.equal(line.unit, 'GFLOP/s');
    for (const key of ['median', 'min', 'max', 'threads']) assert.ok(typeof line[key] === 'number' && Number.isFinite(line[key]) && (line[key] as number) > 0, `${key}: ${line[key]}`);
    assert.ok((line.min as number) <= (line.median as number) && (line.median as number) <= (line.max as number));
    assert.equal(typeof line.backend, 'string');
  }
});

test('bench refuses unknown options, bad sizes and unknown workloads with exit 2', () => {
  for (const [args, message] of [
    [['--bogus=1'], /unknown option --bogus/],
    [['--workload=gemm', '--sizes=x'], /--sizes=x: "x" is not a matrix size/],
    [['--workload=nope'], /unknown or not yet available workload "nope"/],
  ] as const) {
    const result = spawnSync(process.execPath, [runner, ...args], { encoding: 'utf8' });
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});

test('bench runs the backend BACKPROP_BACKEND names, and refuses one it cannot use with exit 2 and a one-line message', () => {
  const js = spawnSync(process.execPath, [runner, '--workload=gemm', '--sizes=16'], { encoding: 'utf8', env: { ...process.env, BACKPROP_BACKEND: 'js' } });
  assert.equal(js.status, 0, js.stderr);
  assert.equal((JSON.parse(js.stdout.trim()) as Record<string, unknown>).backend, 'js');
  const bogus = spawnSync(process.execPath, [runner, '--workload=gemm', '--sizes=16'], { encoding: 'utf8', env: { ...process.env, BACKPROP_BACKEND: 'bogus' } });
  assert.equal(bogus.status, 2, bogus.stderr);
  assert.equal(bogus.stdout, '');
  assert.match(bogus.stderr, /^bench: BACKPROP_BACKEND=bogus: unknown backend "bogus"; expected one of auto, native, wasm, js \(available here: .*js\)\n$/);
});
