/*! aisle debug view (?aisle_debug=1). MIT OR Apache-2.0. */
// Draws the debug view: a badge with the score and the personalized rank on every card aisle
// ranked, and a fixed panel with the bundle, the arm, the storage mode, the history and the
// errors. The loader dispatches the data as `aisle:debug` (the wasm core's status, plus the
// cards and the plan of each grid planned since the last one); it adds this script (pinned by
// its sha384) only when the URL asks for the debug view, before it starts the engine. Text
// only: nothing from the bundle, the URL or the page is ever parsed as HTML.
(function () {
'use strict';
var d = document;
var SCORE_CLASS = 'aisle-debug-score';
var KIND_NAMES = { v: 'product_view', c: 'grid_click', a: 'add_to_cart', r: 'remove_from_cart', p: 'purchase', g: 'category_view' };
var PANEL_STYLE = [
  ['position', 'fixed'], ['right', '8px'], ['bottom', '8px'], ['max-width', '420px'],
  ['max-height', '45vh'], ['overflow', 'auto'], ['background', 'rgba(20,20,20,.92)'],
  ['color', '#e8e8e8'], ['font', '12px/1.4 ui-monospace,monospace'], ['padding', '10px'],
  ['border-radius', '6px'], ['z-index', '2147483647'], ['white-space', 'pre-wrap']
];

// One card's badge: `aisle 0.412 · rank 3`, ` (holdout)` when the arm keeps the shop's order;
// `score` null when the bundle does not know the product.
function drawBadge(card, score, rank, personalized) {
  var badge = card.querySelector('.' + SCORE_CLASS);
  if (!badge) {
    badge = d.createElement('small');
    badge.className = SCORE_CLASS;
    card.appendChild(badge);
  }
  badge.textContent = score === null
    ? 'aisle: not in bundle'
    : 'aisle ' + score.toFixed(3) + ' · rank ' + rank + (personalized ? '' : ' (holdout)');
}

// The badges of one planned grid: `cards` its product cards in the page's order, `plan` the
// engine's `lastPlan` JSON (`{order, scores, personalized}`: `order[slot]` is the index of the
// card shown at 1-based rank `slot + 1`, `scores[i]` card i's score or null).
function drawGrid(grid) {
  var plan = JSON.parse(grid.plan || 'null');
  if (!plan) return;
  var rankOf = [];
  for (var slot = 0; slot < plan.order.length; slot++) rankOf[plan.order[slot]] = slot + 1;
  for (var i = 0; i < grid.cards.length && i < plan.order.length; i++) drawBadge(grid.cards[i], plan.scores[i], rankOf[i], plan.personalized);
}

function panelLines(status) {
  var history = status.history;
  var lines = [
    'aisle debug',
    'bundle: ' + (status.modelVersion === undefined ? 'not loaded' : status.modelVersion + ' (' + status.productsInBundle + ' products)'),
    'experiment: ' + (status.experiment || '-') + '  arm: ' + status.arm,
    'storage: ' + (status.storageMemoryOnly ? 'memory only' : 'localStorage'),
    'first reorder: ' + (status.firstReorderMs === undefined ? '-' : status.firstReorderMs.toFixed(1) + ' ms'),
    'session ' + history.s + ' · ' + history.a.length + ' actions (newest first):'
  ];
  lines = lines.concat(installLines(status.install));
  for (var i = history.a.length - 1; i >= 0; i--) lines.push('  ' + KIND_NAMES[history.a[i].k] + ' ' + history.a[i].i);
  for (var j = 0; j < status.errors.length; j++) lines.push('error: ' + status.errors[j]);
  return lines;
}

// The install check: what the selectors find on this page, so a wrong selector, id attribute
// or pattern shows at once.
function installLines(install) {
  if (!install) return [];
  if (install.grids === 0) return ['install: data-grid matches no element on this page'];
  var lines = ['install: ' + install.grids + ' grid(s), ' + install.cards + ' cards, ' + install.ids + ' with an id' +
    (install.recognised === undefined ? '' : ', ' + install.recognised + ' in the bundle')];
  if (install.cards === 0) lines.push('install: data-item matches no card inside the grids');
  if (install.unrecognised.length) lines.push('install: not in the bundle: ' + install.unrecognised.join(', '));
  return lines;
}

function drawPanel(lines) {
  if (!d.body) return;
  var panel = d.getElementById('aisle-debug');
  if (!panel) {
    panel = d.createElement('pre');
    panel.id = 'aisle-debug';
    for (var i = 0; i < PANEL_STYLE.length; i++) panel.style.setProperty(PANEL_STYLE[i][0], PANEL_STYLE[i][1]);
    d.body.appendChild(panel);
  }
  panel.textContent = lines.join('\n');
}

d.addEventListener('aisle:debug', function (event) {
  try {
    var status = /** @type {CustomEvent} */ (event).detail;
    for (var i = 0; i < status.grids.length; i++) drawGrid(status.grids[i]);
    drawPanel(panelLines(status));
  } catch (e) { /* the page wins: the debug view is best effort */ }
});
})();
