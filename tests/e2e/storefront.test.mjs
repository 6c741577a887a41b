// End to end in headless Chromium against the demo storefront: the shopper's path.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openDemo, gridOrder, gridCategories, waitForAisleEvent, RECORD_EVENTS } from './harness.mjs';

let demo, site;
before(async () => {
  demo = await openDemo();
  site = await (await fetch(demo.url + '/site.json')).json();
});
after(() => demo.close());

const notebooks = () => site.categories.find((c) => c.slug === 'notebook');

async function shopOrder(page, path) {
  await page.goto(demo.url + path + (path.includes('?') ? '&' : '?') + 'aisle=off');
  return gridOrder(page);
}

async function viewProductsOf(page, category, count) {
  await page.goto(demo.url + '/c/all.html?aisle=off');
  const ids = await page.$$eval(`.product-card[data-category="${category.id}"]`, (cards, n) => cards.slice(0, n).map((c) => c.dataset.productId), count);
  for (const id of ids) {
    await page.goto(`${demo.url}/p/${id}.html`);
    assert.ok(await waitForAisleEvent(page, 'aisle:ready'), 'aisle started on the product page');
  }
  return ids;
}

function assertCategoryFirst(categories, wanted) {
  const count = categories.filter((c) => c === wanted).length;
  assert.ok(count > 0);
  assert.deepEqual(categories.slice(0, count), Array(count).fill(wanted), `the ${count} items of the viewed category come first: ${categories.join(' ')}`);
}

test('after viewing notebooks, the mixed grid shows notebooks first, and a reload keeps it', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  await viewProductsOf(page, notebooks(), 3);
  await page.goto(demo.url + '/c/all.html');
  const reordered = await waitForAisleEvent(page, 'aisle:reordered');
  assert.equal(reordered.personalized, true);
  assertCategoryFirst(await gridCategories(page), notebooks().id);

  await page.reload();
  assert.ok(await waitForAisleEvent(page, 'aisle:reordered'));
  assertCategoryFirst(await gridCategories(page), notebooks().id);
  const history = await page.evaluate(() => window.aisle.history());
  assert.equal(history.a.filter((a) => a.k === 'v').length, 3, 'three product views survive navigation and reload');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('with storage disabled, queued calls still personalize the grid in memory', async () => {
  const category = notebooks();
  const probe = await demo.newPage();
  const ids = await probe.goto(demo.url + '/c/all.html?aisle=off').then(() =>
    probe.$$eval(`.product-card[data-category="${category.id}"]`, (cards) => cards.slice(0, 2).map((c) => c.dataset.productId)));
  await probe.context().close();
  const page = await demo.newPage({
    init: RECORD_EVENTS + `
      Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('denied', 'SecurityError'); } });
      window.aisle = [['view', ${JSON.stringify(ids[0])}], ['view', ${JSON.stringify(ids[1])}]];`,
  });
  // Without storage the visitor id is new on every page: force the arm (QA override).
  await page.goto(demo.url + '/c/all.html?aisle_arm=aisle-rerank:personalized');
  assert.ok(await waitForAisleEvent(page, 'aisle:reordered'));
  assertCategoryFirst(await gridCategories(page), category.id);
  const status = await page.evaluate(() => window.aisle.status());
  assert.equal(status.storageMemoryOnly, true);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('banners keep their slot and unknown products keep their relative order', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  await page.route('**/c/smartphone.html', async (route) => {
    const response = await route.fetch();
    const html = (await response.text()).replace('<ul class="product-grid" id="grid">',
      '<ul class="product-grid" id="grid"><li class="product-card" data-product-id="unknown-1">u1</li><li class="product-card" data-product-id="unknown-2">u2</li>');
    await route.fulfill({ response, body: html });
  });
  await page.goto(demo.url + '/c/smartphone.html');
  assert.ok(await waitForAisleEvent(page, 'aisle:reordered'));
  const children = await page.$$eval('#grid > li', (items) => items.map((li) => li.className === 'promo' ? 'PROMO' : li.dataset.productId));
  assert.equal(children[0], 'unknown-1');
  assert.equal(children[1], 'unknown-2');
  assert.equal(children[6], 'PROMO', 'the promo tile stays in its slot');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('cards added later (load more) are ordered among themselves; cards already shown stay', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  await viewProductsOf(page, notebooks(), 2);
  await page.goto(demo.url + '/c/notebook.html');
  assert.ok(await waitForAisleEvent(page, 'aisle:reordered'));
  const before = await gridOrder(page);
  const appendedShopOrder = JSON.parse(await page.getAttribute('#load-more', 'data-more')).map((p) => p.id);
  await page.click('#load-more');
  await page.waitForFunction((n) => document.querySelectorAll('#grid > .product-card').length === n, before.length + appendedShopOrder.length);
  await page.waitForTimeout(50);
  const after = await gridOrder(page);
  assert.deepEqual(after.slice(0, before.length), before, 'cards already shown did not move');
  assert.deepEqual([...after.slice(before.length)].sort(), [...appendedShopOrder].sort());
  const exposures = await page.evaluate(() => window.__aisleLog.filter(([n, d]) => n === 'aisle:event' && d.type === 'exposure').length);
  assert.equal(exposures, 2, 'one exposure for the first render, one for the appended cards');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('add to cart, remove and purchase reach the history and the page events', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  const [first] = await viewProductsOf(page, notebooks(), 1);
  await page.click('.add-to-cart');
  await page.waitForFunction(() => window.aisle.history().c.length === 1);
  await page.goto(demo.url + '/cart.html');
  await page.waitForFunction(() => window.aisle.status && window.aisle.status());
  await page.click('#checkout');
  await page.waitForFunction(() => window.__aisleLog.some(([n, d]) => n === 'aisle:event' && d.type === 'purchase'));
  const purchase = await page.evaluate(() => window.__aisleLog.find(([n, d]) => n === 'aisle:event' && d.type === 'purchase')[1]);
  assert.equal(purchase.items[0].product, first);
  assert.equal(purchase.currency, 'USD');
  assert.ok(purchase.revenue > 0);
  const history = await page.evaluate(() => window.aisle.history());
  assert.deepEqual(history.c, [], 'the cart is empty after the purchase');
  assert.ok(history.a.some((a) => a.k === 'a' && a.i === first));
  assert.ok(history.a.some((a) => a.k === 'p' && a.i === first));
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the debug view shows scores, history and bundle version as text', async () => {
  // A returning shopper (one view queued): a first visit keeps the shop's order, unscored.
  const page = await demo.newPage({ init: RECORD_EVENTS + "window.aisle = [['view', '1002524']];" });
  await page.goto(demo.url + '/c/all.html?aisle_debug=1');
  assert.ok(await waitForAisleEvent(page, 'aisle:reordered'));
  const panel = await page.textContent('#aisle-debug');
  assert.match(panel, /bundle: aisle-\S+ \(160 products\)/);
  const badges = await page.$$eval('.aisle-debug-score', (b) => b.map((x) => x.textContent));
  assert.equal(badges.length, 48);
  assert.match(badges[0], /^aisle -?\d+\.\d{3} · rank 1$/);
  await page.context().close();
});

test('shop order is the input: with aisle off the page is untouched', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  const order = await shopOrder(page, '/c/all.html');
  assert.equal(order.length, 48);
  assert.equal(await page.evaluate(() => window.__aisleSeen['aisle:disabled'].reason), 'url');
  await page.context().close();
});

test('a filter that re-renders the grid and an SPA navigation to a new grid are both ordered', async () => {
  const page = await demo.newPage({ init: RECORD_EVENTS });
  await viewProductsOf(page, notebooks(), 3);
  await page.goto(demo.url + '/c/all.html');
  assert.ok(await waitForAisleEvent(page, 'aisle:reordered'));
  const cards = await page.$$eval('#grid > .product-card', (els) => els.map((el) => el.outerHTML));
  // A filter: the theme throws the cards away and renders fresh ones, in its own order.
  await page.evaluate((html) => {
    const grid = document.getElementById('grid');
    grid.textContent = '';
    const fresh = html.map((h) => { const t = document.createElement('template'); t.innerHTML = h; return t.content.firstElementChild; });
    fresh.sort((a, b) => a.dataset.productId.localeCompare(b.dataset.productId)).forEach((el) => grid.appendChild(el));
  }, cards);
  await page.waitForTimeout(50);
  assertCategoryFirst(await gridCategories(page), notebooks().id);
  // An SPA navigation: the old grid goes, a new grid element arrives later.
  await page.evaluate((html) => {
    document.getElementById('grid').remove();
    const grid = document.createElement('ul');
    grid.className = 'product-grid';
    grid.id = 'grid';
    html.slice().reverse().forEach((h) => { const t = document.createElement('template'); t.innerHTML = h; grid.appendChild(t.content.firstElementChild); });
    document.querySelector('main').appendChild(grid);
  }, cards);
  await page.waitForTimeout(50);
  assertCategoryFirst(await gridCategories(page), notebooks().id);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('the JS kill switch, queued before aisle loads, keeps the shop order', async () => {
  const probe = await demo.newPage();
  const order = await shopOrder(probe, '/c/all.html');
  await probe.context().close();
  const page = await demo.newPage({ init: RECORD_EVENTS + "window.aisle = [['disable']];" });
  await page.goto(demo.url + '/c/all.html');
  assert.equal((await waitForAisleEvent(page, 'aisle:disabled')).reason, 'api');
  await page.waitForTimeout(300);
  assert.deepEqual(await gridOrder(page), order);
  assert.equal(await page.evaluate(() => window.__aisleSeen['aisle:reordered'] || null), null);
  await page.context().close();
});
