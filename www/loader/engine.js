// The page session in the wasm (`crate::page` behind `src/web/api.rs`), as the rest of the
// loader sees it: the same methods, over plain values. This side does what JavaScript does
// cheaply: it keeps the visitor id and the history in storage, gives the engine the clock, a
// random nonce and plain values, parses the small JSON objects it answers with, and after each
// call dispatches the signals the engine queued (`aisle:event`, `aisle:error`, ...), outside
// the engine, so a listener that calls back into aisle is safe.
import { w, d, emit, now, storageGet, storageSet, storageRefused } from './page.js';

import { HISTORY_KEY, VISITOR_KEY } from './defaults.js';

/** `bytes` random bytes as lowercase hex (`crypto`, or Math.random where there is none). */
function randomHex(bytes) {
  var values = new Uint8Array(bytes);
  try { w.crypto.getRandomValues(values); } catch (e) {
    for (var i = 0; i < bytes; i++) values[i] = Math.floor(Math.random() * 256);
  }
  var hex = '';
  for (var j = 0; j < bytes; j++) hex += (values[j] < 16 ? '0' : '') + values[j].toString(16);
  return hex;
}

// Shows (or hides, by the `hidden` attribute only) the merchant's `[data-aisle-abandon]`
// elements: the on-site abandon action.
function showAbandonElements(show) {
  var elements = d.querySelectorAll('[data-aisle-abandon]');
  for (var i = 0; i < elements.length; i++) {
    if (show) elements[i].removeAttribute('hidden'); else elements[i].setAttribute('hidden', '');
  }
}

/**
 * Starts the engine for this page. `bindings`: the core's (`wasm-abi.js` `instantiateCore`);
 * `config`: what boot read from the script tag.
 * @param {any} bindings
 * @param {any} config
 */
export function startEngine(bindings, config) {
  var visitor = storageGet(VISITOR_KEY);
  if (!/^[0-9a-f]{32}$/i.test(visitor || '')) {
    visitor = randomHex(16);
    storageSet(VISITOR_KEY, visitor);
  }
  var raw = new bindings.AisleEngine({
    product: config.product,
    category: config.category,
    historySize: config.historySize ? Math.floor(config.historySize) : undefined,
    arm: config.arm,
    abandonThreshold: config.abandonThreshold,
    itemIdPatternError: config.itemIdPatternError,
    visitor: visitor,
    nonce: randomHex(8),
    path: w.location.pathname,
    tzOffset: new Date().getTimezoneOffset()
  }, storageGet(HISTORY_KEY) || '');
  var reading = { grids: 0, cards: 0, ids: [] }; // the latest install reading (noteInstall)
  var debugGrids = []; // debug mode: `{cards, plan}` of the grids planned since the debug view was last sent
  var storageReported = false;

  // Dispatches what the last call queued, then hands back its result.
  function settle(result) {
    var signals = JSON.parse(raw.takeSignals());
    for (var i = 0; i < signals.length; i++) {
      var name = signals[i][0];
      var detail = signals[i][1];
      if (name === 'save') save();
      else if (name === 'abandon') { try { showAbandonElements(detail); } catch (e) { /* the page's markup */ } }
      else emit(name, detail);
    }
    return result;
  }

  function save() {
    storageSet(HISTORY_KEY, raw.historyText());
    if (storageRefused() && !storageReported) {
      storageReported = true;
      settle(raw.reportFailure('storage_unavailable', 'localStorage is refused or full; the history is kept in memory for this page'));
    }
  }

  function status() {
    var snapshot = JSON.parse(raw.status(reading.grids, reading.cards, reading.ids));
    snapshot.storageMemoryOnly = storageRefused();
    return snapshot;
  }

  // In debug mode (`?aisle_debug=1`), hands the debug view its data: the status, and for each
  // grid planned since the last time its product cards and the plan (`lastPlan`'s JSON), which
  // `www/loader/aisle-debug.js` turns into the cards' badges.
  function sendDebugView() {
    if (!config.debug) return;
    var detail = status();
    detail.grids = debugGrids;
    debugGrids = [];
    emit('aisle:debug', detail);
  }

  var engine = {
    /** @param {string} text */
    useManifest: function (text) { return settle(raw.useManifest(text)); },
    /** @param {Uint8Array} bytes */
    loadBundle: function (bytes) { return settle(raw.loadBundle(bytes)); },
    reportFailure: function (code, message) { settle(raw.reportFailure(code, message)); sendDebugView(); },
    reportOnce: function (code, message) { settle(raw.reportOnce(code, message)); },
    noteInstall: function (grids, cards, ids) { reading = { grids: grids, cards: cards, ids: ids }; },
    planGrid: function (ids, fresh, index, leaveVisible, cards) {
      var order = settle(raw.planGrid(ids, fresh, index, leaveVisible));
      if (order && cards) debugGrids.push({ cards: cards, plan: raw.lastPlan() });
      return order;
    },
    finishPass: function (ranked, leaveVisible) {
      settle(raw.finishPass(ranked, leaveVisible, now() - config.startedAt));
      sendDebugView();
    },
    recordClick: function (id, position) { settle(raw.recordClick(id, position)); },
    track: function (kind, id, quantity, price) {
      var ok = settle(raw.track(kind, id, quantity, price));
      sendDebugView();
      return ok;
    },
    /** @param {object} order the normalized order (`api.js`) */
    purchase: function (order) {
      var ok = settle(raw.purchase(order));
      sendDebugView();
      return ok;
    },
    scoreCart: function () {
      var score = settle(raw.scoreCart());
      return score ? JSON.parse(score) : undefined;
    },
    disable: function () { settle(raw.disable()); },
    history: function () { return JSON.parse(raw.history()); },
    status: status,
    takeEvents: function () { return JSON.parse(raw.takeEvents()); }
  };
  settle();
  sendDebugView();
  return engine;
}
