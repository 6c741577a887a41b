// `window.aisle`: the public API (README "For merchants"). Calls made before the wasm is
// ready wait and run once it is (`engineReady`); calls queued on `window.aisle` before this
// script ran are replayed through `push`. Every call is guarded.
import { emit } from './page.js';
import { core, guard } from './core.js';
import { releaseHide } from './hide.js';
import { setConsent, scheduleFlush, flush } from './delivery.js';
import { VERSION } from './defaults.js';
import { noteInstall } from './grids.js';

var pending = [];
var readyCallbacks = [];

function num(value) {
  var n = Number(value);
  return value === undefined || value === null || value === '' || !isFinite(n) ? undefined : n;
}

// A string field (a number is written in decimal: Shopify ids are numbers), else undefined.
function text(value) {
  return typeof value === 'string' ? value : typeof value === 'number' && isFinite(value) ? String(value) : undefined;
}

function finite(value) {
  return typeof value === 'number' && isFinite(value) ? value : undefined;
}

// `aisle.purchase`'s order in the names the engine reads (`crate::page::Order::from_value`,
// which also cleans the lines: an id trimmed, a line without one left out, a quantity below 1
// counted as 1): `orderId` or `order_id`, `revenue` or `value`, and each line's `id` or
// `product`. Null when `order` is not an object.
function normalizeOrder(order) {
  if (typeof order !== 'object') return null;
  var orderId = text(order.orderId);
  var revenue = finite(order.revenue);
  return {
    order_id: orderId === undefined ? text(order.order_id) : orderId,
    revenue: revenue === undefined ? finite(order.value) : revenue,
    currency: text(order.currency),
    items: (Array.isArray(order.items) ? order.items : []).map(function (item) {
      var id = item && text(item.id);
      return item && { product: id === undefined ? text(item.product) : id, quantity: finite(item.quantity), price: finite(item.price) };
    })
  };
}

function whenReady(fn, fallback) {
  if (core.engine) return guard(fn, fallback);
  if (!core.dead) pending.push(fn);
  return fallback;
}

// Runs one queued or direct call: ['addToCart', id, qty, price], ['purchase', order], a function...
function run(call) {
  if (typeof call === 'function') return guard(function () { call(api); });
  if (!call || typeof call[0] !== 'string') return;
  var name = call[0];
  var method = api[name];
  if (typeof method !== 'function' || name === 'push') {
    emit('aisle:error', { type: 'error', code: 'api_unknown', message: 'unknown call ' + name });
    return;
  }
  return method.apply(api, call.slice(1));
}

export var api = {
  __aisle: true,
  version: VERSION,
  push: function () { for (var i = 0; i < arguments.length; i++) run(arguments[i]); return 0; },
  track: function (kind, id, quantity, price) {
    return whenReady(function () { var ok = core.engine.track(String(kind), String(id), num(quantity), num(price)); scheduleFlush(1000); return ok; }, false);
  },
  view: function (id) { return api.track('product_view', id); },
  addToCart: function (id, quantity, price) { return api.track('add_to_cart', id, quantity, price); },
  removeFromCart: function (id, quantity) { return api.track('remove_from_cart', id, quantity === undefined ? 0 : quantity); },
  purchase: function (order) { return whenReady(function () { var ok = core.engine.purchase(normalizeOrder(order || {})); flush(false); return ok; }, false); },
  consent: function (granted) { setConsent(granted === true || granted === 'granted' ? 'granted' : 'denied'); },
  abandonRisk: function () { return core.engine ? guard(function () { return core.engine.scoreCart() || null; }, null) : null; },
  disable: function () {
    core.killed = true;
    releaseHide();
    if (core.engine) guard(function () { core.engine.disable(); }); else emit('aisle:disabled', { reason: 'api' });
  },
  history: function () { return core.engine ? guard(function () { return core.engine.history(); }, null) : null; },
  status: function () { return core.engine ? guard(function () { noteInstall(); return core.engine.status(); }, null) : null; },
  onReady: function (fn) { if (core.engine) guard(function () { fn(api); }); else readyCallbacks.push(fn); }
};

/** The engine started: runs the calls that waited for it, then the `onReady` callbacks. */
export function engineReady() {
  var calls = pending; pending = [];
  for (var i = 0; i < calls.length; i++) guard(calls[i]);
  var callbacks = readyCallbacks; readyCallbacks = [];
  for (var j = 0; j < callbacks.length; j++) guard(function () { callbacks[j](api); });
}

/** The engine will never start: calls stop waiting for it. */
export function engineFailed() {
  pending = [];
}
