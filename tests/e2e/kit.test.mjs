// The start kit (www/loader/kit.js): a returning shopper's page orders its grid from what an
// earlier page kept in localStorage, before any fetch, and falls back to the network route
// whenever the kit is stale, damaged, switched off or outdated by the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemo, gridOrder, ROOT, waitForKit } from './harness.mjs';
import { WATCH, rewriteHtml, withScriptAttributes, assertPageWon, reordered, shopAndViews, aisleErrors } from './faults-support.mjs';

const PAGE = '/c/all.html';
const KIT = 'aisle:v1:kit';
/** The CSP docs/security.md recommends (without the stub line, which these pages do not need). */
const RECOMMENDED_CSP = "script-src 'self' 'wasm-unsafe-eval'";

// What each page saw of aisle's own files at the moment its grid was ordered: the kit's
// start fetches nothing before that.
const FETCHED_AT_ORDER = `
  document.addEventListener('aisle:reordered', () => {
    window.__fetchedAtOrder = performance.getEntriesByType('resource')
      .map((r) => new URL(r.name).pathname).filter((p) => p.startsWith('/aisle/') && !p.endsWith('/aisle.js'));
  }, { once: true });`;

let demo, shopOrder, viewed;
before(async () => {
  demo = await openDemo();
  ({ shopOrder, viewed } = await shopAndViews(demo, PAGE));
});
after(() => demo.close());

// The views are queued on the first page of the context only, so that every later page has
// the same history to order from.
const queueViewsOnce = (ids) => `if (!sessionStorage.getItem('queued')) { sessionStorage.setItem('queued', '1'); window.aisle = ${JSON.stringify(ids.map((id) => ['view', id]))}; }`;

// The demo's hide is left out (the harness's default): under load the network route can run
// past its cap, and the grid then rightly keeps the shop's order; these tests are about order.
async function shopper(options = {}) {
  return demo.newPage({ init: WATCH + FETCHED_AT_ORDER + queueViewsOnce(viewed), ...options });
}

/** Loads PAGE in `page`; returns the pass's event, the order and what was fetched before it. */
async function load(page, path = PAGE) {
  await page.goto(demo.url + path);
  const event = await reordered(page, 8000);
  assert.ok(event, 'aisle ran its pass');
  return { event, order: await gridOrder(page), fetched: await page.evaluate(() => window.__fetchedAtOrder) };
}

const keptKit = (page) => waitForKit(page, ['index', 'wasm', 'bundle']);

/** Resolves once the page's idle-time work (aisle's starts at the load event) has run: two idle
 * callbacks queued after the load event, behind aisle's own. */
async function afterIdle(page) {
  await page.waitForLoadState('load');
  await page.evaluate(() => new Promise((resolve) => requestIdleCallback(() => requestIdleCallback(resolve))));
}

test('the second page orders its grid from the kit: nothing fetched first, and the same order', async () => {
  const page = await shopper();
  const first = await load(page);
  assert.equal(first.event.personalized, true);
  assert.notDeepEqual(first.order, shopOrder, 'the first page was personalized');
  assert.ok(first.fetched.length >= 3, `the first page fetched the wasm, manifest and bundle (${first.fetched})`);
  const { index, wasm, bundle } = await keptKit(page);
  assert.equal(index.manifest, demo.url + '/aisle/manifest.json');
  assert.match(wasm, /^sha384-/, 'the wasm is kept under its integrity');
  assert.match(bundle, /^http:.*\/aisle\/bundle-[0-9a-f]+\.bin$/, 'the bundle under its URL');
  assert.ok(index.freshUntil > Date.now() && index.freshUntil <= Date.now() + 61_000, 'fresh for the manifest\'s max-age (60 s)');
  assert.equal(index.usableUntil, index.freshUntil, 'and no longer: the demo sends no stale-while-revalidate');

  assert.equal((await page.evaluate(() => window.__aisleSeen['aisle:ready'])).kit, false, 'the first page started the network way');
  const second = await load(page);
  assert.equal((await page.evaluate(() => window.__aisleSeen['aisle:ready'])).kit, true, 'aisle:ready says the kit served');
  assert.deepEqual(second.fetched, [], 'nothing of aisle\'s was fetched before the grid was in order');
  assert.equal(second.event.personalized, true);
  assert.deepEqual(second.order, first.order, 'the kit orders as the network route did');
  await assertPageWon(page, {});
  assert.deepEqual(await aisleErrors(page), []);
  await page.context().close();
});

test('a manifest past its freshness sends the page the network way, which keeps a fresh kit', async () => {
  const page = await shopper();
  const first = await load(page);
  await keptKit(page);
  await page.evaluate((key) => {
    const index = JSON.parse(localStorage.getItem(key));
    localStorage.setItem(key, JSON.stringify({ ...index, freshUntil: Date.now() - 1, usableUntil: Date.now() - 1 }));
  }, KIT);
  const stale = await load(page);
  assert.ok(stale.fetched.some((p) => p.endsWith('/manifest.json')), `the manifest was fetched before the order (${stale.fetched})`);
  assert.deepEqual(stale.order, first.order);
  const index = await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key)).usableUntil > Date.now(), KIT, { timeout: 8000 });
  assert.ok(index, 'the kit is fresh again');
  const next = await load(page);
  assert.deepEqual(next.fetched, [], 'and the page after uses it');
  await assertPageWon(page, {});
  await page.context().close();
});

/** Serves the manifest with the kill switch on, and with `cacheControl` when given. */
async function flipKillSwitch(page, cacheControl) {
  // A route: Playwright's routing also bypasses the HTTP cache.
  await page.context().route((url) => url.pathname === '/aisle/manifest.json', async (route) => {
    const response = await route.fetch();
    const manifest = JSON.parse(await response.text());
    const headers = { ...response.headers(), ...(cacheControl ? { 'cache-control': cacheControl } : {}) };
    await route.fulfill({ response, headers, body: JSON.stringify({ ...manifest, kill_switch: true }) });
  });
}

async function expectKilled(page) {
  await page.goto(demo.url + PAGE);
  const disabled = await page.waitForFunction(() => window.__aisleSeen['aisle:disabled'], null, { timeout: 8000 }).then((h) => h.jsonValue());
  assert.equal(disabled.reason, 'kill_switch');
  await assertPageWon(page, { expectedOrder: shopOrder });
}

test('the kill switch, max-age only: within the kept manifest\'s max-age a page personalizes and asks nothing, as the HTTP cache would; after it, the next page is off', async () => {
  const page = await shopper();
  await load(page);
  await keptKit(page);
  await flipKillSwitch(page);
  const within = await load(page);
  assert.deepEqual(within.fetched, [], 'the page within the max-age started from the kit');
  assert.equal(within.event.personalized, true);
  await afterIdle(page);
  assert.deepEqual(await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.endsWith('/manifest.json'))), [],
    'a fresh manifest is not asked for again');
  // The max-age runs out.
  await page.evaluate((key) => localStorage.setItem(key, JSON.stringify({ ...JSON.parse(localStorage.getItem(key)), freshUntil: Date.now() - 1, usableUntil: Date.now() - 1 })), KIT);
  await expectKilled(page);
  await page.context().close();
});

test('stale-while-revalidate: past max-age but within it, a page starts from the kit and revalidates the manifest at idle; the next page follows the new one', async () => {
  const page = await shopper();
  const swr = 'public, max-age=0, stale-while-revalidate=600';
  await page.context().route((url) => url.pathname === '/aisle/manifest.json', async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'cache-control': swr } });
  });
  await load(page);
  const { index } = await keptKit(page);
  assert.ok(index.freshUntil <= Date.now() && index.usableUntil > Date.now() + 590_000, 'stale at once, usable for 600 s');
  await page.context().unrouteAll();
  await flipKillSwitch(page, swr);
  const stale = await load(page);
  assert.deepEqual(stale.fetched, [], 'the stale page started from the kit');
  assert.equal(stale.event.personalized, true);
  await page.waitForFunction((key) => JSON.parse(localStorage.getItem(key)).text.includes('"kill_switch":true'), KIT, { timeout: 8000 });
  await expectKilled(page);
  await page.context().close();
});

test('a damaged wasm in the kit is dropped without a word: the page loads the network way and keeps a new kit', async () => {
  const page = await shopper();
  const first = await load(page);
  await keptKit(page);
  await page.evaluate(() => { // the right name, bytes that do not compile
    const kept = localStorage.getItem('aisle:v1:kit:wasm');
    localStorage.setItem('aisle:v1:kit:wasm', kept.slice(0, kept.indexOf(' ') + 1) + btoa('not a wasm module'));
  });
  const damaged = await load(page);
  assert.ok(damaged.fetched.some((p) => p.endsWith('.wasm')), 'the wasm came from the network');
  assert.deepEqual(damaged.order, first.order);
  assert.deepEqual(await aisleErrors(page), [], 'a kit that does not compile is not an error of the shop\'s');
  await keptKit(page);
  const next = await load(page);
  assert.deepEqual(next.fetched, [], 'the page after starts from the new kit');
  assert.deepEqual(next.order, first.order);
  await assertPageWon(page, {});
  await page.context().close();
});

test('a damaged bundle in the kit is reported, dropped, and the bundle comes from the network in the same page', async () => {
  const page = await shopper();
  const first = await load(page);
  await keptKit(page);
  await page.evaluate(() => { // one bit of the payload flipped: the checksum no longer matches
    const kept = localStorage.getItem('aisle:v1:kit:bundle');
    const bytes = Uint8Array.fromBase64(kept.slice(kept.indexOf(' ') + 1));
    bytes[bytes.length >> 1] ^= 1;
    localStorage.setItem('aisle:v1:kit:bundle', kept.slice(0, kept.indexOf(' ') + 1) + bytes.toBase64());
  });
  const damaged = await load(page);
  assert.deepEqual(damaged.order, first.order, 'ordered from the network\'s bundle');
  const errors = await aisleErrors(page);
  assert.equal(errors.length, 1, `one error: the kit's bundle (${errors})`);
  assert.match(errors[0], /^bundle_/);
  assert.ok(damaged.fetched.some((p) => /\/bundle-[0-9a-f]+\.bin$/.test(p)), 'the bundle came from the network');
  await assertPageWon(page, {});
  await page.context().close();
});

test('a new aisle.js ignores the kit of the old one (the wasm is kept under its sha384)', async () => {
  const page = await shopper();
  await load(page);
  await keptKit(page);
  const other = 'sha384-' + createHash('sha384').update('another build').digest('base64');
  const ours = await page.evaluate((other) => { // the same bytes, kept as another build's
    const kept = localStorage.getItem('aisle:v1:kit:wasm');
    localStorage.setItem('aisle:v1:kit:wasm', other + kept.slice(kept.indexOf(' ')));
    return kept.slice(0, kept.indexOf(' '));
  }, other);
  const next = await load(page);
  assert.ok(next.fetched.some((p) => p.endsWith('.wasm')), 'the wasm this aisle.js pins came from the network');
  const { wasm: kept } = await waitForKit(page, ['wasm'], other);
  assert.equal(kept, ours, 'the kit now holds this aisle.js\'s wasm');
  await page.context().close();
});

test('a browser without native base64 (Uint8Array.fromBase64, toBase64) keeps and reads the same kit through atob and btoa', async () => {
  const page = await shopper({ init: WATCH + FETCHED_AT_ORDER + queueViewsOnce(viewed) + 'delete Uint8Array.fromBase64; delete Uint8Array.prototype.toBase64;' });
  const first = await load(page);
  await keptKit(page);
  assert.equal(await page.evaluate(() => typeof Uint8Array.fromBase64), 'undefined');
  const second = await load(page);
  assert.deepEqual(second.fetched, [], 'the second page started from the kit');
  assert.deepEqual(second.order, first.order);
  // And the text is the same base64 the native functions write.
  const kept = await page.evaluate(() => localStorage.getItem('aisle:v1:kit:wasm'));
  const wasm = await (await fetch(demo.url + '/aisle/aisle_core_bg.wasm')).arrayBuffer();
  assert.equal(kept.slice(kept.indexOf(' ') + 1), Buffer.from(wasm).toString('base64'));
  await assertPageWon(page, {});
  await page.context().close();
});

test('a bundle too large for the kit (a generated 10,000-product catalog, 196 KB) is not kept: the wasm is, and every page loads the bundle the network way', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-kit-'));
  try {
    const aisle = join(ROOT, 'target', 'release', 'aisle');
    execFileSync(aisle, ['generate', '--products', '10000', '--sessions', '100', '--catalog-out', join(dir, 'catalog.csv'), '--events-out', join(dir, 'events.ndjson')], { stdio: 'pipe' });
    execFileSync(aisle, ['build', '--catalog', join(dir, 'catalog.csv'), '--out', join(dir, 'out')], { stdio: 'pipe' });
    const name = readdirSync(join(dir, 'out')).find((f) => /^bundle-[0-9a-f]+\.bin$/.test(f));
    const bytes = readFileSync(join(dir, 'out', name));
    assert.ok(bytes.length > 180_000, `a bundle over the kit's room (${bytes.length} B)`);
    const page = await shopper();
    await page.context().route((url) => url.pathname === '/aisle/manifest.json', async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: JSON.stringify({ ...JSON.parse(await response.text()), bundle: name }) });
    });
    await page.context().route((url) => url.pathname === '/aisle/' + name, (route) => route.fulfill({ body: bytes, contentType: 'application/octet-stream' }));
    const first = await load(page);
    assert.equal(first.event.personalized, true, 'the large bundle loaded (its products are not the demo\'s: the shop\'s order)');
    const kit = await waitForKit(page, ['index']);
    assert.match(kit.wasm, /^sha384-/, 'the wasm is kept');
    assert.equal(kit.bundle, null, 'the bundle is not');
    const second = await load(page);
    assert.ok(second.fetched.some((p) => p.endsWith(name)), 'the next page fetched the bundle');
    await assertPageWon(page, {});
    assert.deepEqual(await aisleErrors(page), []);
    await page.context().close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a write the browser refuses (quota) drops the kit, and the shopper\'s history stays in localStorage', async () => {
  const refuse = `const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (key === 'aisle:v1:kit:wasm') throw new DOMException('quota', 'QuotaExceededError');
      return setItem.call(this, key, value);
    };`;
  const page = await shopper({ init: WATCH + FETCHED_AT_ORDER + queueViewsOnce(viewed) + refuse });
  const first = await load(page);
  await afterIdle(page);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('aisle:v1:kit'))), [], 'no kit');
  assert.ok(await page.evaluate(() => localStorage.getItem('aisle:v1:history')), 'the history is still in localStorage');
  const second = await load(page);
  assert.ok(second.fetched.length >= 3, 'the next page loads the network way');
  assert.deepEqual(second.order, first.order, 'and orders from the same history');
  const status = await page.evaluate(() => window.aisle.status());
  assert.equal(status.storageMemoryOnly, false, 'aisle\'s storage did not move to memory');
  await assertPageWon(page, {});
  await page.context().close();
});

test('data-kit="off": nothing is kept, and every page loads the network way', async () => {
  const page = await shopper();
  await rewriteHtml(page, PAGE, (html) => withScriptAttributes({ kit: 'off' })(html).replace(' data-hide="300"', ''));
  await load(page);
  const second = await load(page);
  assert.ok(second.fetched.length >= 3, 'the second page fetched the wasm, manifest and bundle');
  await afterIdle(page);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('aisle:v1:kit')).length), 0);
  await page.context().close();
});

test('the recommended CSP allows the kit\'s start (a synchronous compile needs only wasm-unsafe-eval)', async () => {
  const page = await shopper();
  // This route replaces the harness's, so the hide is taken out here too (see `shopper`).
  await rewriteHtml(page, PAGE, (html) => html.replace(/<script>window\.aisle = window\.aisle \|\| \[\];<\/script>/, '').replace(' data-hide="300"', ''),
    { 'content-security-policy': RECOMMENDED_CSP });
  const first = await load(page);
  await keptKit(page);
  const second = await load(page);
  assert.deepEqual(second.fetched, []);
  assert.deepEqual(second.order, first.order);
  await assertPageWon(page, {});
  assert.deepEqual(await aisleErrors(page), []);
  await page.context().close();
});
