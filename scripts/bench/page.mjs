//! The demo category page in headless Chromium three ways, side by side in one run: with
//! aisle's script tag, with GrowthBook's (the peer, `peer.mjs`), and with no tag; cold,
//! warm and first visit, interleaved. Every figure of a tag is read against the no-tag page
//! of the same run, and a run whose grid does not end in the expected order is a failed
//! measurement (counted, never averaged in).
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../../www/demo/serve.mjs';
import { startCollector } from '../../www/demo/collector.mjs';
import { featuresPayload, installPeer, treatmentIndex, visitorInVariation, withPeer, withoutAisle, GROWTHBOOK_VERSION, PEER_DIR } from './peer.mjs';
import { fmt, kb, medianDiffInterval, spread, stats } from './stats.mjs';

export const PAGE = '/c/all.html';
/** The grid and id attribute aisle's tag on the page names (data-grid, data-item-id). */
const GRID = '.product-grid';
const ID_ATTRIBUTE = 'data-product-id';
/** Quiet time after the tag's work is done before the metrics are read: past the 300 ms hide cap. */
const SETTLE_MS = 700;
/** How long a load may take to show the tag's outcome before it counts as failed. */
const OUTCOME_TIMEOUT_MS = 15000;

export const VARIANTS = ['aisle', 'peer', 'none'];
/** The files the pages' own script tags name (what the other requests are counted beside). */
const TAG_SCRIPTS = ['/aisle/aisle.js', `${PEER_DIR}/auto.min.js`];
export const LABEL = { aisle: 'aisle', peer: 'GrowthBook', none: 'no tag' };
/**
 * cold: a fresh browser context (empty HTTP, code and storage caches), a returning shopper's
 * history queued; warm: the same context's second load; first: a fresh context and no
 * history (a first-time visitor).
 */
export const PHASES = ['cold', 'warm', 'first'];

/** Installed before the page's own scripts, identical for every variant. */
function pageInit({ queued, visitor, expected, grid, idAttribute }) {
  const b = window.__bench = {
    cls: 0, longtasks: [], lcp: NaN, reordered: null, ready: null, error: null, disabled: null,
    expectedSince: null, order: null,
  };
  new PerformanceObserver((list) => { for (const e of /** @type {any[]} */ (list.getEntries())) if (!e.hadRecentInput) b.cls += e.value; })
    .observe({ type: 'layout-shift', buffered: true });
  new PerformanceObserver((list) => { for (const e of list.getEntries()) b.longtasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
  new PerformanceObserver((list) => { const all = list.getEntries(); b.lcp = all[all.length - 1].startTime; })
    .observe({ type: 'largest-contentful-paint', buffered: true });
  for (const name of ['reordered', 'ready', 'error', 'disabled']) {
    document.addEventListener('aisle:' + name, (e) => { b[name] = /** @type {CustomEvent} */ (e).detail; });
  }
  // One visitor for every tag: aisle keeps its id in localStorage, GrowthBook in a cookie.
  try { localStorage.setItem('aisle:v1:visitor', visitor); } catch (e) { /* storage off */ }
  document.cookie = 'gbuuid=' + visitor + '; path=/';
  if (queued.length) window.aisle = queued.map((id) => ['view', id]);
  // When the grid's children last became the expected order (performance.now() counts from
  // the navigation's start).
  const wanted = expected.join(' ');
  const watch = () => {
    const el = document.querySelector(grid);
    if (!el) return;
    const order = Array.from(el.children, (child) => child.getAttribute(idAttribute) || '').join(' ');
    if (order === b.order) return;
    b.order = order;
    b.expectedSince = order === wanted ? performance.now() : null;
  };
  new MutationObserver(watch).observe(document, { childList: true, subtree: true });
}

/** What the page has shown of the tag's outcome, so the settle time can start. */
const OUTCOME = {
  aisle: () => window.__bench.reordered || window.__bench.error || window.__bench.disabled,
  peer: () => (window.dataLayer || []).some((/** @type {any} */ e) => e && e.event === 'experiment_viewed'),
  none: () => true,
};

/**
 * One copy of the demo site per variant, its page with that variant's tag, each served by
 * its own `serve.mjs` (same code, same cache headers, its own port). The pages are not
 * rewritten in flight: request interception would turn Chromium's HTTP cache off, and the
 * warm loads would not be warm.
 */
function variantSites(site) {
  const sites = {};
  for (const variant of VARIANTS) {
    const dir = join(site, '..', 'bench-sites', variant);
    rmSync(dir, { recursive: true, force: true });
    cpSync(site, dir, { recursive: true });
    const html = readFileSync(join(site, PAGE), 'utf8');
    writeFileSync(join(dir, PAGE), variant === 'aisle' ? html : variant === 'peer' ? withPeer(html) : withoutAisle(html));
    sites[variant] = dir;
  }
  return sites;
}

async function newContext(browser, init) {
  const context = await browser.newContext();
  await context.addInitScript(pageInit, init);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'timeTicks' });
  return { context, page, cdp };
}

async function metricsOf(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
}

/** One page load and what it cost. */
async function measureLoad({ page, cdp }, base, variant, expected) {
  const before = await metricsOf(cdp);
  await page.goto(base + PAGE, { waitUntil: 'load' });
  const outcome = await page.waitForFunction(OUTCOME[variant], null, { timeout: OUTCOME_TIMEOUT_MS }).then(() => true, () => false);
  await page.waitForTimeout(SETTLE_MS);
  const after = await metricsOf(cdp);
  const b = await page.evaluate(() => ({
    ...window.__bench,
    experimentViewed: (window.dataLayer || []).filter((/** @type {any} */ e) => e && e.event === 'experiment_viewed').map((e) => ({ ...e })),
    productsInBundle: window.aisle && window.aisle.status ? (window.aisle.status() || {}).productsInBundle : undefined,
    loadEventMs: /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]).loadEventStart,
    resources: /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource')).map((r) => ({ path: new URL(r.name).pathname, startMs: r.startTime, transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize })),
  }));
  const delta = (name) => (after[name] - (after[name] >= before[name] ? before[name] : 0)) * 1000;
  const own = b.resources.filter((r) => r.path.startsWith('/aisle/') || r.path.startsWith('/peer/'));
  const order = b.order ? b.order.split(' ') : [];
  let failed = null;
  if (!outcome) failed = 'no outcome within 15 s';
  else if (b.error) failed = `aisle:error ${b.error.code}`;
  else if (order.join(' ') !== expected.join(' ')) {
    failed = b.reordered && !b.reordered.personalized ? 'aisle kept the shop\'s order (the hide cap ran out first)' : 'grid not in the expected order';
  }
  return {
    failed,
    order,
    orderMs: b.expectedSince ?? NaN,
    aisleArm: b.reordered ? b.reordered.arm : null,
    personalized: b.reordered ? b.reordered.personalized : null,
    aisleScriptMs: b.reordered ? b.reordered.ms : NaN,
    fromKit: !!(b.ready && b.ready.kit),
    peerVariations: b.experimentViewed.map((e) => e.variation_id),
    productsInBundle: b.productsInBundle,
    error: b.error && b.error.code,
    cls: b.cls,
    lcpMs: b.lcp,
    longTasks: b.longtasks.length,
    longTaskMs: b.longtasks.reduce((s, d) => s + d, 0),
    taskMs: delta('TaskDuration'),
    scriptMs: delta('ScriptDuration'),
    layoutMs: delta('LayoutDuration') + delta('RecalcStyleDuration'),
    transferBytes: own.reduce((s, r) => s + r.transfer, 0),
    // What the tag fetched while the page itself was loading (requests started before `load`),
    // beyond the script the page's own tag names.
    loadTransferBytes: own.filter((r) => r.startMs < b.loadEventMs && !TAG_SCRIPTS.includes(r.path)).reduce((s, r) => s + r.transfer, 0),
    encodedBytes: own.reduce((s, r) => s + r.encoded, 0),
    resources: own,
  };
}

/** Loads a variant once (or twice in one context for `warm`) and returns the measured load. */
async function loadOnce(browser, bases, variant, phase, setup) {
  const base = bases[variant];
  const init = { queued: phase === 'first' ? [] : setup.queued, visitor: setup.visitor, expected: setup.expected[variant][phase], grid: GRID, idAttribute: ID_ATTRIBUTE };
  const session = await newContext(browser, init);
  try {
    if (phase === 'warm') await measureLoad(session, base, variant, init.expected); // primes the caches
    return await measureLoad(session, base, variant, init.expected);
  } finally {
    await session.context.close();
  }
}

/**
 * Finds what each variant must end in: the shop's order, aisle's order for the returning
 * shopper (cold and warm must agree, as GrowthBook replays one order) and for a first-time
 * visitor; then writes the peer's experiment and checks GrowthBook ends in aisle's order.
 */
async function prepareOrders(browser, bases, sites, manifest, log) {
  const experiment = manifest.experiments[0];
  if (!experiment) throw new Error('bench: the demo manifest has no experiment to mirror in GrowthBook');
  const treatment = treatmentIndex(experiment);
  const shopProbe = await newContext(browser, { queued: [], visitor: '0'.repeat(32), expected: [], grid: GRID, idAttribute: ID_ATTRIBUTE });
  await shopProbe.page.goto(bases.none + PAGE, { waitUntil: 'load' });
  const cards = await shopProbe.page.$$eval(`${GRID} > *`, (c, id) => c.map((x) => [x.getAttribute(id) || '', x.dataset.category]), ID_ATTRIBUTE);
  await shopProbe.context.close();
  const shop = cards.map(([id]) => id);
  // Three views of the category the shop lists last, so aisle's rerank moves cards.
  const lastCategory = cards[cards.length - 1][1];
  const queued = cards.filter(([, c]) => c === lastCategory).slice(0, 3).map(([id]) => id);

  // The visitor: the first fixed id GrowthBook's SDK puts in the treatment; aisle must agree.
  const visitor = visitorInVariation(featuresPayload({ experiment, pagePath: PAGE, gridSelector: GRID, idAttribute: ID_ATTRIBUTE, order: shop }), treatment);
  const setup = { queued, visitor, shop, expected: { none: { cold: shop, warm: shop, first: shop } } };
  // aisle's order for the returning shopper: a cold load and the warm one after it must agree.
  // On a busy machine a cold load can miss the 300 ms hide cap and keep the shop's order (the
  // page wins), so the probe tries a few contexts.
  const probeAisle = async (queuedViews) => {
    const session = await newContext(browser, { queued: queuedViews, visitor, expected: [], grid: GRID, idAttribute: ID_ATTRIBUTE });
    try {
      return [await measureLoad(session, bases.aisle, 'aisle', []), await measureLoad(session, bases.aisle, 'aisle', [])];
    } finally {
      await session.context.close();
    }
  };
  const armKey = experiment.arms[treatment].key;
  let cold = null;
  for (let attempt = 1; attempt <= 5 && !cold; attempt++) {
    const [c, w] = await probeAisle(queued);
    if (c.aisleArm !== armKey) throw new Error(`bench: aisle put visitor ${visitor} in arm ${c.aisleArm}, GrowthBook in ${armKey}: the assignments disagree`);
    const reordered = (l) => l.personalized && l.order.join(' ') !== shop.join(' ');
    if (reordered(c) && reordered(w)) {
      if (w.order.join(' ') !== c.order.join(' ')) throw new Error('bench: aisle\'s warm order differs from its cold order; GrowthBook can replay only one');
      cold = c;
    } else {
      log(`order probe ${attempt}: aisle kept the shop's order (cold personalized: ${c.personalized}, warm: ${w.personalized}); trying again`);
    }
  }
  if (!cold) throw new Error('bench: aisle never reordered the grid for the returning shopper in 5 tries');
  const [first] = await probeAisle([]);
  setup.expected.aisle = { cold: cold.order, warm: cold.order, first: first.order };
  setup.expected.peer = { cold: cold.order, warm: cold.order, first: cold.order };
  setup.productsInBundle = cold.productsInBundle;

  const payload = featuresPayload({ experiment, pagePath: PAGE, gridSelector: GRID, idAttribute: ID_ATTRIBUTE, order: cold.order });
  installPeer(sites.peer, payload);
  setup.payload = payload;
  for (const phase of ['cold', 'warm']) {
    const peer = await loadOnce(browser, bases, 'peer', phase, setup);
    if (peer.failed) throw new Error(`bench: GrowthBook ${phase}: ${peer.failed} (order ${peer.order.join(' ')}; expected ${cold.order.join(' ')})`);
  }
  const moved = cold.order.filter((id, i) => shop[i] !== id).length;
  log(`orders: visitor ${visitor}, aisle moves ${moved} of ${shop.length} cards; GrowthBook's treatment replays them (checked cold and warm)`);
  return { ...setup, moved, treatmentKey: armKey };
}

const rotate = (list, by) => list.map((_, i) => list[(i + by) % list.length]);

/** The side-by-side page measurement; prints its tables and adds its budget checks. */
export async function measurePage(browser, { site, runs, manifest, out, log, check }) {
  const sites = variantSites(site);
  const servers = {};
  const bases = {};
  // aisle's events go to a running `aisle collect`, as on a store that set up its collector
  // (scripts/demo.sh runs one): without it the demo server answers 503, and every page's
  // `pagehide` sends again what the collector never took.
  const collector = await startCollector();
  for (const variant of VARIANTS) ({ server: servers[variant], url: bases[variant] } = await startServer({ root: sites[variant], port: 0, collector: collector.url }));
  try {
    const setup = await prepareOrders(browser, bases, sites, manifest, log);
    const samples = Object.fromEntries(PHASES.map((phase) => [phase, Object.fromEntries(VARIANTS.map((v) => [v, []]))]));
    for (let i = 0; i < runs; i++) {
      for (const phase of PHASES) {
        for (const variant of rotate(VARIANTS, i)) samples[phase][variant].push(await loadOnce(browser, bases, variant, phase, setup));
      }
      const last = (phase, v) => fmt(samples[phase][v].at(-1).orderMs);
      log(`page run ${i + 1}/${runs}: final order cold aisle ${last('cold', 'aisle')} / GrowthBook ${last('cold', 'peer')} ms, warm ${last('warm', 'aisle')} / ${last('warm', 'peer')} ms`);
    }
    return { ...report(samples, setup, runs, { out, check }), peerSite: sites.peer };
  } finally {
    await Promise.all(Object.values(servers).map((server) => new Promise((resolve) => server.close(resolve))));
    await collector.stop();
  }
}

function summarize(loads) {
  const ok = loads.filter((l) => !l.failed);
  const pick = (key) => stats(ok.map((l) => l[key]));
  return {
    measured: ok.length,
    failed: loads.filter((l) => l.failed).map((l) => l.failed),
    orderMs: pick('orderMs'), taskMs: pick('taskMs'), scriptMs: pick('scriptMs'), layoutMs: pick('layoutMs'),
    longTasks: pick('longTasks'), longTaskMs: pick('longTaskMs'), cls: pick('cls'), lcpMs: pick('lcpMs'),
    transferBytes: pick('transferBytes'), loadTransferBytes: pick('loadTransferBytes'), encodedBytes: pick('encodedBytes'),
    shiftRuns: ok.filter((l) => l.cls > 0).length,
    kitRuns: ok.filter((l) => l.fromKit).length,
  };
}

function report(samples, setup, runs, { out, check }) {
  const summary = {};
  for (const phase of PHASES) summary[phase] = Object.fromEntries(VARIANTS.map((v) => [v, summarize(samples[phase][v])]));
  const added = (phase, variant, key) => summary[phase][variant][key].median - summary[phase].none[key].median;
  // The runs' figures, for intervals: is a difference more than the run-to-run spread?
  const values = (phase, variant, key) => samples[phase][variant].filter((l) => !l.failed).map((l) => l[key]);
  const interval = (phase, a, b, key) => {
    const [lo, hi] = medianDiffInterval(values(phase, a, key), values(phase, b, key));
    return `[${fmt(lo)}, ${fmt(hi)}]`;
  };
  const addedWithInterval = (phase, v, key) => `${fmt(added(phase, v, key))} ${interval(phase, v, 'none', key)}`;

  out(`## The demo page side by side (${PAGE}, ${setup.shop.length} cards, loopback): aisle vs GrowthBook ${GROWTHBOOK_VERSION} auto.min.js vs no tag`);
  out(`${runs} interleaved runs; median (p10, p90). Returning shopper: ${setup.queued.length} product views queued, visitor ${setup.visitor} in the treatment arm ("${setup.treatmentKey}") of both; aisle moves ${setup.moved} of ${setup.shop.length} cards and GrowthBook's treatment moves them to the same order.`);
  const titles = { cold: 'cold (fresh context, returning shopper)', warm: 'warm (same context, second load)', first: 'first visit (fresh context, no history)' };
  for (const phase of PHASES) {
    const s = summary[phase];
    out();
    out(`### ${titles[phase]}`);
    out(`| | ${VARIANTS.map((v) => LABEL[v]).join(' | ')} |`);
    out(`|---|${VARIANTS.map(() => '---').join('|')}|`);
    const row = (label, f) => out(`| ${label} | ${VARIANTS.map((v) => f(s[v], v)).join(' | ')} |`);
    row('measured runs (failed)', (x) => `${x.measured} (${x.failed.length})`);
    row('engine started from the start kit (no fetch), runs', (x, v) => (v === 'aisle' ? `${x.kitRuns}/${x.measured}` : '–'));
    row('navigation → grid in final order, ms', (x, v) => (v === 'none' ? `${spread(x.orderMs)} (parsed)` : spread(x.orderMs)));
    row('main-thread task time, ms', (x) => spread(x.taskMs));
    row('**main-thread time added** (median diff [90% interval]), ms', (x, v) => (v === 'none' ? '–' : addedWithInterval(phase, v, 'taskMs')));
    row('script time added (median diff), ms', (x, v) => (v === 'none' ? '–' : fmt(added(phase, v, 'scriptMs'))));
    row('style + layout time added (median diff), ms', (x, v) => (v === 'none' ? '–' : fmt(added(phase, v, 'layoutMs'))));
    row('long tasks (> 50 ms): median (max)', (x) => `${fmt(x.longTasks.median, 0)} (${fmt(x.longTasks.max, 0)})`);
    row('CLS: median (max); runs with a shift', (x) => `${fmt(x.cls.median, 4)} (${fmt(x.cls.max, 4)}); ${x.shiftRuns}/${x.measured}`);
    row('LCP, ms', (x) => spread(x.lcpMs));
    row('**LCP added** (median diff [90% interval]), ms', (x, v) => (v === 'none' ? '–' : addedWithInterval(phase, v, 'lcpMs')));
    row('tag\'s bytes transferred (this server does not compress)', (x, v) => (v === 'none' ? '–' : kb(x.transferBytes.median)));
    row('of which requested before the page\'s `load`, beyond the tag\'s script', (x, v) => (v === 'none' ? '–' : kb(x.loadTransferBytes.median)));
  }
  const failures = PHASES.flatMap((phase) => VARIANTS.flatMap((v) => summary[phase][v].failed.map((f) => `${phase} ${LABEL[v]}: ${f}`)));
  if (failures.length) {
    const counts = new Map();
    for (const f of failures) counts.set(f, (counts.get(f) || 0) + 1);
    out(`\nFailed measurements (not in the figures): ${[...counts].map(([f, n]) => `${f} (${n}×)`).join('; ')}`);
  }
  out();

  // Budgets: ratios against the peer measured in this run, plus absolutes from issue 12.
  // With `key`, the detail also gives the 90% interval of aisle's median minus GrowthBook's.
  const aisleVsPeer = (label, phase, value, key) => {
    const a = value(phase, 'aisle'), p = value(phase, 'peer');
    const ratio = a >= 0 && p > 0 ? ` (ratio ${fmt(a / p, 2)})` : '';
    const apart = key ? `; aisle − GrowthBook ${fmt(a - p)} ${interval(phase, 'aisle', 'peer', key)}` : '';
    check(`${phase}: ${label}, aisle ≤ GrowthBook`, a <= p, `${fmt(a)} vs ${fmt(p)}${ratio}${apart}`);
  };
  for (const phase of ['cold', 'warm']) aisleVsPeer('navigation → final order (median, ms)', phase, (ph, v) => summary[ph][v].orderMs.median, 'orderMs');
  for (const phase of PHASES) aisleVsPeer('main-thread time added (ms)', phase, (ph, v) => added(ph, v, 'taskMs'), 'taskMs');
  for (const phase of ['cold', 'warm']) {
    const a = summary[phase].aisle.cls.max, p = summary[phase].peer.cls.max;
    check(`${phase}: CLS (max over runs), aisle ≤ GrowthBook`, a <= p, `${fmt(a, 4)} vs ${fmt(p, 4)}`);
  }
  for (const phase of PHASES) aisleVsPeer('LCP added (ms)', phase, (ph, v) => added(ph, v, 'lcpMs'), 'lcpMs');
  const firstEarly = summary.first.aisle.loadTransferBytes.max;
  check('first visit: aisle requests nothing but its script before the page\'s load (every run)', firstEarly === 0, `${kb(firstEarly)} at most`);
  const warmAdded = added('warm', 'aisle', 'taskMs');
  check('warm: main-thread time added by aisle ≤ 15 ms', warmAdded <= 15, `${fmt(warmAdded)} ms`);
  const clsAdded = Math.max(...PHASES.map((ph) => summary[ph].aisle.cls.max - summary[ph].none.cls.max), 0);
  check('CLS added by aisle ≤ 0 (every run)', clsAdded <= 0, fmt(clsAdded, 4));
  check('every run ended in its expected order (aisle and GrowthBook)', failures.length === 0, failures.length ? `${failures.length} failed measurements` : 'all');
  const errors = PHASES.flatMap((ph) => samples[ph].aisle.filter((l) => l.error).map((l) => l.error));
  check('no aisle:error on the healthy page', errors.length === 0, errors.join(', ') || 'none');

  return { page: PAGE, setup: { ...setup, payload: undefined }, settleMs: SETTLE_MS, summary, failures };
}
