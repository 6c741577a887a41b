// Delivery: events leave the device only when the shop's consent setting says so. Batches go
// to `data-collector` with fetch keepalive (sendBeacon when the page is hidden), as
// `text/plain;charset=UTF-8` (no CORS preflight). Unsent batches wait in localStorage and are
// retried with backoff; 4xx answers are not retried (the collector counted and refused them).
// The shop's `dataLayer` gets GA4 ecommerce names where one exists.
import { w, d, storageGet, storageSet } from './page.js';
import { core, guard } from './core.js';
import { OUTBOX_SIZE, BATCH_SIZE } from './defaults.js';

var OUTBOX_KEY = 'outbox';
var consent = 'denied';
var collector = '';
var outbox = [];
var sending = false;
var failures = 0;
var flushTimer = null;

/** Reads the outbox a previous page left and listens for the page being hidden. */
export function startDelivery(data) {
  consent = data.consent === 'granted' ? 'granted' : 'denied';
  collector = data.collector || '';
  w.dataLayer = w.dataLayer || [];
  try { outbox = JSON.parse(storageGet(OUTBOX_KEY) || '[]'); if (!Array.isArray(outbox)) outbox = []; } catch (e) { outbox = []; }
  try {
    d.addEventListener('visibilitychange', onHidden);
    w.addEventListener('pagehide', onHidden);
    w.addEventListener('pageshow', onHidden);
  } catch (e) { /* no delivery on hide */ }
}

/** `aisle.consent(...)`: denied drops what waits. */
export function setConsent(value) {
  consent = value;
  if (consent !== 'granted') { outbox = []; storageSet(OUTBOX_KEY, '[]'); }
  else scheduleFlush(0);
}

// GA4 ecommerce names where one exists; aisle's own names otherwise.
function toDataLayer(e) {
  var items = function (list) { return list.map(function (i) { return { item_id: i.product, quantity: i.quantity, price: i.price }; }); };
  switch (e.type) {
    case 'product_view': return { event: 'view_item', ecommerce: { items: [{ item_id: e.product }] } };
    case 'grid_click': return { event: 'select_item', ecommerce: { items: [{ item_id: e.product, index: e.position }] } };
    case 'add_to_cart': return { event: 'add_to_cart', ecommerce: { value: e.price !== undefined ? e.price * e.quantity : undefined, items: [{ item_id: e.product, quantity: e.quantity, price: e.price }] } };
    case 'remove_from_cart': return { event: 'remove_from_cart', ecommerce: { items: [{ item_id: e.product, quantity: e.quantity }] } };
    case 'purchase': return { event: 'purchase', ecommerce: { transaction_id: e.order_id, value: e.revenue, currency: e.currency, items: items(e.items || []) } };
    case 'exposure': return { event: 'aisle_exposure', aisle_experiment: e.experiment, aisle_arm: e.arm, aisle_changed: e.changed };
    case 'abandon_score': return { event: 'aisle_abandon_risk', aisle_abandon_score: e.score, aisle_abandon_reasons: e.reasons, aisle_nudge_delay_ms: e.nudge_delay_ms };
    default: return null;
  }
}

// Takes the engine's new events into the dataLayer and the outbox; `keep`: stores the outbox
// (the page-hidden flush stores it once, after its beacon).
function collect(keep) {
  if (!core.engine) return;
  var events = guard(function () { return core.engine.takeEvents(); }, []) || [];
  if (consent !== 'granted' || !events.length) return;
  for (var i = 0; i < events.length; i++) {
    var layer = toDataLayer(events[i]);
    if (layer) {
      try { if (layer.ecommerce) w.dataLayer.push({ ecommerce: null }); w.dataLayer.push(layer); } catch (e) { /* the page's dataLayer */ }
    }
  }
  if (!collector) return;
  outbox = outbox.concat(events);
  if (outbox.length > OUTBOX_SIZE) outbox = outbox.slice(outbox.length - OUTBOX_SIZE);
  if (keep) storageSet(OUTBOX_KEY, JSON.stringify(outbox));
}

/** Flushes once the page is idle, within a second: what the page recorded at its start (the
 * views, the exposure) leaves while it lives, and its `pagehide` has little or nothing left to
 * send (`onHidden` took 6.2-9.1 ms per load with the flush a second after the start, 0.9-1.8
 * ms with this; `node scripts/bench/profile.mjs`, docs/performance.md, "Issue 12, session 8"). */
export function flushWhenIdle() {
  if (w.requestIdleCallback) w.requestIdleCallback(function () { flush(false); }, { timeout: 1000 });
  else scheduleFlush(1000);
}

/** Flushes in `ms` (one timer at a time). */
export function scheduleFlush(ms) {
  if (flushTimer) clearTimeout(flushTimer);
  flushTimer = setTimeout(function () { flushTimer = null; flush(false); }, ms);
}

/** Sends one batch now; `pageHidden`: by beacon, as the page goes away. */
export function flush(pageHidden) {
  collect(!pageHidden);
  if (consent !== 'granted' || !collector || !outbox.length || (sending && !pageHidden)) return;
  var batch = outbox.slice(0, BATCH_SIZE);
  var body = JSON.stringify(batch);
  var done = function () {
    outbox = outbox.slice(batch.length);
    storageSet(OUTBOX_KEY, JSON.stringify(outbox));
    failures = 0;
    if (outbox.length) scheduleFlush(0);
  };
  if (pageHidden) {
    var queuedByBrowser = false;
    // The text itself, not a Blob: the same request (`text/plain;charset=UTF-8`, no CORS
    // preflight) without a trip through the browser's blob registry. The first beacon of a page
    // took 1.5-2.1 ms with a Blob, 0.6-1.0 ms with the text (medians of two runs of
    // `node scripts/bench/send-cost.mjs`).
    try { queuedByBrowser = navigator.sendBeacon(collector, body); } catch (e) { /* retried next page */ }
    // One write of the outbox, what is left after the beacon (`collect` did not store it): the
    // page's last task writes localStorage once, not twice.
    if (queuedByBrowser) done(); else storageSet(OUTBOX_KEY, JSON.stringify(outbox));
    return;
  }
  sending = true;
  // A text body goes as `text/plain;charset=UTF-8` with no header given, as the beacon's does.
  fetch(collector, { method: 'POST', body: body, keepalive: body.length < 60000, credentials: 'omit' })
    .then(function (response) {
      sending = false;
      if (response.ok || (response.status >= 400 && response.status < 500)) done();
      else throw new Error('collector answered ' + response.status);
    })
    .catch(function () {
      sending = false;
      failures += 1;
      scheduleFlush(Math.min(60000, 1000 * Math.pow(2, failures)));
    });
}

// Once per time the page is hidden: a navigation fires `pagehide` and then `visibilitychange`,
// which scored the cart twice (two `abandon_score` events) in the navigation's own task. The
// page shown again (`visibilitychange` to visible, `pageshow` from the back/forward cache)
// arms it again.
var hiddenHandled = false;

function onHidden(event) {
  if (event.type === 'pageshow' || (event.type === 'visibilitychange' && d.visibilityState !== 'hidden')) {
    hiddenHandled = false;
    return;
  }
  if (hiddenHandled) return;
  hiddenHandled = true;
  if (core.engine) guard(function () { core.engine.scoreCart(); });
  flush(true);
}
