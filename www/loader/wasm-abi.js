// The wasm core's interface as JavaScript sees it: `AisleEngine` (the page session,
// `src/web/api.rs`) and `assignmentHash`, over the raw exports of `src/web/abi.rs` (the two
// are one definition: change them together; its module comment has the conventions).
// Hand-written instead of wasm-bindgen's generated glue for a measured size saving: 3,501 B
// gzip less for the wasm and aisle.js together (this glue 724 B gzip minified, wasm-bindgen's
// 1,954 B; its export wrappers 5.8 KB of the wasm's code; docs/performance.md, "Issue 12,
// branch `raw`").
//
// Text goes in as UTF-8 from `TextEncoder` (a lone surrogate becomes U+FFFD), and values (the
// settings, a manifest as `JSON.parse` read it, ids, an order) as the value stream
// `valueBytes` writes, each copied into an allocation the export frees; results come back as
// a length (-1: undefined) and the bytes at `result(session)`. Memory can grow during any
// call, which replaces `memory.buffer`: every read and write makes a new view, none is kept
// across a call. What throws here (a trap is a `WebAssembly.RuntimeError`) reaches the
// caller, the loader's `guard`.

var encoder = new TextEncoder();
var decoder = new TextDecoder();

/**
 * Instantiates the compiled core (synchronously) with the two functions it imports from
 * the module `aisle` (`src/web/host.rs`), and binds its exports.
 * @param {WebAssembly.Module} module
 */
export function instantiateCore(module) {
  /** @type {any} */
  var exports;
  exports = new WebAssembly.Instance(module, {
    aisle: {
      now: Date.now,
      // `String(value)` written at `at` (at most the 32 bytes Rust gives it); its length.
      numberText: function (value, at) {
        return encoder.encodeInto(String(value), new Uint8Array(exports.memory.buffer, at, 32)).written;
      }
    }
  }).exports;
  return bindCore(exports);
}

/**
 * `{AisleEngine, assignmentHash}` over an instance's exports (`instantiateCore`, or the bench
 * wasm's, which wasm-bindgen's glue instantiated).
 * @param {any} exports
 */
export function bindCore(exports) {
  function memory() { return new Uint8Array(exports.memory.buffer); }

  // Bytes (a Uint8Array or an array of numbers) or a string's UTF-8 as the two arguments
  // `(pointer, length)` of an allocation in the wasm's memory, which the callee frees.
  function bytesIn(bytes) {
    var at = exports.alloc(bytes.length);
    memory().set(bytes, at);
    return [at, bytes.length];
  }
  function textIn(text) { return bytesIn(encoder.encode(text)); }
  function valueIn(value) { return bytesIn(valueBytes(value)); }

  // The last result's bytes (copied out), or undefined for a negative length.
  function bytesOut(session, length) {
    if (length < 0) return undefined;
    var at = exports.result(session);
    return memory().slice(at, at + length);
  }
  function textOut(session, length) {
    var bytes = bytesOut(session, length);
    return bytes && decoder.decode(bytes);
  }

  class AisleEngine {
    /**
     * @param {object} config the loader's settings
     * @param {string} history the stored history's text
     */
    constructor(config, history) {
      this.session = exports.start(...valueIn(config), ...textIn(history));
    }
    /** `manifest.json`'s text, read here by `JSON.parse`. @param {string} text @returns {string | undefined} */
    useManifest(text) { return textOut(this.session, exports.useManifest(this.session, ...valueIn(readJson(text)))); }
    /** @param {Uint8Array} bytes */
    loadBundle(bytes) { return !!exports.loadBundle(this.session, ...bytesIn(bytes)); }
    reportFailure(code, message) { exports.reportFailure(this.session, ...textIn(code), ...textIn(message)); }
    reportOnce(code, message) { exports.reportOnce(this.session, ...textIn(code), ...textIn(message)); }
    /** @returns {Uint32Array | undefined} */
    planGrid(ids, fresh, index, leaveVisible) {
      var order = bytesOut(this.session, exports.planGrid(this.session, ...valueIn(ids), ...bytesIn(fresh), index, leaveVisible));
      return order && new Uint32Array(order.buffer);
    }
    finishPass(ranked, leaveVisible, elapsedMs) { exports.finishPass(this.session, ranked, leaveVisible, elapsedMs); }
    recordClick(id, position) { exports.recordClick(this.session, ...textIn(id), position); }
    track(kind, id, quantity, price) {
      return !!exports.track(this.session, ...textIn(kind), ...textIn(id),
        quantity == null ? -1 : quantity >>> 0, price == null ? NaN : price);
    }
    purchase(order) { return !!exports.purchase(this.session, ...valueIn(order)); }
    scoreCart() { return textOut(this.session, exports.scoreCart(this.session)); }
    disable() { exports.disable(this.session); }
    history() { return textOut(this.session, exports.history(this.session)); }
    historyText() { return textOut(this.session, exports.historyText(this.session)); }
    status(grids, cards, ids) { return textOut(this.session, exports.status(this.session, grids, cards, ...valueIn(ids))); }
    lastPlan() { return textOut(this.session, exports.lastPlan(this.session)); }
    takeEvents() { return textOut(this.session, exports.takeEvents(this.session)); }
    takeSignals() { return textOut(this.session, exports.takeSignals(this.session)); }
  }

  return {
    AisleEngine: AisleEngine,
    /** The assignment hash (`crate::assign::hash`), or undefined; for the shared vectors. */
    assignmentHash: function (seed, value, version) {
      var hash = exports.assignmentHash(...textIn(seed), ...textIn(value), version);
      return hash < 0 ? undefined : hash;
    }
  };
}

// The value stream (one definition, with its reader `src/value_stream.rs`, which documents
// it): a value as JSON.parse makes them, in bytes, read as JSON.stringify would write it (an
// undefined field left out; undefined, a function, NaN or Infinity as null). Tags: 0 null,
// 1 false, 2 true, 3 a number (f64, little-endian), 4 a string, 5 a list, 6 an object, 7 text
// that was not JSON (JSON.parse's message). A string is its UTF-8 byte length (u32,
// little-endian) then the bytes; a list or an object its count, then its items (an object's:
// key string, value).
var UNREADABLE = {};

/** `text` as JSON.parse reads it, or a mark carrying why it could not. */
function readJson(text) {
  try { return JSON.parse(text); } catch (e) { UNREADABLE.message = String(e && e.message); return UNREADABLE; }
}

/** @returns {Uint8Array} */
function valueBytes(value) {
  var out = new Uint8Array(256);
  var view = new DataView(out.buffer);
  var at = 0;
  function room(n) {
    if (at + n <= out.length) return;
    var bigger = new Uint8Array(Math.max(out.length * 2, at + n));
    bigger.set(out);
    out = bigger;
    view = new DataView(out.buffer);
  }
  function tag(t) { room(1); out[at++] = t; }
  function count(n) { room(4); view.setUint32(at, n, true); at += 4; }
  function string(text) {
    room(4 + text.length * 3); // UTF-8 takes at most 3 bytes per UTF-16 unit
    var written = encoder.encodeInto(text, out.subarray(at + 4)).written;
    view.setUint32(at, written, true);
    at += 4 + written;
  }
  function put(v) {
    if (v === UNREADABLE) { tag(7); string(v.message); }
    else if (typeof v === 'string') { tag(4); string(v); }
    else if (typeof v === 'boolean') tag(v ? 2 : 1);
    else if (typeof v === 'number' && isFinite(v)) { tag(3); room(8); view.setFloat64(at, v, true); at += 8; }
    else if (v === null || typeof v !== 'object') tag(0);
    else if (Array.isArray(v)) {
      tag(5);
      count(v.length);
      for (var i = 0; i < v.length; i++) put(v[i]);
    } else {
      var keys = Object.keys(v).filter(function (key) { return v[key] !== undefined; });
      tag(6);
      count(keys.length);
      for (var k = 0; k < keys.length; k++) { string(keys[k]); put(v[keys[k]]); }
    }
  }
  put(value);
  return out.subarray(0, at);
}
