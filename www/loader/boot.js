/*! aisle loader: on-device storefront personalization. MIT OR Apache-2.0. */
// The script tag merchants include (bundled by scripts/assemble-loader.mjs into one classic
// script, pkg/aisle.js). It reads its data attributes, replays calls queued on `window.aisle`
// before it loaded, loads the wasm core and the model bundle, orders the grids, and never
// throws into the page: every failure keeps the shop's order, releases any hiding at once and
// is reported as an `aisle:error` event on `document`.
import { wasmIntegrity, debugIntegrity } from 'aisle:generated';
import { w, d, emit, now, storageGet, storageSet, afterNextFrame, nextTask } from './page.js';
import { core, guard, fail } from './core.js';
import { hide, releaseHide, isHiding, overdue, hideLeftMs, whenHiddenFramePresented } from './hide.js';
import { fetchOk, compileWasm, addScript } from './net.js';
import { rankGrids, watchGrids, whenGridsParsed, cardCount } from './grids.js';
import { startDelivery, flushWhenIdle } from './delivery.js';
import { stillReason, rememberArm } from './decide.js';
import { readKit, keepKit, dropKit, freshness, bundleNamed } from './kit.js';
import { api, engineReady, engineFailed } from './api.js';
import { startEngine } from './engine.js';
import { instantiateCore } from './wasm-abi.js';
import { ID_ATTRIBUTE, MANIFEST, DEBUG_FILE, TIMEOUT_MS, HIDE_CAP_MS, SMALL_PASS_CARDS } from './defaults.js';

var LAST_BUNDLE_KEY = 'bundle'; // the URL of the last bundle that loaded
var IDLE_WAIT_MS = 2000; // the longest a page whose grids will not move waits for idle time before aisle starts

function start() {
  var existing = w.aisle;
  if (existing && existing.__aisle) return; // Included twice: the first copy serves.
  var started = now();
  var script = /** @type {HTMLScriptElement | null} */ (d.currentScript);
  var data = (script && script.dataset) || {};
  var params = new URLSearchParams(w.location.search);
  var queued = Array.isArray(existing) ? existing.slice() : [];

  startDelivery(data);
  w.aisle = api;
  for (var i = 0; i < queued.length; i++) api.push(queued[i]);

  if (!script || !script.src) { fail('no_script', 'aisle.js could not find its own script tag'); return; }
  if (params.get('aisle') === 'off' || data.disabled === 'true') { emit('aisle:disabled', { reason: 'url' }); return; }
  if (core.killed) return;

  var here = script.src;
  var manifestUrl;
  try {
    manifestUrl = new URL(data.manifest || MANIFEST, w.location.href).href;
  } catch (e) { fail('manifest_url', 'data-manifest is not a URL'); return; }
  // Hidden only when the grid can move; otherwise this page shows the shop's order as it is.
  var armOverride = params.get('aisle_arm') || undefined; // QA: this page's arm, not remembered
  var still = stillReason(queued, data, manifestUrl, armOverride);
  var hideAttr = data.hide;
  if (!still) hide(data.grid, hideAttr === undefined ? 0 : Math.min(HIDE_CAP_MS, hideAttr === '' ? HIDE_CAP_MS : Number(hideAttr)));


  var timeoutMs = Number(data.timeout) > 0 ? Number(data.timeout) : TIMEOUT_MS;
  // `data-item-id-pattern`: when it does not compile, the engine reports why and no grid is
  // ranked.
  var itemIdPattern, itemIdPatternError;
  if (data.itemIdPattern) {
    try { itemIdPattern = new RegExp(data.itemIdPattern); } catch (e) {
      itemIdPatternError = 'data-item-id-pattern is not a valid regular expression: ' + String(e && e.message || e);
    }
  }
  var config = core.config = {
    grid: data.grid || '',
    item: data.item || '',
    itemId: data.itemId || ID_ATTRIBUTE,
    itemIdPattern: itemIdPattern,
    itemIdPatternError: itemIdPatternError,
    product: data.product || undefined,
    category: data.category || undefined,
    historySize: Number(data.historySize) > 0 ? Number(data.historySize) : undefined,
    debug: params.get('aisle_debug') === '1',
    startedAt: started,
    arm: armOverride,
    abandonThreshold: data.abandonThreshold ? Number(data.abandonThreshold) : undefined
  };
  var kitOn = data.kit !== 'off'; // `data-kit="off"`: nothing kept, nothing read
  // A page whose grids keep the shop's order needs none of aisle's bytes while it loads:
  // aisle starts once it is loaded and idle (its events and API calls wait until then). A
  // returning shopper's page starts from the kit (`kit.js`) when it holds everything, and
  // orders its grids without waiting for a fetch.
  if (still) whenPageIdle(load); else if (!startFromKit()) load();

  // The engine, started from the core's bindings (`instantiateCore`; `fromKit`: on the kit's
  // start); false when it could not start (reported).
  function startCore(bindings, fromKit) {
    core.engine = guard(function () { return startEngine(bindings, config); }, null);
    if (!core.engine) return false;
    engineReady();
    emit('aisle:ready', { ms: now() - started, kit: fromKit });
    flushWhenIdle();
    return true;
  }

  // The manifest's text, read by the engine (`crate::manifest::parse`, as the CLI does): the
  // absolute URL of the bundle to use, or undefined when aisle stays off (reported).
  function useManifest(text) {
    var bundle = guard(function () { return core.engine.useManifest(text); }, undefined);
    // A QA override (`?aisle_arm=`) is this page's only: the visitor's own arm is not known.
    if (!config.arm) rememberArm(manifestUrl, !!bundle && guard(function () { return core.engine.status().personalized === true; }, true));
    return bundle ? guard(function () { return new URL(bundle, manifestUrl).href; }, undefined) : undefined;
  }

  // The pass over the page's grids, and the hide's release.
  function orderGrids() {
    guard(function () {
      // Past the hide's cap (its timer may be held back by a busy main thread), the grids
      // count as shown in the shop's order and stay so.
      var cards = core.killed ? Infinity : rankGrids(overdue() || !!still);
      if (!core.killed) watchGrids();
      // Show the grid a frame after it moved: released in the same task, Chromium counts
      // the move as a layout shift even though the grid was hidden. But the cap wins over
      // the shift: late in the hide, or with thousands of cards (whose next frame is
      // long), the grid is shown at once.
      if (isHiding() && hideLeftMs() > 100 && cards <= SMALL_PASS_CARDS) afterNextFrame(releaseHide);
      else releaseHide();
    });
  }

  // The bundle's bytes handed to the engine, then the grids ordered; false when refused.
  function useBundle(bundleUrl, bytes) {
    if (!core.engine || !guard(function () { return core.engine.loadBundle(bytes); }, false)) return false;
    if (bundleUrl !== storageGet(LAST_BUNDLE_KEY)) storageSet(LAST_BUNDLE_KEY, bundleUrl);
    // The pass runs over whole grids. Over many cards it gets a task of its own, not the
    // one that started the engine and decoded the bundle (on a 5,000-card grid the two
    // together made one long task); a few are ordered at once, which from the kit is before
    // the first paint.
    whenHiddenFramePresented(function () { whenGridsParsed(function () {
      if (cardCount() <= SMALL_PASS_CARDS) orderGrids(); else nextTask(orderGrids);
    }); });
    flushWhenIdle();
    return true;
  }

  // A bundle's bytes from the network.
  function fetchBundleBytes(url) {
    return fetchOk(url, 'bundle', timeoutMs, function (r) { return r.arrayBuffer(); });
  }

  // The manifest fetched, `{text, freshUntil, usableUntil}`, for the engine and the kit.
  function fetchManifest() {
    return fetchOk(manifestUrl, 'manifest', timeoutMs, function (r) {
      return r.text().then(function (text) {
        var manifest = freshness(r);
        manifest.text = text;
        return manifest;
      });
    });
  }

  // Everything from the kit, synchronously, in this task: true when it served (the engine
  // started, or reported why not), false when the kit cannot serve this page.
  function startFromKit() {
    if (config.debug || !kitOn) return false;
    var kit = readKit(manifestUrl, wasmIntegrity);
    if (!kit) return false;
    var bindings;
    try { bindings = instantiateCore(kit.module); } catch (e) { dropKit(); return false; }
    if (startCore(bindings, true)) {
      var bundleUrl = useManifest(kit.manifest);
      if (bundleUrl !== kit.bundleUrl) releaseHide();
      else if (!useBundle(bundleUrl, kit.bundle)) {
        // Bytes the engine refused (and reported): the kit goes, the bundle comes from the network.
        dropKit();
        fetchBundleBytes(bundleUrl).then(function (buffer) {
          if (!useBundle(bundleUrl, new Uint8Array(buffer))) releaseHide();
        }, function (error) { fail(error.code, error.message); });
      }
    }
    // A manifest past its max-age (used within its stale-while-revalidate) is revalidated once
    // the page is idle, as a cache would, for the next page; one that names another bundle
    // sends that page the network way, which fetches, checks and keeps it. A fresh one is
    // not asked for again: the HTTP cache would answer with the same response.
    if (kit.stale) whenPageIdle(function () {
      fetchManifest().then(function (manifest) { keepKit(manifestUrl, manifest); }, function () { /* the next page fetches it again */ });
    });
    return true;
  }

  function load() {
    var manifestPromise = fetchManifest();
    manifestPromise.catch(function () { /* handled below, once the engine can record it */ });

    // The bundle download starts as soon as the manifest names it, while the wasm starts up;
    // the engine still checks the manifest (and the kill switch) before the bytes are used.
    var bundleFetches = {};
    function fetchBundle(url) {
      if (!bundleFetches[url]) {
        bundleFetches[url] = fetchBundleBytes(url);
        bundleFetches[url].catch(function () { /* reported when used */ });
      }
      return bundleFetches[url];
    }
    manifestPromise.then(function (manifest) {
      var url = bundleNamed(manifest.text, manifestUrl);
      if (url) fetchBundle(url);
    }).catch(function () { /* checked and reported by the engine below */ });
    // A returning shopper's bundle is most likely the one the last page used: read it from the
    // HTTP cache now rather than after the manifest. It is used only if the manifest names it.
    var lastBundle = storageGet(LAST_BUNDLE_KEY);
    if (lastBundle && lastBundle.indexOf('http') === 0) fetchBundle(lastBundle);

    // The wasm is fetched and compiled off the main thread; its interface (`wasm-abi.js`) is
    // already here. Its bytes go to the kit too.
    var wasmBytes;
    var wasmModule = compileWasm(here, wasmIntegrity, kitOn ? function (bytes) { wasmBytes = bytes; } : undefined);
    wasmModule.catch(function () { /* reported through corePromise */ });
    // The debug view's drawing code is a script of its own, added only when the URL asks for it;
    // the engine starts after it, so it sees the first `aisle:debug`. A failure: no view.
    var debugView = config.debug ? addScript(new URL(DEBUG_FILE, here).href, debugIntegrity) : undefined;
    // The compiled module is instantiated synchronously (`instantiateCore`), as the kit's is.
    var corePromise = Promise.all([wasmModule, debugView]).then(function (ready) { return instantiateCore(ready[0]); });

    corePromise.then(function (bindings) {
      if (!startCore(bindings, false)) return;
      return manifestPromise.then(function (manifest) {
        var bundleUrl = useManifest(manifest.text);
        if (!bundleUrl) { releaseHide(); return; }
        return fetchBundle(bundleUrl).then(function (buffer) {
          if (!useBundle(bundleUrl, new Uint8Array(buffer))) { releaseHide(); return; }
          if (kitOn) whenPageIdle(function () { keepKit(manifestUrl, manifest, bundleUrl, buffer, wasmIntegrity, wasmBytes); });
        });
      });
    }, function (error) {
      core.dead = true;
      engineFailed();
      fail('wasm_blocked', 'the aisle core could not start: ' + String(error && error.message || error));
    }).catch(function (error) {
      fail(error && error.code || 'load_failed', error && error.message || String(error));
    });
  }
}

// After the page's load event, when the main thread is idle (or within IDLE_WAIT_MS of it
// where the browser has no requestIdleCallback or keeps being busy).
function whenPageIdle(fn) {
  function idle() {
    if (w.requestIdleCallback) requestIdleCallback(fn, { timeout: IDLE_WAIT_MS }); else setTimeout(fn, 0);
  }
  if (d.readyState === 'complete') idle(); else w.addEventListener('load', idle, { once: true });
}

start();
