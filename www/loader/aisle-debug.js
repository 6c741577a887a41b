/*! aisle debug view (?aisle_debug=1). MIT OR Apache-2.0. */
// Draws the debug view: a badge with the score and the personalized rank on every card aisle
// ranked, and a fixed panel with the bundle, the arm, the storage mode, the history and the
// errors. The wasm core gathers the data and dispatches it as `aisle:debug` (the status plus
// the cards ranked since the last one); the loader adds this script (pinned by its sha384) only
// when the URL asks for the debug view, before it starts the engine. Text only: nothing from
// the bundle, the URL or the page is ever parsed as HTML.
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

// One card's badge: `aisle 0.412 · rank 3`, ` (holdout)` when the arm keeps the shop's order.
function drawBadge(entry) {
  var card = entry.card;
  var badge = card.querySelector('.' + SCORE_CLASS);
  if (!badge) {
    badge = d.createElement('small');
    badge.className = SCORE_CLASS;
    card.appendChild(badge);
  }
  badge.textContent = entry.score === undefined
    ? 'aisle: not in bundle'
    : 'aisle ' + entry.score.toFixed(3) + ' · rank ' + entry.rank + (entry.personalized ? '' : ' (holdout)');
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
    for (var i = 0; i < status.cards.length; i++) drawBadge(status.cards[i]);
    drawPanel(panelLines(status));
  } catch (e) { /* the page wins: the debug view is best effort */ }
});
})();
