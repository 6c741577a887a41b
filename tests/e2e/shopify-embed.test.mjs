// The Shopify theme app extension (extensions/aisle-embed): its layout and limits as Shopify's
// CLI enforces them, its schema, and its Liquid rendered with liquidjs for a sample product and
// collection, then run in headless Chromium: aisle starts, records the product, reorders the
// collection grid, and on a page without a grid reports that in aisle.status(), never throwing.
//
// Shopify-only parts of Liquid are emulated, minimally: `asset_url` returns the URL of the
// extension's asset on a second origin laid out like Shopify's CDN
// (/extensions/<id>/<version>/assets/<file>); `t` reads the extension's own locale file;
// `{% schema %}` renders nothing (as on Shopify); `request.page_type` and `request.design_mode`
// are set per page. Everything else is standard Liquid, which liquidjs implements.
// The collection page's grid is Dawn's (Shopify/dawn sections/main-collection-product-grid.liquid
// and snippets/card-product.liquid at 9ccdacf81f175c7caeebc28348e50bcb02ef8fc7): the same
// elements, classes and ids, reduced to the card's title, and unedited: the embed's default
// settings read the product id from the title link's `CardLink-<section id>-<product id>`.
// A copy of the collection page holds the parser twice, with an app's blocking script before the
// grid and another inside it: a returning shopper's grid must still be ordered whole.
// Needs scripts/build.sh and scripts/demo-site.sh to have run (pkg/, and the demo's bundle).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, extname, dirname } from 'node:path';
import { Liquid } from 'liquidjs';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/demo/serve.mjs';
import { ROOT, SITE, CHROMIUM_ARGS, asVisitor, visitorInArm, RECORD_EVENTS, waitForAisleEvent, waitForKit } from './harness.mjs';
import { routeSlowScripts, NOTE_SLOW_SCRIPTS_AT_REORDER } from './faults-support.mjs';

const EXTENSION = join(ROOT, 'extensions', 'aisle-embed');
const BLOCK = join(EXTENSION, 'blocks', 'aisle.liquid');
const SHIPPED = ['aisle.js', 'aisle_core_bg.wasm', 'aisle-debug.js'];
/** Where Shopify's CDN serves an extension's assets; the id and version are made up. */
const ASSET_PATH = '/extensions/0c4e4a3e-8b1f-4c53-9f3a-2a1d6f0e7b11/1.0.0/assets/';

// ---- Shopify's rules for theme app extensions ----
// Shopify CLI's validator (Shopify/cli packages/app/src/cli/models/extensions/specifications/
// theme.ts) refuses to deploy an extension that breaks these.
const ALLOWED = {
  assets: ['.jpg', '.jpeg', '.json', '.js', '.css', '.png', '.svg', '.wasm'],
  blocks: ['.liquid'],
  locales: ['.json'],
  snippets: ['.liquid'],
};
const BUNDLE_LIMIT = 10 * 1024 * 1024;
const LIQUID_LIMIT = 500 * 1024;
/** Theme Check's AssetSizeAppBlockJavaScript: a suggested, not enforced, compressed size. */
const SUGGESTED_JS_GZIP = 10_000;
/** App embed blocks render in the head or the body (compliance_head: consent apps only). */
const EMBED_TARGETS = ['head', 'body', 'compliance_head'];
const SETTING_TYPES = ['checkbox', 'number', 'radio', 'range', 'select', 'text', 'textarea', 'url', 'color', 'header', 'paragraph'];

let scratch, extension, shop, cdn, browser, products;

/** A copy of the extension with its assets staged from pkg/, as scripts/release.sh makes it. */
function stageExtension(into) {
  cpSync(EXTENSION, into, { recursive: true });
  mkdirSync(join(into, 'assets'), { recursive: true });
  for (const file of SHIPPED) cpSync(join(ROOT, 'pkg', file), join(into, 'assets', file));
  return into;
}

function filesUnder(dir) {
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

function blockSchema(source) {
  const match = source.match(/{%-?\s*schema\s*-?%}([\s\S]*?){%-?\s*endschema\s*-?%}/);
  assert.ok(match, 'the block has a {% schema %}');
  return JSON.parse(match[1]);
}

/** A key such as `settings.grid.label` in a locale file. */
function lookup(locale, key) {
  return key.split('.').reduce((node, part) => (node && typeof node === 'object' ? node[part] : undefined), locale);
}

/** liquidjs with the few Shopify-only pieces the block uses (see the header). */
function shopifyLiquid(assetBase) {
  const storefrontLocale = JSON.parse(readFileSync(join(EXTENSION, 'locales', 'en.default.json'), 'utf8'));
  const engine = new Liquid({ strictFilters: true });
  engine.registerFilter('asset_url', (name) => assetBase + name);
  engine.registerFilter('t', (key) => {
    const text = lookup(storefrontLocale, key);
    if (typeof text !== 'string') throw new Error(`no translation for ${key} in locales/en.default.json`);
    return text;
  });
  engine.registerTag('schema', {
    parse(token, remaining) {
      const stream = this.liquid.parser.parseStream(remaining);
      stream.on('tag:endschema', () => stream.stop()).on('template', () => {}).on('end', () => { throw new Error('{% schema %} without {% endschema %}'); });
      stream.start();
    },
    render() { return ''; },
  });
  return engine;
}

/** The merchant's settings: the schema's defaults, with `overrides`. */
function settingsWith(overrides) {
  const schema = blockSchema(readFileSync(BLOCK, 'utf8'));
  const defaults = Object.fromEntries(schema.settings.filter((s) => s.id).map((s) => [s.id, s.default ?? (s.type === 'checkbox' ? false : '')]));
  return { ...defaults, ...overrides };
}

// Dawn's collection grid (see the header), rendered by the same Liquid engine.
const DAWN_GRID = `
<div class="product-grid-container" id="ProductGridContainer">
  <div class="collection page-width">
    <ul id="product-grid" data-id="{{ section.id }}" class="
      grid product-grid grid--2-col-tablet-down
      grid--4-col-desktop
    ">
      {%- for product in collection.products -%}
        {% assign lazy_load = false %}
        <li class="grid__item scroll-trigger animate--slide-in" data-cascade style="--animation-order: {{ forloop.index }};">
          {%- assign card_product = product -%}
          {%- assign section_id = section.id -%}
          <div class="card-wrapper product-card-wrapper underline-links-hover">
            <div class="card card--standard card--text" style="--ratio-percent: 100%;">
              <div class="card__content">
                <div class="card__information">
                  <h3 class="card__heading h5" id="title-{{ section_id }}-{{ card_product.id }}">
                    <a href="{{ card_product.url }}" id="CardLink-{{ section_id }}-{{ card_product.id }}" class="full-unstyled-link"
                       aria-labelledby="CardLink-{{ section_id }}-{{ card_product.id }} Badge-{{ section_id }}-{{ card_product.id }}">
                      {{ card_product.title | escape }}
                    </a>
                  </h3>
                </div>
              </div>
            </div>
          </div>
        </li>
      {%- endfor -%}
    </ul>
  </div>
</div>`;

/** A storefront page: the app embed in <head> (where content_for_header puts it), then `body`. */
async function renderPage(engine, { settings, pageType, product, collection, body }) {
  const context = { block: { settings }, request: { page_type: pageType, design_mode: false }, product, collection, section: { id: 'template--22417854717251__product-grid' } };
  const embed = await engine.parseAndRender(readFileSync(BLOCK, 'utf8'), context);
  const main = await engine.parseAndRender(body, context);
  return { embed, html: `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${pageType}</title>\n${embed}\n</head>\n<body>\n<main id="MainContent">${main}</main>\n</body>\n</html>\n` };
}

before(async () => {
  for (const file of SHIPPED) assert.ok(existsSync(join(ROOT, 'pkg', file)), `pkg/${file} exists (run scripts/build.sh)`);
  assert.ok(existsSync(join(SITE, 'aisle', 'manifest.json')), `${SITE} exists (run scripts/demo-site.sh)`);
  scratch = mkdtempSync(join(tmpdir(), 'aisle-shopify-'));
  extension = stageExtension(join(scratch, 'aisle-embed'));

  // Sample products: the demo catalog's first four products of two categories (their ids are
  // numbers, like Shopify's product.id), as a Shopify collection would list them.
  const [header, ...rows] = readFileSync(join(ROOT, 'www', 'demo', 'data', 'catalog.csv'), 'utf8').trim().split('\n').map((l) => l.split(','));
  const all = rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  const categories = [...new Set(all.map((p) => p.category))].slice(0, 2);
  products = categories.flatMap((c) => all.filter((p) => p.category === c).slice(0, 4))
    .map((p) => ({ id: Number(p.id), title: p.title, handle: `product-${p.id}`, url: `/products/product-${p.id}`, category: p.category }));

  // Shopify's CDN (the extension's assets) and the shop (pages, and the merchant's upload of
  // manifest.json and the bundle under /aisle-data/).
  const cdnRoot = join(scratch, 'cdn');
  mkdirSync(join(cdnRoot, dirname(ASSET_PATH)), { recursive: true });
  cpSync(join(extension, 'assets'), join(cdnRoot, ASSET_PATH), { recursive: true });
  cdn = await startServer({ root: cdnRoot, port: 0, collector: '' }); // another port: another origin
  const shopRoot = join(scratch, 'shop');
  mkdirSync(join(shopRoot, 'aisle-data'), { recursive: true });
  for (const file of readdirSync(join(SITE, 'aisle')).filter((f) => f === 'manifest.json' || f.startsWith('bundle-'))) {
    cpSync(join(SITE, 'aisle', file), join(shopRoot, 'aisle-data', file));
  }
  shop = await startServer({ root: shopRoot, port: 0, collector: '' });

  const engine = shopifyLiquid(cdn.url + ASSET_PATH);
  const settings = settingsWith({ manifest_url: `${shop.url}/aisle-data/manifest.json` });
  const collection = { handle: 'frontpage', title: 'Home page', products };
  const pages = {
    'collections/frontpage.html': { pageType: 'collection', collection, body: DAWN_GRID },
    'pages/about.html': { pageType: 'page', body: '<div class="page-width"><h1>About us</h1><p>No grid on this page.</p></div>' },
  };
  for (const product of products) {
    pages[`products/${product.handle}.html`] = { pageType: 'product', product, body: `<section class="product"><h1>${product.title}</h1></section>` };
  }
  for (const [path, page] of Object.entries(pages)) {
    mkdirSync(join(shopRoot, dirname(path)), { recursive: true });
    writeFileSync(join(shopRoot, path), (await renderPage(engine, { settings, ...page })).html);
  }
  // The collection page again, with an app's blocking script before Dawn's grid container and
  // another after its fourth card (SLOW_SCRIPTS): the parser stops twice on the way.
  const collectionHtml = (await renderPage(engine, { settings, ...pages['collections/frontpage.html'] })).html;
  const slowHtml = collectionHtml.replace('<div class="product-grid-container"', '<script src="/apps/slow-before.js"></script><div class="product-grid-container"')
    .replace(/(?:<li class="grid__item[\s\S]*?<\/li>\s*){4}/, (cards) => cards + '<script src="/apps/slow-inside.js"></script>');
  assert.equal(slowHtml.match(/<script src="\/apps\/slow-/g)?.length, 2, 'both slow scripts are in the page');
  writeFileSync(join(shopRoot, 'collections', 'frontpage-slow.html'), slowHtml);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const server of [shop, cdn]) if (server) await new Promise((resolve) => server.server.close(resolve));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

async function openPage() {
  // The shop and the CDN are two loopback origins here; Chromium asks for its local network
  // access permission before one loads a script from the other, which public hosts never need.
  const context = await browser.newContext({ permissions: ['local-network-access'] });
  await context.addInitScript(asVisitor(visitorInArm('personalized')) + RECORD_EVENTS);
  // Pages are fetched with the hide removed: these tests are about order, not timing.
  await context.route((url) => url.pathname.endsWith('.html'), async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: (await response.text()).replace(' data-hide="300"', '') });
  });
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error' || message.type() === 'warning') page.problems.push(`console: ${message.text()}`); });
  page.on('response', (response) => { if (response.status() >= 400) page.problems.push(`http ${response.status()}: ${response.url()}`); });
  return page;
}

/** The blocking scripts of frontpage-slow.html, and how long each takes to arrive (ms). */
const SLOW_SCRIPTS = { '/apps/slow-before.js': 1500, '/apps/slow-inside.js': 700 };

const gridIds = (page) => page.$$eval('#product-grid > .grid__item a[id^="CardLink-"]', (links) => links.map((a) => a.id.split('-').pop()));

test("the extension follows Shopify's layout: folders, file types, total and Liquid size limits", () => {
  const files = filesUnder(extension).map((f) => relative(extension, f));
  assert.ok(files.includes('shopify.extension.toml'));
  assert.match(readFileSync(join(extension, 'shopify.extension.toml'), 'utf8'), /^name = "aisle-embed"\ntype = "theme"\n$/);
  let total = 0, liquid = 0;
  for (const file of files) {
    const size = statSync(join(extension, file)).size;
    total += size;
    if (file === 'shopify.extension.toml') continue;
    const folder = dirname(file);
    assert.ok(ALLOWED[folder], `${file}: only assets/, blocks/, locales/ and snippets/ are allowed`);
    assert.ok(ALLOWED[folder].includes(extname(file)), `${file}: ${folder}/ takes ${ALLOWED[folder].join(' ')}`);
    if (folder === 'blocks' || folder === 'snippets') liquid += size;
  }
  for (const file of SHIPPED) assert.ok(files.includes(`assets/${file}`), `assets/${file} staged`);
  assert.ok(total <= BUNDLE_LIMIT, `${total} bytes in all (limit ${BUNDLE_LIMIT})`);
  assert.ok(liquid <= LIQUID_LIMIT, `${liquid} bytes of Liquid (limit ${LIQUID_LIMIT})`);
  const jsGzip = gzipSync(readFileSync(join(extension, 'assets', 'aisle.js')), { level: 9 }).length;
  console.log(`# shopify-embed: ${total} bytes in all, ${liquid} bytes of Liquid; assets/aisle.js ${jsGzip} bytes gzip`);
  // Shopify suggests (Theme Check, not enforced at deploy) at most 10 KB compressed per script
  // an app block loads; aisle.js keeps to it (the wasm is not a script).
  assert.ok(jsGzip <= SUGGESTED_JS_GZIP, `assets/aisle.js is ${jsGzip} bytes gzip (suggested: ${SUGGESTED_JS_GZIP})`);
});

test('the app embed schema: a head target, unique setting ids, known types, every t: key translated', () => {
  const schema = blockSchema(readFileSync(BLOCK, 'utf8'));
  const locale = JSON.parse(readFileSync(join(EXTENSION, 'locales', 'en.default.schema.json'), 'utf8'));
  assert.ok(EMBED_TARGETS.includes(schema.target), `target ${schema.target} makes an app embed block`);
  assert.equal(schema.target, 'head', 'aisle must run before the grid is painted');
  assert.ok(schema.name && schema.name.length <= 25, 'a name of at most 25 characters');
  assert.equal(schema.javascript, undefined, 'aisle.js is written by the block itself (it reads its own data attributes)');
  const ids = schema.settings.filter((s) => s.id).map((s) => s.id);
  assert.deepEqual(ids, [...new Set(ids)], 'setting ids are unique');
  assert.deepEqual(ids.sort(), ['collector', 'consent', 'grid', 'hide', 'item', 'item_id', 'item_id_pattern', 'manifest_url']);
  // The defaults are Dawn's tag (docs/themes.md).
  const defaults = Object.fromEntries(schema.settings.filter((s) => s.id).map((s) => [s.id, s.default]));
  assert.deepEqual([defaults.grid, defaults.item, defaults.item_id, defaults.item_id_pattern], ['#product-grid', '.grid__item', 'id', '^CardLink-.+-(\\d+)$']);
  const keys = [];
  for (const setting of schema.settings) {
    assert.ok(SETTING_TYPES.includes(setting.type), `setting ${setting.id || setting.content}: type ${setting.type}`);
    if (setting.type === 'select') assert.ok(setting.options.some((o) => o.value === setting.default), `${setting.id}: the default is one of the options`);
    JSON.stringify(setting).replace(/"t:([^"]+)"/g, (_, key) => keys.push(key));
  }
  assert.ok(keys.length > 10);
  for (const key of keys) assert.equal(typeof lookup(locale, key), 'string', `t:${key} is in locales/en.default.schema.json`);
});

test('rendered for a product page: the product id, no collection; for a collection page: the collection handle', async () => {
  const engine = shopifyLiquid('https://cdn.shopify.test/a/');
  const settings = settingsWith({ manifest_url: 'https://cdn.example.com/aisle/manifest.json ', consent: 'granted', collector: 'https://e.example.com/e' });
  const product = { id: 8765432109876, handle: 'classic-tee', title: 'Classic "Tee"' };
  const onProduct = (await renderPage(engine, { settings, pageType: 'product', product, body: '' })).embed;
  assert.match(onProduct, /<script>window\.aisle = window\.aisle \|\| \[\];<\/script>/);
  assert.match(onProduct, /<script async src="https:\/\/cdn\.shopify\.test\/a\/aisle\.js"/);
  assert.match(onProduct, / data-product="8765432109876"/);
  assert.doesNotMatch(onProduct, /data-category/);
  assert.match(onProduct, / data-manifest="https:\/\/cdn\.example\.com\/aisle\/manifest\.json"/);
  assert.match(onProduct, / data-grid="#product-grid"\s+data-item="\.grid__item"\s+data-item-id="id" data-item-id-pattern="\^CardLink-\.\+-\(\\d\+\)\$"/);
  assert.match(onProduct, / data-consent="granted" data-collector="https:\/\/e\.example\.com\/e" data-hide="300"><\/script>/);
  const collection = { handle: 'summer-"sale"', products: [] };
  const onCollection = (await renderPage(engine, { settings: settingsWith({ manifest_url: 'https://cdn.example.com/m.json', hide: false }), pageType: 'collection', collection, body: '' })).embed;
  assert.match(onCollection, / data-category="summer-(&quot;|&#34;)sale(&quot;|&#34;)"/, 'the handle is attribute-escaped');
  assert.doesNotMatch(onCollection, /data-product=|data-consent|data-collector|data-hide/);
  // Without a manifest URL the embed writes no script tag at all (and says why in the editor).
  const off = (await renderPage(engine, { settings: settingsWith({}), pageType: 'product', product, body: '' })).embed;
  assert.doesNotMatch(off, /<script/);
});

test('in the browser: product views recorded from the embed, then the collection grid reordered, nothing thrown', async () => {
  const page = await openPage();
  await page.goto(shop.url + '/collections/frontpage.html?aisle=off');
  const shopOrder = await gridIds(page);
  assert.deepEqual(shopOrder, products.map((p) => String(p.id)));
  // The shopper looks at the last two products (the second category).
  const viewed = products.slice(-2);
  for (const product of viewed) {
    await page.goto(`${shop.url}/products/${product.handle}.html`);
    assert.ok(await waitForAisleEvent(page, 'aisle:ready'), 'aisle started on the product page');
    await page.waitForFunction((id) => (window.aisle.history?.()?.a || []).some((a) => a.k === 'v' && a.i === id), String(product.id));
  }
  await page.goto(shop.url + '/collections/frontpage.html');
  const reordered = await waitForAisleEvent(page, 'aisle:reordered');
  assert.ok(reordered, `aisle reordered the collection grid (${JSON.stringify(page.problems)} ${JSON.stringify(await page.evaluate(() => window.__aisleLog))})`);
  assert.equal(reordered.personalized, true);
  const order = await gridIds(page);
  assert.notDeepEqual(order, shopOrder, 'the grid was personalized');
  assert.deepEqual([...order].sort(), [...shopOrder].sort(), 'the same cards');
  const secondCategory = new Set(products.filter((p) => p.category === viewed[0].category).map((p) => String(p.id)));
  assert.ok(order.slice(0, secondCategory.size).every((id) => secondCategory.has(id)), `the viewed category comes first: ${order.join(' ')}`);
  const status = await page.evaluate(() => window.aisle.status());
  assert.equal(status.gridsRanked, 1);
  assert.deepEqual(status.errors, []);
  // The install check: every card found, its id read from Dawn's markup, and known.
  assert.deepEqual(status.install, { grids: 1, cards: products.length, ids: products.length, recognised: products.length, unrecognised: [] });
  assert.deepEqual(page.problems, [], 'no uncaught error, console error or failed request');
  await page.context().close();
});

// The embed renders aisle's tag in the <head>, so a returning shopper's aisle (started from the
// kit) is often ready before the parser has reached the grid, held up by a script before it.
// It must wait for the whole grid, not order the cards the parser has added so far.
test('a returning shopper, aisle ready before the parser reaches Dawn\'s grid (an app\'s slow script before it, another inside it): the grid is ordered whole', async () => {
  const page = await openPage();
  await routeSlowScripts(page.context(), SLOW_SCRIPTS);
  await page.context().addInitScript(NOTE_SLOW_SCRIPTS_AT_REORDER +
    "document.addEventListener('aisle:ready', () => { window.__gridAtReady = document.getElementById('product-grid') !== null; });");
  const viewed = products.slice(-2);
  for (const product of viewed) {
    await page.goto(`${shop.url}/products/${product.handle}.html`);
    await page.waitForFunction((id) => (window.aisle.history?.()?.a || []).some((a) => a.k === 'v' && a.i === id), String(product.id));
  }
  await waitForKit(page, ['index', 'wasm', 'bundle']);

  await page.goto(shop.url + '/collections/frontpage-slow.html');
  const reordered = await waitForAisleEvent(page, 'aisle:reordered', 10000);
  assert.ok(reordered, `aisle reordered the grid (${JSON.stringify(page.problems)})`);
  assert.equal((await waitForAisleEvent(page, 'aisle:ready')).kit, true, 'aisle started from the kit');
  assert.equal(await page.evaluate(() => window.__gridAtReady), false, 'aisle was ready before the parser reached the grid');
  assert.deepEqual((await page.evaluate(() => window.__ranAtReorder)).sort(), Object.keys(SLOW_SCRIPTS).sort(), 'the grid was ordered once the parser had passed both scripts');
  assert.equal(reordered.personalized, true);
  const order = await gridIds(page);
  assert.deepEqual([...order].sort(), products.map((p) => String(p.id)).sort(), 'the same cards');
  // Ordered in parts, the first four cards (the first category) would stay ahead.
  const secondCategory = new Set(products.filter((p) => p.category === viewed[0].category).map((p) => String(p.id)));
  assert.ok(order.slice(0, secondCategory.size).every((id) => secondCategory.has(id)), `the viewed category comes first: ${order.join(' ')}`);
  assert.deepEqual(page.problems, [], 'no uncaught error, console error or failed request');
  await page.context().close();
});

test('the embed on a page without a grid: aisle starts, aisle.status() says it found no grid, no error, nothing thrown', async () => {
  const page = await openPage();
  await page.goto(shop.url + '/pages/about.html');
  assert.ok(await waitForAisleEvent(page, 'aisle:ready'), 'aisle started');
  // The manifest and bundle load; the grid selector simply matches nothing on this page.
  await page.waitForFunction(() => window.aisle.status()?.modelVersion !== undefined);
  const status = await page.evaluate(() => window.aisle.status());
  assert.equal(status.gridsRanked, 0);
  assert.ok(status.productsInBundle > 0);
  assert.deepEqual(status.install, { grids: 0, cards: 0, ids: 0, recognised: 0, unrecognised: [] }, 'the install check: no grid on this page');
  assert.deepEqual(status.errors, []);
  const errors = await page.evaluate(() => window.__aisleLog.filter(([n]) => n === 'aisle:error').map(([, d]) => d.code));
  assert.deepEqual(errors, []);
  assert.equal(await page.evaluate(() => window.__aisleSeen['aisle:reordered'] ?? null), null);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
