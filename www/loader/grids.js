// The page's grids: the loader reads each grid's product ids and moves the merchant's own
// nodes; the wasm plans the order and logs the exposure (`planGrid`, `crate::plan`). aisle
// never writes HTML. Reading here rather than through web-sys is what keeps a 5,000-card
// pass short (docs/performance.md, "Browser edge").
import { d } from './page.js';
import { core, guard } from './core.js';

var placed = new WeakSet(); // cards ordered by an earlier pass keep their slots
var watching = false;

// A grid's children, each a product (a card with an id) or not (banners, promos).
function readGrid(grid) {
  var config = core.config;
  var read = { children: [], isProduct: [], products: [], ids: [], fresh: [], cards: [] };
  var children = grid.children;
  for (var i = 0; i < children.length; i++) {
    var node = children[i];
    var card = null;
    try { card = node.matches(config.item) ? node : node.querySelector(config.item); } catch (e) { /* invalid data-item: no cards */ }
    var id = card && card.getAttribute(config.itemId);
    id = id && id.trim();
    read.children.push(node);
    read.isProduct.push(!!id);
    if (!id) continue;
    read.products.push(node);
    read.ids.push(id);
    read.fresh.push(placed.has(node) ? 0 : 1);
    read.cards.push(card);
  }
  return read;
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
 * the plan says so, reordered. `leaveVisible`: the shop's order stays on screen. */
export function rankGrids(leaveVisible) {
  var engine = core.engine;
  var config = core.config;
  if (!engine || !config.grid || !config.item) return;
  var grids;
  try { grids = d.querySelectorAll(config.grid); } catch (e) {
    engine.reportFailure('selector_invalid', 'data-grid is not a valid CSS selector');
    return;
  }
  var ranked = 0;
  for (var g = 0; g < grids.length; g++) {
    var read = readGrid(grids[g]);
    if (read.fresh.indexOf(1) < 0) continue;
    var order = engine.planGrid(read.ids, new Uint8Array(read.fresh), g, !!leaveVisible, config.debug ? read.cards : undefined);
    if (!order) continue;
    ranked++;
    if (order.length) applyOrder(grids[g], read, order);
    for (var p = 0; p < read.products.length; p++) placed.add(read.products[p]);
  }
  engine.finishPass(ranked, !!leaveVisible);
}

// True when a mutation added a grid or a card (infinite scroll, filters, SPA navigation).
function touchesAGrid(records) {
  var watched = core.config.grid + ', ' + core.config.item;
  for (var r = 0; r < records.length; r++) {
    var added = records[r].addedNodes;
    for (var i = 0; i < added.length; i++) {
      var node = added[i];
      if (node.nodeType === 1 && (node.matches(watched) || node.querySelector(watched))) return true;
    }
  }
  return false;
}

// A click on a grid's card: its id and position among the grid's products.
function recordClick(event) {
  var config = core.config;
  var target = event.target;
  var card = core.engine && target && target.closest && target.closest(config.item);
  var grid = card && card.closest(config.grid);
  if (!grid) return;
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
