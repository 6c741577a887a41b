// Generates the demo storefront (static HTML) from the committed catalog into an output folder.
// Every page includes aisle exactly as a merchant's theme would: one async script tag.
// Usage: node www/demo/generate.mjs <catalog.csv> <out-dir>
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Parses CSV with a header row (quoted fields with commas and doubled quotes supported).
 * @param {string} text
 * @returns {Record<string, string>[]}
 */
export function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  const [header, ...body] = rows;
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), (r[i] ?? '').trim()])));
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const price = (p) => (p ? '$' + Number(p).toFixed(2) : '');

/**
 * The script tag a merchant pastes into the theme (here with this page's context).
 * @param {{ product?: string, category?: string }} context
 */
function scriptTag({ product, category }) {
  const context = (product ? ` data-product="${escape(product)}"` : '') + (category ? ` data-category="${escape(category)}"` : '');
  return `<script>window.aisle = window.aisle || [];</script>
  <script async src="/aisle/aisle.js" data-manifest="/aisle/manifest.json"
          data-grid=".product-grid" data-item=".product-card" data-item-id="data-product-id"
          data-hide="300" data-consent="granted" data-collector="/e"
          data-abandon-threshold="0.5"${context}></script>`;
}

/** @param {{ title: string, body: string, product?: string, category?: string }} options */
function page({ title, body, product, category }) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">
  <title>${escape(title)} · Aisle Demo Store</title>
  <link rel="stylesheet" href="/theme.css">
  ${scriptTag({ product, category })}
  <script defer src="/theme.js"></script>
</head>
<body>
  <header class="top"><a class="logo" href="/">Aisle Demo Store</a>
    <nav>${categories.map((c) => `<a href="/c/${c.slug}.html">${escape(c.title)}</a>`).join('')}<a href="/c/all.html">All</a></nav>
    <a class="cart-link" href="/cart.html">Cart (<span id="cart-count">0</span>)</a></header>
  <main>${body}</main>
  <footer>Data: REES46 eCommerce behavior data (Oct 2019). Personalization by aisle, on your device.</footer>
</body>
</html>
`;
}

function card(p) {
  return `<li class="product-card" data-product-id="${escape(p.id)}" data-category="${escape(p.category)}">
      <a href="/p/${encodeURIComponent(p.id)}.html"><div class="thumb">${escape(p.brandTitle)}</div>
      <h3>${escape(p.title)}</h3></a><p class="price">${price(p.price)}</p></li>`;
}

function promo(text) {
  return `<li class="promo">${escape(text)}</li>`;
}

let categories = [];

/**
 * A catalog row (aisle's catalog CSV columns) with the brand as the store shows it.
 * @typedef {Record<string, string> & { id: string, title: string, price: string, category: string, brandTitle: string }} DemoProduct
 */

/**
 * Writes the store's pages for the catalog at `catalogPath` into `out`.
 * @param {string} catalogPath
 * @param {string} out
 */
export function generate(catalogPath, out) {
  const products = parseCsv(readFileSync(catalogPath, 'utf8')).map((p) => /** @type {DemoProduct} */ ({
    ...p,
    brandTitle: p.brand ? p.brand[0].toUpperCase() + p.brand.slice(1) : 'Item',
  }));
  const byCategory = new Map();
  for (const p of products) {
    if (!byCategory.has(p.category)) byCategory.set(p.category, []);
    byCategory.get(p.category).push(p);
  }
  categories = [...byCategory.entries()].map(([id, items]) => ({
    id, items, title: items[0].category_title || id, slug: slug(items[0].category_title || id),
  }));
  mkdirSync(join(out, 'c'), { recursive: true });
  mkdirSync(join(out, 'p'), { recursive: true });

  // Category pages: the shop's own order is by price, dearest first; a promo tile sits in slot 5.
  for (const c of categories) {
    const items = [...c.items].sort((a, b) => Number(b.price) - Number(a.price) || a.id.localeCompare(b.id));
    const first = items.slice(0, 24), more = items.slice(24);
    const tiles = first.map(card);
    tiles.splice(4, 0, promo(`Free shipping on ${c.title.toLowerCase()} this week`));
    const body = `<h1>${escape(c.title)}</h1>
  <ul class="product-grid" id="grid">
    ${tiles.join('\n    ')}
  </ul>
  ${more.length ? `<button id="load-more" data-more='${escape(JSON.stringify(more.map((p) => ({ id: p.id, title: p.title, price: p.price, category: p.category, brandTitle: p.brandTitle }))))}'>Load more</button>` : ''}`;
    writeFileSync(join(out, 'c', `${c.slug}.html`), page({ title: c.title, body, category: c.id }));
  }

  // "All": a page that mixes categories, round-robin, 12 of each, in the shop's order.
  const mixed = [];
  for (let i = 0; i < 12; i++) for (const c of categories) if (c.items[i]) mixed.push(c.items[i]);
  const allBody = `<h1>All products</h1>
  <ul class="product-grid" id="grid">
    ${mixed.map(card).join('\n    ')}
  </ul>`;
  writeFileSync(join(out, 'c', 'all.html'), page({ title: 'All products', body: allBody }));

  for (const p of products) {
    const body = `<article class="product" data-product-id="${escape(p.id)}">
    <div class="thumb big">${escape(p.brandTitle)}</div>
    <div><h1>${escape(p.title)}</h1><p class="price">${price(p.price)}</p>
    <p>Brand: ${escape(p.brandTitle)} · Category: <a href="/c/${slug(p.category_title || p.category)}.html">${escape(p.category_title || p.category)}</a></p>
    <button class="add-to-cart" data-product-id="${escape(p.id)}" data-price="${escape(p.price)}" data-title="${escape(p.title)}">Add to cart</button></div>
  </article>`;
    writeFileSync(join(out, 'p', `${p.id}.html`), page({ title: p.title, body, product: p.id }));
  }

  const home = `<h1>Welcome</h1><p>Browse a few products, then open a category or <a href="/c/all.html">All products</a>:
  aisle reorders the grid for you, in your browser. Add <code>?aisle_debug=1</code> to any page to see scores and history.</p>
  <ul class="categories">${categories.map((c) => `<li><a href="/c/${c.slug}.html">${escape(c.title)} (${c.items.length})</a></li>`).join('')}</ul>`;
  writeFileSync(join(out, 'index.html'), page({ title: 'Home', body: home }));
  writeFileSync(join(out, 'cart.html'), page({ title: 'Cart', body: `<h1>Your cart</h1><ul id="cart-lines"></ul><p id="cart-total"></p><p class="nudge" data-aisle-abandon hidden>Still thinking? Your cart is saved for 7 days, and shipping is free today.</p><button id="checkout">Place order</button><p id="order-done" hidden>Thank you! Order placed.</p>` }));
  copyFileSync(join(here, 'theme.css'), join(out, 'theme.css'));
  copyFileSync(join(here, 'theme.js'), join(out, 'theme.js'));
  return { categories: categories.map((c) => ({ id: c.id, slug: c.slug, title: c.title, count: c.items.length })), products: products.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [catalog, out] = process.argv.slice(2);
  const result = generate(catalog, out);
  writeFileSync(join(out, 'site.json'), JSON.stringify(result, null, 2));
  console.log(`demo: ${result.products} products in ${result.categories.length} categories → ${out}`);
}
