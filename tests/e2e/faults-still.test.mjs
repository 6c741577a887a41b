// Pages whose grids will not move (www/loader/decide.js): no anti-flicker hide, the shop's
// order, and for a visitor without a history nothing of aisle's fetched while the page loads.
// And the guarantee when the remembered arm is out of date: the grid that was never hidden
// is never moved, and the next page hides and reorders.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDemo, visitorInArm } from './harness.mjs';
import { WATCH, assertPageWon, reordered, queueViews, shopAndViews } from './faults-support.mjs';

const PAGE = '/c/all.html';
let demo, shopOrder, viewed;

before(async () => {
  demo = await openDemo();
  ({ shopOrder, viewed } = await shopAndViews(demo, PAGE));
});
after(() => demo.close());

/** Loads PAGE in `page` and waits for aisle's pass; returns what the page saw. */
async function load(page) {
  await page.goto(demo.url + PAGE);
  const event = await reordered(page, 8000);
  assert.ok(event, 'aisle ran its pass');
  return {
    event,
    hidden: await page.evaluate(() => window.__aisleHide.added !== null),
    // Requests for aisle's files and when they started, against the page's load event.
    requests: await page.evaluate(() => {
      const load = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]).loadEventStart;
      return performance.getEntriesByType('resource').filter((r) => new URL(r.name).pathname.startsWith('/aisle/') && !r.name.endsWith('/aisle.js'))
        .map((r) => ({ path: new URL(r.name).pathname, beforeLoad: r.startTime < load }));
    }),
  };
}

test('first visit, no history: no hide, the shop\'s order, and aisle fetches nothing until the page has loaded', async () => {
  const page = await demo.newPage({ keepHide: true, init: WATCH });
  const seen = await load(page);
  assert.equal(seen.hidden, false, 'the grid was not hidden');
  assert.equal(seen.event.personalized, false);
  assert.ok(seen.requests.length >= 3, `the wasm, manifest and bundle were fetched once the page was idle (${JSON.stringify(seen.requests)})`);
  assert.deepEqual(seen.requests.filter((r) => r.beforeLoad), [], 'nothing of aisle\'s beyond aisle.js was requested before the load event');
  await assertPageWon(page, { expectedOrder: shopOrder });
  await page.context().close();
});

test('a returning shopper with history is hidden and reordered; the same visitor in the holdout is not hidden from the second page on', async () => {
  for (const arm of ['personalized', 'holdout']) {
    const page = await demo.newPage({ keepHide: true, visitor: visitorInArm(arm), init: WATCH + queueViews(viewed) });
    const first = await load(page);
    assert.equal(first.hidden, true, `${arm}: the first page hides (no arm remembered yet)`);
    await assertPageWon(page, {});
    const second = await load(page);
    assert.equal(second.hidden, arm === 'personalized', `${arm}: the second page hides only when it can move`);
    if (arm === 'holdout') {
      assert.equal(second.event.personalized, false);
      await assertPageWon(page, { expectedOrder: shopOrder });
    } else {
      await assertPageWon(page, {});
    }
    await page.context().close();
  }
});

test('the kill switch in the manifest: the next page is not hidden', async () => {
  const page = await demo.newPage({ keepHide: true, init: WATCH + queueViews(viewed) });
  await page.route('**/aisle/manifest.json', async (route) => {
    const manifest = await (await route.fetch()).json();
    await route.fulfill({ json: { ...manifest, kill_switch: true } });
  });
  for (const expectHidden of [true, false]) {
    await page.goto(demo.url + PAGE);
    assert.ok(await page.waitForFunction(() => window.__aisleSeen['aisle:disabled']).catch(() => null), 'aisle was disabled');
    assert.equal(await page.evaluate(() => window.__aisleHide.added !== null), expectHidden);
    await assertPageWon(page, { expectedOrder: shopOrder });
  }
  await page.context().close();
});

test('a remembered arm that is out of date (holdout, now personalized): the unhidden grid is never moved, the next page hides and reorders', async () => {
  const visitor = visitorInArm('personalized');
  const manifest = new URL('/aisle/manifest.json', demo.url).href;
  const stale = `localStorage.setItem('aisle:v1:arm', ${JSON.stringify(JSON.stringify({ visitor, manifest, personalized: false }))});`;
  const page = await demo.newPage({ keepHide: true, visitor, init: WATCH + queueViews(viewed) });
  // Only the first page starts with the out-of-date entry.
  await page.addInitScript(`if (!sessionStorage.getItem('seeded')) { sessionStorage.setItem('seeded', '1'); ${stale} }`);
  const first = await load(page);
  assert.equal(first.hidden, false);
  assert.equal(first.event.personalized, false, 'the pass left the visible grid as it was');
  await assertPageWon(page, { expectedOrder: shopOrder });
  const second = await load(page);
  assert.equal(second.hidden, true);
  await assertPageWon(page, {});
  await page.context().close();
});

test('a QA override of the arm (?aisle_arm=holdout) is not remembered: the next page hides and reorders', async () => {
  const page = await demo.newPage({ keepHide: true, visitor: visitorInArm('personalized'), init: WATCH + queueViews(viewed) });
  await page.goto(demo.url + PAGE + '?aisle_arm=holdout');
  assert.equal((await reordered(page, 8000))?.personalized, false, 'the QA page shows the holdout');
  await assertPageWon(page, { expectedOrder: shopOrder });
  const next = await load(page);
  assert.equal(next.hidden, true, 'the next page is hidden: it can move');
  await assertPageWon(page, {});
  await page.context().close();
});

test('a QA override (?aisle_arm=personalized) for a visitor remembered in the holdout: the page hides and reorders', async () => {
  const page = await demo.newPage({ keepHide: true, visitor: visitorInArm('holdout'), init: WATCH + queueViews(viewed) });
  const first = await load(page); // remembers the holdout
  assert.equal(first.event.personalized, false);
  await page.goto(demo.url + PAGE + '?aisle_arm=personalized');
  const event = await reordered(page, 8000);
  assert.equal(event?.personalized, true, 'the override, not the remembered arm, decides this page');
  assert.equal(await page.evaluate(() => window.__aisleHide.added !== null), true, 'the grid was hidden while it could move');
  await assertPageWon(page, {});
  await page.context().close();
});
