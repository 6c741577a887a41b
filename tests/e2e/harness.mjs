// Shared set-up for the end-to-end tests: the demo storefront served on loopback and a
// headless Chromium driven by playwright-core (Debian's /usr/bin/chromium; no downloads).
import { chromium } from 'playwright-core';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/demo/serve.mjs';
import { startCollector } from '../../www/demo/collector.mjs';
import { CHROMIUM_ARGS } from '../../scripts/chromium.mjs';

export { CHROMIUM_ARGS, startCollector };

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SITE = process.env.AISLE_DEMO_SITE || join(ROOT, 'target', 'demo-site');

/** FNV-1a 32 over UTF-16 code units, as docs/ab-testing.md specifies (a JS twin of the Rust). */
export function fnv1a32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
  return h;
}

/** GrowthBook hash v2 of (seed, id), in [0, 1). */
export const hashV2 = (seed, id) => (fnv1a32(String(fnv1a32(seed + id))) % 10000) / 10000;

/** The first visitor id (32 hex digits) that the demo's experiment puts in `arm`. */
export function visitorInArm(arm, holdout = 0.1) {
  for (let i = 1; ; i++) {
    const id = i.toString(16).padStart(32, '0');
    const n = hashV2('aisle-rerank', id);
    if ((arm === 'holdout') === (n < holdout)) return id;
  }
}

/** An init script that makes this browser context the given visitor. */
export const asVisitor = (id) => `try { localStorage.setItem('aisle:v1:visitor', ${JSON.stringify(id)}); } catch (e) {}\n`;

/** Starts the demo server (forwarding beacons to a real `aisle collect`) and a browser. */
export async function openDemo() {
  const collector = await startCollector();
  const { server, url } = await startServer({ root: SITE, port: 0, collector: collector.url });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  return {
    url,
    browser,
    /** A fresh context (own storage and cache) with a page that records every error. */
    async newPage(options = {}) {
      const context = await browser.newContext(options.context || {});
      // Unless a test says otherwise, the shopper is a visitor in the personalized arm.
      const visitor = options.visitor === undefined ? visitorInArm('personalized') : options.visitor;
      await context.addInitScript((visitor ? asVisitor(visitor) : '') + (options.init || ''));
      // The anti-flicker hide gives up after 300 ms, and then aisle leaves the visible grid
      // alone; on a loaded machine a cold start can take longer. Tests about ordering drop the
      // hide so their outcome does not depend on timing; tests about the hide keep it.
      if (!options.keepHide) {
        await context.route((url) => url.pathname.endsWith('.html') || url.pathname.endsWith('/'), async (route) => {
          const response = await route.fetch();
          await route.fulfill({ response, body: (await response.text()).replace(' data-hide="300"', '') });
        });
      }
      const page = await context.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => { if (message.type() === 'error' && !isExpectedNetworkError(message.text(), options)) problems.push(`console: ${message.text()}`); });
      page.on('response', async (response) => {
        const line = `http ${response.status()}: ${response.url()}`;
        if (response.status() >= 400 && !isExpectedNetworkError(line, options)) problems.push(line);
      });
      page.problems = problems;
      return page;
    },
    collector,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
      await collector.stop();
    },
  };
}

// A 404 the test itself arranged shows up as a console error by the browser's own network
// layer, not by aisle; tests that arrange one list it here.
function isExpectedNetworkError(text, options) {
  return (options.expectedHttpErrors || []).some((fragment) => text.includes(fragment));
}

/** Ids of the product cards in the first grid, in the order shown. */
export function gridOrder(page) {
  return page.$$eval('.product-grid > .product-card', (cards) => cards.map((c) => c.dataset.productId));
}

/** Category ids of the cards in the first grid, in the order shown. */
export function gridCategories(page) {
  return page.$$eval('.product-grid > .product-card', (cards) => cards.map((c) => c.dataset.category));
}

/** Resolves with the detail of the first `name` event on document (or null after `ms`). */
export function waitForAisleEvent(page, name, ms = 5000) {
  return page.evaluate(([name, ms]) => new Promise((resolve) => {
    const seen = (window.__aisleSeen || {})[name];
    if (seen) return resolve(seen);
    document.addEventListener(name, (e) => resolve(e.detail), { once: true });
    setTimeout(() => resolve(null), ms);
  }), [name, ms]);
}

/** An init script that remembers aisle's events from the very start of each page. */
export const RECORD_EVENTS = `
  window.__aisleSeen = {}; window.__aisleLog = [];
  for (const name of ['aisle:ready', 'aisle:reordered', 'aisle:error', 'aisle:disabled', 'aisle:event', 'aisle:abandon-risk', 'aisle:hide', 'aisle:show']) {
    document.addEventListener(name, (e) => { window.__aisleSeen[name] = window.__aisleSeen[name] || e.detail; window.__aisleLog.push([name, e.detail]); });
  }`;

// In the page: what the kit holds (its index, and the names its wasm and bundle entries start
// with: the wasm's integrity, the bundle's URL, null when absent) once it has every part in
// `need` and its wasm is not `wasmNot`; else null. A function, not a string: Playwright
// evaluates a string predicate with `eval`, which a CSP without 'unsafe-eval' refuses.
export function kitHolding({ need, wasmNot }) {
  const name = (key) => { const value = localStorage.getItem(key); return value === null ? null : value.slice(0, value.indexOf(' ')); };
  const kit = { index: JSON.parse(localStorage.getItem('aisle:v1:kit') || 'null'), wasm: name('aisle:v1:kit:wasm'), bundle: name('aisle:v1:kit:bundle') };
  return need.every((part) => kit[part]) && kit.wasm !== wasmNot ? kit : null;
}

/** Waits until the page kept the kit's parts in `need` (at idle time); returns what it holds. */
export function waitForKit(page, need, wasmNot = null) {
  return page.waitForFunction(kitHolding, { need, wasmNot }, { timeout: 8000 }).then((handle) => handle.jsonValue());
}
