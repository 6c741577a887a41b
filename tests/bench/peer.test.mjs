// The bench's peer does what the bench says it does: GrowthBook's real script tag
// (auto.min.js from the pinned npm package), given the features JSON that
// scripts/bench/peer.mjs writes, moves the demo page's cards into the target order for a
// visitor in the treatment and leaves the shop's order for one in the control, on the
// demo site served by www/demo/serve.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../www/demo/serve.mjs';
import { CHROMIUM_ARGS, SITE } from '../e2e/harness.mjs';
import { featuresPayload, installPeer, visitorInVariation, withPeer, FEATURES_PATH, PEER_TAG } from '../../scripts/bench/peer.mjs';

const PAGE = '/c/all.html';
const GRID = '.product-grid';
const MANIFEST = JSON.parse(readFileSync(join(SITE, 'aisle', 'manifest.json'), 'utf8'));

let dir, server, url, browser, shop, target, payload;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aisle-peer-'));
  cpSync(SITE, dir, { recursive: true });
  const html = readFileSync(join(SITE, PAGE), 'utf8');
  writeFileSync(join(dir, PAGE), withPeer(html));
  shop = [...html.matchAll(/<li class="product-card" data-product-id="([^"]+)"/g)].map((m) => m[1]);
  // A target unlike the shop's order: every other card first, then the rest, each reversed.
  target = [...shop.filter((_, i) => i % 2).reverse(), ...shop.filter((_, i) => !(i % 2)).reverse()];
  payload = featuresPayload({ experiment: MANIFEST.experiments[0], pagePath: PAGE, gridSelector: GRID, idAttribute: 'data-product-id', order: target });
  installPeer(dir, payload);
  ({ server, url } = await startServer({ root: dir, port: 0 }));
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** Loads the page as `visitor`; returns the grid's order once GrowthBook tracked its experiment. */
async function gridFor(visitor) {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'gbuuid', value: visitor, url }]);
  const page = await context.newPage();
  await page.goto(url + PAGE);
  await page.waitForFunction(() => (window.dataLayer || []).some((e) => e.event === 'experiment_viewed'));
  const viewed = await page.evaluate(() => window.dataLayer.find((e) => e.event === 'experiment_viewed'));
  const order = await page.$$eval(`${GRID} > *`, (cards) => cards.map((c) => c.getAttribute('data-product-id')));
  const features = await page.evaluate(async (path) => {
    const response = await fetch(path);
    return { type: response.headers.get('content-type'), cache: response.headers.get('cache-control') };
  }, FEATURES_PATH);
  await context.close();
  return { order, viewed, features };
}

test('the page carries GrowthBook\'s tag instead of aisle\'s', () => {
  const html = readFileSync(join(dir, PAGE), 'utf8');
  assert.ok(html.includes(PEER_TAG));
  assert.ok(!html.includes('/aisle/aisle.js'));
  assert.notDeepEqual(target, shop);
  assert.equal(target.length, shop.length);
});

test('a treatment visitor gets the grid in the target order, from position mutations', async () => {
  const { order, viewed, features } = await gridFor(visitorInVariation(payload, 1));
  assert.deepEqual(order, target);
  assert.equal(viewed.experiment_id, MANIFEST.experiments[0].key);
  // Served like aisle's manifest.
  assert.equal(features.type, 'application/json');
  assert.equal(features.cache, 'public, max-age=60');
});

test('a control visitor keeps the shop\'s order', async () => {
  const { order, viewed } = await gridFor(visitorInVariation(payload, 0));
  assert.deepEqual(order, shop);
  assert.equal(viewed.experiment_id, MANIFEST.experiments[0].key);
});
