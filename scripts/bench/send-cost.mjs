//! What sending one batch of events costs the page's main thread, per way of sending it:
//! `navigator.sendBeacon` with a Blob or with the text, `fetch` (keepalive) with or without a
//! `content-type` header, and `fetch` without keepalive. Each is timed around the call alone
//! (the request itself goes on off the main thread), the first send of a freshly loaded demo
//! page (aisle off), in headless Chromium, ROUNDS rounds interleaved; prints the median and
//! p10-p90 in ms. Why `www/loader/delivery.js` sends the text with no header, and why its
//! idle-time `fetch` keeps `keepalive` (no dearer than without).
//! Usage: node scripts/bench/send-cost.mjs [--rounds N] (needs target/demo-site).
import { chromium } from 'playwright-core';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/demo/serve.mjs';
import { CHROMIUM_ARGS } from '../chromium.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
import { fmt, stats } from './stats.mjs';

const args = process.argv.slice(2);
const ROUNDS = Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 15);
const { server, url } = await startServer({ root: join(ROOT, 'target', 'demo-site'), port: 0 });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  const ways = ['sendBeacon(Blob)', 'sendBeacon(text)', 'fetch keepalive, content-type header', 'fetch keepalive, no header', 'fetch, no keepalive'];
  const samples = Object.fromEntries(ways.map((w) => [w, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const way of ways) {
      // A fresh page each time: the loader sends once as a page goes away, so the first call
      // of a page is the one that counts.
      await page.goto(url + '/c/all.html?aisle=off', { waitUntil: 'load' });
      samples[way].push(await page.evaluate((way) => {
        // A batch as the loader sends it: ten events, JSON text.
        const body = JSON.stringify(Array.from({ length: 10 }, (_, i) => ({ v: 1, id: 'e' + i, ts: Date.now(), visitor: '0'.repeat(32), session: '1', type: 'product_view', product: 'p00' + i })));
        const send = {
          'sendBeacon(Blob)': () => navigator.sendBeacon('/e', new Blob([body], { type: 'text/plain' })),
          'sendBeacon(text)': () => navigator.sendBeacon('/e', body),
          'fetch keepalive, content-type header': () => fetch('/e', { method: 'POST', body, keepalive: true, credentials: 'omit', headers: { 'content-type': 'text/plain' } }).catch(() => {}),
          'fetch keepalive, no header': () => fetch('/e', { method: 'POST', body, keepalive: true, credentials: 'omit' }).catch(() => {}),
          'fetch, no keepalive': () => fetch('/e', { method: 'POST', body, credentials: 'omit' }).catch(() => {}),
        }[way];
        const start = performance.now();
        send();
        return performance.now() - start;
      }, way));
    }
  }
  console.log(`| way of sending (${ROUNDS} rounds) | median ms | p10-p90 ms |`);
  console.log('|---|---|---|');
  for (const [name, values] of Object.entries(samples)) {
    const s = stats(values);
    console.log(`| ${name} | ${fmt(s.median, 2)} | ${fmt(s.p10, 2)}-${fmt(s.p90, 2)} |`);
  }
} finally {
  await browser.close();
  server.close();
}
