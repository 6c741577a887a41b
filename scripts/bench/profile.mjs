//! Where aisle's own main-thread time goes on a returning shopper's warm load, per function:
//! the CPU profiler's samples (every 20 µs) of the second load of the demo's category page in
//! one context (the first page keeps the start kit, so the second starts from it), summed over
//! RUNS contexts. The loader is served unminified (esbuild's output, `target/glue/aisle.js`,
//! before terser) so that its functions keep their names. Prints, per function of aisle.js or
//! of the wasm and everything they call, the inclusive and self ms per load, and the same for
//! the calls made from FOCUS functions. The previous page's `pagehide` work counts too: it
//! runs after the navigation started. Sampling slows scripts down: compare runs of this tool
//! with each other only.
//! `--loader FILE`: another unminified aisle.js (an older build's, to compare).
//! Usage: node scripts/bench/profile.mjs [--runs N] [--top N] [--focus REGEX] [--loader FILE]
//! (needs target/demo-site: scripts/demo-site.sh, and target/glue/aisle.js: scripts/build.sh).
import { chromium } from 'playwright-core';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/demo/serve.mjs';
import { startCollector } from '../../www/demo/collector.mjs';
import { CHROMIUM_ARGS } from '../chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const RUNS = Number(option('--runs', 8));
const TOP = Number(option('--top', 30));
const FOCUS = new RegExp(option('--focus', '^(flush|onHidden|overdue|startFromKit)$'));
const PAGE = '/c/all.html';
const LOADER = option('--loader', join(ROOT, 'target', 'glue', 'aisle.js'));

const site = mkdtempSync(join(tmpdir(), 'aisle-profile-'));
cpSync(join(ROOT, 'target', 'demo-site'), site, { recursive: true });
cpSync(LOADER, join(site, 'aisle', 'aisle.js'));
// aisle's events go to a running `aisle collect`, as in the bench (scripts/bench/page.mjs).
const collector = await startCollector();
const { server, url } = await startServer({ root: site, port: 0, collector: collector.url });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });

const inclusive = new Map();
const own = new Map();
const add = (key, total, self) => {
  inclusive.set(key, (inclusive.get(key) || 0) + total);
  own.set(key, (own.get(key) || 0) + self);
};
let fromKit = 0;
try {
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext();
    // A returning shopper: two views on the first page only.
    await context.addInitScript(() => {
      if (!sessionStorage.getItem('queued')) { sessionStorage.setItem('queued', '1'); window.aisle = [['view', 'p001'], ['view', 'p002']]; }
      document.addEventListener('aisle:ready', (e) => { /** @type {any} */ (window).__ready = /** @type {CustomEvent} */ (e).detail; });
    });
    const page = await context.newPage();
    await page.goto(url + PAGE, { waitUntil: 'load' });
    await page.waitForFunction(() => localStorage.getItem('aisle:v1:kit:bundle'), null, { timeout: 8000 });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 20 });
    await cdp.send('Profiler.start');
    await page.goto(url + PAGE, { waitUntil: 'load' });
    await page.waitForTimeout(700);
    const { profile } = await cdp.send('Profiler.stop');
    if ((await page.evaluate(() => /** @type {any} */ (window).__ready || {})).kit) fromKit++;

    const selfUs = new Map();
    profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) || 0) + (profile.timeDeltas[i + 1] || 0)));
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const totalUs = (n) => (selfUs.get(n.id) || 0) + (n.children || []).reduce((sum, c) => sum + totalUs(nodes.get(c)), 0);
    const walk = (node, inAisle, parent) => {
      const frame = node.callFrame;
      const file = frame.url.split('/').pop();
      const fn = frame.functionName || '(anonymous)';
      const name = `${fn} (${file || 'native'}${file ? ':' + (frame.lineNumber + 1) : ''})`;
      const aisle = inAisle || file === 'aisle.js' || file === 'aisle_core_bg.wasm';
      if (aisle) {
        const total = totalUs(node);
        const self = selfUs.get(node.id) || 0;
        add(name, total, self);
        if (parent && FOCUS.test(parent.fn)) add(`${parent.name} > ${name}`, total, self);
      }
      for (const child of node.children || []) walk(nodes.get(child), aisle, { fn, name });
    };
    walk(nodes.get(profile.nodes[0].id), false, null);
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
  await collector.stop();
  rmSync(site, { recursive: true, force: true });
}

console.log(`## aisle's functions on a warm load (${RUNS} runs, ${fromKit} started from the kit), ms per load`);
console.log('(inclusive counts a recursive function once per frame on the stack)');
const table = (keys) => {
  console.log('| inclusive | self | function |');
  console.log('|---|---|---|');
  for (const key of keys.sort((a, b) => inclusive.get(b) - inclusive.get(a)).slice(0, TOP)) {
    console.log(`| ${(inclusive.get(key) / 1000 / RUNS).toFixed(2)} | ${(own.get(key) / 1000 / RUNS).toFixed(2)} | ${key.replace(/\|/g, '\\|')} |`);
  }
};
table([...inclusive.keys()].filter((k) => !k.includes(' > ')));
console.log(`\n## Calls from ${FOCUS.source}`);
table([...inclusive.keys()].filter((k) => k.includes(' > ')));
