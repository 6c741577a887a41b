// `npm run bench`: what aisle costs a page and how fast its parts are, in one run, side by
// side with the best client-side peer (GrowthBook's script tag, issue 12).
//
//   1. bytes each tag fetches: aisle's loader + wasm + manifest + bundle against GrowthBook's
//      auto.min.js + features JSON (raw, gzip, brotli), and the bundle's bytes per product
//      (scripts/bench/bytes.mjs);
//   2. the demo category page in headless Chromium on loopback, three ways (aisle's tag,
//      GrowthBook's tag running one visual experiment that moves the cards into aisle's
//      order, no tag), cold, warm and first visit, interleaved, N runs: navigation → grid in
//      its final order, main-thread time added, long tasks, CLS, LCP added, bytes
//      transferred (scripts/bench/page.mjs, scripts/bench/peer.mjs);
//   3. the core in Chromium's wasm engine (bench exports, src/web/bench.rs): rerank of 48,
//      200 and 1,000-item grids, bundle decode for 1k, 10k and 100k-product bundles; and
//      the shipped engine's full rerank (DOM included) for the same grid sizes;
//   4. native: `aisle build` throughput and peak memory on 100k, 1M and 10M generated events
//      (cli/examples/generate_shop.rs), `aisle report` on 10M events.
//
// Budgets are checked at the end (ratios against the peer measured in the same run, plus the
// absolutes in BUDGET); the exit code is 1 when one is missed.
// Usage: npm run bench [-- --quick] [-- --runs N] [-- --full] [-- --skip-build] [-- --keep-data] [-- --only native|page|wasm]
//   --quick       5 page runs, builds on 100k and 1M events, report on 1M events (a few minutes)
//   --full        also run a build whose projection says it will not fit (unless memory cannot hold it)
//   --only native the native CLI figures alone (builds only the CLI and the generator)
//   --only page   bytes and the side-by-side page figures alone
//   --only wasm   the core in Chromium's wasm engine alone (section 3)
//   --skip-build  use pkg/, target/demo-site and target/bench-pkg as they are
import { CHROMIUM_ARGS } from './chromium.mjs';
import { chromium } from 'playwright-core';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { cpus, totalmem, freemem, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../www/demo/serve.mjs';
import { measureBytes, generatedBundles } from './bench/bytes.mjs';
import { measurePage } from './bench/page.mjs';
import { GROWTHBOOK_VERSION } from './bench/peer.mjs';
import { fmt, kb, spread, stats } from './bench/stats.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// ---- budgets: tighten them as aisle beats them ----
// The page budgets are ratios against GrowthBook measured in the same run (aisle ≤ peer on
// time to final order, main-thread time added cold and warm, CLS, LCP added), plus warm
// main-thread time added ≤ 15 ms and CLS added 0: scripts/bench/page.mjs.
export const BUDGET = {
  /** Loader + glue + wasm, gzip level 9, KB (1024 bytes): issue 12's goal. */
  shippedGzipKB: 25,
  /** Build peak memory must grow as events^b with b at most this (1 = linear). */
  buildMemoryExponent: 0.3,
};

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const QUICK = flag('--quick');
const RUNS = Number(option('--runs', QUICK ? 5 : 15));
const SITE = join(ROOT, 'target', 'demo-site');
const DATA = join(ROOT, 'target', 'bench-data');
const BENCH_PKG = join(ROOT, 'target', 'bench-pkg');
const AISLE = join(ROOT, 'target', 'release', 'aisle');
const GENERATOR = join(ROOT, 'target', 'release', 'examples', 'generate_shop');

const results = { date: new Date().toISOString(), quick: QUICK, runs: RUNS, machine: machine(), budgets: BUDGET, checks: [] };
const log = (...parts) => console.error('\x1b[2mbench:\x1b[0m', ...parts);
const out = (line = '') => console.log(line);

function check(name, ok, detail) {
  results.checks.push({ name, ok, detail });
}

function commit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head} (with uncommitted changes)` : head;
  } catch {
    return 'unknown';
  }
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
  // A Shopify store's ids as aliases (product id, variant ids, SKUs: 8 per product), the
  // bundle the bytes table reports: decoding them is most of a real store's load time.
  const shopify = generatedBundles(AISLE, DATA, log).shopify;
  bundles.push({ products: 10_000, label: '10,000 products + Shopify ids', path: shopify, bytes: statSync(shopify).size, catalog: undefined });
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
    core.push({ products: bundle.products, label: bundle.label, bundleBytes: bundle.bytes, ...measured });
    log(`wasm bench: ${bundle.products} products done`);
  }

  // The engine as the loader drives it (the shipped code and profile plus the bench exports,
  // through the loader's own interface, www/loader/wasm-abi.js, over the raw exports of the
  // instance wasm-bindgen's glue started): loadBundle (decode + validate + shopper context),
  // then planGrid on fresh grids of 48, 200 and 1,000 ids (score, order, exposure event)
  // followed by moving the nodes into that order.
  const tenK = bundles.find((b) => b.products === 10_000 && b.catalog) || bundles[0];
  const known = readFileSync(tenK.catalog, 'utf8').split('\n').slice(1).filter(Boolean).map((line) => line.split(',')[0]);
  const shipped = await page.evaluate(async ({ name, sizes, known }) => {
    // @ts-expect-error -- served to the page by the bench server, not a module Node resolves.
    const bench = await import('/bench/aisle_core.js');
    // @ts-expect-error -- served to the page by the bench server, not a module Node resolves.
    const { bindCore } = await import('/bench/wasm-abi.js');
    const core = bindCore(await bench.default({ module_or_path: '/bench/aisle_core_bg.wasm' }));
    const bytes = new Uint8Array(await (await fetch('/bench/' + name)).arrayBuffer());
    const engine = new core.AisleEngine(JSON.stringify({ visitor: 'bench', nonce: '00' }), '');
    engine.useManifest(JSON.stringify({ manifest_version: 1, model_version: 'bench', bundle: name, experiments: [] }));
    const loads = [];
    for (let i = 0; i < 15; i++) { const t = performance.now(); engine.loadBundle(bytes); loads.push(performance.now() - t); }
    for (let k = 0; k < 20; k++) engine.track('view', known[(k * 7919 + 13) % known.length], undefined, undefined);
    const apply = {};
    for (const size of sizes) {
      const perGrid = [];
      const gridsPerBatch = Math.max(1, Math.round(2000 / size));
      for (let batch = 0; batch < 9; batch++) {
        const grids = [];
        for (let g = 0; g < gridsPerBatch; g++) {
          const ul = document.createElement('ul');
          const ids = [];
          for (let slot = 0; slot < size; slot++) {
            const li = document.createElement('li');
            const id = slot % 20 === 19 ? 'new-' + slot : known[(slot * 37 + batch * 101 + g) % known.length];
            li.textContent = 'card ' + slot;
            ul.appendChild(li);
            ids.push(id);
          }
          document.body.appendChild(ul);
          grids.push({ ul, ids });
        }
        await Promise.resolve();
        const t = performance.now();
        grids.forEach(({ ul, ids }, g) => {
          const order = engine.planGrid(JSON.stringify(ids), new Uint8Array(ids.length).fill(1), g, false);
          if (order && order.length) {
            const children = Array.from(ul.children);
            for (const index of order) ul.appendChild(children[index]);
          }
        });
        engine.takeEvents();
        engine.takeSignals();
        perGrid.push((performance.now() - t) / gridsPerBatch);
        for (const { ul } of grids) ul.remove();
        await new Promise((r) => setTimeout(r, 0));
      }
      apply[size] = perGrid;
    }
    return { loads, apply };
  }, { name: tenK.path.split('/').pop(), sizes: [48, 200, 1000], known });
  await context.close();
  await new Promise((resolve) => server.close(resolve));

  results.wasm = { core, shipped: { bundleProducts: tenK.products, ...shipped } };
  out('## The core in Chromium\'s wasm engine (bench exports; ms per operation, median of 7 batches (min, max))');
  out('| bundle | bytes | decode + validate | shopper context (20 actions) | rerank 48 | rerank 200 | rerank 1,000 |');
  out('|---|---|---|---|---|---|---|');
  const cell = (values, unit = 'ms', scale = 1, digits = 3) => { const s = stats(values.map((v) => v * scale)); return `${fmt(s.median, digits)} ${unit} (${fmt(s.min, digits)}, ${fmt(s.max, digits)})`; };
  for (const c of core) {
    out(`| ${c.label || `${c.products.toLocaleString('en')} products`} | ${(c.bundleBytes / 1024).toFixed(0)} KB | ${cell(c.decode, 'ms', 1, 2)} | ${cell(c.context, 'µs', 1000, 1)} | ${cell(c.rank[48], 'µs', 1000, 1)} | ${cell(c.rank[200], 'µs', 1000, 1)} | ${cell(c.rank[1000], 'µs', 1000, 1)} |`);
  }
  out();
  out(`The engine (shipped code, bench build) with the ${tenK.products.toLocaleString('en')}-product bundle, DOM included (median (p10, p90)):`);
  out(`- loadBundle (decode + validate + shopper context): ${spread(stats(shipped.loads), 2, ' ms')}`);
  for (const size of [48, 200, 1000]) out(`- planGrid on a fresh ${size}-card grid, then its nodes moved (score, order, exposure event, appendChild in order): ${spread(stats(shipped.apply[size]), 3, ' ms')}`);
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
  if (only !== null && !['native', 'page', 'wasm'].includes(only)) throw new Error(`--only ${only}: "native", "page" or "wasm"`);
  if (only === 'native') prepareNative(); else prepare();
  out(`# aisle bench — ${results.date}${QUICK ? ' (--quick)' : ''}${only ? ` (--only ${only})` : ''}`);
  out(`Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGB} GB; node ${results.machine.node}; load average at start ${results.machine.loadAtStart.join(' ')}`);
  results.commit = commit();
  out(`Commit ${results.commit}; peer: @growthbook/growthbook ${GROWTHBOOK_VERSION} (dist/bundles/auto.min.js)`);
  if (only !== 'native') {
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
    out(`Chromium ${browser.version()} headless (${CHROMIUM_ARGS.join(' ')})`);
    out();
    try {
      if (only !== 'wasm') {
        const manifest = JSON.parse(readFileSync(join(SITE, 'aisle', 'manifest.json'), 'utf8'));
        const context = { root: ROOT, site: SITE, runs: RUNS, manifest, out, log, check };
        results.page = await measurePage(browser, context);
        results.bytes = measureBytes({ ...context, peerSite: results.page.peerSite, aisle: AISLE, dataDir: DATA, budgetKB: BUDGET.shippedGzipKB });
        check('the rustup and Debian toolchain routes ship the same pkg/ files (scripts/compare-routes.sh)', spawnSync('bash', ['scripts/compare-routes.sh'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] }).status === 0, 'its table is printed above');
        const first = results.page.summary.first;
        out(`First-visit transfer (measured, median; this server sends no compression): aisle ${kb(first.aisle.transferBytes.median)} (${kb(first.aisle.loadTransferBytes.median)} of it beyond aisle.js requested before the page's load), GrowthBook ${kb(first.peer.transferBytes.median)} (${kb(first.peer.loadTransferBytes.median)} beyond auto.min.js before load)`);
        out();
      }
      if (only !== 'page') await measureWasm(browser);
    } finally {
      await browser.close();
    }
  } else {
    out();
  }
  if (only !== 'page' && only !== 'wasm') measureNative();

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
