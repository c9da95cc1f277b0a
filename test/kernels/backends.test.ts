import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { backend, jsBackend, setBackend } from '../../src/kernels/index.js';
import { withFallback } from '../../src/kernels/index.js';
import { WasmGemm, chooseGemmBuild } from '../../src/kernels/wasm/gemm.js';
import { createWasmBackend, createWasmBackendAsync } from '../../src/kernels/wasm/index.js';
import { backend as currentBackend, setBackend as setCurrentBackend } from '../../src/kernels/index.js';
import { wasmRuntime } from '../../src/kernels/wasm/runtime.js';
import { TilesWorker } from '../../src/kernels/wasm/threads.js';
import { nodeBackends, selectBackend, spawnNodeWorker } from '../../node/backends.js';
import { checkBackend, checkGemm } from './kernel-suite.js';
import { Rng } from '../../src/util/rng.js';

const available = nodeBackends().filter((entry) => entry.backend !== null);

for (const { backend: b } of available) {
  test(`${b!.name}: float32 kernels agree with the float64 TypeScript reference`, () => {
    assert.deepEqual(checkBackend(b!), []);
  });
}

const native = nodeBackends().find((entry) => entry.family === 'native')?.backend ?? null;
const CHILD = fileURLToPath(new URL('./backend-check-child.js', import.meta.url));

test('native: each SIMD path and thread count agrees with the reference (child processes)', { skip: native ? false : 'native addon not built' }, () => {
  for (const simd of ['scalar', 'avx2', 'avx512'])
    for (const threads of ['1', '2']) {
      const run = spawnSync(process.execPath, [CHILD], {
        env: { ...process.env, BACKPROP_KERNEL_CHECK_CHILD: 'native', BACKPROP_NATIVE_SIMD: simd, BACKPROP_NATIVE_THREADS: threads },
        encoding: 'utf8',
      });
      assert.equal(run.status, 0, `BACKPROP_NATIVE_SIMD=${simd} BACKPROP_NATIVE_THREADS=${threads}: ${run.stdout}${run.stderr}`);
    }
});

const wasmAvailable = nodeBackends().some((entry) => entry.family === 'wasm' && entry.backend !== null);

test('wasm: the relaxed-SIMD build (fused multiply-add) agrees with the reference (child process)', { skip: wasmAvailable ? false : 'wasm backend not built' }, () => {
  const run = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', CHILD], { env: { ...process.env, BACKPROP_KERNEL_CHECK_CHILD: 'wasm' }, encoding: 'utf8' });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  assert.match(run.stdout, /^wasm-relaxed$/m, 'node --experimental-wasm-relaxed-simd should select the relaxed build');
});

test('wasm: bias + relu/identity, relu\'s backward and sums over rows give the TypeScript backend\'s float32 values bit for bit', { skip: wasmAvailable ? false : 'wasm backend not built' }, () => {
  const wasm = nodeBackends().find((entry) => entry.family === 'wasm')!.backend!;
  const rng = new Rng(21);
  const same = (a: Float32Array, b: Float32Array) => a.every((v, i) => Object.is(v, b[i]));
  const values = (count: number) => Float32Array.from({ length: count }, (_, i) => (i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : i % 83 === 0 ? 0 : rng.normal()));
  // 300×300 runs every kernel in several blocks of the module's memory (65,536 elements each);
  // 1×70,001 splits relu's backward (one row is one block for the others).
  for (const [rows, cols] of [[64, 130], [40, 31], [1, 2049], [300, 300], [1, 70_001]] as const) {
    for (const op of ['relu', 'identity'] as const)
      for (const withBias of [true, false])
        for (const withPre of [true, false]) {
          const x = values(rows * cols), bias = withBias ? values(cols) : null;
          const out = new Float32Array(rows * cols), expected = new Float32Array(rows * cols);
          const pre = withPre ? new Float32Array(rows * cols) : null, expectedPre = withPre ? new Float32Array(rows * cols) : null;
          wasm.biasActivation(x, bias, rows, cols, op, 0, out, pre);
          jsBackend.biasActivation(x, bias, rows, cols, op, 0, expected, expectedPre);
          assert.ok(same(out, expected) && (pre === null || same(pre, expectedPre!)), `biasActivation ${op} ${rows}x${cols} bias=${withBias} pre=${withPre}`);
        }
    const z = values(rows * cols), gradOut = values(rows * cols);
    const gradIn = new Float32Array(rows * cols), expected = new Float32Array(rows * cols);
    wasm.unaryBackward('relu', z, z, gradOut, gradIn, 0, false);
    jsBackend.unaryBackward('relu', z, z, gradOut, expected, 0, false);
    assert.ok(same(gradIn, expected), `relu backward ${rows}x${cols}`);
    for (const accumulate of [false, true]) {
      const initial = values(cols);
      const sums = initial.slice(), expectedSums = initial.slice();
      wasm.reduce('sum', gradOut, 1, rows, cols, sums, accumulate);
      jsBackend.reduce('sum', gradOut, 1, rows, cols, expectedSums, accumulate);
      assert.ok(same(sums, expectedSums), `column sums ${rows}x${cols} accumulate=${accumulate}`);
    }
  }
});

test('without the Node entry, the default backend is wasm where it is assembled (made on first use), and setBackend returns it', { skip: wasmAvailable ? false : 'wasm backend not built' }, () => {
  const entry = new URL('../../src/index.js', import.meta.url).href;
  const script = `const bp = await import(${JSON.stringify(entry)});
    const first = bp.backendNames().join(',');
    const used = bp.backend().name;
    const previous = bp.setBackend('js').name;
    console.log(JSON.stringify({ first, used, previous, now: bp.backend().name, names: bp.backendNames() }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, BACKPROP_BACKEND: '' } });
  assert.equal(run.status, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  assert.equal(result.first, 'js', 'nothing but the TypeScript backend exists before first use');
  assert.match(result.used, /^wasm/);
  assert.equal(result.previous, result.used);
  assert.equal(result.now, 'js');
  assert.ok(result.names.includes(result.used));
});

test('installBackend makes no default first, and the default is a wasm backend already registered', { skip: wasmAvailable ? false : 'wasm backend not built' }, () => {
  const registry = new URL('../../src/kernels/registry.js', import.meta.url).href;
  const wasmEntry = new URL('../../src/kernels/wasm/index.js', import.meta.url).href;
  const script = `const r = await import(${JSON.stringify(registry)});
    const { createWasmBackend } = await import(${JSON.stringify(wasmEntry)});
    const { jsBackend } = await import(${JSON.stringify(new URL('../../src/kernels/js/index.js', import.meta.url).href)});
    r.installBackend(jsBackend);
    const afterInstall = r.backendNames().join(',');
    const mine = createWasmBackend({ threads: 1 });
    r.registerBackend(mine);
    r.installBackend('js');
    const previous = r.setBackend(mine.name);
    console.log(JSON.stringify({ afterInstall, previousIsJs: previous === jsBackend, same: r.backend() === mine }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), { afterInstall: 'js', previousIsJs: true, same: true });
  // A fresh process whose first operation finds a registered wasm backend uses that one.
  const script2 = `const r = await import(${JSON.stringify(registry)});
    const { createWasmBackend } = await import(${JSON.stringify(wasmEntry)});
    const mine = createWasmBackend({ threads: 1 });
    r.registerBackend(mine);
    console.log(r.backend() === mine, r.backendNames().length);`;
  const run2 = spawnSync(process.execPath, ['--input-type=module', '-e', script2], { encoding: 'utf8' });
  assert.equal(run2.status, 0, run2.stderr);
  assert.equal(run2.stdout.trim(), 'true 2');
});

test('BACKPROP_WASM_THREADS other than 1 or 2 makes the wasm backend unavailable, naming the variable and value', () => {
  const entry = new URL('../../node/index.js', import.meta.url).href;
  const script = `const bp = await import(${JSON.stringify(entry)});
    try { bp.selectBackend('wasm'); console.log('selected'); } catch (error) { console.log(error.message); }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, BACKPROP_BACKEND: 'js', BACKPROP_WASM_THREADS: '3' } });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /BACKPROP_WASM_THREADS must be 1 or 2, got "3"/);
});

test('wasm: a worker that cannot start leaves one thread, and the backend then says so', { skip: wasmAvailable ? false : 'wasm backend not built' }, () => {
  let attempts = 0;
  const wasm = createWasmBackend({ threads: 2, spawnWorker: () => { attempts++; throw new Error('no workers here'); } });
  assert.equal(wasm.threads, 2, 'two threads asked for, the worker not tried yet');
  const n = 256;
  const a = Float32Array.from({ length: n * n }, (_, i) => (i % 7) - 3), out = new Float32Array(n * n), expected = new Float32Array(n * n);
  wasm.gemm(false, false, n, n, n, a, a, out, false);
  jsBackend.gemm(false, false, n, n, n, a, a, expected, false);
  assert.deepEqual(out, expected, 'the product is right on one thread (small integers: exact sums)');
  assert.equal(attempts, 1);
  assert.equal(wasm.threads, 1);
  wasm.gemm(false, false, n, n, n, a, a, out, false);
  assert.equal(attempts, 1, 'a failed start is not retried');
});

test('createWasmBackendAsync: resolves once the worker runs; a worker that never starts or none at all leaves one thread', { skip: wasmAvailable ? false : 'wasm backend not built' }, async () => {
  const n = 256;
  const a = Float32Array.from({ length: n * n }, (_, i) => (i % 7) - 3), expected = new Float32Array(n * n);
  jsBackend.gemm(false, false, n, n, n, a, a, expected, false);
  const product = (b: ReturnType<typeof createWasmBackend>): Float32Array => {
    const out = new Float32Array(n * n);
    b.gemm(false, false, n, n, n, a, a, out, false);
    return out;
  };
  // A real worker: started before any product, running when the promise resolves.
  let spawned = 0;
  const two = await createWasmBackendAsync({ threads: 2, timeoutMs: 30_000, spawnWorker: (source) => { spawned++; return spawnNodeWorker(source); } });
  assert.equal(spawned, 1, 'the worker is started at once, not at the first large product');
  assert.equal(two.threads, 2);
  assert.deepEqual(product(two), expected, 'small integers: exact sums');
  // A worker that is made but never runs (postMessage goes nowhere): after timeoutMs, one thread.
  let posted = 0, terminated = 0;
  const stalled = await createWasmBackendAsync({ threads: 2, timeoutMs: 50, spawnWorker: () => ({ postMessage: () => { posted++; }, terminate: () => { terminated++; } }) });
  assert.equal(posted, 1);
  assert.equal(stalled.threads, 1, 'a worker that did not start within timeoutMs is given up');
  assert.equal(terminated, 1, 'and terminated');
  assert.deepEqual(product(stalled), expected);
  // No way to share memory (a page that is not cross-origin isolated): one thread at once.
  const none = await createWasmBackendAsync({ threads: 2, spawnWorker: null });
  assert.equal(none.threads, 1);
  assert.deepEqual(product(none), expected);
  assert.equal((await createWasmBackendAsync()).threads, 1);
  await assert.rejects(createWasmBackendAsync({ timeoutMs: -1 }), /createWasmBackendAsync: timeoutMs must be a finite number ≥ 0, got -1/);
  await assert.rejects(createWasmBackendAsync({ timeoutMs: Infinity }), /timeoutMs must be a finite number ≥ 0, got Infinity/);
  await assert.rejects(createWasmBackendAsync({ threads: 3 }), /createWasmBackendAsync: threads must be 1 or 2, got 3/);
});

test('native: arrays too short for the shapes are rejected with the kernel and argument named', { skip: native ? false : 'native addon not built' }, () => {
  const a = new Float32Array(6 * 70);
  const b = new Float32Array(70 * 8);
  assert.throws(() => native!.gemm(false, false, 6, 8, 70, a, b, new Float32Array(47), false), { name: 'RangeError', message: 'gemm: out has 47 elements, the shapes need 48' });
  assert.throws(() => native!.gemm(false, false, 6, 8, 70, a.subarray(1), b, new Float32Array(48), false), /gemm: a has 419 elements, the shapes need 420/);
  assert.throws(() => native!.biasActivation(new Float32Array(10), new Float32Array(4), 2, 5, 'relu', 0, new Float32Array(10), null), /biasActivation: bias has 4 elements, the shapes need 5/);
  assert.throws(() => native!.unary('tanh', new Float32Array(10), new Float32Array(9), 0), /unary: out has 9 elements, the shapes need 10/);
  assert.throws(() => native!.reduce('sum', new Float32Array(10), 2, 3, 2, new Float32Array(4), false), /reduce: x has 10 elements, the shapes need 12/);
  assert.throws(() => native!.binary('add', new Float32Array(10), [2, 5], new Float32Array(4), [1, 5], new Float32Array(10), [2, 5]), /binary: period must divide the 10 elements of out, got 4/);
});

test('native addon: arguments of the wrong type, negative sizes and missing arguments throw naming the kernel and argument', { skip: native ? false : 'native addon not built' }, () => {
  const addon = createRequire(import.meta.url)(fileURLToPath(new URL('../../../build/Release/backprop_native.node', import.meta.url)));
  const a = new Float32Array(4), b = new Float32Array(4), out = new Float32Array(4);
  assert.throws(() => addon.gemm(false, false, 2, 2, 1, new Float64Array(4), b, out, false), { name: 'TypeError', message: 'gemm: a must be a Float32Array' });
  assert.throws(() => addon.gemm(false, false, 2, 2, 1, a, b, 'out', false), { name: 'TypeError', message: 'gemm: out must be a Float32Array' });
  assert.throws(() => addon.gemm(0, false, 2, 2, 1, a, b, out, false), { name: 'TypeError', message: 'gemm: transA must be a boolean' });
  assert.throws(() => addon.gemm(false, false, -2, 2, 1, a, b, out, false), { name: 'RangeError', message: /^gemm: m must be a non-negative integer, got -2/ });
  assert.throws(() => addon.gemm(false, false, 1.5, 2, 1, a, b, out, false), { name: 'RangeError', message: /^gemm: m must be a non-negative integer, got 1\.5/ });
  assert.throws(() => addon.gemm(false, false, '2', 2, 1, a, b, out, false), { name: 'TypeError', message: 'gemm: m must be a number' });
  assert.throws(() => addon.gemm(false, false, 2, 2, 1, a, b, out), { name: 'TypeError', message: 'gemm: accumulate is missing' });
  assert.throws(() => addon.unary(99, a, out), { name: 'RangeError', message: 'unary: activation unknown code 99' });
  assert.throws(() => addon.sgdUpdate(a, b, null, 'x', 0, 0, false, false), { name: 'TypeError', message: 'sgdUpdate: lr must be a number' });
  // null where an array is optional; the product itself still runs after all these failures.
  addon.biasActivation(new Float32Array([1, -2]), null, 1, 2, 1, out, null);
  assert.deepEqual(Array.from(out.subarray(0, 2)), [1, 0]);
  addon.gemm(false, false, 1, 1, 1, new Float32Array([3]), new Float32Array([4]), out, false);
  assert.equal(out[0], 12);
});

test('native addon: held arrays (holdFloats) and the stack, loss and SGD calls that take them refuse bad input, foreign handles and detached buffers', { skip: native ? false : 'native addon not built' }, () => {
  const addon = createRequire(import.meta.url)(fileURLToPath(new URL('../../../build/Release/backprop_native.node', import.meta.url)));
  assert.throws(() => addon.holdFloats('x'), { name: 'TypeError', message: 'holdFloats: list must be an Array' });
  assert.throws(() => addon.holdFloats([new Float32Array(2), new Float64Array(2)]), { name: 'TypeError', message: 'holdFloats: list[1] must be a Float32Array or null' });
  // A 2-layer stack 3 → 4 → 2 (tanh, identity).
  const ints = new Int32Array([2, 3, 4, 2, 2, 0]);
  const w1 = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), w2 = Float32Array.from({ length: 8 }, (_, i) => Math.cos(i));
  const params = addon.holdFloats([w1, null, w2, new Float32Array(2)]);
  const x = Float32Array.from({ length: 6 }, (_, i) => i / 6), out = new Float32Array(4), saved = new Float32Array(8);
  assert.throws(() => addon.denseStackForward(ints, {}, x, 2, out, saved), { name: 'TypeError', message: 'denseStackForward: params must come from holdFloats' });
  assert.throws(() => addon.denseStackForward(ints, addon.holdFloats([w1, null]), x, 2, out, saved), { name: 'RangeError', message: 'denseStackForward: weight is missing from the held list' });
  assert.throws(() => addon.denseStackForward(ints, addon.holdFloats([w1.subarray(1), null, w2, null]), x, 2, out, saved), { name: 'RangeError', message: 'denseStackForward: weight has 11 elements, the shapes need 12' });
  assert.throws(() => addon.denseStackForward(new Int32Array([2, 3, 4, 9, 2, 0]), params, x, 2, out, saved), { name: 'RangeError', message: 'denseStackForward: ints layer 0 does not fit' });
  assert.throws(() => addon.denseStackForward(ints, params, x, 2, out, new Float32Array(7)), { name: 'RangeError', message: 'denseStackForward: saved has 7 elements, the shapes need 8' });
  addon.denseStackForward(ints, params, x, 2, out, saved);
  const hidden = Array.from({ length: 8 }, (_, k) => Math.fround(Math.tanh(Math.fround([0, 1, 2].reduce((s, i) => Math.fround(s + x[3 * Math.floor(k / 4) + i] * w1[3 * (k % 4) + i]), 0)))));
  saved.forEach((value, k) => assert.ok(Math.abs(value - hidden[k]) < 1e-6, `saved[${k}] ${value} vs ${hidden[k]}`));
  const grads = addon.holdFloats([new Float32Array(12), null, new Float32Array(8), new Float32Array(2)]);
  const flags = new Int32Array(6);
  assert.throws(() => addon.denseStackBackward(ints, params, grads, flags, 2, x, null, out, new Float32Array(4), null, null), { name: 'TypeError', message: 'denseStackBackward: saved is needed by these layers' });
  flags[0] = 3;
  assert.throws(() => addon.denseStackBackward(ints, params, grads, flags, 2, x, saved, out, new Float32Array(4), null, null), { name: 'RangeError', message: 'denseStackBackward: flags firstBelow 3 is not a layer' });
  assert.throws(() => addon.softmaxCrossEntropyLabels(out, new Int32Array([0]), 2, 2, new Float32Array(4), new Float32Array(2), null), { name: 'RangeError', message: /softmaxCrossEntropyLabels: labels has 1 elements, needs 2/ });
  assert.equal(addon.softmaxCrossEntropyLabels(out, new Int32Array([0, 2]), 2, 2, new Float32Array(4), new Float32Array(2), null), 1);
  assert.throws(() => addon.softmaxCrossEntropyLabelsBackward(new Float32Array(4), new Int32Array([0, -1]), 2, 2, 0.5, new Float32Array(4)), { name: 'RangeError', message: 'softmaxCrossEntropyLabelsBackward: labels label 1 is out of range' });
  assert.throws(() => addon.sgdUpdates(addon.holdFloats([w1, null]), 0.1, 0, 0, 0), { name: 'RangeError', message: 'sgdUpdates: lists must hold three arrays per parameter' });
  assert.throws(() => addon.sgdUpdates(addon.holdFloats([w1, new Float32Array(11), null]), 0.1, 0, 0, 0), { name: 'RangeError', message: 'sgdUpdates: g has 11 elements, the shapes need 12' });
  assert.throws(() => addon.sgdUpdates(addon.holdFloats([w1, new Float32Array(12), null]), 0.1, 0.9, 0, 0), { name: 'TypeError', message: 'sgdUpdates: velocity must not be null' });
  // A held buffer transferred away is refused, never read.
  const moved = new Float32Array(12);
  const lists = addon.holdFloats([moved, new Float32Array(12), null]);
  structuredClone(moved.buffer, { transfer: [moved.buffer] });
  assert.throws(() => addon.sgdUpdates(lists, 0.1, 0, 0, 0), { name: 'TypeError', message: 'sgdUpdates: lists holds an array whose buffer was detached or shrunk' });
});

test('selectBackend: families, exact names, auto, and clear errors for unknown or unavailable names', () => {
  const previous = setBackend(jsBackend);
  try {
    assert.equal(selectBackend('js'), jsBackend);
    assert.equal(backend(), jsBackend);
    const best = selectBackend('auto');
    assert.equal(best, available[0].backend);
    assert.throws(() => selectBackend('cuda'), /unknown backend "cuda"; expected one of auto, native, wasm, js \(available here: .*js\)/);
    if (native) {
      assert.equal(selectBackend('native'), native);
      assert.equal(selectBackend(native.name), native);
    } else {
      assert.throws(() => selectBackend('native'), /backend "native" is not available here: /);
    }
  } finally {
    setBackend(previous);
  }
});

test('wasm: products shared with the worker thread agree with the reference', { skip: wasmAvailable ? false : 'wasm backend not built' }, async () => {
  const runtime = wasmRuntime()!;
  const kernel = new WasmGemm(runtime, chooseGemmBuild(runtime, true)!, (module, memory) => new TilesWorker(module, memory, spawnNodeWorker));
  // No thread starts until a product is large enough to share.
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(kernel.workerReady, false, 'no thread starts before a product needs it');
  assert.equal(kernel.threads, 2);
  const n = 256;
  kernel.gemm(false, false, n, n, n, new Float32Array(n * n).fill(1), new Float32Array(n * n).fill(1), new Float32Array(n * n), false);
  for (let waited = 0; !kernel.workerReady && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(kernel.workerReady, 'the worker thread should start');
  const threaded = withFallback(jsBackend, { name: 'wasm-2-threads', threads: 2, gemm: (tA, tB, m, n, k, a, b, out, acc) => kernel.gemm(tA, tB, m, n, k, a as Float32Array, b as Float32Array, out as Float32Array, acc) });
  assert.deepEqual(checkGemm(threaded, new Rng(5)), []);
  // The worker took part: a few large products give it chunks (it is woken for each).
  for (let i = 0; i < 50 && kernel.workerChunks === 0; i++) kernel.gemm(false, false, n, n, n, new Float32Array(n * n).fill(1), new Float32Array(n * n).fill(1), new Float32Array(n * n), false);
  assert.ok(kernel.workerChunks > 0, 'the worker ran chunks of the shared products');
});

test('the Node entry exports spawnNodeWorker for createWasmBackendAsync in Node', { skip: wasmAvailable ? false : 'wasm backend not built' }, async () => {
  const before = currentBackend();
  // Importing the entry selects a backend for the process: the test's own is put back.
  const entry = await import('../../node/index.js');
  setCurrentBackend(before);
  const wasm = await entry.createWasmBackendAsync({ threads: 2, timeoutMs: 30_000, spawnWorker: entry.spawnNodeWorker });
  assert.equal(wasm.threads, 2);
});
