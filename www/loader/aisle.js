/*! aisle loader: on-device storefront personalization. MIT OR Apache-2.0. */
// The script tag merchants include. It reads its data attributes, replays calls queued on
// `window.aisle` before it loaded, loads the wasm core and the model bundle, and never throws
// into the page: every failure keeps the shop's order, releases any hiding at once and is
// reported as an `aisle:error` event on `document`.
(function () {
  'use strict';
  var w = window;
  var d = document;
  var existing = w.aisle;
  if (existing && existing.__aisle) return; // Included twice: the first copy serves.

  var started = (w.performance && performance.now) ? performance.now() : 0;
  var script = d.currentScript;
  var data = (script && script.dataset) || {};
  var params = new URLSearchParams(w.location.search);
  var queued = Array.isArray(existing) ? existing.slice() : [];
  var pending = [];
  var readyCallbacks = [];
  var engine = null;
  var dead = false;
  var hideStyle = null;
  var hideExpired = false; // the grids were shown in the shop's order: do not move them now

  function emit(name, detail) {
    try { d.dispatchEvent(new CustomEvent(name, { detail: detail })); } catch (e) { /* the page wins */ }
  }

  function fail(code, message) {
    releaseHide();
    if (engine) {
      guard(function () { engine.reportFailure(code, String(message)); });
    } else {
      emit('aisle:error', { type: 'error', code: code, message: String(message) });
    }
  }

  function guard(fn, fallback) {
    try { return fn(); } catch (error) {
      // A trap inside the wasm leaves it unusable: stop using it, keep the page as it is.
      if (error instanceof WebAssembly.RuntimeError) { dead = true; engine = null; }
      emit('aisle:error', { type: 'error', code: 'internal', message: String(error && error.message || error) });
      releaseHide();
      return fallback;
    }
  }

  // Anti-flicker: hide the grids (opacity only: no layout change) until they are ordered,
  // for at most `data-hide` ms (300 at most), whatever happens.
  function hide(ms) {
    if (!data.grid || !(ms > 0)) return;
    try {
      hideStyle = d.createElement('style');
      hideStyle.setAttribute('data-aisle', 'hide');
      hideStyle.textContent = data.grid + '{opacity:0!important}';
      (d.head || d.documentElement).appendChild(hideStyle);
      setTimeout(function () { if (hideStyle) hideExpired = true; releaseHide(); }, ms);
    } catch (e) { hideStyle = null; }
  }

  function releaseHide() {
    if (!hideStyle) return;
    try { hideStyle.parentNode && hideStyle.parentNode.removeChild(hideStyle); } catch (e) { /* gone already */ }
    hideStyle = null;
  }

  function withTimeout(promise, ms, code) {
    return new Promise(function (resolve, reject) {
      var timer = setTimeout(function () { reject({ code: code, message: 'no answer after ' + ms + ' ms' }); }, ms);
      promise.then(function (v) { clearTimeout(timer); resolve(v); }, function (e) { clearTimeout(timer); reject(e); });
    });
  }

  function fetchOk(url, code, ms) {
    return withTimeout(fetch(url, { credentials: 'omit' }), ms, code + '_timeout').then(function (response) {
      if (!response.ok) throw { code: code + '_http', message: url + ' answered ' + response.status };
      return response;
    }, function (error) {
      throw error && error.code ? error : { code: code + '_network', message: String(error && error.message || error) };
    });
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

  function whenReady(fn, fallback) {
    if (engine) return guard(fn, fallback);
    if (!dead) pending.push(fn);
    return fallback;
  }

  var api = {
    __aisle: true,
    version: '0.1.0',
    push: function () { for (var i = 0; i < arguments.length; i++) run(arguments[i]); return 0; },
    track: function (kind, id, quantity, price) {
      return whenReady(function () { return engine.track(String(kind), String(id), num(quantity), num(price)); }, false);
    },
    view: function (id) { return api.track('product_view', id); },
    addToCart: function (id, quantity, price) { return api.track('add_to_cart', id, quantity, price); },
    removeFromCart: function (id, quantity) { return api.track('remove_from_cart', id, quantity === undefined ? 0 : quantity); },
    purchase: function (order) { return whenReady(function () { return engine.purchase(order || {}); }, false); },
    history: function () { return engine ? guard(function () { return engine.history(); }, null) : null; },
    status: function () { return engine ? guard(function () { return engine.status(); }, null) : null; },
    onReady: function (fn) { if (engine) guard(function () { fn(api); }); else readyCallbacks.push(fn); }
  };

  function num(value) {
    var n = Number(value);
    return value === undefined || value === null || value === '' || !isFinite(n) ? undefined : n;
  }

  w.aisle = api;
  for (var i = 0; i < queued.length; i++) run(queued[i]);

  if (!script || !script.src) { fail('no_script', 'aisle.js could not find its own script tag'); return; }
  if (params.get('aisle') === 'off' || data.disabled === 'true') { emit('aisle:disabled', { reason: 'url' }); return; }

  var hideAttr = data.hide;
  hide(hideAttr === undefined ? 0 : Math.min(300, hideAttr === '' ? 300 : Number(hideAttr)));

  var timeoutMs = Number(data.timeout) > 0 ? Number(data.timeout) : 3000;
  var config = {
    grid: data.grid || '',
    item: data.item || '',
    itemId: data.itemId || 'data-product-id',
    product: data.product || undefined,
    category: data.category || undefined,
    historySize: Number(data.historySize) > 0 ? Number(data.historySize) : undefined,
    debug: params.get('aisle_debug') === '1',
    startedAt: started,
    arm: params.get('aisle_arm') || undefined
  };
  var here = script.src;
  var manifestUrl;
  try {
    manifestUrl = new URL(data.manifest || 'manifest.json', w.location.href).href;
  } catch (e) { fail('manifest_url', 'data-manifest is not a URL'); return; }

  var manifestPromise = fetchOk(manifestUrl, 'manifest', timeoutMs).then(function (r) {
    return r.json().catch(function () { throw { code: 'manifest_invalid', message: 'manifest is not JSON' }; });
  });
  manifestPromise.catch(function () { /* handled below, once the engine can record it */ });

  var corePromise = import(new URL('aisle_core.js', here).href).then(function (core) {
    return core.default({ module_or_path: new URL('aisle_core_bg.wasm', here).href }).then(function () { return core; });
  });

  corePromise.then(function (core) {
    engine = guard(function () { return new core.AisleEngine(config); }, null);
    if (!engine) return;
    var calls = pending; pending = [];
    for (var i = 0; i < calls.length; i++) guard(calls[i]);
    var callbacks = readyCallbacks; readyCallbacks = [];
    for (var j = 0; j < callbacks.length; j++) guard(function () { callbacks[j](api); });
    emit('aisle:ready', { ms: performance.now() - started });
    return manifestPromise.then(function (manifest) {
      var bundle = guard(function () { return engine.useManifest(manifest); }, undefined);
      if (!bundle) { releaseHide(); return; }
      var bundleUrl = new URL(bundle, manifestUrl).href;
      return fetchOk(bundleUrl, 'bundle', timeoutMs).then(function (r) {
        return withTimeout(r.arrayBuffer(), timeoutMs, 'bundle_timeout');
      }).then(function (buffer) {
        if (!engine || !guard(function () { return engine.loadBundle(new Uint8Array(buffer)); }, false)) { releaseHide(); return; }
        guard(function () { engine.apply(hideExpired); });
        releaseHide();
      });
    });
  }, function (error) {
    dead = true;
    pending = [];
    fail('wasm_blocked', 'the aisle core could not start: ' + String(error && error.message || error));
  }).catch(function (error) {
    fail(error && error.code || 'load_failed', error && error.message || String(error));
  });
})();
