//! What each tag makes a browser download, from the files on disk: aisle's script, wasm,
//! manifest and bundle against GrowthBook's script and features JSON (raw, gzip level 9,
//! brotli 11), and the bundle's bytes per product for the demo and for the 10k-product
//! catalog of issue 12 (`aisle generate --products 10000 --sessions 150000`, `aisle build`),
//! without and with the ids a Shopify store adds (product id, variant ids, SKUs), and the
//! first visit's transfer with each.
//! Alone, `node scripts/bench/bytes.mjs` prints the bundle table (the CLI and pkg/ built).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { sizesOf } from '../sizes.mjs';
import { GROWTHBOOK_SCRIPT, GROWTHBOOK_VERSION, FEATURES_PATH } from './peer.mjs';
import { kb, fmt } from './stats.mjs';

const total = (rows, file) => rows.reduce((t, r) => ({ file, raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });

/** Products in a bundle, as `aisle inspect` reads them. */
function productsIn(aisle, bundle) {
  const text = execFileSync(aisle, ['inspect', bundle], { encoding: 'utf8' });
  const match = text.match(/: (\d+) products,/);
  if (!match) throw new Error(`bench: aisle inspect ${bundle} printed no product count`);
  return Number(match[1]);
}

/** A deterministic stream of numbers below `n` (SplitMix64's output, as `aisle generate`). */
function randomBelow(seed) {
  let state = BigInt(seed);
  const mask = (1n << 64n) - 1n;
  return (n) => {
    state = (state + 0x9e3779b97f4a7c15n) & mask;
    let z = state;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    return Number((z ^ (z >> 31n)) % BigInt(n));
  };
}

/** The generated catalog as a Shopify `products.json` (the shape `https://<shop>/products.json`
 * serves): the handle is the generated id, so the same events match; 13-digit product ids and
 * 14-digit variant ids increasing in creation order with random gaps, 1 to 6 variants a
 * product, a SKU each (`docs/catalog.md`: all of them become aliases). */
function shopifyProductsJson(catalogCsv) {
  const below = randomBelow(7);
  const sizes = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
  let productId = 8_100_000_000_000;
  let variantId = 45_100_000_000_000;
  const [, ...rows] = readFileSync(catalogCsv, 'utf8').trim().split('\n');
  const products = rows.map((row, i) => {
    const [id, title, category, price, brand] = row.split(',');
    productId += 1 + below(5_000_000);
    const variants = sizes.slice(0, 1 + below(6)).map((size) => {
      variantId += 1 + below(40);
      return { id: variantId, sku: `PRO-${String(i).padStart(5, '0')}-${size}`, price, available: true };
    });
    return { id: productId, handle: id, title, vendor: brand, product_type: category, tags: [], status: 'active', variants, options: [], images: [] };
  });
  return JSON.stringify({ products });
}

/** The issue's 10k-product bundles, plain and with Shopify ids, built once and cached in
 * `dataDir` (rebuilt when the CLI changes). */
export function generatedBundles(aisle, dataDir, log) {
  const dir = join(dataDir, 'generate-10000p-150000s');
  const cached = { plain: join(dataDir, 'bundle-generate-10000p-150000s.bin'), shopify: join(dataDir, 'bundle-generate-10000p-150000s-shopify-ids.bin') };
  const fresh = (file) => existsSync(file) && statSync(file).mtimeMs > statSync(aisle).mtimeMs;
  if (fresh(cached.plain) && fresh(cached.shopify)) return cached;
  mkdirSync(dir, { recursive: true });
  const events = join(dir, 'events.ndjson');
  if (!existsSync(events)) {
    log('aisle generate --products 10000 --sessions 150000 (cached in target/bench-data)…');
    execFileSync(aisle, ['generate', '--products', '10000', '--sessions', '150000', '--catalog-out', join(dir, 'catalog.csv'), '--events-out', events], { stdio: 'ignore' });
  }
  writeFileSync(join(dir, 'products.json'), shopifyProductsJson(join(dir, 'catalog.csv')));
  for (const [kind, catalog] of [['plain', 'catalog.csv'], ['shopify', 'products.json']]) {
    log(`aisle build --catalog ${catalog} on the 10k generated shop…`);
    const out = join(dir, `out-${kind}`);
    execFileSync(aisle, ['build', '--catalog', join(dir, catalog), '--events', events, '--out', out], { stdio: 'ignore' });
    const newest = readdirSync(out).filter((f) => f.startsWith('bundle-')).map((f) => join(out, f)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    copyFileSync(newest, cached[kind]);
  }
  return cached;
}

/** The bundle table: bytes per product, and what a first visit fetches with each bundle
 * (the loader fetches script, wasm, manifest and bundle): `firstVisitGzip` is the rest,
 * `firstVisitParts` names it.
 * @param {{ aisle: string, dataDir: string, demoBundle?: string, firstVisitGzip?: number,
 *   firstVisitParts: string, out: (line?: string) => void, log: (line: string) => void }} options */
export function measureBundles({ aisle, dataDir, demoBundle, firstVisitGzip, firstVisitParts, out, log }) {
  const generated = generatedBundles(aisle, dataDir, log);
  const bundles = [
    ...(demoBundle ? [{ name: 'demo bundle', path: demoBundle }] : []),
    { name: '10k generated catalog (issue 12)', path: generated.plain },
    { name: '10k generated catalog + Shopify ids (product id, 1–6 variant ids and SKUs each)', path: generated.shopify },
  ];
  out(`| bundle | products | raw | gzip | gzip bytes per product | first visit: ${firstVisitParts} + bundle, gzip |`);
  out('|---|---|---|---|---|---|');
  const perProduct = [];
  for (const b of bundles) {
    const bytes = readFileSync(b.path);
    const products = productsIn(aisle, b.path);
    const gzip = gzipSync(bytes, { level: 9 }).length;
    const firstVisit = firstVisitGzip === undefined ? undefined : firstVisitGzip + gzip;
    perProduct.push({ name: b.name, products, raw: bytes.length, gzip, gzipPerProduct: gzip / products, firstVisitGzip: firstVisit });
    out(`| ${b.name} | ${products.toLocaleString('en')} | ${kb(bytes.length)} | ${kb(gzip)} | ${fmt(gzip / products, 1)} B | ${firstVisit === undefined ? 'pkg/ not built' : kb(firstVisit)} |`);
  }
  out();
  return perProduct;
}

export function measureBytes({ root, site, peerSite, aisle, dataDir, manifest, out, log, check, budgetKB }) {
  const aisleScript = ['aisle.js', 'aisle_core_bg.wasm'].map((f) => sizesOf(join(root, 'pkg', f)));
  const aislePayload = ['manifest.json', manifest.bundle].map((f) => sizesOf(join(site, 'aisle', f)));
  const peerScript = [sizesOf(GROWTHBOOK_SCRIPT)];
  const peerPayload = [{ ...sizesOf(join(peerSite, FEATURES_PATH.slice(1))), file: 'features JSON' }];
  const sides = {
    aisle: { script: total(aisleScript, 'aisle.js + wasm'), payload: total(aislePayload, 'manifest + bundle') },
    peer: { script: total(peerScript, 'auto.min.js'), payload: total(peerPayload, 'features JSON') },
  };
  for (const side of Object.values(sides)) side.total = total([side.script, side.payload], 'total');

  out('## Bytes: what each tag fetches (files on disk; gzip level 9, brotli 11)');
  out(`| | aisle | GrowthBook ${GROWTHBOOK_VERSION} |`);
  out('|---|---|---|');
  const cell = (r) => `${r.file}: ${kb(r.raw)} raw, **${kb(r.gzip)} gzip**, ${kb(r.brotli)} brotli`;
  for (const part of ['script', 'payload', 'total']) out(`| ${part} | ${cell(sides.aisle[part])} | ${cell(sides.peer[part])} |`);
  out(`aisle's parts: ${[...aisleScript, ...aislePayload].map((r) => `${r.file} ${kb(r.gzip)} gzip`).join(', ')}`);
  out();
  const perProduct = measureBundles({
    aisle, dataDir, log, out,
    demoBundle: join(site, 'aisle', manifest.bundle),
    firstVisitGzip: sides.aisle.script.gzip + aislePayload[0].gzip,
    firstVisitParts: 'aisle.js + wasm + manifest',
  });
  const shipped = sides.aisle.script.gzip;
  check(`aisle.js + wasm ≤ ${budgetKB} KB gzip`, shipped <= budgetKB * 1024, kb(shipped));
  return { sides, files: { aisleScript, aislePayload, peerScript, peerPayload }, perProduct };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const aisle = join(root, 'target', 'release', 'aisle');
  const script = ['aisle.js', 'aisle_core_bg.wasm'].map((f) => join(root, 'pkg', f));
  // No demo site here, so no manifest: the bench's run counts it.
  const firstVisitGzip = script.every(existsSync) ? script.map((f) => sizesOf(f).gzip).reduce((a, b) => a + b) : undefined;
  measureBundles({ aisle, dataDir: join(root, 'target', 'bench-data'), firstVisitGzip, firstVisitParts: 'aisle.js + wasm', out: (line = '') => console.log(line), log: (line) => console.error(line) });
}
