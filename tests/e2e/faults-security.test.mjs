// Security in headless Chromium: the CSP docs/security.md recommends works (no eval; only
// 'wasm-unsafe-eval' added), Subresource Integrity on the script tag works and a wrong hash
// blocks aisle without breaking the page, and nothing from the bundle, the URL or the page
// is ever written as HTML.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDemo, gridOrder, ROOT, SITE } from './harness.mjs';
import { WATCH, rewriteHtml, withGridItems, card, sleep, assertPageWon, reordered, queueViews, escapeAttribute } from './faults-support.mjs';

const PAGE = '/c/all.html';
/** The one-line queue stub of the script tag snippet, and its CSP hash. */
const STUB = 'window.aisle = window.aisle || [];';
const STUB_HASH = `'sha256-${createHash('sha256').update(STUB).digest('base64')}'`;
/** The CSP docs/security.md recommends, for a shop serving aisle from its own origin. */
const RECOMMENDED_CSP = `script-src 'self' 'wasm-unsafe-eval' ${STUB_HASH}`;

let demo, shopOrder, viewed;
before(async () => {
  demo = await openDemo();
  const page = await demo.newPage();
  await page.goto(demo.url + PAGE + '?aisle=off');
  shopOrder = await gridOrder(page);
  viewed = shopOrder.slice(-2);
  await page.context().close();
});
after(() => demo.close());

/** Serves PAGE with a CSP header and checks aisle personalizes it with no console error. */
async function worksUnder(csp, { expectedConsole = [], edit } = {}) {
  const page = await demo.newPage({ keepHide: true, init: WATCH + queueViews(viewed), expectedHttpErrors: expectedConsole });
  await rewriteHtml(page, PAGE, edit, { 'content-security-policy': csp });
  await page.goto(demo.url + PAGE);
  const event = await reordered(page);
  assert.ok(event, 'aisle reordered under the CSP');
  const order = await gridOrder(page);
  if (event.personalized) assert.notDeepEqual(order, shopOrder, 'the grid was personalized');
  assert.deepEqual([...order].sort(), [...shopOrder].sort());
  await assertPageWon(page, {});
  const errors = await page.evaluate(() => window.__aisleLog.filter(([n]) => n === 'aisle:error').map(([, d]) => d.code));
  assert.deepEqual(errors, []);
  await page.context().close();
}

test('the recommended CSP works as is (script-src self + wasm-unsafe-eval + the stub hash; no unsafe-eval)', () =>
  worksUnder(RECOMMENDED_CSP));

test('a strict CSP for everything else works too (default-src self, connect-src self)', () =>
  worksUnder(`default-src 'self'; ${RECOMMENDED_CSP}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'`));

test('without the stub hash the browser blocks the stub line, and aisle and the theme still work', () =>
  worksUnder("script-src 'self' 'wasm-unsafe-eval'", { expectedConsole: ['Content Security Policy'] }));

test("a strict style-src ('self' only): the anti-flicker hide still works, with no CSP violation", async () => {
  // The hide is a constructed style sheet (document.adoptedStyleSheets), which style-src does
  // not govern; a <style> element would be refused with a console error and hide nothing.
  const csp = `${RECOMMENDED_CSP}; style-src 'self'`;
  const page = await demo.newPage({ keepHide: true, init: WATCH + queueViews(viewed) });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await rewriteHtml(page, PAGE, undefined, { 'content-security-policy': csp });
  await page.goto(demo.url + PAGE);
  const event = await reordered(page);
  assert.ok(event);
  const hide = await page.evaluate(() => window.__aisleHide);
  assert.notEqual(hide.added, null, 'the loader hid the grid');
  if (event.personalized) assert.equal(hide.opacityAtReorder, '0', 'the grid was hidden while it was reordered');
  await assertPageWon(page, {});
  assert.deepEqual(consoleErrors, []);
  await page.context().close();
});

// ---- Subresource Integrity ----

const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');

/** Adds `integrity` and `crossorigin` to aisle's script tag. */
const withIntegrity = (integrity) => (html) =>
  html.replace('<script async src="/aisle/aisle.js"', `<script async src="/aisle/aisle.js" integrity="${integrity}" crossorigin="anonymous"`);

test('SRI: the script tag with the right integrity hash works', async () => {
  const integrity = sri(readFileSync(join(SITE, 'aisle', 'aisle.js')));
  assert.equal(execFileSync('bash', [join(ROOT, 'scripts', 'sri.sh'), join(SITE, 'aisle', 'aisle.js')], { encoding: 'utf8' }).trim().split(/\s+/)[0], integrity, 'scripts/sri.sh prints the same hash');
  const page = await demo.newPage({ keepHide: true, init: WATCH + queueViews(viewed) });
  await rewriteHtml(page, PAGE, withIntegrity(integrity));
  await page.goto(demo.url + PAGE);
  assert.ok(await reordered(page));
  await assertPageWon(page, {});
  await page.context().close();
});

test('SRI: a wrong hash blocks aisle.js, and the page is intact', async () => {
  const wrong = sri(Buffer.from('not aisle'));
  const page = await demo.newPage({ keepHide: true, init: WATCH + queueViews(viewed), expectedHttpErrors: ['integrity'] });
  await rewriteHtml(page, PAGE, withIntegrity(wrong));
  await page.goto(demo.url + PAGE);
  await page.waitForLoadState('load');
  await sleep(400);
  assert.equal(await page.evaluate(() => Array.isArray(window.aisle)), true, 'the loader never ran: window.aisle is still the queue');
  assert.equal(await page.evaluate(() => window.__aisleHide.added), null, 'nothing was hidden');
  await assertPageWon(page, { expectedOrder: shopOrder });
  await page.context().close();
});

test('SRI reaches the wasm: aisle.js carries its sha384, and a tampered wasm is refused', async () => {
  const wasm = readFileSync(join(SITE, 'aisle', 'aisle_core_bg.wasm'));
  assert.ok(readFileSync(join(SITE, 'aisle', 'aisle.js'), 'utf8').includes(sri(wasm)), 'aisle.js names the wasm it was built with');
  const tampered = Buffer.from(wasm);
  tampered[tampered.length - 1] ^= 0xff; // still a valid module (a byte of the data section), not the one pinned
  const page = await demo.newPage({ keepHide: true, init: WATCH + queueViews(viewed), expectedHttpErrors: ['integrity'] });
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.route('**/aisle/aisle_core_bg.wasm', (r) => r.fulfill({ status: 200, contentType: 'application/wasm', body: tampered }));
  await page.goto(demo.url + PAGE);
  const blocked = await page.waitForFunction(() => (window.__aisleLog || []).find(([n]) => n === 'aisle:error'), null, { timeout: 6000 }).then((h) => h.jsonValue());
  assert.equal(blocked[1].code, 'wasm_blocked');
  assert.match(blocked[1].message, /integrity/);
  assert.ok(consoleErrors.some((m) => /Subresource Integrity|integrity/.test(m) && /aisle_core_bg\.wasm/.test(m)), `the browser refused it for its hash: ${consoleErrors}`);
  await sleep(400);
  await assertPageWon(page, { expectedOrder: shopOrder });
  await page.context().close();
});

// ---- nothing is written as HTML ----

/** Ids, category and brand names that are HTML, built into a real bundle by `aisle build`. */
const HOSTILE_IDS = [
  '<img src=x onerror=window.__xss=1>',
  '"><svg onload=window.__xss=2>',
  '</script><script>window.__xss=3</script>',
  "'-window.__xss=4-'",
  '<iframe srcdoc="<script>parent.__xss=5</script>">',
];
const HOSTILE_CATEGORY = '<b onmouseover=window.__xss=6>shoes</b>';

function csvField(s) { return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s; }

function buildHostileBundle() {
  const dir = mkdtempSync(join(tmpdir(), 'aisle-hostile-'));
  const ids = [...HOSTILE_IDS, ...Array.from({ length: 10 }, (_, i) => `plain-${i}`)];
  const rows = ids.map((id, i) => [id, `Title ${i} <i>`, i % 2 ? HOSTILE_CATEGORY : 'hats', String(10 + i), i % 3 ? '<marquee>brand</marquee>' : 'acme'].map(csvField).join(','));
  writeFileSync(join(dir, 'catalog.csv'), 'id,title,category,price,brand\n' + rows.join('\n') + '\n');
  const events = [];
  let n = 0;
  for (let visitor = 0; visitor < 12; visitor++) {
    for (let k = 0; k < 6; k++) {
      const id = ids[(visitor + k * 3) % ids.length];
      events.push(JSON.stringify({ v: 1, id: `e${n++}`, ts: 1767225600000 + n * 60000, visitor: `v${visitor}`, session: '1', type: 'product_view', product: id }));
    }
  }
  writeFileSync(join(dir, 'events.ndjson'), events.join('\n') + '\n');
  execFileSync(join(ROOT, 'target', 'release', 'aisle'), ['build', '--catalog', join(dir, 'catalog.csv'), '--events', join(dir, 'events.ndjson'), '--out', join(dir, 'out')], { stdio: 'pipe' });
  const bundleName = readdirSync(join(dir, 'out')).find((f) => f.startsWith('bundle-'));
  const result = { ids, manifest: JSON.parse(readFileSync(join(dir, 'out', 'manifest.json'), 'utf8')), bundle: readFileSync(join(dir, 'out', bundleName)) };
  rmSync(dir, { recursive: true, force: true });
  return result;
}

/** Tag name → count of every element in the document. */
const census = (page) => page.evaluate(() => {
  const counts = {};
  for (const el of document.querySelectorAll('*')) counts[el.tagName] = (counts[el.tagName] || 0) + 1;
  return counts;
});

test('nothing from the bundle, the URL or the page is written as HTML (debug view on)', async () => {
  const hostile = buildHostileBundle();
  const arrange = async (page) => {
    await page.route('**/aisle/manifest.json', (r) => r.fulfill({ json: { ...hostile.manifest, experiments: [] } }));
    await page.route(`**/aisle/${hostile.manifest.bundle}`, (r) => r.fulfill({ body: hostile.bundle, contentType: 'application/octet-stream' }));
    await rewriteHtml(page, PAGE, (html) => withGridItems(hostile.ids.map((id) => card(id, 'item')).join(''))(html)
      .replace('data-hide="300"', `data-hide="300" data-category="${escapeAttribute(HOSTILE_CATEGORY)}" data-product="${escapeAttribute(HOSTILE_IDS[0])}"`));
  };
  const armParam = encodeURIComponent('<img src=x onerror=window.__xss=7>:<b>x</b>');
  const queue = `window.aisle = [['view', ${JSON.stringify(HOSTILE_IDS[1])}], ['addToCart', ${JSON.stringify(HOSTILE_IDS[2])}, 1, 5]];`;

  const baseline = await demo.newPage({ keepHide: true, init: WATCH });
  await arrange(baseline);
  await baseline.goto(demo.url + PAGE + '?aisle=off');
  const before = await census(baseline);
  await baseline.context().close();

  const page = await demo.newPage({ keepHide: true, init: WATCH + queue });
  await arrange(page);
  await page.goto(`${demo.url}${PAGE}?aisle_debug=1&aisle_arm=${armParam}`);
  assert.ok(await reordered(page), 'the hostile bundle loaded and the grid was ranked');
  await page.waitForSelector('#aisle-debug');
  await sleep(300);
  // Hover and click everything a handler could hide behind.
  for (const el of await page.$$('.product-grid > li')) await el.hover().catch(() => {});

  assert.equal(await page.evaluate(() => window.__xss), undefined, 'no injected handler ran');
  const after = await census(page);
  const added = Object.fromEntries(Object.keys({ ...before, ...after }).map((tag) => [tag, (after[tag] || 0) - (before[tag] || 0)]).filter(([, d]) => d !== 0));
  assert.deepEqual(added, { SMALL: hostile.ids.length, PRE: 1, SCRIPT: 1 }, 'the only new elements are the score badges, the debug panel and its script');
  const debugScript = await page.$eval('script[src$="/aisle/aisle-debug.js"]', (s) => s.integrity);
  assert.match(debugScript, /^sha384-/, 'the debug view script is pinned by its hash');
  const children = await page.$$eval('.aisle-debug-score, #aisle-debug', (els) => els.map((el) => el.childElementCount));
  assert.ok(children.every((n) => n === 0), 'badges and panel hold text only');
  const panel = await page.textContent('#aisle-debug');
  assert.ok(panel.includes(HOSTILE_CATEGORY), 'the hostile category is shown, as text');
  assert.ok(panel.includes(HOSTILE_IDS[0]), 'the hostile product id is shown, as text');
  const ids = await page.$$eval('.product-grid > li', (lis) => lis.map((li) => li.dataset.productId));
  assert.deepEqual([...ids].sort(), [...hostile.ids].sort(), 'the cards are the shop\'s own, with their ids intact');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('no HTML sink, eval or Function in the shipped code or the browser edge\'s source', () => {
  const SINKS = /innerHTML|outerHTML|insertAdjacentHTML|document\.write|createContextualFragment|DOMParser|set_inner_html|set_outer_html|\beval\s*\(|new Function\s*\(/;
  const files = [
    join(SITE, 'aisle', 'aisle.js'), join(SITE, 'aisle', 'aisle-debug.js'), join(ROOT, 'www', 'loader', 'aisle-debug.js'),
    ...readdirSync(join(ROOT, 'src', 'web')).map((f) => join(ROOT, 'src', 'web', f)),
  ];
  for (const file of files) {
    const hit = readFileSync(file, 'utf8').match(SINKS);
    assert.equal(hit, null, `${file} contains ${hit && hit[0]}`);
  }
  assert.ok(files.length >= 4);
});
