// Assembles the shipped aisle.js from the loader source: puts the wasm-bindgen glue inside it,
// and the sha384 of the wasm and of the debug view. The page loads one script, the engine
// starts without a second module request, and Subresource Integrity on aisle.js covers all the
// code that can run.
// The glue is wasm-bindgen's `--target no-modules` output, `let wasm_bindgen = (function
// (exports) { … })({ … });`: its expression replaces the loader's `/* @inline-glue */ null` and
// stays private to the loader's closure. The hashes replace `/* @wasm-integrity */ ''` and
// `/* @debug-integrity */ ''`.
// Usage: node scripts/assemble-loader.mjs LOADER GLUE WASM DEBUG_JS OUT
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const GLUE_START = 'let wasm_bindgen = ';

const [loaderPath, gluePath, wasmPath, debugPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node scripts/assemble-loader.mjs LOADER GLUE WASM DEBUG_JS OUT');
  process.exit(2);
}
const glue = readFileSync(gluePath, 'utf8').trim();
if (!glue.startsWith(GLUE_START) || !glue.endsWith(';')) {
  throw new Error(`${gluePath}: not wasm-bindgen --target no-modules output (expected '${GLUE_START}…;')`);
}
const sha384 = (path) => JSON.stringify('sha384-' + createHash('sha384').update(readFileSync(path)).digest('base64'));
const substitutions = [
  ['/* @inline-glue */ null', glue.slice(GLUE_START.length, -1)],
  ["/* @wasm-integrity */ ''", sha384(wasmPath)],
  ["/* @debug-integrity */ ''", sha384(debugPath)],
];
let loader = readFileSync(loaderPath, 'utf8');
for (const [marker, value] of substitutions) {
  if (loader.split(marker).length !== 2) throw new Error(`${loaderPath}: expected exactly one '${marker}'`);
  loader = loader.replace(marker, () => value);
}
writeFileSync(outPath, loader);
