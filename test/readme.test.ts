/** The README's code blocks run as written, against the built package imported by its name. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('every js code block of the README runs and prints what it says', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  assert.ok(blocks.length >= 2, 'the README has a quickstart');
  const dir = `${root}.tmp/readme-test`;
  mkdirSync(dir, { recursive: true });
  try {
    blocks.forEach((code, i) => {
      const file = `${dir}/block${i}.mjs`;
      writeFileSync(file, code);
      const output = execFileSync(process.execPath, [file], { encoding: 'utf8', cwd: root });
      if (i === 0) {
        const loss = Number(/final loss (\S+)/.exec(output)?.[1]);
        assert.ok(loss < 0.05, `quickstart final loss ${loss}`);
        assert.match(output, /\[\s*\[/);
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every js code block of the README type-checks as strict TypeScript against the package\'s declarations', () => {
  const readme = readFileSync(`${root}README.md`, 'utf8');
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
  // Inside the package, so that 'backprop' resolves to it by name as for a user of the package.
  const dir = `${root}.tmp/readme-types`;
  mkdirSync(dir, { recursive: true });
  try {
    const files = blocks.map((code, i) => {
      const file = `${dir}/block${i}.mts`;
      writeFileSync(file, code);
      return file;
    });
    const tsc = `${root}node_modules/typescript/bin/tsc`;
    const args = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', ...files];
    try {
      execFileSync(process.execPath, [tsc, ...args], { encoding: 'utf8', cwd: root });
    } catch (error) {
      assert.fail(`tsc: ${(error as { stdout?: string }).stdout ?? error}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the training guide example runs', () => {
  const guide = readFileSync(`${root}docs/training.md`, 'utf8');
  const code = /```js\n([\s\S]*?)```/.exec(guide)![1];
  const dir = `${root}.tmp/guide-test`;
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(`${dir}/guide.mjs`, code);
    const output = execFileSync(process.execPath, [`${dir}/guide.mjs`], { encoding: 'utf8', cwd: root });
    assert.match(output, /^(epochs|earlyStopping) /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the package\'s declarations type-check for a consumer without Node\'s or the DOM\'s types', () => {
  const dir = `${root}.tmp/bare-types`;
  mkdirSync(dir, { recursive: true });
  try {
    writeFileSync(`${dir}/use.mts`, "import { Adam, fit, mlp, tensor } from 'backprop';\nconst m = mlp({ sizes: [2, 2] });\nfit(m, { x: tensor([[0, 1]]), y: Int32Array.from([1]) }, { loss: 'softmaxCrossEntropy', optimizer: new Adam(m.parameters()) });\n");
    writeFileSync(`${dir}/tsconfig.json`, JSON.stringify({ compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', noEmit: true, types: [], lib: ['es2022'], skipLibCheck: false }, files: ['use.mts'] }));
    try {
      execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', `${dir}/tsconfig.json`], { encoding: 'utf8', cwd: root });
    } catch (error) {
      assert.fail(`tsc: ${(error as { stdout?: string }).stdout ?? error}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
