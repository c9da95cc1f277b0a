// Bundles the playground (page script and training worker) into dist/web with esbuild.
// Usage: node web/build.mjs [outdir]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2] ?? join(here, '..', 'dist', 'web');
mkdirSync(outdir, { recursive: true });
await build({
  entryPoints: { main: join(here, 'main.ts'), worker: join(here, 'worker.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir,
  logLevel: 'error',
});
copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
console.log(`playground built in ${outdir}`);
