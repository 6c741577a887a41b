// Bundles the loader's modules (www/loader/, entry boot.js) into the one classic script a
// page loads, with esbuild. What the build made is a virtual module, `aisle:generated`:
//   - `glue`: wasm-bindgen's `--target web` output (an ES module: its asynchronous init as the
//     default export, `initSync` and `AisleEngine` beside it), bundled by esbuild like the
//     loader's own modules, so what the loader never calls is left out: the asynchronous
//     init with its fetch and MIME-type fallback (the loader compiles the module itself and
//     instantiates it with `initSync`) and unused helpers, 185 B gzip less than the
//     `--target no-modules` script, which had to be kept whole (docs/performance.md, "Where
//     the wasm bytes go"). `glue` is `{initSync, AisleEngine}`, the shape the loader takes;
//   - `wasmIntegrity`, `debugIntegrity`: the sha384 of the wasm and of the debug view;
//   - the shared defaults (`VERSION`, `STORAGE_PREFIX`...), read out of `src/defaults.rs`,
//     their one definition, so the loader and the wasm cannot disagree.
// The page loads one script, the engine starts without a second module request, and
// Subresource Integrity on aisle.js covers all the code that can run.
// Usage: node scripts/assemble-loader.mjs ENTRY GLUE WASM DEBUG_JS OUT
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';

const GLUE_EXPORTS = /^export \{ initSync, __wbg_init as default \};$/m;
const GENERATED = 'aisle:generated';

const [entryPath, gluePath, wasmPath, debugPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node scripts/assemble-loader.mjs ENTRY GLUE WASM DEBUG_JS OUT');
  process.exit(2);
}
const glue = readFileSync(gluePath, 'utf8');
if (!GLUE_EXPORTS.test(glue) || !/^export class AisleEngine /m.test(glue)) {
  throw new Error(`${gluePath}: not wasm-bindgen --target web output (its init function and AisleEngine)`);
}
// `pub const NAME: &str = "…";` and `pub const NAME: usize = 123;` from src/defaults.rs, and
// the crate's version for `env!("CARGO_PKG_VERSION")`. Anything else there is a build error:
// a default the loader would silently miss.
function rustDefaults() {
  const root = new URL('..', import.meta.url);
  const source = readFileSync(new URL('src/defaults.rs', root), 'utf8');
  const version = /^version = "([^"]+)"/m.exec(readFileSync(new URL('Cargo.toml', root), 'utf8'));
  const lines = [];
  for (const [, name, value] of source.matchAll(/^pub const (\w+): [^=]+= (.+);$/gm)) {
    let literal;
    if (value === 'env!("CARGO_PKG_VERSION")' && version) literal = JSON.stringify(version[1]);
    else if (/^"[^"\\]*"$/.test(value) || /^\d+$/.test(value)) literal = value;
    else throw new Error(`src/defaults.rs: ${name} = ${value} is not a literal the loader can take`);
    lines.push(`export const ${name} = ${literal};`);
  }
  if (!lines.length) throw new Error('src/defaults.rs: no `pub const` found');
  return lines;
}

const sha384 = (path) => JSON.stringify('sha384-' + createHash('sha384').update(readFileSync(path)).digest('base64'));
const generated = [
  `import { initSync, AisleEngine } from ${JSON.stringify('./' + gluePath.split('/').pop())};`,
  'export const glue = { initSync, AisleEngine };',
  `export const wasmIntegrity = ${sha384(wasmPath)};`,
  `export const debugIntegrity = ${sha384(debugPath)};`,
  ...rustDefaults(),
].join('\n');

await build({
  entryPoints: [entryPath],
  outfile: outPath,
  bundle: true,
  format: 'iife',
  target: 'es2017',
  legalComments: 'inline',
  // The glue's default wasm URL (`new URL('…_bg.wasm', import.meta.url)`), in its
  // asynchronous init, which the loader does not call and the bundle leaves out. A classic
  // script has no import.meta.
  define: { 'import.meta.url': 'undefined' },
  logLevel: 'warning',
  plugins: [{
    name: GENERATED,
    setup(esbuild) {
      esbuild.onResolve({ filter: /^aisle:generated$/ }, () => ({ path: GENERATED, namespace: GENERATED }));
      esbuild.onLoad({ filter: /.*/, namespace: GENERATED }, () => ({
        contents: generated, loader: 'js', resolveDir: dirname(resolve(gluePath)),
      }));
    },
  }],
});
