// `npm run bench`: what aisle costs a page and how fast its parts are, in one run.
//
//   1. sizes of what a merchant uploads (loader, glue, wasm): raw, gzip, brotli;
//   2. the demo store in headless Chromium on loopback, N runs each: time from the script
//      tag starting to the grid reordered (cold: fresh browser context; warm: same context,
//      second load), main-thread time, long tasks and layout shift (CLS), each against the
//      same page with aisle's script tags removed;
//   3. the core in Chromium's wasm engine (bench exports, src/web/bench.rs): rerank of 48,
//      200 and 1,000-item grids, bundle decode for 1k, 10k and 100k-product bundles; and
//      the shipped engine's full rerank (DOM included) for the same grid sizes;
//   4. native: `aisle build` throughput and peak memory on 100k, 1M and 10M generated events
//      (cli/examples/generate_shop.rs), `aisle report` on 10M events.
//
// Budgets (constants below) are checked at the end; the exit code is 1 when one is over.
// Usage: npm run bench [-- --quick] [-- --runs N] [-- --full] [-- --skip-build] [-- --keep-data] [-- --only native]
//   --quick       5 page runs, builds on 100k and 1M events, report on 1M events (a few minutes)
//   --full        also run a build whose projection says it will not fit (unless memory cannot hold it)
//   --only native the native CLI figures alone (builds only the CLI and the generator)
//   --skip-build  use pkg/, target/demo-site and target/bench-pkg as they are
import { chromium } from 'playwright-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { cpus, totalmem, freemem, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sizesOf } from './sizes.mjs';
import { startServer } from '../www/demo/serve.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---- budgets: tighten them as aisle beats them ----
export const BUDGET = {
  /** Loader + glue + wasm, gzip level 9, KB (1024 bytes). */
  shippedGzipKB: 55,
  /** Median warm time from the script tag starting to the grid reordered, ms. */
  warmReorderMs: 50,
  /** Layout shift aisle may add (CLS of the page with aisle minus without, every run). */
  clsAdded: 0,
  /** Build peak memory must grow as events^b with b at most this (1 = linear). */
  buildMemoryExponent: 0.3,
};

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const QUICK = flag('--quick');
const RUNS = Number(option('--runs', QUICK ? 5 : 15));
const PAGE = '/c/all.html';
const SITE = join(ROOT, 'target', 'demo-site');
const DATA = join(ROOT, 'target', 'bench-data');
const BENCH_PKG = join(ROOT, 'target', 'bench-pkg');
const AISLE = join(ROOT, 'target', 'release', 'aisle');
const GENERATOR = join(ROOT, 'target', 'release', 'examples', 'generate_shop');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
];

const results = { date: new Date().toISOString(), quick: QUICK, runs: RUNS, machine: machine(), budgets: BUDGET, checks: [] };
const log = (...parts) => console.error('\x1b[2mbench:\x1b[0m', ...parts);
const out = (line = '') => console.log(line);

// ---- statistics ----

function quantile(sorted, q) {
  if (!sorted.length) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** median, p10, p90, min, max of numbers. */
function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return { n: v.length, median: quantile(v, 0.5), p10: quantile(v, 0.1), p90: quantile(v, 0.9), min: v[0], max: v[v.length - 1] };
}

const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');
const spread = (s, digits = 1, unit = '') => `${fmt(s.median, digits)}${unit} (p10 ${fmt(s.p10, digits)}, p90 ${fmt(s.p90, digits)})`;

function check(name, ok, detail) {
  results.checks.push({ name, ok, detail });
}

function machine() {
  const cpu = cpus();
  return { cpu: cpu[0] ? cpu[0].model : 'unknown', cores: cpu.length, memoryGB: +(totalmem() / 2 ** 30).toFixed(1), node: process.version, loadAtStart: loadavg().map((l) => +l.toFixed(2)) };
}

// ---- 0. build what is measured ----

function run(command, commandArgs, options = {}) {
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (result.status !== 0) {
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
  return { ...result, seconds: (Date.now() - started) / 1000 };
}

function prepare() {
  if (flag('--skip-build')) return;
  log('building (setup, pkg/, CLI, demo site, bench wasm, generator)…');
  run('bash', ['scripts/setup.sh']);
  run('bash', ['scripts/build.sh']);
  run('bash', ['scripts/demo-site.sh', SITE]);
  run('bash', ['scripts/bench-wasm.sh']);
  run('bash', ['-c', 'source .cache/toolchain.env && cargo build --quiet --release -p aisle-cli --example generate_shop']);
}

// ---- 1. sizes ----

function measureSizes() {
  const files = ['aisle.js', 'aisle_core_bg.wasm'].map((f) => sizesOf(join(ROOT, 'pkg', f)));
  const total = files.reduce((t, r) => ({ file: 'total', raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { file: 'total', raw: 0, gzip: 0, brotli: 0 });
  results.sizes = { files, total };
  const kb = (n) => (n / 1024).toFixed(1).padStart(8) + ' KB';
  out('## Sizes (pkg/, what a merchant uploads)');
  out('file                       raw        gzip      brotli');
  for (const r of [...files, total]) out(r.file.padEnd(20) + kb(r.raw) + kb(r.gzip) + kb(r.brotli));
  const integrity = execFileSync('bash', ['scripts/sri.sh', 'pkg/aisle.js'], { cwd: ROOT, encoding: 'utf8' }).trim().split(' ')[0];
  out(`SRI of pkg/aisle.js: ${integrity}`);
  check('the rustup and Debian toolchain routes ship identical pkg/ files (scripts/compare-routes.sh)', spawnSync('bash', ['scripts/compare-routes.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] }).status === 0, 'its table is printed above');
  out();
  check(`aisle.js (loader + glue) + wasm ≤ ${BUDGET.shippedGzipKB} KB gzip`, total.gzip <= BUDGET.shippedGzipKB * 1024, `${(total.gzip / 1024).toFixed(1)} KB`);
}

// ---- 2. the demo page in Chromium ----

const PAGE_INIT = `
  window.__bench = { cls: 0, longtasks: [], reordered: null, ready: null, error: null };
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__bench.cls += e.value; })
    .observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__bench.longtasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
  document.addEventListener('aisle:reordered', (e) => { window.__bench.reordered = e.detail; });
  document.addEventListener('aisle:ready', (e) => { window.__bench.ready = e.detail; });
  document.addEventListener('aisle:error', (e) => { window.__bench.error = e.detail; });`;

/** The page without aisle: both of its script tags removed. */
function withoutAisle(html) {
  return html.replace(/<script>window\.aisle = window\.aisle \|\| \[\];<\/script>\s*/, '')
    .replace(/<script async src="\/aisle\/aisle\.js"[\s\S]*?<\/script>\s*/, '');
}

/** Quiet time after load before the metrics are read: past the 300 ms hide cap. */
const SETTLE_MS = 700;

async function newBenchPage(browser, variant, queued) {
  const context = await browser.newContext();
  await context.addInitScript(PAGE_INIT + (queued ? `window.aisle = ${JSON.stringify(queued.map((id) => ['view', id]))};` : ''));
  // Both variants go through the same route, so the interception costs both the same.
  await context.route((url) => url.pathname === PAGE, async (route) => {
    const response = await route.fetch();
    const html = await response.text();
    await route.fulfill({ response, body: variant === 'aisle' ? html : withoutAisle(html) });
  });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  return { context, page, cdp };
}

async function metricsOf(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** One page load; returns what it cost. */
async function measureLoad({ page, cdp }, variant) {
  const before = await metricsOf(cdp);
  await page.goto(BASE + PAGE, { waitUntil: 'load' });
  if (variant === 'aisle') {
    await page.waitForFunction(() => window.__bench.reordered || window.__bench.error, null, { timeout: 15000 });
  }
  await page.waitForTimeout(SETTLE_MS);
  const after = await metricsOf(cdp);
  const b = await page.evaluate(() => window.__bench);
  const delta = (name) => (after[name] - (after[name] >= before[name] ? before[name] : 0)) * 1000;
  return {
    reorderMs: b.reordered ? b.reordered.ms : NaN,
    readyMs: b.ready ? b.ready.ms : NaN,
    personalized: b.reordered ? b.reordered.personalized : null,
    error: b.error && b.error.code,
    cls: b.cls,
    longTasks: b.longtasks.length,
    longTaskMs: b.longtasks.reduce((s, d) => s + d, 0),
    taskMs: delta('TaskDuration'),
    scriptMs: delta('ScriptDuration'),
    layoutMs: delta('LayoutDuration') + delta('RecalcStyleDuration'),
  };
}

let BASE;

async function measurePage(browser) {
  const { server, url } = await startServer({ root: SITE, port: 0 });
  BASE = url;
  // Three views of the category the shop lists last, so the rerank moves cards.
  const probe = await browser.newPage();
  await probe.goto(url + PAGE + '?aisle=off');
  const cards = await probe.$$eval('.product-grid > .product-card', (c) => c.map((x) => [x.dataset.productId, x.dataset.category]));
  await probe.close();
  const lastCategory = cards[cards.length - 1][1];
  const queued = cards.filter(([, c]) => c === lastCategory).slice(0, 3).map(([id]) => id);

  const samples = { cold: { aisle: [], none: [] }, warm: { aisle: [], none: [] } };
  for (let i = 0; i < RUNS; i++) {
    for (const variant of i % 2 ? ['none', 'aisle'] : ['aisle', 'none']) {
      const cold = await newBenchPage(browser, variant, queued);
      samples.cold[variant].push(await measureLoad(cold, variant));
      await cold.context.close();
      const warm = await newBenchPage(browser, variant, queued);
      await measureLoad(warm, variant); // primes the HTTP and code caches
      samples.warm[variant].push(await measureLoad(warm, variant));
      await warm.context.close();
    }
    log(`page run ${i + 1}/${RUNS}: cold ${fmt(samples.cold.aisle.at(-1).reorderMs)} ms, warm ${fmt(samples.warm.aisle.at(-1).reorderMs)} ms`);
  }
  await new Promise((resolve) => server.close(resolve));

  const errors = [...samples.cold.aisle, ...samples.warm.aisle].filter((s) => s.error).map((s) => s.error);
  const summary = {};
  for (const phase of ['cold', 'warm']) {
    const s = samples[phase];
    const pick = (variant, key) => stats(s[variant].map((x) => x[key]));
    summary[phase] = {
      reorderMs: pick('aisle', 'reorderMs'),
      readyMs: pick('aisle', 'readyMs'),
      personalizedRuns: s.aisle.filter((x) => x.personalized).length,
      taskMs: { aisle: pick('aisle', 'taskMs'), none: pick('none', 'taskMs') },
      scriptMs: { aisle: pick('aisle', 'scriptMs'), none: pick('none', 'scriptMs') },
      layoutMs: { aisle: pick('aisle', 'layoutMs'), none: pick('none', 'layoutMs') },
      longTasks: { aisle: pick('aisle', 'longTasks'), none: pick('none', 'longTasks') },
      longTaskMs: { aisle: pick('aisle', 'longTaskMs'), none: pick('none', 'longTaskMs') },
      cls: { aisle: pick('aisle', 'cls'), none: pick('none', 'cls') },
      clsRuns: { aisle: s.aisle.filter((x) => x.cls > 0).length, none: s.none.filter((x) => x.cls > 0).length },
    };
  }
  results.page = { page: PAGE, queuedViews: queued.length, settleMs: SETTLE_MS, summary, errors };

  out(`## The demo page in headless Chromium (${PAGE}, 48 cards, loopback), ${RUNS} runs each: median (p10, p90)`);
  out('| | cold (fresh context) | warm (bundle cached) |');
  out('|---|---|---|');
  const row = (label, f) => out(`| ${label} | ${f(summary.cold)} | ${f(summary.warm)} |`);
  row('script start → grid reordered, ms', (p) => spread(p.reorderMs));
  row('script start → engine ready, ms', (p) => spread(p.readyMs));
  row('runs reordered before the hide ran out', (p) => `${p.personalizedRuns}/${RUNS}`);
  row('main-thread task time with aisle, ms', (p) => spread(p.taskMs.aisle));
  row('main-thread task time without aisle, ms', (p) => spread(p.taskMs.none));
  row('**main-thread time added by aisle** (median diff), ms', (p) => fmt(p.taskMs.aisle.median - p.taskMs.none.median));
  row('script time added (median diff), ms', (p) => fmt(p.scriptMs.aisle.median - p.scriptMs.none.median));
  row('style + layout time added (median diff), ms', (p) => fmt(p.layoutMs.aisle.median - p.layoutMs.none.median));
  row('long tasks (> 50 ms) with / without aisle', (p) => `${fmt(p.longTasks.aisle.median, 0)} / ${fmt(p.longTasks.none.median, 0)} (max ${fmt(p.longTasks.aisle.max, 0)} / ${fmt(p.longTasks.none.max, 0)})`);
  row('long-task time with / without aisle, ms', (p) => `${fmt(p.longTaskMs.aisle.median)} / ${fmt(p.longTaskMs.none.median)}`);
  row('CLS with / without aisle (max over runs)', (p) => `${fmt(p.cls.aisle.max, 4)} / ${fmt(p.cls.none.max, 4)}`);
  row('runs with a layout shift, with / without aisle', (p) => `${p.clsRuns.aisle}/${RUNS} / ${p.clsRuns.none}/${RUNS}`);
  if (errors.length) out(`aisle:error during page runs: ${errors.join(', ')}`);
  out();

  check(`warm script start → reordered ≤ ${BUDGET.warmReorderMs} ms (median)`, summary.warm.reorderMs.median <= BUDGET.warmReorderMs, `${fmt(summary.warm.reorderMs.median)} ms`);
  const clsAdded = Math.max(summary.cold.cls.aisle.max - summary.cold.cls.none.max, summary.warm.cls.aisle.max - summary.warm.cls.none.max, 0);
  check(`CLS added ≤ ${BUDGET.clsAdded}`, clsAdded <= BUDGET.clsAdded, fmt(clsAdded, 4));
  check('no aisle:error on the healthy page', errors.length === 0, errors.join(', ') || 'none');
}

// ---- 3. the core in Chromium's wasm engine ----

/** Bundles of 1k, 10k and 100k products, made by `aisle build` from generated shops (cached). */
function benchBundles() {
  mkdirSync(DATA, { recursive: true });
  const specs = [
    { products: 1_000, events: 20_000 },
    { products: 10_000, events: 100_000 },
    { products: 100_000, events: 100_000 },
  ];
  const bundles = [];
  for (const spec of specs) {
    const cached = join(DATA, `bundle-${spec.products}p-${spec.events}e.bin`);
    const fresh = existsSync(cached) && statSync(cached).mtimeMs > statSync(AISLE).mtimeMs;
    if (!fresh) {
      if (QUICK && spec.products >= 100_000) { log(`skipping the ${spec.products}-product bundle in --quick (not cached)`); continue; }
      const dir = join(DATA, `shop-${spec.products}p-${spec.events}e`);
      generate(dir, spec.products, spec.events);
      log(`building the ${spec.products}-product bundle (${spec.events} events; cached in ${DATA})…`);
      const built = run(AISLE, ['build', '--catalog', join(dir, 'catalog.csv'), '--events', join(dir, 'events.ndjson'), '--out', join(dir, 'out')]);
      const name = readdirSync(join(dir, 'out')).find((f) => f.startsWith('bundle-'));
      copyFileSync(join(dir, 'out', name), cached);
      log(`  built in ${built.seconds.toFixed(0)} s`);
    }
    bundles.push({ ...spec, path: cached, bytes: statSync(cached).size, catalog: join(DATA, `shop-${spec.products}p-${spec.events}e`, 'catalog.csv') });
  }
  return bundles;
}

function generate(dir, products, events) {
  if (existsSync(join(dir, 'events.ndjson'))) return;
  mkdirSync(dir, { recursive: true });
  run(GENERATOR, ['--products', String(products), '--events', String(events), '--out', dir]);
}

async function measureWasm(browser) {
  const bundles = benchBundles();
  const { server, url } = await startServer({ root: SITE, port: 0 });
  const context = await browser.newContext();
  await context.route('**/bench/**', (route) => {
    const name = new URL(route.request().url()).pathname.replace('/bench/', '');
    const file = name.startsWith('bundle-') ? join(DATA, name) : join(BENCH_PKG, name);
    const type = name.endsWith('.wasm') ? 'application/wasm' : name.endsWith('.js') ? 'text/javascript' : 'application/octet-stream';
    return route.fulfill({ body: readFileSync(file), headers: { 'content-type': type } });
  });
  const page = await context.newPage();
  await page.goto(url + '/index.html?aisle=off');

  const core = [];
  for (const bundle of bundles) {
    const name = bundle.path.split('/').pop();
    const measured = await page.evaluate(async ({ name, sizes }) => {
      // @ts-expect-error -- served to the page by the bench server, not a module Node resolves.
      const bench = await import('/bench/aisle_core.js');
      await bench.default({ module_or_path: '/bench/aisle_core_bg.wasm' });
      const bytes = new Uint8Array(await (await fetch('/bench/' + name)).arrayBuffer());
      /** ms per op of fn(iterations) over 7 batches of about 150 ms each. */
      const time = (fn) => {
        let iterations = 1;
        while (iterations < 1e7) { const t = performance.now(); fn(iterations); if (performance.now() - t > 30) break; iterations *= 2; }
        iterations = Math.max(1, Math.round(iterations * 150 / 30));
        return Array.from({ length: 7 }, () => fn(iterations));
      };
      const out = { decode: time((n) => bench.benchDecode(bytes, n)), context: time((n) => bench.benchContext(bytes, n)), rank: {} };
      for (const size of sizes) out.rank[size] = time((n) => bench.benchRank(bytes, size, n));
      return out;
    }, { name, sizes: [48, 200, 1000] });
    core.push({ products: bundle.products, bundleBytes: bundle.bytes, ...measured });
    log(`wasm bench: ${bundle.products} products done`);
  }

  // The engine, DOM included: loadBundle (decode + validate + shopper context) and
  // apply() on fresh grids of 48, 200 and 1,000 cards.
  const tenK = bundles.find((b) => b.products === 10_000) || bundles[0];
  const known = readFileSync(tenK.catalog, 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split(',')[0]);
  const shipped = await page.evaluate(async ({ name, sizes, known }) => {
    // The bench build: the shipped code and profile plus the bench exports (the shipped glue
    // lives inside aisle.js's closure).
    // @ts-expect-error -- served to the page by the bench server, not a module Node resolves.
    const core = await import('/bench/aisle_core.js');
    await core.default({ module_or_path: '/bench/aisle_core_bg.wasm' });
    const bytes = new Uint8Array(await (await fetch('/bench/' + name)).arrayBuffer());
    const engine = new core.AisleEngine({ grid: '.bench-grid', item: '.bench-card', itemId: 'data-product-id', startedAt: performance.now() });
    engine.useManifest({ manifest_version: 1, bundle: name, experiments: [] });
    const loads = [];
    for (let i = 0; i < 15; i++) { const t = performance.now(); engine.loadBundle(bytes); loads.push(performance.now() - t); }
    for (let k = 0; k < 20; k++) engine.track('view', known[(k * 7919 + 13) % known.length]);
    const apply = {};
    for (const size of sizes) {
      const perGrid = [];
      const gridsPerBatch = Math.max(1, Math.round(2000 / size));
      for (let batch = 0; batch < 9; batch++) {
        const grids = [];
        for (let g = 0; g < gridsPerBatch; g++) {
          const ul = document.createElement('ul');
          ul.className = 'bench-grid';
          for (let slot = 0; slot < size; slot++) {
            const li = document.createElement('li');
            li.className = 'bench-card';
            li.setAttribute('data-product-id', slot % 20 === 19 ? 'new-' + slot : known[(slot * 37 + batch * 101 + g) % known.length]);
            li.textContent = 'card ' + slot;
            ul.appendChild(li);
          }
          document.body.appendChild(ul);
          grids.push(ul);
        }
        await Promise.resolve();
        const t = performance.now();
        engine.apply(false);
        perGrid.push((performance.now() - t) / gridsPerBatch);
        for (const ul of grids) ul.remove();
        await new Promise((r) => setTimeout(r, 0));
      }
      apply[size] = perGrid;
    }
    return { loads, apply, productsInBundle: engine.status().productsInBundle };
  }, { name: tenK.path.split('/').pop(), sizes: [48, 200, 1000], known });
  await context.close();
  await new Promise((resolve) => server.close(resolve));

  results.wasm = { core, shipped: { bundleProducts: tenK.products, ...shipped } };
  out('## The core in Chromium\'s wasm engine (bench exports; ms per operation, median of 7 batches (min, max))');
  out('| bundle | bytes | decode + validate | shopper context (20 actions) | rerank 48 | rerank 200 | rerank 1,000 |');
  out('|---|---|---|---|---|---|---|');
  const cell = (values, unit = 'ms', scale = 1, digits = 3) => { const s = stats(values.map((v) => v * scale)); return `${fmt(s.median, digits)} ${unit} (${fmt(s.min, digits)}, ${fmt(s.max, digits)})`; };
  for (const c of core) {
    out(`| ${c.products.toLocaleString('en')} products | ${(c.bundleBytes / 1024).toFixed(0)} KB | ${cell(c.decode, 'ms', 1, 2)} | ${cell(c.context, 'µs', 1000, 1)} | ${cell(c.rank[48], 'µs', 1000, 1)} | ${cell(c.rank[200], 'µs', 1000, 1)} | ${cell(c.rank[1000], 'µs', 1000, 1)} |`);
  }
  out();
  out(`The engine (shipped code, bench build) with the ${tenK.products.toLocaleString('en')}-product bundle, DOM included (median (p10, p90)):`);
  out(`- loadBundle (decode + validate + shopper context): ${spread(stats(shipped.loads), 2, ' ms')}`);
  for (const size of [48, 200, 1000]) out(`- apply() on a fresh ${size}-card grid (read ids, score, move nodes, exposure event): ${spread(stats(shipped.apply[size]), 3, ' ms')}`);
  out();
}

// ---- 4. native: aisle build and aisle report ----

/** Runs `command` under /usr/bin/time; returns wall seconds and peak RSS (MB). */
function timed(command, commandArgs) {
  const hasTime = existsSync('/usr/bin/time');
  const result = hasTime
    ? run('/usr/bin/time', ['-f', 'BENCH_TIME %e %M', command, ...commandArgs])
    : run(command, commandArgs);
  const match = hasTime && result.stderr.match(/BENCH_TIME ([\d.]+) (\d+)/);
  return { seconds: match ? Number(match[1]) : result.seconds, peakMB: match ? Number(match[2]) / 1024 : NaN, stderr: result.stderr };
}

function lineCount(file) {
  return Number(execFileSync('wc', ['-l', file], { encoding: 'utf8' }).trim().split(/\s+/)[0]);
}

/** With `--only native` the rest of the bench is skipped: only the CLI and the generator are built. */
function prepareNative() {
  if (flag('--skip-build')) return;
  log('building the CLI and the generator…');
  run('bash', ['-c', '[ -f .cache/toolchain.env ] || bash scripts/setup.sh; source .cache/toolchain.env && cargo build --quiet --release -p aisle-cli --bin aisle --example generate_shop']);
}

/** Least-squares slope of log(peak MB) over log(events): memory grows as events^slope. */
function memoryExponent(builds) {
  const points = builds.map((b) => [Math.log(b.events), Math.log(b.peakMB)]);
  const mean = (i) => points.reduce((s, p) => s + p[i], 0) / points.length;
  const [mx, my] = [mean(0), mean(1)];
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx > 0 ? sxy / sxx : NaN;
}

/**
 * The next build's memory and time, projected from the builds so far: memory as the power
 * law fitted to them (linear from a single build), time linear in events.
 */
function project(builds, events) {
  const last = builds[builds.length - 1];
  const exponent = builds.length >= 2 ? Math.max(memoryExponent(builds), 0) : 1;
  return { seconds: last.seconds * (events / last.events), peakMB: last.peakMB * (events / last.events) ** exponent };
}

function measureNative() {
  const sizes = QUICK ? [100_000, 1_000_000] : [100_000, 1_000_000, 10_000_000];
  const builds = [];
  for (const events of sizes) {
    // Guard: a build projected not to fit in memory (or to take over half an hour) is
    // skipped; --full runs it anyway unless it would certainly run out of memory.
    const measured = builds.filter((b) => !b.skipped);
    if (measured.length) {
      const projected = project(measured, events);
      const availableMB = freemem() / 2 ** 20;
      const fits = projected.peakMB < 0.7 * availableMB && projected.seconds < 30 * 60;
      if ((!fits && !flag('--full')) || projected.peakMB >= 0.9 * availableMB) {
        builds.push({ events, skipped: true, projectedSeconds: projected.seconds, projectedMB: projected.peakMB, availableMB });
        log(`skipping the ${events.toLocaleString('en')}-event build: projected ${fmt(projected.seconds / 60)} min and ${fmt(projected.peakMB / 1024)} GB (available: ${fmt(availableMB / 1024)} GB)${fits ? '' : '; --full runs it if memory allows'}`);
        continue;
      }
    }
    const dir = join(DATA, `shop-10000p-${events}e`);
    generate(dir, 10_000, events);
    const lines = lineCount(join(dir, 'events.ndjson'));
    log(`aisle build on ${lines.toLocaleString('en')} events…`);
    const t = timed(AISLE, ['build', '--catalog', join(dir, 'catalog.csv'), '--events', join(dir, 'events.ndjson'), '--out', join(dir, 'out')]);
    builds.push({ events: lines, seconds: t.seconds, peakMB: t.peakMB, eventsPerSecond: lines / t.seconds, bytes: statSync(join(dir, 'events.ndjson')).size });
    log(`  ${fmt(t.seconds)} s, ${fmt(t.peakMB, 0)} MB peak`);
  }

  const reportEvents = QUICK ? 1_000_000 : 10_000_000;
  const reportDir = join(DATA, `shop-10000p-${reportEvents}e`);
  generate(reportDir, 10_000, reportEvents);
  const reportLines = lineCount(join(reportDir, 'events.ndjson'));
  log(`aisle report on ${reportLines.toLocaleString('en')} events…`);
  const r = timed(AISLE, ['report', '--events', join(reportDir, 'events.ndjson'), '--out', join(reportDir, 'report')]);
  const report = { events: reportLines, seconds: r.seconds, peakMB: r.peakMB, eventsPerSecond: reportLines / r.seconds, bytes: statSync(join(reportDir, 'events.ndjson')).size };
  if (reportEvents >= 10_000_000 && !flag('--keep-data')) rmSync(reportDir, { recursive: true, force: true });

  results.native = { builds, report };
  const gb = (bytes) => `${fmt(bytes / 2 ** 30, 2)} GB`;
  out('## Native CLI (release build; generated shop of 10,000 products: cli/examples/generate_shop.rs)');
  out('| command | events | wall time | events/s | peak RSS |');
  out('|---|---|---|---|---|');
  for (const b of builds) {
    if (b.skipped) out(`| aisle build | ${b.events.toLocaleString('en')} | skipped: projected ${fmt(b.projectedSeconds / 60)} min | – | projected ${fmt(b.projectedMB / 1024, 1)} GB (available ${fmt(b.availableMB / 1024, 1)} GB) |`);
    else out(`| aisle build | ${b.events.toLocaleString('en')} (${gb(b.bytes)}) | ${fmt(b.seconds)} s | ${Math.round(b.eventsPerSecond).toLocaleString('en')} | ${fmt(b.peakMB, 0)} MB |`);
  }
  out(`| aisle report | ${report.events.toLocaleString('en')} (${gb(report.bytes)}) | ${fmt(report.seconds)} s | ${Math.round(report.eventsPerSecond).toLocaleString('en')} | ${fmt(report.peakMB, 0)} MB |`);
  const measured = builds.filter((b) => !b.skipped);
  if (measured.length >= 2) {
    const exponent = memoryExponent(measured);
    const [first, last] = [measured[0], measured[measured.length - 1]];
    results.native.buildMemoryExponent = exponent;
    out(`Build peak memory grows as events^${fmt(exponent, 2)} (least squares over ${measured.map((b) => b.events.toLocaleString('en')).join(', ')} events; 1 = linear): ${fmt(first.peakMB, 0)} MB → ${fmt(last.peakMB, 0)} MB for ${fmt(last.events / first.events, 0)}× the events.`);
    check(`build memory sub-linear (exponent ≤ ${BUDGET.buildMemoryExponent})`, exponent <= BUDGET.buildMemoryExponent, `exponent ${fmt(exponent, 2)}`);
  } else {
    out('Build memory growth needs two measured sizes.');
    check(`build memory sub-linear (exponent ≤ ${BUDGET.buildMemoryExponent})`, false, 'fewer than two builds measured');
  }
  out();
}

// ---- main ----

async function main() {
  const started = Date.now();
  const only = option('--only', null);
  if (only !== null && only !== 'native') throw new Error(`--only ${only}: only "native" can be run alone`);
  if (only === 'native') prepareNative(); else prepare();
  out(`# aisle bench — ${results.date}${QUICK ? ' (--quick)' : ''}${only ? ` (--only ${only})` : ''}`);
  out(`Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGB} GB; node ${results.machine.node}; load average at start ${results.machine.loadAtStart.join(' ')}`);
  if (only !== 'native') {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    out(`Chromium ${browser.version()} headless`);
    out();
    try {
      measureSizes();
      await measurePage(browser);
      await measureWasm(browser);
    } finally {
      await browser.close();
    }
  } else {
    out();
  }
  measureNative();

  out('## Budgets');
  for (const c of results.checks) out(`${c.ok ? 'ok  ' : 'OVER'}  ${c.name}: ${c.detail}`);
  const minutes = (Date.now() - started) / 60000;
  results.machine.loadAtEnd = loadavg().map((l) => +l.toFixed(2));
  out(`\nbench finished in ${minutes.toFixed(1)} min (load average at end ${results.machine.loadAtEnd.join(' ')})`);
  results.minutes = minutes;
  mkdirSync(join(ROOT, 'target', 'bench'), { recursive: true });
  writeFileSync(join(ROOT, 'target', 'bench', 'results.json'), JSON.stringify(results, null, 2));
  log('results: target/bench/results.json');
  process.exitCode = results.checks.every((c) => c.ok) ? 0 : 1;
}

main().catch((error) => { console.error(error); process.exitCode = 2; });
