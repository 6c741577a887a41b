// The wasm engine as the rest of the loader sees it: one shared slot, and `guard`, through
// which every call into it goes, so that nothing it throws reaches the page.
import { emit } from './page.js';
import { releaseHide } from './hide.js';

/**
 * `engine`: the AisleEngine once the wasm started. `dead`: the core cannot start or trapped.
 * `killed`: the JS kill switch (`aisle.push(['disable'])`). `config`: what boot read from the
 * script tag (grid and item selectors, id attribute, debug...).
 */
export const core = { engine: null, dead: false, killed: false, config: {} };

/** Runs `fn`; any exception becomes an `aisle:error`, releases the hide and gives `fallback`. */
export function guard(fn, fallback) {
  try { return fn(); } catch (error) {
    // A trap inside the wasm leaves it unusable: stop using it, keep the page as it is.
    if (error instanceof WebAssembly.RuntimeError) { core.dead = true; core.engine = null; }
    emit('aisle:error', { type: 'error', code: 'internal', message: String(error && error.message || error) });
    releaseHide();
    return fallback;
  }
}

/** A failure the loader saw: the hide goes, the engine (or the page) is told. */
export function fail(code, message) {
  releaseHide();
  if (core.engine) {
    guard(function () { core.engine.reportFailure(code, String(message)); });
  } else {
    emit('aisle:error', { type: 'error', code: code, message: String(message) });
  }
}
