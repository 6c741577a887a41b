// Anti-flicker: hide the grids (opacity only: no layout change) until they are ordered, for
// at most `data-hide` ms (300 at most), whatever happens. Three things hold the cap: the
// hiding animation ends by itself, a timer releases it, and the pass that orders the grids
// checks the time itself (`overdue`), because a busy main thread can hold the timer back.
import { w, d, emit, now, afterNextFrame } from './page.js';

var hiding = null; // the hiding rule while it applies: a constructed sheet or a <style>
var startedAt = 0;
var capMs = 0;
var hiddenSelector = '';
var expired = false; // the grids were shown in the shop's order: do not move them now

// When the page painted before aisle ran, the shop's grid may be on screen: nodes move only
// once a frame with the grid hidden was presented, or Chromium counts the move as a layout
// shift. Before the first paint, the hidden grid is what gets painted first anyway.
var paintedBeforeAisle = false;
try { paintedBeforeAisle = performance.getEntriesByType('paint').length > 0; } catch (e) { /* assume not */ }
var hiddenFramePresented = true;
// Whether a frame began since the hiding rule was added. The hiding animation starts in a
// frame's rendering update, after that frame's requestAnimationFrame callbacks: until one ran,
// the animation has not begun, so it has not ended, and the pass need not ask it (asking
// flushes the page's style inside aisle's task: 1.5-2.4 ms of the kit's start in
// `node scripts/bench/profile.mjs`, docs/performance.md).
var frameSinceHide = true;

/** Hides whatever `selector` matches for at most `ms`. */
export function hide(selector, ms) {
  if (!selector || !(ms > 0)) return;
  startedAt = now();
  capMs = ms;
  hiddenSelector = selector;
  frameSinceHide = false;
  afterFrameBegins(function () { frameSinceHide = true; });
  if (paintedBeforeAisle) {
    hiddenFramePresented = false;
    afterNextFrame(function () { hiddenFramePresented = true; });
  }
  try {
    // An animation rather than a plain `opacity:0`: the compositor ends it after `ms` by
    // itself, so the shopper sees the grid on time even while the main thread is busy (the
    // page's own first layout of thousands of cards can hold every task back for 250 ms).
    hiding = addHidingRule('@keyframes aisle-hide{from,to{opacity:0}}' + selector + '{animation:aisle-hide ' + ms + 'ms linear!important}');
    setTimeout(function () { if (hiding) expired = true; releaseHide(); }, ms);
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

/** Shows the grids again (once). */
export function releaseHide() {
  if (!hiding) return;
  try { hiding.remove(); } catch (e) { /* gone already */ }
  hiding = null;
  emit('aisle:show', { afterMs: now() - startedAt, expired: expired });
}

/** True while the grids are hidden. */
export function isHiding() {
  return !!hiding;
}

// The browser starts the hiding animation at a frame's time, which can be a little before
// `startedAt`: the pass counts as late one frame before the cap by its own clock, and asks the
// animation itself, so that no card moves once the grid is visible again.
var FRAME_MS = 17;

/** True when the grids were (or by now should have been) shown in the shop's order: its
 * timer fired, the animation ended, or the cap (less a frame) passed while the main thread
 * was too busy to run the timer. */
export function overdue() {
  return expired || (!!hiding && (now() - startedAt >= capMs - FRAME_MS || hidingAnimationEnded()));
}

function hidingAnimationEnded() {
  if (!frameSinceHide) return false;
  try {
    var grid = d.querySelector(hiddenSelector);
    if (!grid) return false; // nothing hidden yet: no grid to move either
    var animations = grid.getAnimations(); // flushes style, so a new rule is seen
    for (var i = 0; i < animations.length; i++) {
      var animation = /** @type {CSSAnimation} */ (animations[i]);
      if (animation.animationName === 'aisle-hide') return animation.playState === 'finished';
    }
    return true; // the rule applies to the grid, yet no hiding animation runs: it has ended
  } catch (e) {
    return false; // no Web Animations API: the clock alone decides
  }
}

// Runs `fn` at the start of the next frame (its requestAnimationFrame callbacks); at once
// where there is no requestAnimationFrame.
function afterFrameBegins(fn) {
  try { requestAnimationFrame(fn); } catch (e) { fn(); }
}

/** Milliseconds of hide left (0 when not hiding). */
export function hideLeftMs() {
  return hiding ? capMs - (now() - startedAt) : 0;
}

/** Runs `fn` once the hidden grid is what the shopper sees (at once unless aisle ran after
 * the first paint). */
export function whenHiddenFramePresented(fn) {
  if (hiding && !hiddenFramePresented) afterNextFrame(fn); else fn();
}
