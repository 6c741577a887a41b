// Puts the wasm-bindgen glue and the wasm's integrity hash inside the loader: the page loads
// one script, the engine starts without a second module request, and Subresource Integrity
// on aisle.js covers the glue and (through the hash) the wasm too.
// The glue is wasm-bindgen's `--target no-modules` output, `let wasm_bindgen = (function
// (exports) { … })({ … });`: its expression replaces the loader's `/* @inline-glue */ null` and
// stays private to the loader's closure. The wasm's sha384 replaces `/* @wasm-integrity */ ''`.
// Usage: node scripts/inline-glue.mjs LOADER GLUE WASM OUT
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const GLUE_MARKER = '/* @inline-glue */ null';
const INTEGRITY_MARKER = "/* @wasm-integrity */ ''";
const GLUE_START = 'let wasm_bindgen = ';

const [loaderPath, gluePath, wasmPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node scripts/inline-glue.mjs LOADER GLUE WASM OUT');
  process.exit(2);
}
const loader = readFileSync(loaderPath, 'utf8');
const glue = readFileSync(gluePath, 'utf8').trim();
for (const marker of [GLUE_MARKER, INTEGRITY_MARKER]) {
  if (loader.split(marker).length !== 2) throw new Error(`${loaderPath}: expected exactly one '${marker}'`);
}
if (!glue.startsWith(GLUE_START) || !glue.endsWith(';')) {
  throw new Error(`${gluePath}: not wasm-bindgen --target no-modules output (expected '${GLUE_START}…;')`);
}
const expression = glue.slice(GLUE_START.length, -1);
const integrity = 'sha384-' + createHash('sha384').update(readFileSync(wasmPath)).digest('base64');
writeFileSync(outPath, loader.replace(GLUE_MARKER, () => expression).replace(INTEGRITY_MARKER, () => JSON.stringify(integrity)));
