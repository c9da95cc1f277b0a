// Builds the playground and serves it on http://127.0.0.1:8080 (or PORT). Usage: npm run playground
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'dist', 'web');
execFileSync(process.execPath, [fileURLToPath(new URL('./build.mjs', import.meta.url)), root], { stdio: 'inherit' });
const types = { '.html': 'text/html', '.js': 'text/javascript' };
const port = Number(process.env.PORT ?? 8080);
createServer(async (request, response) => {
  const path = normalize(new URL(request.url, 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
  try {
    const body = await readFile(join(root, path));
    response.setHeader('content-type', types[extname(path)] ?? 'application/octet-stream');
    response.end(body);
  } catch {
    response.statusCode = 404;
    response.end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`backprop playground: http://127.0.0.1:${port}/`));
