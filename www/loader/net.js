// Network: fetches that are aborted when they take too long, the wasm core compiled off the
// main thread, and a pinned script tag. Failures are `{code, message}` values, never thrown
// into the page.
import { w, d } from './page.js';
import { WASM_FILE } from './defaults.js';

/**
 * Fetches `url` and reads it with `read(response)`, all within `ms`: past that the request is
 * aborted and the promise rejects with `<code>_timeout`. Other failures: `<code>_network`,
 * `<code>_http`, or what `read` throws.
 */
export function fetchOk(url, code, ms, read) {
  var controller = w.AbortController ? new AbortController() : null;
  var timer;
  var timeout = new Promise(function (resolve, reject) {
    timer = setTimeout(function () {
      if (controller) controller.abort();
      reject({ code: code + '_timeout', message: 'no answer after ' + ms + ' ms' });
    }, ms);
  });
  var work = fetch(url, { credentials: 'omit', signal: controller ? controller.signal : undefined }).then(function (response) {
    if (!response.ok) throw { code: code + '_http', message: url + ' answered ' + response.status };
    return read(response);
  }, function (error) {
    throw { code: code + '_network', message: String(error && error.message || error) };
  });
  return Promise.race([work, timeout]).then(
    function (value) { clearTimeout(timer); return value; },
    function (error) { clearTimeout(timer); throw error; });
}

/** The wasm core beside `scriptUrl`, checked against `integrity` by the browser, compiled
 * while it streams in where the server sends application/wasm. `keepBytes`, when given, is
 * handed the checked bytes too (for the kit). */
export function compileWasm(scriptUrl, integrity, keepBytes) {
  return fetch(new URL(WASM_FILE, scriptUrl).href, { credentials: 'omit', integrity: integrity || undefined }).catch(function (error) {
    throw new Error(WASM_FILE + ' did not arrive, or is not the one this aisle.js was built with (integrity): ' + String(error && error.message || error));
  }).then(function (response) {
    if (!response.ok) throw new Error(WASM_FILE + ' answered ' + response.status);
    if (keepBytes) response.clone().arrayBuffer().then(keepBytes, function () { /* not kept */ });
    if (WebAssembly.compileStreaming && /^application\/wasm/.test(response.headers.get('content-type'))) return WebAssembly.compileStreaming(response);
    return response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
  });
}

/** Adds a script tag; resolves when it ran or failed to load (never rejects). */
export function addScript(src, integrity) {
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
