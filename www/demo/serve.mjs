// A small static file server for the demo storefront, with the cache headers a CDN would
// give aisle's files: the manifest is cached briefly, content-hashed bundles forever.
// Usage: node www/demo/serve.mjs <site-dir> [port]   (port 0 picks a free one)
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream', '.svg': 'image/svg+xml',
};

/** The features JSON of the bench's peer (GrowthBook's `/api/features/<client key>`), under `/peer/`. */
const PEER_FEATURES = /^\/peer\/api\/features\/[\w-]+$/;

function cacheControl(path) {
  if (/\/bundle-[0-9a-f]+\.bin$/.test(path)) return 'public, max-age=31536000, immutable';
  // The peer's features JSON is cached like aisle's manifest, and its script like aisle's.
  if (path.endsWith('/manifest.json') || PEER_FEATURES.test(path)) return 'public, max-age=60';
  if (path.startsWith('/aisle/') || path.startsWith('/peer/')) return 'public, max-age=300';
  return 'no-cache';
}

/** Forwards a beacon to the collector (`aisle collect`), so the demo's events stay same-origin. */
async function forward(req, res, collector) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  try {
    const answer = await fetch(collector, { method: 'POST', body: Buffer.concat(chunks), headers: { 'content-type': req.headers['content-type'] || 'text/plain' } });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') || 'application/json' }).end(await answer.text());
  } catch (error) {
    res.writeHead(502, { 'content-type': 'text/plain' }).end(`collector unreachable: ${error.message}`);
  }
}

/**
 * Starts the server; resolves to { server, url }. `collector`: URL of `aisle collect`'s
 * endpoint that POST /e is forwarded to (without one, /e answers 503 and aisle retries later).
 */
export function startServer({ root, port = 0, host = '127.0.0.1', collector = process.env.AISLE_COLLECTOR }) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://localhost');
      if (url.pathname === '/e' && req.method === 'POST') {
        if (collector) await forward(req, res, collector);
        else res.writeHead(503, { 'content-type': 'text/plain' }).end('no collector configured');
        return;
      }
      let path = decodeURIComponent(url.pathname);
      if (path.endsWith('/')) path += 'index.html';
      const file = normalize(join(root, path));
      if (!file.startsWith(normalize(root))) { res.writeHead(403).end(); return; }
      const info = await stat(file).catch(() => null);
      if (!info || !info.isFile()) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      res.writeHead(200, {
        'content-type': PEER_FEATURES.test(path) ? TYPES['.json'] : TYPES[extname(file)] || 'application/octet-stream',
        'cache-control': cacheControl(path),
        'access-control-allow-origin': '*',
      });
      res.end(req.method === 'HEAD' ? undefined : await readFile(file));
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  return new Promise((resolve) => server.listen(port, host, () => {
    const { port: actual } = /** @type {import('node:net').AddressInfo} */ (server.address());
    resolve({ server, url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${actual}` });
  }));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [root, port] = process.argv.slice(2);
  const { url } = await startServer({ root, port: Number(port ?? 8080) });
  console.log(`\n  aisle demo store: ${url}/\n  (debug view: ${url}/c/all.html?aisle_debug=1)\n`);
}
