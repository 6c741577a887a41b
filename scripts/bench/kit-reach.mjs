//! What a returning shopper of a shop too large for the start kit gets: the demo's category
//! page with its own bundle (160 products, kept in the kit) against the same page with 48
//! cards of the generated 10,000-product catalog and that catalog's bundle (over the kit's
//! room: `KIT_MAX_CHARS` in `www/loader/defaults.js`). Per fresh context a first load (three
//! products of the second category viewed), then the warm load measured: whether it started
//! from the kit, when the grid was reordered and painted, when the hide ended, whether it was
//! personalized. RUNS contexts per variant, interleaved; medians in ms from navigation.
//! Usage: node scripts/bench/kit-reach.mjs [--runs N] (needs target/demo-site:
//! scripts/demo-site.sh, and target/release/aisle; builds the 10k bundle once, cached in
//! target/bench-data, as `npm run bench` does).
import { chromium } from 'playwright-core';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS } from '../chromium.mjs';
import { startServer } from '../../www/demo/serve.mjs';
import { startCollector } from '../../www/demo/collector.mjs';
import { generatedBundles } from './bytes.mjs';
import { fmt, stats } from './stats.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SITE = join(ROOT, 'target', 'demo-site');
const DATA = join(ROOT, 'target', 'bench-data');
const PAGE = '/c/all.html';
const args = process.argv.slice(2);
const RUNS = Number(args.includes('--runs') ? args[args.indexOf('--runs') + 1] : 9);
const VISITOR = '0'.repeat(31) + '1';

/** A copy of the demo site whose page lists 48 products of the generated catalog and whose
 * manifest names that catalog's bundle; resolves to the site's folder and the views to queue. */
function largeShopSite() {
  const bundle = generatedBundles(join(ROOT, 'target', 'release', 'aisle'), DATA, (line) => console.error(line)).plain;
  const generated = join(DATA, 'generate-10000p-150000s');
  const built = JSON.parse(readFileSync(join(generated, 'out-plain', 'manifest.json'), 'utf8'));
  const site = mkdtempSync(join(tmpdir(), 'aisle-kit-reach-'));
  cpSync(SITE, site, { recursive: true });
  copyFileSync(bundle, join(site, 'aisle', basename(built.bundle)));
  const manifest = JSON.parse(readFileSync(join(SITE, 'aisle', 'manifest.json'), 'utf8'));
  writeFileSync(join(site, 'aisle', 'manifest.json'), JSON.stringify({ ...manifest, bundle: basename(built.bundle), model_version: built.model_version }, null, 2));
  const rows = readFileSync(join(generated, 'catalog.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
  const ofCategory = (category, n) => rows.filter((r) => r[2] === category).slice(0, n).map((r) => r[0]);
  const [first, second] = [...new Set(rows.map((r) => r[2]))];
  const ids = [...ofCategory(first, 24), ...ofCategory(second, 24)];
  // The demo theme's grid and cards (www/demo/generate.mjs), as trace.mjs's --cards writes them.
  const items = ids.map((id) => `<li class="product-card" data-product-id="${id}"><a href="#">${id}</a></li>`).join('');
  const html = readFileSync(join(SITE, PAGE), 'utf8');
  const page = html.replace(/(<ul class="product-grid" id="grid">)[\s\S]*?(<\/ul>)/, (_, open, close) => open + items + close);
  if (page === html) throw new Error(`kit-reach: no product grid in ${PAGE}`);
  writeFileSync(join(site, PAGE), page);
  return { site, views: ofCategory(second, 27).slice(24) };
}

// In the page: the first time each of aisle's events fired (page time) and its detail.
const RECORD = `window.__seen = {};
  for (const name of ['aisle:ready', 'aisle:reordered', 'aisle:show', 'aisle:error']) {
    document.addEventListener(name, (e) => { window.__seen[name] = window.__seen[name] || { at: performance.now(), detail: e.detail }; });
  }`;

async function warmLoad(browser, url, views) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(`try { localStorage.setItem('aisle:v1:visitor', '${VISITOR}'); } catch (e) {}\nwindow.aisle = ${JSON.stringify(views.map((id) => ['view', id]))};\n${RECORD}`);
    const page = await context.newPage();
    await page.goto(url + PAGE, { waitUntil: 'load' });
    await page.waitForTimeout(2500); // the kit is kept at idle time
    await page.goto(url + PAGE, { waitUntil: 'load' });
    await page.waitForFunction(() => { const seen = /** @type {any} */ (window).__seen; return seen['aisle:reordered'] || seen['aisle:error']; }, null, { timeout: 10000 }).catch(() => {});
    await page.waitForTimeout(300);
    const seen = await page.evaluate(() => ({ .../** @type {any} */ (window).__seen, paint: performance.getEntriesByName('first-paint')[0]?.startTime }));
    return {
      kit: !!seen['aisle:ready']?.detail.kit,
      personalized: !!seen['aisle:reordered']?.detail.personalized,
      error: seen['aisle:error']?.detail.code,
      reorderedMs: seen['aisle:reordered']?.at ?? NaN,
      paintMs: seen.paint ?? NaN,
      hideMs: seen['aisle:show']?.detail.afterMs ?? NaN,
    };
  } finally {
    await context.close();
  }
}

const large = largeShopSite();
const collector = await startCollector();
const variants = {
  'demo bundle (160 products)': { root: SITE, views: readFileSync(join(SITE, PAGE), 'utf8').match(/data-product-id="[^"]*"/g).slice(-3).map((a) => a.slice(17, -1)) },
  'generated bundle (10,000 products)': { root: large.site, views: large.views },
};
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const results = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
try {
  for (const v of Object.values(variants)) ({ server: v.server, url: v.url } = await startServer({ root: v.root, port: 0, collector: collector.url }));
  for (let run = 0; run < RUNS; run++) {
    const names = Object.keys(variants);
    for (const name of run % 2 ? names.reverse() : names) results[name].push(await warmLoad(browser, variants[name].url, variants[name].views));
  }
} finally {
  await browser.close();
  for (const v of Object.values(variants)) v.server?.close();
  await collector.stop();
  rmSync(large.site, { recursive: true, force: true });
}

const median = (list, key) => fmt(stats(list.map((r) => r[key]).filter(Number.isFinite)).median);
const count = (list, key) => `${list.filter((r) => r[key]).length} of ${list.length}`;
console.log(`| warm load, ${RUNS} fresh contexts each (medians, ms from navigation) | ${Object.keys(variants).join(' | ')} |`);
console.log(`|---|${Object.keys(variants).map(() => '---').join('|')}|`);
/** @type {[string, (list: any[]) => string][]} */
const rowsOut = [
  ['started from the kit', (list) => count(list, 'kit')],
  ['grid in its final order', (list) => median(list, 'reorderedMs')],
  ['first paint', (list) => median(list, 'paintMs')],
  ['hide released after', (list) => median(list, 'hideMs')],
  ['personalized (the hide\'s cap not reached)', (list) => count(list, 'personalized')],
  ['aisle:error', (list) => list.map((r) => r.error).filter(Boolean).join(', ') || 'none'],
];
for (const [label, value] of rowsOut) console.log(`| ${label} | ${Object.values(results).map(value).join(' | ')} |`);
