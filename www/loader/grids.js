// The page's grids: the loader reads each grid's product ids and moves the merchant's own
// nodes; the wasm plans the order and logs the exposure (`planGrid`, `crate::plan`). aisle
// never writes HTML. Reading here rather than through web-sys is what keeps a 5,000-card
// pass short (docs/performance.md, "Browser edge").
import { d } from './page.js';
import { core, guard } from './core.js';

var placed = new WeakSet(); // cards ordered by an earlier pass keep their slots
var watching = false;

// The id one element's attribute holds: the value, or what `data-item-id-pattern` captures
// from it (its first group, or the whole match when it has none).
function idIn(element) {
  var config = core.config;
  var value = element.getAttribute(config.itemId);
  if (value === null) return '';
  if (config.itemIdPattern) {
    var matched = config.itemIdPattern.exec(value);
    value = matched ? matched[matched.length > 1 ? 1 : 0] : '';
  }
  return (value || '').trim();
}

// The card's product id: from the card's own attribute when it has one that reads as an id,
// else from the elements inside the card that carry the attribute. Themes print the id more
// than once per card (Dawn's two title links), so repeats of one id are fine; two different
// ids are a conflict: `{conflict: [first, second]}`.
function cardId(card) {
  var own = idIn(card);
  if (own) return { id: own };
  var found = '';
  var holders = card.querySelectorAll('[' + core.config.itemId + ']');
  for (var i = 0; i < holders.length; i++) {
    var id = idIn(holders[i]);
    if (!id) continue;
    if (!found) found = id;
    else if (found !== id) return { conflict: [found, id] };
  }
  return { id: found };
}

// A grid's children, each a product (a card with an id) or not (banners, promos, cards
// without an id).
function readGrid(grid) {
  var config = core.config;
  var read = { children: [], isProduct: [], products: [], ids: [], fresh: [], cards: [], cardCount: 0, conflict: null };
  var children = grid.children;
  for (var i = 0; i < children.length; i++) {
    var node = children[i];
    var card = node.matches(config.item) ? node : node.querySelector(config.item);
    var reading = card ? cardId(card) : { id: '' };
    read.children.push(node);
    read.isProduct.push(!!reading.id);
    if (card) read.cardCount++;
    if (reading.conflict && !read.conflict) read.conflict = reading.conflict;
    if (!reading.id) continue;
    read.products.push(node);
    read.ids.push(reading.id);
    read.fresh.push(placed.has(node) ? 0 : 1);
    read.cards.push(card);
  }
  return read;
}

// False (with an `aisle:error`, once per page) when a grid's cards cannot be read safely: a
// card holds two different ids, or the grid has cards and none holds an id. The grid then
// keeps the shop's order.
function idsReadable(read, index) {
  var config = core.config;
  var grid = 'grid ' + (index + 1) + ' (data-grid "' + config.grid + '")';
  var pattern = config.itemIdPattern ? ' matching data-item-id-pattern /' + config.itemIdPattern.source + '/' : '';
  if (read.conflict) {
    core.engine.reportOnce('item_id_conflict', 'a card in ' + grid + ' holds two product ids, "' + read.conflict[0] + '" and "' +
      read.conflict[1] + '" (data-item-id "' + config.itemId + '"' + pattern + "); the grid keeps the shop's order");
    return false;
  }
  if (read.cardCount > 0 && !read.ids.length) {
    core.engine.reportOnce('item_id_missing', 'none of the ' + read.cardCount + ' cards (data-item "' + config.item + '") in ' + grid +
      ' holds a product id in attribute "' + config.itemId + '"' + pattern + ', on the card or inside it');
    return false;
  }
  return true;
}

// Reads each grid once: every grid's reading, and the install check's summary of them (grids
// and cards the selectors find, and the ids the cards hold; the engine says which the bundle
// knows).
function readGrids(grids) {
  var reads = [];
  var install = { grids: grids.length, cards: 0, ids: [] };
  for (var g = 0; g < grids.length; g++) {
    var read = readGrid(grids[g]);
    reads.push(read);
    install.cards += read.cardCount;
    for (var i = 0; i < read.ids.length; i++) install.ids.push(read.ids[i]);
  }
  return { reads: reads, install: install };
}

/** Hands the engine the install check's reading of the page as it is now (for status() and
 * the debug view). */
export function noteInstall() {
  var engine = core.engine;
  if (!engine) return;
  var grids;
  try { grids = d.querySelectorAll(core.config.grid); } catch (e) { grids = []; }
  var install = { grids: grids.length, cards: 0, ids: [] };
  var itemValid = true;
  try { d.querySelector(core.config.item); } catch (e) { itemValid = false; } // no card can match
  if (itemValid) install = readGrids(grids).install;
  engine.noteInstall(install.grids, install.cards, install.ids);
}

// Re-inserts the grid's children so that product slot k shows product order[k]; other
// children stay where they are. Moves as few nodes as it can: the children whose current
// positions form the longest increasing run of the new order stay, each other one is inserted
// before its new successor. Moving node by node from the top instead shifts every card in
// between one at a time: 5,000 moves for one product on a 5,000-card grid.
function applyOrder(grid, read, order) {
  if (order.length !== read.products.length) return;
  var desired = [];
  var positions = [];
  var productPosition = [];
  for (var c = 0; c < read.children.length; c++) if (read.isProduct[c]) productPosition.push(c);
  for (var i = 0, next = 0; i < read.children.length; i++) {
    if (read.isProduct[i]) {
      desired.push(read.products[order[next]]);
      positions.push(productPosition[order[next++]]);
    } else {
      desired.push(read.children[i]);
      positions.push(i);
    }
  }
  var stays = longestIncreasingRun(positions);
  for (var k = desired.length - 1; k >= 0; k--) {
    if (!stays[k]) grid.insertBefore(desired[k], k + 1 < desired.length ? desired[k + 1] : null);
  }
}

// Marks the entries of `values` (distinct numbers) that form one longest increasing
// subsequence (patience sorting, O(n log n)).
function longestIncreasingRun(values) {
  var tails = []; // tails[l]: index of the smallest last value of a run of length l + 1
  var previous = [];
  for (var i = 0; i < values.length; i++) {
    var low = 0;
    var high = tails.length;
    while (low < high) {
      var middle = (low + high) >> 1;
      if (values[tails[middle]] < values[i]) low = middle + 1; else high = middle;
    }
    previous[i] = low > 0 ? tails[low - 1] : -1;
    tails[low] = i;
  }
  var marked = [];
  for (var at = tails.length ? tails[tails.length - 1] : -1; at >= 0; at = previous[at]) marked[at] = true;
  return marked;
}

/** One pass over the page's grids: each grid with cards not placed yet is planned and, when
 * the plan says so, reordered. `leaveVisible`: the shop's order stays on screen. Returns how
 * many cards the grids hold (Infinity when the selectors cannot be read). */
export function rankGrids(leaveVisible) {
  var engine = core.engine;
  var config = core.config;
  if (!engine || !config.grid || !config.item || config.itemIdPatternError) return Infinity;
  var grids;
  try { grids = d.querySelectorAll(config.grid); } catch (e) {
    engine.reportFailure('selector_invalid', 'data-grid is not a valid CSS selector');
    return Infinity;
  }
  try { d.querySelector(config.item); } catch (e) {
    engine.reportOnce('selector_invalid', 'data-item is not a valid CSS selector');
    return Infinity;
  }
  // Each grid is read once, before any of them moves: the same reading serves the install
  // check and the plan (a second walk of a 5,000-card grid's cards made the pass longer).
  var read = readGrids(grids);
  var install = read.install;
  engine.noteInstall(install.grids, install.cards, install.ids);
  var ranked = 0;
  for (var g = 0; g < grids.length; g++) {
    var grid = read.reads[g];
    if (!idsReadable(grid, g) || grid.fresh.indexOf(1) < 0) continue;
    var order = engine.planGrid(grid.ids, new Uint8Array(grid.fresh), g, !!leaveVisible, config.debug ? grid.cards : undefined);
    if (!order) continue;
    ranked++;
    if (order.length) applyOrder(grids[g], grid, order);
    for (var p = 0; p < grid.products.length; p++) placed.add(grid.products[p]);
  }
  engine.finishPass(ranked, !!leaveVisible);
  return install.cards;
}

/** How many cards the page holds (0 with an invalid selector, which the pass reports). */
export function cardCount() {
  try { return d.querySelectorAll(core.config.item).length; } catch (e) { return 0; }
}

/** Runs `fn` once the page's grids are parsed to their end: at once when the parser is past
 * every grid (a node follows it, or the document is parsed), else at DOMContentLoaded. A pass
 * over a grid the parser is still filling, or has not reached yet (a theme script before it
 * holds the parser), would order its first cards alone, and the cards parsed after it would be
 * ordered apart, after the hide may have ended. */
export function whenGridsParsed(fn) {
  if (d.readyState !== 'loading' || gridsParsed()) fn();
  else d.addEventListener('DOMContentLoaded', fn, { once: true });
}

function gridsParsed() {
  var grids;
  try { grids = d.querySelectorAll(core.config.grid); } catch (e) { return true; } // the pass reports it
  if (!grids.length) return false; // not parsed yet, or none on this page: known at DOMContentLoaded
  for (var g = 0; g < grids.length; g++) {
    var past = false;
    for (var node = grids[g]; node && !past; node = node.parentNode) past = !!node.nextSibling;
    if (!past) return false;
  }
  return true;
}

// True when a mutation added a grid or a card (infinite scroll, filters, SPA navigation).
function touchesAGrid(records) {
  var watched = core.config.grid + ', ' + core.config.item;
  try {
    for (var r = 0; r < records.length; r++) {
      var added = records[r].addedNodes;
      for (var i = 0; i < added.length; i++) {
        var node = added[i];
        if (node.nodeType === 1 && (node.matches(watched) || node.querySelector(watched))) return true;
      }
    }
  } catch (e) { /* an invalid selector: reported by the first pass */ }
  return false;
}

// A click on a grid's card: its id and position among the grid's products.
function recordClick(event) {
  var config = core.config;
  var target = event.target;
  var card, grid;
  try {
    card = core.engine && target && target.closest && target.closest(config.item);
    grid = card && card.closest(config.grid);
  } catch (e) { return; } // an invalid selector: reported by the first pass
  if (!grid || config.itemIdPatternError) return;
  var read = readGrid(grid);
  for (var i = 0; i < read.products.length; i++) {
    if (read.products[i].contains(card)) return core.engine.recordClick(read.ids[i], i);
  }
}

/** Keeps ordering grids and cards that appear later (our own moves are taken back out of
 * the observer's queue, so they never trigger a pass) and records clicks on grid cards. */
export function watchGrids() {
  if (watching || !core.config.grid || !core.config.item) return;
  watching = true;
  var observer = new MutationObserver(function (records) {
    guard(function () {
      if (!core.engine || core.killed || !touchesAGrid(records)) return;
      rankGrids(false);
      observer.takeRecords();
    });
  });
  observer.observe(d.documentElement, { childList: true, subtree: true });
  d.addEventListener('click', function (event) { guard(function () { recordClick(event); }); }, true);
}
