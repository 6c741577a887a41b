// The npm package as a merchant gets it: `npm pack` of npm/, installed from the tarball into a
// scratch folder, served from that node_modules copy by a second origin laid out like an npm
// CDN (`/npm/aisle@<version>/pkg/aisle.js`), on a shop page (the demo store's category page)
// with Subresource Integrity on the script tag and the CSP of docs/security.md. Also: the
// package's files and metadata, its TypeScript declarations (tsc --noEmit of a typed usage
// file), and a loader served without its wasm beside it (a clear error, the shop's order).
// Needs scripts/build.sh and scripts/demo-site.sh to have run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startServer } from '../../www/demo/serve.mjs';
import { ROOT, SITE, CHROMIUM_ARGS, asVisitor, visitorInArm, gridOrder, RECORD_EVENTS } from './harness.mjs';
import { reordered, queueViews, expectAisleError } from './faults-support.mjs';

const PAGE = '/c/all.html';
const SHIPPED = ['aisle.js', 'aisle_core_bg.wasm', 'aisle-debug.js'];
const STUB = 'window.aisle = window.aisle || [];';
const STUB_HASH = `'sha256-${createHash('sha256').update(STUB).digest('base64')}'`;
const sri = (bytes) => 'sha384-' + createHash('sha384').update(bytes).digest('base64');
const { version } = JSON.parse(readFileSync(join(ROOT, 'npm', 'package.json'), 'utf8'));

let scratch, tarball, packed, installed, shop, cdn, browser, shopOrder;

before(async () => {
  for (const file of SHIPPED) assert.ok(existsSync(join(ROOT, 'pkg', file)), `pkg/${file} exists (run scripts/build.sh)`);
  assert.ok(existsSync(join(SITE, 'aisle', 'manifest.json')), `${SITE} exists (run scripts/demo-site.sh)`);
  scratch = mkdtempSync(join(tmpdir(), 'aisle-package-'));

  // 1. npm pack (its prepack copies pkg/ and the licences in), 2. npm install of the tarball.
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--json', '--silent', '--pack-destination', scratch], { cwd: join(ROOT, 'npm'), encoding: 'utf8' }));
  packed = report;
  tarball = join(scratch, report.filename);
  const project = join(scratch, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'a-shop-theme', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: project, stdio: 'pipe' });
  installed = join(project, 'node_modules', 'aisle');

  // The CDN: the installed package at the paths npm CDNs give it (/npm/aisle@v/…, /aisle@v/…).
  const cdnRoot = join(scratch, 'cdn');
  mkdirSync(join(cdnRoot, 'npm'), { recursive: true });
  symlinkSync(installed, join(cdnRoot, 'npm', `aisle@${version}`));
  symlinkSync(installed, join(cdnRoot, `aisle@${version}`));
  // The shop: the demo store's pages, with the manifest and bundle `aisle build` made (the
  // merchant's upload) under /data/, and no copy of aisle.js of its own.
  const shopRoot = join(scratch, 'shop');
  cpSync(SITE, shopRoot, { recursive: true });
  rmSync(join(shopRoot, 'aisle'), { recursive: true });
  mkdirSync(join(shopRoot, 'data'));
  for (const file of readdirSync(join(SITE, 'aisle')).filter((f) => f === 'manifest.json' || f.startsWith('bundle-'))) {
    cpSync(join(SITE, 'aisle', file), join(shopRoot, 'data', file));
  }
  shop = await startServer({ root: shopRoot, port: 0, collector: '' });
  cdn = await startServer({ root: cdnRoot, port: 0, collector: '' }); // another port: another origin
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  for (const server of [shop, cdn]) if (server) await new Promise((resolve) => server.server.close(resolve));
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/**
 * The merchant's tag for `src`: the snippet of docs/install.md, with the page's own context
 * (data-category) kept from the demo page. No anti-flicker hide: the outcome of these tests
 * must not depend on timing.
 */
function merchantTag(src, integrity) {
  return (html) => html.replace(/<script async src="\/aisle\/aisle.js"[\s\S]*?><\/script>/, (tag) => {
    const category = tag.match(/ data-category="[^"]*"/)?.[0] ?? '';
    return `<script async src="${src}"${integrity ? ` integrity="${integrity}" crossorigin="anonymous"` : ''}
        data-manifest="/data/manifest.json"
        data-grid=".product-grid" data-item=".product-card" data-item-id="data-product-id"${category}></script>`;
  });
}

/** A page of a fresh context (a visitor in the personalized arm) recording every problem. */
async function openPage({ edit, headers = {}, init = '', route } = {}) {
  // The shop and the CDN are two loopback origins here; Chromium asks for its local network
  // access permission before one loads a script from the other, which public hosts never need.
  const context = await browser.newContext({ permissions: ['local-network-access'] });
  await context.addInitScript(asVisitor(visitorInArm('personalized')) + RECORD_EVENTS + init);
  await context.route((url) => url.pathname === PAGE, async (r) => {
    const response = await r.fetch();
    await r.fulfill({ response, body: edit(await response.text()), headers: { ...response.headers(), ...headers } });
  });
  if (route) await context.route(route.match, route.handler);
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (error) => page.problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') page.problems.push(`console: ${message.text()}`); });
  page.on('response', (response) => { if (response.status() >= 400) page.problems.push(`http ${response.status()}: ${response.url()}`); });
  return page;
}

async function theShopOrder() {
  if (shopOrder) return shopOrder;
  const page = await openPage({ edit: merchantTag(`${cdn.url}/npm/aisle@${version}/pkg/aisle.js`) });
  await page.goto(shop.url + PAGE + '?aisle=off');
  shopOrder = await gridOrder(page);
  await page.context().close();
  return shopOrder;
}

/** Loads the page with views of the shop's last two products queued; checks aisle personalized it. */
async function assertPersonalized(options) {
  const order = await theShopOrder();
  const page = await openPage({ ...options, init: queueViews(order.slice(-2)) });
  await page.goto(shop.url + PAGE);
  const event = await reordered(page);
  assert.ok(event, 'aisle reordered the grid');
  assert.equal(event.personalized, true);
  const shown = await gridOrder(page);
  assert.notDeepEqual(shown, order, 'the grid was personalized');
  assert.deepEqual([...shown].sort(), [...order].sort(), 'the same cards, reordered');
  assert.deepEqual(await page.evaluate(() => window.__aisleLog.filter(([n]) => n === 'aisle:error').map(([, d]) => d)), []);
  assert.deepEqual(page.problems, [], 'no uncaught error, console error or failed request');
  const status = await page.evaluate(() => window.aisle.status());
  assert.equal(status.gridsRanked >= 1, true);
  await page.context().close();
  return status;
}

test('npm pack: the tarball holds exactly the prebuilt files, the types, the README and both licences', () => {
  const files = packed.files.map((f) => f.path).sort();
  assert.deepEqual(files, [
    'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'package.json',
    'pkg/aisle-debug.js', 'pkg/aisle.js', 'pkg/aisle_core_bg.wasm', 'types/aisle.d.ts',
  ]);
  assert.equal(packed.name, 'aisle');
  assert.equal(packed.version, version);
  for (const file of SHIPPED) {
    assert.ok(readFileSync(join(installed, 'pkg', file)).equals(readFileSync(join(ROOT, 'pkg', file))), `installed pkg/${file} is the built one`);
  }
  assert.match(readFileSync(join(installed, 'LICENSE-APACHE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
  assert.match(readFileSync(join(installed, 'LICENSE-MIT'), 'utf8'), /Permission is hereby granted, free of charge/);
});

test('one version everywhere: npm package, loader, crate', () => {
  const loader = readFileSync(join(installed, 'pkg', 'aisle.js'), 'utf8');
  assert.ok(loader.includes(`"${version}"`) || loader.includes(`'${version}'`), 'aisle.js carries the package version');
  const crate = readFileSync(join(ROOT, 'Cargo.toml'), 'utf8').match(/^version = "([^"]+)"/m)[1];
  assert.equal(crate, version);
});

test('package.json: publishable, and its exports resolve to the shipped files', () => {
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  assert.equal(manifest.private, undefined, 'not private');
  assert.equal(manifest.license, 'MIT OR Apache-2.0');
  for (const [subpath, target] of Object.entries(manifest.exports)) {
    const file = typeof target === 'string' ? target : target.types;
    assert.ok(existsSync(join(installed, file)), `exports["${subpath}"] → ${file} exists`);
  }
  for (const file of SHIPPED) assert.equal(manifest.exports[`./pkg/${file}`], `./pkg/${file}`);
  // A bundler resolving a shipped file through the exports map finds the same bytes.
  const resolved = execFileSync(process.execPath, ['-e', "process.stdout.write(require.resolve('aisle/pkg/aisle.js'))"], { cwd: join(installed, '..', '..'), encoding: 'utf8' });
  assert.equal(resolved, join(installed, 'pkg', 'aisle.js'));
});

test('served from node_modules by a CDN origin, under SRI and the recommended CSP: aisle reorders, nothing fails', async () => {
  const src = `${cdn.url}/npm/aisle@${version}/pkg/aisle.js`;
  const integrity = sri(readFileSync(join(installed, 'pkg', 'aisle.js')));
  // docs/security.md: script-src allows the CDN and 'wasm-unsafe-eval' and the stub's hash;
  // connect-src is there too, as the page recommends when a policy has default-src.
  const csp = `default-src 'self'; script-src 'self' ${cdn.url} 'wasm-unsafe-eval' ${STUB_HASH}; ` +
    `connect-src 'self' ${cdn.url}; style-src 'self' 'unsafe-inline'; img-src 'self' data:`;
  const status = await assertPersonalized({ edit: merchantTag(src, integrity), headers: { 'content-security-policy': csp } });
  assert.ok(status.productsInBundle > 0);
});

test('the debug view loads from the package too (?aisle_debug=1, its own pinned script)', async () => {
  const src = `${cdn.url}/npm/aisle@${version}/pkg/aisle.js`;
  const page = await openPage({ edit: merchantTag(src, sri(readFileSync(join(installed, 'pkg', 'aisle.js')))) });
  const debugScript = page.waitForResponse((r) => r.url().endsWith('/pkg/aisle-debug.js'));
  await page.goto(shop.url + PAGE + '?aisle_debug=1');
  assert.equal((await debugScript).status(), 200);
  assert.ok(await reordered(page));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('another CDN layout (unpkg-style path, wasm served as octet-stream) still works', async () => {
  // The wasm is found beside aisle.js whatever the path; a CDN that does not send
  // application/wasm costs streaming compilation only.
  const src = `${cdn.url}/aisle@${version}/pkg/aisle.js`;
  await assertPersonalized({
    edit: merchantTag(src, sri(readFileSync(join(installed, 'pkg', 'aisle.js')))),
    route: {
      match: (url) => url.pathname.endsWith('/aisle_core_bg.wasm'),
      handler: async (r) => {
        const response = await r.fetch();
        await r.fulfill({ response, headers: { ...response.headers(), 'content-type': 'application/octet-stream' } });
      },
    },
  });
});

test('aisle.js copied alone to another path (no wasm beside it): a clear aisle:error naming the file, the shop keeps its order', async () => {
  const order = await theShopOrder();
  // The shop's asset folder holds aisle.js only; the CDN's copy is not reachable from there.
  const lonely = join(scratch, 'cdn', 'assets');
  mkdirSync(lonely, { recursive: true });
  cpSync(join(installed, 'pkg', 'aisle.js'), join(lonely, 'aisle.js'));
  const page = await openPage({ edit: merchantTag(`${cdn.url}/assets/aisle.js`, sri(readFileSync(join(lonely, 'aisle.js')))), init: queueViews(order.slice(-2)) });
  await page.goto(shop.url + PAGE);
  const error = await expectAisleError(page, /^wasm_blocked$/);
  assert.match(error.message, /aisle_core_bg\.wasm/);
  assert.deepEqual(await gridOrder(page), order, "the shop's order");
  // The only problems are the browser's own reports of the failed wasm request (a 404 without
  // CORS headers); nothing is thrown into the page.
  assert.deepEqual(page.problems.filter((p) => !p.includes('Failed to load resource') && !p.includes('/assets/aisle_core_bg.wasm')), []);
  await page.context().close();
});

test('TypeScript: a typed usage file checks against the installed declarations (tsc --noEmit)', () => {
  const project = join(installed, '..', '..');
  cpSync(join(ROOT, 'tests', 'types', 'usage.ts'), join(project, 'usage.ts'));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, target: 'es2020', module: 'esnext', moduleResolution: 'bundler', lib: ['es2020', 'dom'], types: [] },
    files: ['usage.ts'],
  }));
  // Throws (the test fails) with tsc's diagnostics when a declaration or a usage is wrong,
  // including a `@ts-expect-error` line that is no longer an error.
  execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', project], { encoding: 'utf8' });
});
