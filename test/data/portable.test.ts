import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

// src/data must run in browsers: it may import only its own files, src/util and papaparse
// (whose browser build needs no Node built-ins), and must not touch Node globals.
test('src/data imports nothing but ./, ../util/ and papaparse, and uses no Node globals', () => {
  const folder = new URL('../../../src/data/', import.meta.url);
  const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length >= 8);
  for (const name of files) {
    const source = readFileSync(new URL(name, folder), 'utf8');
    for (const [, specifier] of source.matchAll(/\bfrom\s+'([^']+)'/g)) {
      assert.ok(specifier.startsWith('./') || specifier.startsWith('../util/') || specifier === 'papaparse/papaparse.min.js' || (name.endsWith('.d.ts') && specifier === 'papaparse'), `${name} imports ${specifier}`);
    }
    assert.doesNotMatch(source, /\b(process|Buffer|require|__dirname)\b[.(]/, name);
  }
});
