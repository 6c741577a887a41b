//! Where the main-thread time of one page load goes: Chromium traces of the demo category page
//! with aisle's tag and without it (warm: the second load of one context, a returning
//! shopper; or cold, or a first visit), summed per trace event name as self time on the
//! renderer's main thread, from navigation to the tag's outcome + the bench's settle time
//! (the page's own products, three of them viewed, as in the bench).
//! What `npm run bench` reports as "main-thread time added", taken apart.
//! Also when aisle's steps happened against the first paint, and the longest task in which
//! aisle's code ran (its script or its wasm; the page's own work in the same task counts
//! too), e.g. on a grid of 5,000 cards with `--cards 5000`. With `--attribute`, the CPU
//! profiler's samples find aisle's tasks (promise callbacks included) and say how much of
//! each was aisle's own code.
//! With `--timeline`, the first run's top-level tasks in order (when, how long, what took most).
//! Usage: node scripts/bench/trace.mjs [--runs N] [--phase warm|cold|first] [--top N] [--no-hide] [--cards N] [--attribute] [--timeline]
//! (needs target/demo-site: scripts/demo-site.sh).
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../chromium.mjs';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../../www/demo/serve.mjs';
import { startCollector } from '../../www/demo/collector.mjs';
import { withoutAisle } from './peer.mjs';
import { fmt, stats } from './stats.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SITE = join(ROOT, 'target', 'demo-site');
const PAGE = '/c/all.html';
const SETTLE_MS = 700; // as scripts/bench/page.mjs
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'v8.wasm', 'blink', 'loading', 'toplevel', 'blink.user_timing'];
const args = process.argv.slice(2);
const option = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const RUNS = Number(option('--runs', 5));
const PHASE = option('--phase', 'warm');
const TOP = Number(option('--top', 18));
const NO_HIDE = args.includes('--no-hide'); // aisle's tag without data-hide: what the hide costs
// --attribute: the CPU profiler's samples say which tasks ran aisle's code, microtasks
// included (a promise callback carries no script URL in the trace's own events, so without it
// the pass is only counted when it shares a task with such an event). Sampling slows scripts
// down: the table is then not comparable with runs without it.
const ATTRIBUTE = args.includes('--attribute');
if (ATTRIBUTE) CATEGORIES.push('disabled-by-default-v8.cpu_profiler');
const CARDS = Number(option('--cards', 0)); // the grid rewritten to this many cards (the page's products spread over them)
// --timeline: the first run's top-level tasks of each variant, from the navigation to the tag's
// outcome, each with when it began, how long it took and the events that took most of it.
const TIMELINE = args.includes('--timeline');

/** Self time (ms) per event name on the renderer main thread between `fromUs` and `toUs`. */
function selfTimes(events, fromUs, toUs) {
  const main = events.find((e) => e.name === 'thread_name' && e.args && e.args.name === 'CrRendererMain'
    && events.some((x) => x.pid === e.pid && x.name === 'ParseHTML'));
  if (!main) throw new Error('trace: no renderer main thread that parsed HTML');
  const spans = [];
  const open = [];
  for (const e of events) {
    if (e.pid !== main.pid || e.tid !== main.tid) continue;
    if (e.ph === 'X' && e.dur > 0) spans.push({ name: e.name, start: e.ts, end: e.ts + e.dur, self: 0, aisle: isAisle(e), teardown: false });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') { const b = open.pop(); if (b) spans.push({ name: b.name, start: b.ts, end: e.ts, self: 0, aisle: isAisle(b), teardown: false }); }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const samples = ATTRIBUTE ? aisleSamples(events, main) : [];
  const self = new Map();
  const tasks = []; // the top-level tasks: {start, end, self: Map(name → µs)}
  let task = 0;
  const aisleTasks = []; // the top-level tasks that ran any of aisle's code: {atUs, ms, aisleMs}
  let top = null;
  const stack = [];
  const close = (until) => {
    while (stack.length && stack[stack.length - 1].end <= until) {
      const s = stack.pop();
      self.set(s.name, (self.get(s.name) || 0) + s.self);
      const within = tasks[tasks.length - 1].self;
      within.set(s.name, (within.get(s.name) || 0) + s.self);
    }
  };
  for (const s of spans) {
    if (s.end < fromUs || s.start > toUs) continue;
    close(s.start);
    const dur = Math.min(s.end, toUs) - Math.max(s.start, fromUs);
    s.self = dur;
    if (stack.length) stack[stack.length - 1].self -= dur;
    else {
      task += dur;
      top = s;
      tasks.push({ start: s.start, end: s.end, self: new Map() });
      const aisleUs = samples.filter((x) => x.ts >= s.start && x.ts < s.end).reduce((sum, x) => sum + x.us, 0);
      if (aisleUs > 0) aisleTasks.push({ atUs: s.start, ms: (s.end - s.start) / 1000, aisleMs: aisleUs / 1000, task: s });
    }
    if (s.aisle && top && aisleTasks[aisleTasks.length - 1]?.atUs !== top.start) aisleTasks.push({ atUs: top.start, ms: (top.end - top.start) / 1000, aisleMs: 0, task: top });
    if (s.name === 'Document::shutdown' && top) top.teardown = true; // the previous page's
    stack.push(s);
  }
  close(Infinity);
  aisleTasks.sort((a, b) => b.ms - a.ms);
  return { taskMs: task / 1000, aisleTaskMs: aisleTasks.length ? aisleTasks[0].ms : 0, aisleTasks, tasks, self: new Map([...self].map(([k, v]) => [k, v / 1000])) };
}

/** The main thread's CPU samples that ran aisle's code (a frame of aisle.js or its wasm on
 * the stack): `{ts, us}`, `us` the time until the next sample. */
function aisleSamples(events, main) {
  const profiles = new Map(); // profile id → {ts, nodes: id → {parent, aisle}}
  for (const e of events) {
    if (e.pid !== main.pid) continue;
    if (e.name === 'Profile' && e.tid === main.tid) profiles.set(e.id, { ts: e.args.data.startTime, nodes: new Map(), out: [] });
    const profile = e.name === 'ProfileChunk' && profiles.get(e.id);
    if (!profile) continue;
    const data = e.args.data;
    for (const n of (data.cpuProfile && data.cpuProfile.nodes) || []) {
      profile.nodes.set(n.id, { parent: n.parent, own: typeof n.callFrame.url === 'string' && n.callFrame.url.includes('/aisle/') });
    }
    const ids = (data.cpuProfile && data.cpuProfile.samples) || [];
    for (let i = 0; i < ids.length; i++) {
      profile.ts += data.timeDeltas[i];
      profile.out.push({ ts: profile.ts, node: ids[i] });
    }
  }
  const result = [];
  for (const profile of profiles.values()) {
    const ranAisle = (id) => {
      for (let n = profile.nodes.get(id); n; n = profile.nodes.get(n.parent)) if (n.own) return true;
      return false;
    };
    profile.out.forEach((x, i) => {
      const next = profile.out[i + 1];
      if (ranAisle(x.node)) result.push({ ts: x.ts, us: next ? Math.min(next.ts - x.ts, 2000) : 0 });
    });
  }
  return result;
}

// An event of aisle's: its script (by URL) or its wasm.
function isAisle(e) {
  const data = e.args && (e.args.data || e.args.beginData);
  const url = data && (data.url || (data.stackTrace && data.stackTrace[0] && data.stackTrace[0].url));
  return (typeof url === 'string' && url.includes('/aisle/')) || e.name.startsWith('wasm.') || e.name.startsWith('v8.wasm');
}

async function traceLoad(browser, base, variant) {
  const context = await browser.newContext();
  await context.addInitScript(({ queued }) => {
    try { localStorage.setItem('aisle:v1:visitor', '00000000000000000000000000000001'); } catch (e) { /* storage off */ }
    if (queued.length) window.aisle = queued.map((id) => ['view', id]);
    const marks = /** @type {any} */ (window).__marks = {};
    for (const name of ['aisle:hide', 'aisle:ready', 'aisle:reordered', 'DOMContentLoaded']) {
      document.addEventListener(name, () => { marks[name] = marks[name] || performance.now(); });
    }
    document.addEventListener('aisle:reordered', () => { /** @type {any} */ (window).__outcome = performance.now(); });
  }, { queued: PHASE === 'first' ? [] : QUEUED });
  const page = await context.newPage();
  try {
    const load = async () => {
      await page.goto(base + PAGE, { waitUntil: 'load' });
      // Both variants wait through the same call: its first use on a page evaluates
      // Playwright's own injected script in the page (5-9 ms of EvaluateScript on this
      // machine), which counted as aisle's when only aisle's page waited.
      await page.waitForFunction((waits) => !waits || /** @type {any} */ (window).__outcome, variant === 'aisle', { timeout: 15000 });
    };
    if (PHASE === 'warm') { await load(); await page.waitForTimeout(SETTLE_MS); }
    await browser.startTracing(page, { categories: CATEGORIES });
    await load();
    await page.waitForTimeout(SETTLE_MS);
    const buffer = await browser.stopTracing();
    const events = JSON.parse(buffer.toString('utf8')).traceEvents;
    const nav = events.filter((e) => e.name === 'navigationStart').map((e) => e.ts).sort((a, b) => b - a)[0];
    const outcomeMs = variant === 'aisle' ? await page.evaluate(() => /** @type {any} */ (window).__outcome)
      : await page.evaluate(() => /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]).loadEventEnd);
    // When things happened, from the navigation's start: aisle.js's response, the first paint,
    // the page's DOMContentLoaded, and aisle's events.
    const timeline = await page.evaluate(() => {
      const at = { ...(/** @type {any} */ (window).__marks) };
      const script = performance.getEntriesByType('resource').find((r) => r.name.endsWith('/aisle/aisle.js'));
      if (script) at['aisle.js response'] = /** @type {PerformanceResourceTiming} */ (script).responseEnd;
      const paint = performance.getEntriesByName('first-paint')[0];
      if (paint) at['first paint'] = paint.startTime;
      return at;
    });
    return { ...selfTimes(events, nav, nav + (outcomeMs + SETTLE_MS) * 1000), timeline, navUs: nav };
  } finally {
    await context.close();
  }
}

/** The page with its grid holding CARDS cards: its own products at even steps, the rest
 * unknown to the bundle (as the 5,000-card fault test builds it). */
function withCards(html) {
  if (!CARDS) return html;
  const cards = [...html.matchAll(/<li class="product-card"[\s\S]*?<\/li>/g)].map((m) => m[0]);
  const step = Math.floor(CARDS / cards.length);
  const all = Array.from({ length: CARDS }, (_, i) => (i % step === 0 && i / step < cards.length ? cards[i / step]
    : `<li class="product-card" data-product-id="unknown-${i}"><a href="#">unknown ${i}</a></li>`));
  return html.replace(/(<ul class="product-grid" id="grid">)[\s\S]*?(<\/ul>)/, (_, open, close) => open + all.join('') + close);
}

const sites = {};
for (const variant of ['aisle', 'none']) {
  const dir = join(ROOT, 'target', 'trace-sites', variant);
  rmSync(dir, { recursive: true, force: true });
  cpSync(SITE, dir, { recursive: true });
  const html = withCards(readFileSync(join(SITE, PAGE), 'utf8'));
  writeFileSync(join(dir, PAGE), variant === 'none' ? withoutAisle(html) : NO_HIDE ? html.replace(/ data-hide="\d*"/, '') : html);
  sites[variant] = dir;
}
// A returning shopper: views of the three products the page lists last (the bench queues
// three views of one category the same way).
const QUEUED = [...readFileSync(join(SITE, PAGE), 'utf8').matchAll(/data-product-id="([^"]+)"/g)].map((m) => m[1]).slice(-3);
const servers = [];
const bases = {};
// aisle's events go to a running `aisle collect`, as in the bench (scripts/bench/page.mjs).
const collector = await startCollector();
for (const variant of Object.keys(sites)) {
  const { server, url } = await startServer({ root: sites[variant], port: 0, collector: collector.url });
  servers.push(server);
  bases[variant] = url;
}
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const samples = { aisle: [], none: [] };
try {
  for (let i = 0; i < RUNS; i++) for (const variant of i % 2 ? ['none', 'aisle'] : ['aisle', 'none']) samples[variant].push(await traceLoad(browser, bases[variant], variant));
} finally {
  await browser.close();
  for (const server of servers) server.close();
  await collector.stop();
}

const median = (list) => stats(list).median;
const names = new Set(Object.values(samples).flatMap((runs) => runs.flatMap((r) => [...r.self.keys()])));
const rows = [...names].map((name) => {
  const m = Object.fromEntries(Object.entries(samples).map(([v, runs]) => [v, median(runs.map((r) => r.self.get(name) || 0))]));
  return { name, aisle: m.aisle, none: m.none, added: m.aisle - m.none };
}).sort((a, b) => Math.abs(b.added) - Math.abs(a.added));
console.log(`## Renderer main thread, ${PHASE} load of ${PAGE}: self time per trace event, median of ${RUNS} runs (ms)`);
console.log(`top-level task time: aisle ${fmt(median(samples.aisle.map((r) => r.taskMs)))}, no tag ${fmt(median(samples.none.map((r) => r.taskMs)))}`);
console.log(`longest task running aisle's code: median ${fmt(median(samples.aisle.map((r) => r.aisleTaskMs)))}, max ${fmt(Math.max(...samples.aisle.map((r) => r.aisleTaskMs)))}${CARDS ? ` (${CARDS} cards)` : ''}`);
if (ATTRIBUTE) {
  // The navigation's task that tears the previous page down (its `pagehide` handler is
  // aisle's, a few ms of that task): the figure for this page's own tasks leaves it out.
  const onPage = (r) => r.aisleTasks.filter((t) => !t.task.teardown);
  const longestOnPage = samples.aisle.map((r) => Math.max(0, ...onPage(r).map((t) => t.ms)));
  console.log(`longest task running aisle's code on the page (the previous page's teardown left out): median ${fmt(median(longestOnPage))}, max ${fmt(Math.max(...longestOnPage))}`);
  const busiest = samples.aisle.map((r) => Math.max(0, ...onPage(r).map((t) => t.aisleMs)));
  console.log(`aisle's own sampled time in its busiest task there: median ${fmt(median(busiest))}, max ${fmt(Math.max(...busiest))}`);
  // Each run's three longest such tasks: length, aisle's own sampled time, start.
  for (const r of samples.aisle) {
    console.log(`  ${r.aisleTasks.slice(0, 3).map((t) => `${fmt(t.ms)} ms at ${fmt((t.atUs - r.navUs) / 1000, 0)} (aisle ${fmt(t.aisleMs)})`).join('; ')}`);
  }
}
if (TIMELINE) {
  for (const [variant, runs] of Object.entries(samples)) {
    const r = runs[0];
    console.log(`### The first run's top-level tasks, ${variant}: start and length (ms from navigation), the events that took most of each`);
    for (const t of r.tasks) {
      if ((t.end - t.start) < 200) continue; // tasks under 0.2 ms
      const most = [...t.self].sort((a, b) => b[1] - a[1]).slice(0, 3).map(([name, us]) => `${name} ${fmt(us / 1000)}`).join(', ');
      console.log(`  ${fmt((t.start - r.navUs) / 1000)} +${fmt((t.end - t.start) / 1000)}: ${most}`);
    }
  }
}
const moments = ['aisle.js response', 'aisle:hide', 'DOMContentLoaded', 'first paint', 'aisle:ready', 'aisle:reordered'];
console.log(`when (ms from navigation, median): ${moments.map((m) => `${m} ${fmt(median(samples.aisle.map((r) => r.timeline[m])))}`).join(', ')}`);
console.log(`aisle:reordered before the first paint in ${samples.aisle.filter((r) => r.timeline['aisle:reordered'] < r.timeline['first paint']).length} of ${RUNS} runs`);
console.log('| event | aisle | no tag | added |');
console.log('|---|---|---|---|');
for (const r of rows.slice(0, TOP)) console.log(`| ${r.name} | ${fmt(r.aisle)} | ${fmt(r.none)} | ${fmt(r.added)} |`);
