/** The install-time build of the native addon never fails the install and says which tool is missing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../../scripts/build-native.mjs', import.meta.url));

for (const [tool, variables, reason] of [
  ['Python', { PYTHON: '/nonexistent/python3', npm_config_python: '/nonexistent/python3' }, 'no Python (node-gyp needs python3)'],
  ['C++ compiler', { CXX: '/nonexistent/c++' }, 'no C++ compiler'],
] as const) {
  test(`build-native without a working ${tool} says so, exits 0 and leaves the portable backends`, () => {
    // npm_config_node_gyp and the headers are found as in an install; the tool check comes before node-gyp runs.
    const result = spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, ...variables, BACKPROP_SKIP_NATIVE: '' } });
    assert.equal(result.status, 0, result.stderr);
    const line = result.stdout.trim();
    // Where node-gyp, the Node headers or an earlier tool are missing the script stops there, with its own reason.
    if (/node-gyp not found|no local Node headers|no Python|no make/.test(line) && !line.includes(reason)) return;
    assert.equal(line, `backprop: native backend not built (${reason}); using the portable backends`);
  });
}
