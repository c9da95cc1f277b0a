/** Running the real `backprop` command from the repository root, as a user would. */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/cli). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'backprop.js');
export const IRIS = join(ROOT, 'data', 'iris.csv');
export const DIGITS = join(ROOT, 'data', 'digits.csv');

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `backprop ...args` to completion (stdin from `input`, extra environment `env`), from `cwd` (default the repository root). */
export function backprop(args: readonly string[], { input, cwd = ROOT, env = {} }: { input?: string; cwd?: string; env?: Record<string, string> } = {}): RunResult {
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts `backprop ...args` without waiting. */
export function startBackprop(args: readonly string[], cwd = ROOT): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Parses the stdout of a --json run, failing with its stderr when it is not JSON. */
export function json(result: RunResult): any {
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new Error(`expected JSON on stdout, got status ${result.status}, stdout ${JSON.stringify(result.stdout.slice(0, 500))}, stderr ${JSON.stringify(result.stderr.slice(0, 2000))}`);
  }
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function temporaryDirectory(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
