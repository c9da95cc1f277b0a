/**
 * mlp-mnist in headless Chromium (the portable backend where it is meant to run), beside
 * TensorFlow.js's wasm backend in the same browser: `npm run bench -- --workload=mlp-mnist-chromium`.
 * Needs Debian's chromium and, for the tfjs line, the peers installed by ../shared/bench/setup.sh.
 * The page is served cross-origin isolated (COOP/COEP), so tfjs-wasm may use its threads.
 * Prints JSON lines with the workload "mlp-mnist-chromium": library "backprop" (backend wasm, one
 * thread), "backprop (2 threads)" (its worker awaited first) and "tfjs-wasm (chromium)".
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emit } from './measure.js';

const CHROMIUM = '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));

/** The peers' node_modules (setup.sh installs into ../shared/bench or a writable copy). */
function peersModules(): string | null {
  const candidates = [join(root, '..', 'shared', 'bench', 'node_modules'), join(process.env.TMPDIR ?? '/tmp', 'backprop-peers', 'node_modules')];
  return candidates.find((dir) => existsSync(join(dir, '@tensorflow', 'tfjs-backend-wasm'))) ?? null;
}

/** tfjs: the peers' model and loop (../shared/bench/tfjs.js), timed with performance.now(). */
const TFJS_PAGE_SCRIPT = `
  const runs = Number(new URLSearchParams(location.search).get('runs') ?? '3');
  function uniform(count, seed) {
    let a = seed >>> 0; const out = new Float32Array(count);
    for (let i = 0; i < count; i++) { a = (a + 0x6d2b79f5) >>> 0; let t = a; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
    return out;
  }
  try {
    tf.wasm.setWasmPaths('/tfjs-wasm/');
    tf.wasm.setThreadsCount(2);
    if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
    await tf.ready();
    const n = 60000;
    const labels = Array.from(uniform(n, 2), (u) => Math.floor(u * 10));
    const oneHot = new Float32Array(n * 10); labels.forEach((l, i) => { oneHot[i * 10 + l] = 1; });
    const xs = tf.tensor2d(uniform(n * 784, 1), [n, 784]);
    const ys = tf.tensor2d(oneHot, [n, 10]);
    const model = tf.sequential();
    model.add(tf.layers.dense({ units: 256, activation: 'relu', inputShape: [784] }));
    model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const fitOptions = { batchSize: 128, epochs: 1, shuffle: false, verbose: 0 };
    await model.fit(xs.slice([0, 0], [20 * 128, -1]), ys.slice([0, 0], [20 * 128, -1]), fitOptions);
    const rates = [];
    for (let r = 0; r < runs; r++) { const t0 = performance.now(); await model.fit(xs, ys, fitOptions); rates.push(n / ((performance.now() - t0) / 1000)); }
    globalThis.benchResult = { rates, threads: tf.wasm.getThreadsCount(), simd: await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), multithread: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), isolated: crossOriginIsolated };
  } catch (error) { globalThis.benchResult = { error: String(error) }; }
`;

interface PageResult {
  rates?: number[];
  backend?: string;
  threads?: number;
  simd?: boolean;
  multithread?: boolean;
  isolated?: boolean;
  error?: string;
}

export async function chromiumMnistWorkload(options: Map<string, string>): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    console.error(`bench: mlp-mnist-chromium needs ${CHROMIUM} (apt-get install chromium)`);
    process.exitCode = 2;
    return;
  }
  const runs = options.get('runs') ?? '3';
  const { build } = await import('esbuild');
  const { chromium } = await import('playwright-core');
  const bundle = await build({ entryPoints: [join(root, 'dist', 'bench', 'browser-page.js')], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'error' });
  const modules = peersModules();
  const files: Record<string, [string, Uint8Array | string]> = {
    '/backprop-page.js': ['text/javascript', bundle.outputFiles[0].contents],
    '/backprop.html': ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="/backprop-page.js"></script>'],
  };
  if (modules) {
    const tfjs = join(modules, '@tensorflow');
    files['/tf.min.js'] = ['text/javascript', readFileSync(join(tfjs, 'tfjs', 'dist', 'tf.min.js'))];
    files['/tf-backend-wasm.min.js'] = ['text/javascript', readFileSync(join(tfjs, 'tfjs-backend-wasm', 'dist', 'tf-backend-wasm.min.js'))];
    for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      files[`/tfjs-wasm/${name}`] = ['application/wasm', readFileSync(join(tfjs, 'tfjs-backend-wasm', 'dist', name))];
    }
    files['/tfjs.html'] = ['text/html', `<!doctype html><meta charset="utf-8"><script src="/tf.min.js"></script><script src="/tf-backend-wasm.min.js"></script><script type="module">${TFJS_PAGE_SCRIPT}</script>`];
  }
  const server = createServer((request, response) => {
    const file = files[(request.url ?? '/').split('?')[0]];
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (!file) {
      response.statusCode = 404;
      response.end();
      return;
    }
    response.setHeader('content-type', file[0]);
    response.end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const measure = async (path: string, threads = 1): Promise<PageResult> => {
    const tab = await browser.newPage();
    try {
      await tab.goto(`${origin}${path}?runs=${runs}&backend=wasm&threads=${threads}`);
      await tab.waitForFunction(() => (globalThis as { benchResult?: unknown }).benchResult !== undefined, null, { timeout: 500_000, polling: 1000 });
      return await tab.evaluate(() => (globalThis as unknown as { benchResult: PageResult }).benchResult);
    } finally {
      await tab.close();
    }
  };
  try {
    // One thread (createWasmBackend(), what a page gets without asking), then two (the worker
    // awaited with createWasmBackendAsync({ threads: 2 }) in the cross-origin-isolated page).
    for (const threads of [1, 2]) {
      const ours = await measure('/backprop.html', threads);
      if (ours.rates && ours.threads !== threads) console.error(`bench: backprop in Chromium ran on ${ours.threads} thread(s), not ${threads}; line not printed`);
      else if (ours.rates) emit('mlp-mnist-chromium', 'samples_per_s', 'samples/s', ours.rates, { backend: ours.backend, threads: ours.threads, how: `headless Chromium, bench/workloads.ts, ${threads === 1 ? 'createWasmBackend()' : 'await createWasmBackendAsync({ threads: 2 })'}` }, threads === 1 ? 'backprop' : 'backprop (2 threads)');
      else console.error(`bench: backprop in Chromium failed: ${ours.error}`);
    }
    if (modules) {
      const peer = await measure('/tfjs.html');
      if (peer.rates) {
        const line = { backend: 'wasm', threads: peer.threads, simd: peer.simd, multithread_support: peer.multithread, cross_origin_isolated: peer.isolated, how: 'headless Chromium, tf.min.js + tf-backend-wasm.min.js, model.fit' };
        emit('mlp-mnist-chromium', 'samples_per_s', 'samples/s', peer.rates, line, 'tfjs-wasm (chromium)');
      } else {
        console.error(`bench: tfjs-wasm in Chromium failed: ${peer.error}`);
      }
    } else {
      console.error('bench: tfjs-wasm not measured in Chromium: the peers are not installed (run ../shared/bench/setup.sh once)');
    }
  } finally {
    await browser.close();
    server.close();
  }
}
