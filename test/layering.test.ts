/**
 * The layering rule of docs/architecture.md: each src/ folder imports only folders before it in
 * LAYERS, and nothing in src/ touches Node, the DOM, the file system or the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const LAYERS = ['util', 'kernels', 'tensor', 'autograd', 'ops', 'nn', 'optim', 'data', 'train', 'io'];
const root = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

test('src/ folders import only the folders below them, and no platform APIs', () => {
  const problems: string[] = [];
  for (const file of sources(root)) {
    const rel = relative(root, file);
    const layer = rel.includes('/') ? rel.split('/')[0] : null;
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/g)) {
      const spec = match[1];
      if (!spec.startsWith('.')) {
        if (spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads'].includes(spec)) problems.push(`${rel} imports ${spec}`);
        continue;
      }
      const target = relative(root, join(file, '..', spec));
      const targetLayer = target.includes('/') ? target.split('/')[0] : null;
      if (layer === null || targetLayer === null || targetLayer === layer) continue;
      if (LAYERS.indexOf(targetLayer) > LAYERS.indexOf(layer)) problems.push(`${rel} (${layer}) imports ${spec} from the higher layer ${targetLayer}`);
    }
    const code = text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const forbidden of [/\bprocess\./, /\brequire\(/, /\bdocument\./, /\bwindow\./, /\bconsole\.log\(/]) {
      if (forbidden.test(code)) problems.push(`${rel} uses ${forbidden.source}`);
    }
  }
  assert.deepEqual(problems, []);
});
