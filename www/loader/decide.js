// Before anything loads: will this page's grids move? Decided synchronously at script start
// from what earlier pages left in localStorage, so that the grid is hidden only when it can
// move, and a first-time visitor's page load has nothing of aisle's to compete with.
import { storageGet, storageSet } from './page.js';
import { HISTORY_KEY, VISITOR_KEY, HISTORY_FORMAT_VERSION } from './defaults.js';

var ARM_KEY = 'arm'; // what the last manifest said of this visitor: {visitor, manifest, personalized}
// The stored history is base64 of postcard bytes (`crate::history::StoredHistory`): its
// format version as a varint (HISTORY_FORMAT_VERSION, below 128: one byte), then the number of
// actions as a varint, which is 0 (one zero byte) exactly when no action was kept. Another
// version reads as "has a history".
// Calls queued before aisle.js ran that add to the history (a function may do anything).
var RECORDING_CALLS = { track: 1, view: 1, addToCart: 1, removeFromCart: 1, purchase: 1 };

/**
 * Why the grids will keep the shop's order on this page, or '' when they may move:
 * - 'no_history': no action stored or queued, and no product on this page: nothing to
 *   personalize from, so this page shows the shop's order.
 * - 'not_personalized': the last manifest put this visitor in an arm that keeps the shop's
 *   order (a holdout, a control, the kill switch).
 * Either way the grids are not hidden and aisle starts once the page is loaded and idle.
 * A QA override of the arm (`?aisle_arm=`, `armOverride`) decides this page's arm, so the
 * remembered one does not count.
 */
export function stillReason(queued, data, manifestUrl, armOverride) {
  if (!hasHistory(queued, data)) return 'no_history';
  if (armOverride) return '';
  var last = lastArm();
  if (last && last.visitor === storageGet(VISITOR_KEY) && last.manifest === manifestUrl && last.personalized === false) return 'not_personalized';
  return '';
}

/** Remembers whether the manifest personalizes this visitor, for the next page's decision. */
export function rememberArm(manifestUrl, personalized) {
  var visitor = storageGet(VISITOR_KEY);
  var last = lastArm();
  if (!visitor || (last && last.visitor === visitor && last.manifest === manifestUrl && last.personalized === personalized)) return;
  storageSet(ARM_KEY, JSON.stringify({ visitor: visitor, manifest: manifestUrl, personalized: personalized }));
}

function lastArm() {
  try { return JSON.parse(storageGet(ARM_KEY) || 'null'); } catch (e) { return null; }
}

function hasHistory(queued, data) {
  if (data.product) return true; // the engine records this page's product view
  for (var i = 0; i < queued.length; i++) {
    var call = queued[i];
    if (typeof call === 'function' || (call && RECORDING_CALLS[call[0]] === 1)) return true;
  }
  var stored = storageGet(HISTORY_KEY);
  if (stored === null) return false;
  try {
    var bytes = atob(stored);
    return !(bytes.charCodeAt(0) === HISTORY_FORMAT_VERSION && bytes.charCodeAt(1) === 0);
  } catch (e) {
    return true; // unreadable: the engine reports it; hide as if it could move
  }
}
