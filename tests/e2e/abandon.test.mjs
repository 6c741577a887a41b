// Cart-abandon risk, scored live in the browser from the bundle's model: on every cart change,
// as an `aisle:abandon-risk` event with its reasons, in `dataLayer`, and as the demo's on-site
// action (`[data-aisle-abandon]` shown at or above `data-abandon-threshold`).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDemo, waitForAisleEvent, RECORD_EVENTS } from './harness.mjs';

let demo;
before(async () => { demo = await openDemo(); });
after(() => demo.close());

test('adding to cart scores the risk, with reasons, a nudge delay and a dataLayer entry', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  await page.goto(demo.url + '/p/1002524.html');
  assert.ok(await waitForAisleEvent(page, 'aisle:ready'));
  await page.click('.add-to-cart');
  const risk = await waitForAisleEvent(page, 'aisle:abandon-risk');
  assert.ok(risk, 'an aisle:abandon-risk event');
  assert.ok(risk.score > 0 && risk.score < 1, `a probability: ${risk.score}`);
  assert.ok(Array.isArray(risk.reasons) && risk.reasons.length <= 3);
  assert.ok(risk.nudgeDelayMs >= 30 * 60 * 1000, 'the nudge waits at least 30 minutes');
  await page.waitForFunction(() => (window.dataLayer || []).some((e) => e.event === 'aisle_abandon_risk'));
  const layer = await page.evaluate(() => window.dataLayer.find((e) => e.event === 'aisle_abandon_risk'));
  assert.equal(layer.aisle_abandon_score, risk.score);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the on-site nudge follows the score and the threshold; an empty cart withholds the score', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  await page.goto(demo.url + '/p/1002524.html');
  await page.click('.add-to-cart');
  const first = await waitForAisleEvent(page, 'aisle:abandon-risk');
  assert.ok(first, 'scored after the add');
  await page.goto(demo.url + '/cart.html');
  assert.ok(await waitForAisleEvent(page, 'aisle:ready'));
  // Hiding the page scores again (the shopper may be leaving).
  const hiddenScore = await page.evaluate(() => new Promise((resolve) => {
    document.addEventListener('aisle:abandon-risk', (e) => resolve(e.detail.score), { once: true });
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }));
  assert.ok(hiddenScore > 0 && hiddenScore < 1);
  const nudgeShown = await page.$eval('[data-aisle-abandon]', (el) => !el.hidden);
  assert.equal(nudgeShown, hiddenScore >= 0.5, `nudge shown=${nudgeShown} for score ${hiddenScore} (threshold 0.5; first score ${first.score})`);
  await page.click('.remove');
  await page.waitForFunction(() => window.aisle.history().c.length === 0);
  assert.equal(await page.$eval('[data-aisle-abandon]', (el) => el.hidden), true, 'no cart, no nudge');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('leaving a page with a cart scores the risk once, though the navigation fires both pagehide and visibilitychange', async () => {
  // Each score on the product page, with the page's visibility then, kept across the navigation.
  const page = await demo.newPage({
    init: RECORD_EVENTS + `document.addEventListener('aisle:abandon-risk', () => {
      if (location.pathname.startsWith('/p/')) sessionStorage.scores = (sessionStorage.scores || '') + document.visibilityState + ' ';
    });`,
  });
  await page.goto(demo.url + '/p/1002524.html');
  assert.ok(await waitForAisleEvent(page, 'aisle:ready'));
  await page.click('.add-to-cart');
  assert.ok(await waitForAisleEvent(page, 'aisle:abandon-risk'), 'scored after the add');
  await page.goto(demo.url + '/cart.html');
  assert.deepEqual((await page.evaluate(() => sessionStorage.scores)).trim().split(' '), ['visible', 'visible'], 'one score for the add, one as the shopper left');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('aisle.abandonRisk() returns the current score, null without a cart', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  await page.goto(demo.url + '/p/1002524.html');
  await page.waitForFunction(() => window.aisle.status() && window.aisle.status().modelVersion);
  assert.equal(await page.evaluate(() => window.aisle.abandonRisk()), null);
  await page.click('.add-to-cart');
  await page.waitForFunction(() => window.aisle.history().c.length === 1);
  const risk = await page.evaluate(() => window.aisle.abandonRisk());
  assert.ok(risk.score > 0 && risk.score < 1);
  assert.ok(Array.isArray(risk.reasons));
  await page.context().close();
});
