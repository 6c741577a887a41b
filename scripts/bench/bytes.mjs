//! What each tag makes a browser download, from the files on disk: aisle's script, wasm,
//! manifest and bundle against GrowthBook's script and features JSON (raw, gzip level 9,
//! brotli 11), and the bundle's bytes per product for the demo and for the 10k-product
//! catalog of issue 12 (`aisle generate --products 10000 --sessions 150000`, `aisle build`).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

/** The issue's 10k-product bundle, built once and cached in `dataDir`. */
function generatedBundle(aisle, dataDir, log) {
  const cached = join(dataDir, 'bundle-generate-10000p-150000s.bin');
  if (existsSync(cached) && statSync(cached).mtimeMs > statSync(aisle).mtimeMs) return cached;
  const dir = join(dataDir, 'generate-10000p-150000s');
  mkdirSync(dir, { recursive: true });
  log('aisle generate --products 10000 --sessions 150000, then aisle build (cached in target/bench-data)…');
  execFileSync(aisle, ['generate', '--products', '10000', '--sessions', '150000', '--catalog-out', join(dir, 'catalog.csv'), '--events-out', join(dir, 'events.ndjson')], { stdio: 'ignore' });
  execFileSync(aisle, ['build', '--catalog', join(dir, 'catalog.csv'), '--events', join(dir, 'events.ndjson'), '--out', join(dir, 'out')], { stdio: 'ignore' });
  copyFileSync(join(dir, 'out', readdirSync(join(dir, 'out')).find((f) => f.startsWith('bundle-'))), cached);
  return cached;
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

  const demoBundle = join(site, 'aisle', manifest.bundle);
  const bundles = [{ name: 'demo bundle', path: demoBundle }, { name: '10k generated catalog (issue 12)', path: generatedBundle(aisle, dataDir, log) }];
  out();
  out('| bundle | products | raw | gzip | gzip bytes per product |');
  out('|---|---|---|---|---|');
  const perProduct = [];
  for (const b of bundles) {
    const bytes = readFileSync(b.path);
    const products = productsIn(aisle, b.path);
    const gzip = gzipSync(bytes, { level: 9 }).length;
    perProduct.push({ name: b.name, products, raw: bytes.length, gzip, gzipPerProduct: gzip / products });
    out(`| ${b.name} | ${products.toLocaleString('en')} | ${kb(bytes.length)} | ${kb(gzip)} | ${fmt(gzip / products, 1)} B |`);
  }
  out();
  const shipped = sides.aisle.script.gzip;
  check(`aisle.js + wasm ≤ ${budgetKB} KB gzip`, shipped <= budgetKB * 1024, kb(shipped));
  return { sides, files: { aisleScript, aislePayload, peerScript, peerPayload }, perProduct };
}
