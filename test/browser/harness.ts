/** Serves a folder on localhost and opens it in Debian's headless Chromium through playwright-core. */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
/** `skip` option for browser tests: false, or why they cannot run here. */
export const SKIP_WITHOUT_CHROMIUM: false | string = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

/**
 * Serves `dir` and opens `path` in a fresh headless Chromium; with `isolated`, every response
 * carries the COOP/COEP headers that make the page cross-origin isolated (SharedArrayBuffer, and
 * workers that share memory).
 */
export async function withPage<T>(dir: string, path: string, run: (page: Page, errors: string[]) => Promise<T>, options: { isolated?: boolean } = {}): Promise<T> {
  const { chromium } = await import('playwright-core');
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };
  const server = createServer((request, response) => {
    const file = normalize(new URL(request.url!, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    if (options.isolated) {
      response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
      response.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    }
    try {
      const body = readFileSync(join(dir, file));
      response.setHeader('content-type', types[extname(file)] ?? 'application/octet-stream');
      response.end(body);
    } catch {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/${path}`);
    return await run(page, errors);
  } finally {
    await browser.close();
    server.close();
  }
}
