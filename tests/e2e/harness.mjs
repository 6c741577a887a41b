// Shared set-up for the end-to-end tests: the demo storefront served on loopback and a
// headless Chromium driven by playwright-core (Debian's /usr/bin/chromium; no downloads).
import { chromium } from 'playwright-core';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/demo/serve.mjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SITE = process.env.AISLE_DEMO_SITE || join(ROOT, 'target', 'demo-site');

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

/** Starts the demo server and a browser; returns helpers and a `close()`. */
export async function openDemo() {
  const { server, url } = await startServer({ root: SITE, port: 0 });
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
      if (options.init) await context.addInitScript(options.init);
      const page = await context.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
      page.on('console', (message) => { if (message.type() === 'error' && !isExpectedNetworkError(message.text(), options)) problems.push(`console: ${message.text()}`); });
      page.problems = problems;
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
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
  for (const name of ['aisle:ready', 'aisle:reordered', 'aisle:error', 'aisle:disabled', 'aisle:event']) {
    document.addEventListener(name, (e) => { window.__aisleSeen[name] = window.__aisleSeen[name] || e.detail; window.__aisleLog.push([name, e.detail]); });
  }`;
