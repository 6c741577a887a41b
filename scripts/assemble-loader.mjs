// Bundles the loader's modules (www/loader/, entry boot.js) into the one classic script a
// page loads, with esbuild. The wasm's interface is one of those modules (`wasm-abi.js`,
// hand-written over the raw exports of src/web/abi.rs; no generated glue). What the build
// made is a virtual module, `aisle:generated`:
//   - `wasmIntegrity`, `debugIntegrity`: the sha384 of the wasm and of the debug view;
//   - the shared defaults (`VERSION`, `STORAGE_PREFIX`...), read out of `src/defaults.rs`,
//     their one definition, so the loader and the wasm cannot disagree.
// The page loads one script, the engine starts without a second module request, and
// Subresource Integrity on aisle.js covers all the code that can run.
// Usage: node scripts/assemble-loader.mjs ENTRY WASM DEBUG_JS OUT
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const GENERATED = 'aisle:generated';

const [entryPath, wasmPath, debugPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node scripts/assemble-loader.mjs ENTRY WASM DEBUG_JS OUT');
  process.exit(2);
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
  logLevel: 'warning',
  plugins: [{
    name: GENERATED,
    setup(esbuild) {
      esbuild.onResolve({ filter: /^aisle:generated$/ }, () => ({ path: GENERATED, namespace: GENERATED }));
      esbuild.onLoad({ filter: /.*/, namespace: GENERATED }, () => ({
        contents: generated, loader: 'js',
      }));
    },
  }],
});
