// `aisle collect` (the release CLI) on a free loopback port, for the demo's server to forward
// its beacons to (`serve.mjs`): used by the end-to-end tests (tests/e2e/harness.mjs) and by the
// bench (scripts/bench/page.mjs), so that aisle's events are delivered as on a store that runs
// the collector, as scripts/demo.sh does.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Starts `aisle collect` on a free loopback port; resolves to { url, dir, stop }. Without a `dir`
 * it collects into a new temporary folder, which `stop()` removes.
 */
export function startCollector(dir) {
  const temporary = dir === undefined;
  if (temporary) dir = mkdtempSync(join(tmpdir(), 'aisle-events-'));
  const child = spawn(join(ROOT, 'target', 'release', 'aisle'), ['collect', '--listen', '127.0.0.1:0', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = () => new Promise((done) => {
    child.on('exit', () => {
      if (temporary) rmSync(dir, { recursive: true, force: true });
      done();
    });
    child.kill('SIGINT');
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('error', reject);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const match = out.match(/listening on (http:\/\/[^\s,]+)/);
      if (match) resolve({ url: match[1], dir, stop });
    });
  });
}
