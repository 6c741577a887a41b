// Where aisle's main-thread time goes on a 5,000-card grid (docs/performance.md, "Browser
// edge"): the demo's /c/all.html with its grid replaced by 5,000 cards (48 known products
// spread among unknown ids, two views queued), profiled by Chromium's CPU profiler. Prints,
// per run, the total time with aisle code (aisle.js or the wasm) on the stack and its longest
// uninterrupted stretches, and the time the same page takes to read the 5,000 cards' ids in
// plain JS. Needs scripts/build.sh and scripts/demo-site.sh first.
// Usage: node tests/e2e/edge-probe.mjs [runs]
import { openDemo, gridOrder } from './harness.mjs';
import { rewriteHtml, withGridItems, card, queueViews } from './faults-support.mjs';

const RUNS = Number(process.argv[2]) || 3;
const ITEMS = 5000;
const demo = await openDemo();
const first = await demo.newPage();
await first.goto(demo.url + '/c/all.html?aisle=off');
const shop = await gridOrder(first);
await first.context().close();
const step = Math.floor(ITEMS / shop.length);
const ids = Array.from({ length: ITEMS }, (_, i) => (i % step === 0 && i / step < shop.length ? shop[i / step] : `unknown-${i}`));

for (let run = 0; run < RUNS; run++) {
  // No listener but one flag: a page listener runs inside aisle's dispatch and would count.
  const page = await demo.newPage({ init: queueViews(shop.slice(-2)) + "document.addEventListener('aisle:reordered', () => { window.__reordered = true; });" });
  await rewriteHtml(page, '/c/all.html', withGridItems(ids.map((id) => card(id)).join('')));
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await page.goto(demo.url + '/c/all.html');
  await page.waitForFunction(() => window.__reordered, null, { timeout: 20000 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const { profile } = await cdp.send('Profiler.stop');
  const jsReadMs = await page.evaluate(() => {
    const started = performance.now();
    let found = 0;
    for (const child of document.querySelector('.product-grid').children) {
      const c = child.matches('.product-card') ? child : child.querySelector('.product-card');
      if (c && c.getAttribute('data-product-id')) found++;
    }
    return found === 5000 ? performance.now() - started : NaN;
  });
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const child of n.children || []) parent.set(child, n.id);
  const isAisle = (id) => {
    for (let n = id; n !== undefined; n = parent.get(n)) if (/aisle\.js|aisle_core_bg\.wasm/.test(nodes.get(n).callFrame.url)) return true;
    return false;
  };
  let t = profile.startTime;
  let runStart = null;
  let totalUs = 0;
  const stretches = [];
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    if (isAisle(profile.samples[i])) {
      totalUs += profile.timeDeltas[i + 1] || 0;
      if (runStart === null) runStart = t;
    } else if (runStart !== null) {
      stretches.push((t - runStart) / 1000);
      runStart = null;
    }
  }
  stretches.sort((a, b) => b - a);
  console.log(`run ${run + 1}: aisle on the main thread ${(totalUs / 1000).toFixed(1)} ms in all; longest stretches ${stretches.slice(0, 3).map((s) => s.toFixed(1)).join(', ')} ms; reading the 5,000 ids in JS ${jsReadMs.toFixed(1)} ms`);
  await page.context().close();
}
await demo.close();
