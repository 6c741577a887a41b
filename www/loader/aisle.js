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
  // scripts/build.sh puts wasm-bindgen's glue here (scripts/assemble-loader.mjs): its init
  // function, with the engine class as `glue.AisleEngine`.
  var glue = /* @inline-glue */ null;
  // ... and the sha384 of the wasm and of the debug view, so the integrity attribute on this
  // script pins them too.
  var wasmIntegrity = /* @wasm-integrity */ '';
  var debugIntegrity = /* @debug-integrity */ '';
  var script = d.currentScript;
  var data = (script && script.dataset) || {};
  var params = new URLSearchParams(w.location.search);
  var queued = Array.isArray(existing) ? existing.slice() : [];
  var pending = [];
  var readyCallbacks = [];
  var engine = null;
  var dead = false;
  var killed = false; // the JS kill switch: aisle.push(['disable'])
  var hiding = null; // the hiding rule while it applies: a constructed sheet or a <style>
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
  // When the page painted before aisle ran, the shop's grid may be on screen: nodes move only
  // once a frame with the grid hidden was presented, or Chromium counts the move as a layout
  // shift. Before the first paint, the hidden grid is what gets painted first anyway.
  var paintedBeforeAisle = false;
  try { paintedBeforeAisle = performance.getEntriesByType('paint').length > 0; } catch (e) { /* assume not */ }
  var hiddenFramePresented = true;

  var hideStartedAt = 0;
  var hideMs = 0;

  function hide(ms) {
    if (!data.grid || !(ms > 0)) return;
    hideStartedAt = performance.now();
    hideMs = ms;
    if (paintedBeforeAisle) {
      hiddenFramePresented = false;
      afterNextFrame(function () { hiddenFramePresented = true; });
    }
    try {
      hiding = addHidingRule(data.grid + '{opacity:0!important}');
      setTimeout(function () { if (hiding) hideExpired = true; releaseHide(); }, ms);
      emit('aisle:hide', { ms: ms });
    } catch (e) { hiding = null; }
  }

  // A constructed style sheet where the browser has them: a CSP `style-src` without
  // 'unsafe-inline' refuses a <style> element but not an adopted sheet.
  function addHidingRule(css) {
    if (w.CSSStyleSheet && 'adoptedStyleSheets' in d) {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      d.adoptedStyleSheets = d.adoptedStyleSheets.concat([sheet]);
      return { remove: function () { d.adoptedStyleSheets = d.adoptedStyleSheets.filter(function (s) { return s !== sheet; }); } };
    }
    var style = d.createElement('style');
    style.textContent = css;
    (d.head || d.documentElement).appendChild(style);
    return { remove: function () { style.parentNode && style.parentNode.removeChild(style); } };
  }

  function cardCount() {
    try { return d.querySelectorAll(data.item).length; } catch (e) { return Infinity; }
  }

  // Resolves when the script ran or failed to load (never rejects).
  function addScript(src, integrity) {
    return new Promise(function (resolve) {
      try {
        var tag = d.createElement('script');
        tag.src = src;
        if (integrity) { tag.integrity = integrity; tag.crossOrigin = 'anonymous'; }
        tag.onload = tag.onerror = function () { resolve(); };
        (d.head || d.documentElement).appendChild(tag);
      } catch (e) { resolve(); }
    });
  }

  function afterNextFrame(fn) {
    try { requestAnimationFrame(function () { setTimeout(fn, 0); }); } catch (e) { fn(); }
  }

  function releaseHide() {
    if (!hiding) return;
    try { hiding.remove(); } catch (e) { /* gone already */ }
    hiding = null;
    emit('aisle:show', { afterMs: performance.now() - hideStartedAt, expired: hideExpired });
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
      return whenReady(function () { var ok = engine.track(String(kind), String(id), num(quantity), num(price)); scheduleFlush(1000); return ok; }, false);
    },
    view: function (id) { return api.track('product_view', id); },
    addToCart: function (id, quantity, price) { return api.track('add_to_cart', id, quantity, price); },
    removeFromCart: function (id, quantity) { return api.track('remove_from_cart', id, quantity === undefined ? 0 : quantity); },
    purchase: function (order) { return whenReady(function () { var ok = engine.purchase(order || {}); flush(false); return ok; }, false); },
    consent: function (granted) { setConsent(granted === true || granted === 'granted' ? 'granted' : 'denied'); },
    abandonRisk: function () { return engine ? guard(function () { return engine.scoreCart() || null; }, null) : null; },
    disable: function () {
      killed = true;
      releaseHide();
      if (engine) guard(function () { engine.disable(); }); else emit('aisle:disabled', { reason: 'api' });
    },
    history: function () { return engine ? guard(function () { return engine.history(); }, null) : null; },
    status: function () { return engine ? guard(function () { return engine.status(); }, null) : null; },
    onReady: function (fn) { if (engine) guard(function () { fn(api); }); else readyCallbacks.push(fn); }
  };

  function num(value) {
    var n = Number(value);
    return value === undefined || value === null || value === '' || !isFinite(n) ? undefined : n;
  }

  // ---- Delivery: events leave the device only when the shop's consent setting says so. ----
  // Batches go to `data-collector` with fetch keepalive (sendBeacon when the page is hidden),
  // as text/plain (no CORS preflight). Unsent batches wait in localStorage and are retried with
  // backoff; 4xx answers are not retried (the collector counted and refused them).
  var OUTBOX_KEY = 'aisle:v1:outbox';
  var LAST_BUNDLE_KEY = 'aisle:v1:bundle'; // the URL of the last bundle that loaded
  var MAX_OUTBOX = 500;
  var MAX_BATCH = 50;
  var consent = data.consent === 'granted' ? 'granted' : 'denied';
  var collector = data.collector || '';
  var outbox = [];
  var sending = false;
  var failures = 0;
  var flushTimer = null;
  w.dataLayer = w.dataLayer || [];

  function storageGet(key) { try { return w.localStorage.getItem(key); } catch (e) { return null; } }
  function storageSet(key, value) { try { w.localStorage.setItem(key, value); } catch (e) { /* memory only */ } }

  try { outbox = JSON.parse(storageGet(OUTBOX_KEY) || '[]'); if (!Array.isArray(outbox)) outbox = []; } catch (e) { outbox = []; }

  function setConsent(value) {
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

  function collect() {
    if (!engine) return;
    var events = guard(function () { return engine.takeEvents(); }, []) || [];
    if (consent !== 'granted' || !events.length) return;
    for (var i = 0; i < events.length; i++) {
      var layer = toDataLayer(events[i]);
      if (layer) {
        try { if (layer.ecommerce) w.dataLayer.push({ ecommerce: null }); w.dataLayer.push(layer); } catch (e) { /* the page's dataLayer */ }
      }
    }
    if (!collector) return;
    outbox = outbox.concat(events);
    if (outbox.length > MAX_OUTBOX) outbox = outbox.slice(outbox.length - MAX_OUTBOX);
    storageSet(OUTBOX_KEY, JSON.stringify(outbox));
  }

  function scheduleFlush(ms) {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = setTimeout(function () { flushTimer = null; flush(false); }, ms);
  }

  function flush(pageHidden) {
    collect();
    if (consent !== 'granted' || !collector || !outbox.length || (sending && !pageHidden)) return;
    var batch = outbox.slice(0, MAX_BATCH);
    var body = JSON.stringify(batch);
    var done = function () {
      outbox = outbox.slice(batch.length);
      storageSet(OUTBOX_KEY, JSON.stringify(outbox));
      failures = 0;
      if (outbox.length) scheduleFlush(0);
    };
    if (pageHidden) {
      var queuedByBrowser = false;
      try { queuedByBrowser = navigator.sendBeacon(collector, new Blob([body], { type: 'text/plain' })); } catch (e) { /* retried next page */ }
      if (queuedByBrowser) done();
      return;
    }
    sending = true;
    fetch(collector, { method: 'POST', body: body, keepalive: body.length < 60000, credentials: 'omit', headers: { 'content-type': 'text/plain' } })
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

  function onHidden() {
    if (d.visibilityState === 'hidden' || this === w) {
      if (engine) guard(function () { engine.scoreCart(); });
      flush(true);
    }
  }
  try {
    d.addEventListener('visibilitychange', onHidden);
    w.addEventListener('pagehide', onHidden);
  } catch (e) { /* no delivery on hide */ }

  w.aisle = api;
  for (var i = 0; i < queued.length; i++) run(queued[i]);

  if (!script || !script.src) { fail('no_script', 'aisle.js could not find its own script tag'); return; }
  if (params.get('aisle') === 'off' || data.disabled === 'true') { emit('aisle:disabled', { reason: 'url' }); return; }
  if (killed) return;

  var hideAttr = data.hide;
  hide(hideAttr === undefined ? 0 : Math.min(300, hideAttr === '' ? 300 : Number(hideAttr)));

  var timeoutMs = Number(data.timeout) > 0 ? Number(data.timeout) : 3000;
  // `data-item-id-pattern` is compiled here, so the wasm only runs it; when it does not
  // compile, the engine reports why and ranks nothing.
  var itemIdPattern, itemIdPatternError;
  if (data.itemIdPattern) {
    try { itemIdPattern = new RegExp(data.itemIdPattern); } catch (e) {
      itemIdPatternError = 'data-item-id-pattern is not a valid regular expression: ' + String(e && e.message || e);
    }
  }
  var config = {
    grid: data.grid || '',
    item: data.item || '',
    itemId: data.itemId || 'data-product-id',
    itemIdPattern: itemIdPattern,
    itemIdPatternError: itemIdPatternError,
    product: data.product || undefined,
    category: data.category || undefined,
    historySize: Number(data.historySize) > 0 ? Number(data.historySize) : undefined,
    debug: params.get('aisle_debug') === '1',
    startedAt: started,
    arm: params.get('aisle_arm') || undefined,
    abandonThreshold: data.abandonThreshold ? Number(data.abandonThreshold) : undefined
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

  // The bundle download starts as soon as the manifest names it, while the wasm starts up;
  // the engine still checks the manifest (and the kill switch) before the bytes are used.
  var bundleFetches = {};
  function fetchBundle(url) {
    if (!bundleFetches[url]) {
      bundleFetches[url] = fetchOk(url, 'bundle', timeoutMs).then(function (r) {
        return withTimeout(r.arrayBuffer(), timeoutMs, 'bundle_timeout');
      });
      bundleFetches[url].catch(function () { /* reported when used */ });
    }
    return bundleFetches[url];
  }
  manifestPromise.then(function (manifest) {
    if (manifest && typeof manifest.bundle === 'string' && manifest.kill_switch !== true) {
      try { fetchBundle(new URL(manifest.bundle, manifestUrl).href); } catch (e) { /* checked again below */ }
    }
  }, function () { /* reported below */ });
  // A returning shopper's bundle is most likely the one the last page used: read it from the
  // HTTP cache now rather than after the manifest. It is used only if the manifest names it.
  var lastBundle = storageGet(LAST_BUNDLE_KEY);
  if (lastBundle && lastBundle.indexOf('http') === 0) fetchBundle(lastBundle);

  // The wasm is fetched and compiled off the main thread; the glue is already here.
  var wasmModule = fetch(new URL('aisle_core_bg.wasm', here).href, { credentials: 'omit', integrity: wasmIntegrity || undefined }).catch(function (error) {
    throw new Error('aisle_core_bg.wasm did not arrive, or is not the one this aisle.js was built with (integrity): ' + String(error && error.message || error));
  }).then(function (response) {
    if (!response.ok) throw new Error('aisle_core_bg.wasm answered ' + response.status);
    if (WebAssembly.compileStreaming && /^application\/wasm/.test(response.headers.get('content-type'))) return WebAssembly.compileStreaming(response);
    return response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
  });
  wasmModule.catch(function () { /* reported through corePromise */ });
  // The debug view's drawing code is a script of its own, added only when the URL asks for it;
  // the engine starts after it, so it sees the first `aisle:debug`. A failure: no view.
  var debugView = config.debug ? addScript(new URL('aisle-debug.js', here).href, debugIntegrity) : undefined;
  var corePromise = glue
    ? Promise.all([glue({ module_or_path: wasmModule }), debugView]).then(function () { return glue; })
    : Promise.reject(new Error('aisle.js was not built with its glue (scripts/build.sh)'));

  corePromise.then(function (core) {
    engine = guard(function () { return new core.AisleEngine(config); }, null);
    if (!engine) return;
    var calls = pending; pending = [];
    for (var i = 0; i < calls.length; i++) guard(calls[i]);
    var callbacks = readyCallbacks; readyCallbacks = [];
    for (var j = 0; j < callbacks.length; j++) guard(function () { callbacks[j](api); });
    emit('aisle:ready', { ms: performance.now() - started });
    scheduleFlush(1000);
    return manifestPromise.then(function (manifest) {
      var bundle = guard(function () { return engine.useManifest(manifest); }, undefined);
      if (!bundle) { releaseHide(); return; }
      var bundleUrl = new URL(bundle, manifestUrl).href;
      return fetchBundle(bundleUrl).then(function (buffer) {
        if (!engine || !guard(function () { return engine.loadBundle(new Uint8Array(buffer)); }, false)) { releaseHide(); return; }
        if (bundleUrl !== lastBundle) storageSet(LAST_BUNDLE_KEY, bundleUrl);
        var apply = function () {
          if (!killed) guard(function () { engine.apply(hideExpired); });
          // Show the grid a frame after it moved: released in the same task, Chromium counts
          // the move as a layout shift even though the grid was hidden. But the 300 ms cap wins
          // over the shift: late in the hide, or with thousands of cards (whose next frame is
          // long), the grid is shown at once.
          if (hiding && performance.now() - hideStartedAt < hideMs - 100 && cardCount() <= 1000) afterNextFrame(releaseHide);
          else releaseHide();
        };
        if (hiding && !hiddenFramePresented) afterNextFrame(apply); else apply();
        scheduleFlush(1000);
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
