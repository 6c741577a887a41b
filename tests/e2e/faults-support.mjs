// Helpers shared by the fault and security suites (tests/e2e/faults*.test.mjs): page
// rewriting, the anti-flicker watch and the checks every fault case ends with.
import assert from 'node:assert/strict';
import { gridOrder, gridCategories, waitForAisleEvent, RECORD_EVENTS } from './harness.mjs';

/** The longest the anti-flicker hide may last (the loader caps `data-hide` at 300 ms). */
export const HIDE_CAP_MS = 300;

/**
 * An init script that records, in page time, when aisle's anti-flicker hide began and ended
 * (`window.__aisleHide`, from the loader's `aisle:hide` and `aisle:show` events), the hiding
 * animations' durations, and the grid's opacity when it was reordered, on top of
 * harness.RECORD_EVENTS.
 */
export const WATCH = RECORD_EVENTS + `
  window.__aisleHide = { added: null, removed: null, opacityAtReorder: null, animationMs: null };
  document.addEventListener('aisle:hide', () => {
    if (window.__aisleHide.added !== null) return;
    window.__aisleHide.added = performance.now();
    window.__aisleHide.animationMs = document.getAnimations().filter((a) => a.animationName === 'aisle-hide').map((a) => a.effect.getTiming().duration);
  });
  document.addEventListener('aisle:show', () => { window.__aisleHide.removed = performance.now(); });
  document.addEventListener('aisle:reordered', () => {
    const grid = document.querySelector('.product-grid');
    if (grid && window.__aisleHide.opacityAtReorder === null) window.__aisleHide.opacityAtReorder = getComputedStyle(grid).opacity;
  });`;

/** Routes the page at `pathname` (any query) through `edit(html) → html`, with `headers` added. */
export async function rewriteHtml(page, pathname, edit = (html) => html, headers = {}) {
  await page.route((url) => url.pathname === pathname, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, body: edit(await response.text()), headers: { ...response.headers(), ...headers } });
  });
}

/** Adds or replaces data attributes on aisle's script tag: `{ timeout: '400' }` → data-timeout. */
export function withScriptAttributes(attributes) {
  return (html) => html.replace(/<script async src="\/aisle\/aisle.js"/, (tag) =>
    tag + Object.entries(attributes).map(([k, v]) => ` data-${k}="${v}"`).join(''));
}

/** Replaces the first grid's inner HTML (the shop's cards) in a page. */
export function withGridItems(itemsHtml) {
  return (html) => html.replace(/(<ul class="product-grid" id="grid">)[\s\S]*?(<\/ul>)/, (_, open, close) => open + itemsHtml + close);
}

/** A product card as the demo theme writes it (id attribute-escaped by the caller). */
export function card(id, text = id) {
  return `<li class="product-card" data-product-id="${escapeAttribute(id)}"><a href="#">${escapeText(text)}</a></li>`;
}

export function escapeAttribute(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}
const escapeText = escapeAttribute;

/** Resolves after `ms` of real time. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Serves each path of `delays` (`{path: ms}`, on any origin) as a theme script that arrives
 * after its delay and notes in `window.__slowScriptsRan` that it ran. `target`: a page or a
 * browser context. A blocking one holds the parser where the page includes it.
 */
export function routeSlowScripts(target, delays) {
  return target.route((url) => Object.hasOwn(delays, url.pathname), async (route) => {
    const path = new URL(route.request().url()).pathname;
    await sleep(delays[path]);
    const body = `(window.__slowScriptsRan = window.__slowScriptsRan || []).push(${JSON.stringify(path)});`;
    try { await route.fulfill({ contentType: 'text/javascript', body }); } catch { /* page gone */ }
  });
}

/** An init script: `window.__ranAtReorder`, the slow scripts (routeSlowScripts) that had run
 * when aisle reordered. */
export const NOTE_SLOW_SCRIPTS_AT_REORDER = "document.addEventListener('aisle:reordered', () => { window.__ranAtReorder = [...(window.__slowScriptsRan || [])]; });";

/**
 * The checks every fault case ends with: the order shown is `expectedOrder` (the shop's, or
 * the correct rerank), the hide was released within its cap and is gone, no uncaught error
 * or unexpected console error happened.
 */
export async function assertPageWon(page, { expectedOrder, order = gridOrder }) {
  if (expectedOrder) assert.deepEqual(await order(page), expectedOrder, 'the grid shows the expected order');
  // The hide is released a frame after the grid moved (a release in the same task counts the
  // move as a layout shift): wait for that release rather than race it.
  await page.waitForFunction(() => !window.__aisleHide || window.__aisleHide.added === null || window.__aisleHide.removed !== null, null, { timeout: 5000 }).catch(() => {});
  const hide = await page.evaluate(() => window.__aisleHide);
  if (hide && hide.added !== null) {
    assert.notEqual(hide.removed, null, 'the hide was released');
    // What the shopper sees: the hide is an animation that the compositor ends by itself at
    // the cap. The release event alone proves little on a loaded machine: the page's own first
    // layout of 5,000 cards can hold every task, aisle's `aisle:show` included, past the cap.
    // (One animation per grid parsed so far; none when the grid selector matches nothing.)
    assert.ok(hide.animationMs.every((ms) => ms <= HIDE_CAP_MS), `each grid's hide is an animation that ends by itself within the cap (${JSON.stringify(hide.animationMs)} ms)`);
    // And nothing moves once the grid may be on screen: a personalized reorder happened while
    // the hiding animation still ran.
    const event = await page.evaluate(() => (window.__aisleSeen || {})['aisle:reordered']);
    if (event && event.personalized) assert.equal(hide.opacityAtReorder, '0', 'the grid was hidden while it was reordered');
  }
  assert.equal(await page.$eval('.product-grid', (g) => getComputedStyle(g).opacity).catch(() => '1'), '1', 'the grid is visible');
  assert.deepEqual(page.problems, [], 'no uncaught error or console error');
}

/** Waits for an `aisle:error` with a code matching `code`; returns its detail. */
export async function expectAisleError(page, code, ms = 6000) {
  const found = await page.waitForFunction((source) => {
    const pattern = new RegExp(source);
    const hit = (window.__aisleLog || []).find(([name, d]) => name === 'aisle:error' && pattern.test(d.code));
    return hit ? hit[1] : null;
  }, code.source, { timeout: ms }).then((handle) => handle.jsonValue()).catch(() => null);
  assert.ok(found, `an aisle:error with code ${code} was dispatched; saw ${JSON.stringify(await aisleErrors(page))}`);
  return found;
}

/** Codes of every `aisle:error` so far. */
export function aisleErrors(page) {
  return page.evaluate(() => (window.__aisleLog || []).filter(([n]) => n === 'aisle:error').map(([, d]) => d.code));
}

/** True once aisle reordered (or decided not to) on this page. */
export function reordered(page, ms = 5000) {
  return waitForAisleEvent(page, 'aisle:reordered', ms);
}

/** The init script line that queues product views before aisle loads. */
export function queueViews(ids) {
  return `window.aisle = ${JSON.stringify(ids.map((id) => ['view', id]))};`;
}

/** The shop's order of `path` (aisle off) and two products of the category it lists last,
 * whose views make a rerank visible. */
export async function shopAndViews(demo, path) {
  const page = await demo.newPage();
  await page.goto(demo.url + path + '?aisle=off');
  const shopOrder = await gridOrder(page);
  const categories = await gridCategories(page);
  await page.context().close();
  const last = categories[categories.length - 1];
  return { shopOrder, viewed: shopOrder.filter((_, i) => categories[i] === last).slice(0, 2) };
}
