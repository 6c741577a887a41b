//! Where a wasm's bytes go: its sections, its largest functions (code bytes after inlining: an
//! export's figure includes the core code LTO inlined into it) and the code bytes per crate and
//! module path, read from the name section. Reads the wasm's sections itself (twiggy is not a
//! dependency); `docs/performance.md` ("Where the wasm bytes go") quotes its figures.
//!
//! Usage: AISLE_PKG_ONLY=1 AISLE_WASM_NAMES=1 bash scripts/build.sh
//!        node scripts/bench/wasm-functions.mjs target/glue/aisle_core_named.wasm [TOP]
//! (the shipped build's optimization, keeping the names; TOP functions listed, 40 by default).
import { readFileSync } from 'node:fs';

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export',
  'start', 'element', 'code', 'data', 'data count'];

/** The wasm's sections, imported function count, function body sizes and function names. */
export function readWasm(bytes) {
  let at = 8;
  const leb = () => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[at++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return value;
  };
  const skipName = () => { const length = leb(); at += length; };
  const sections = new Map();
  const bodies = [];
  const names = new Map();
  let importedFunctions = 0;
  while (at < bytes.length) {
    const id = bytes[at++];
    const length = leb();
    const start = at;
    const name = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 2) {
      for (let i = 0, count = leb(); i < count; i++) {
        skipName(); skipName();
        const kind = bytes[at++];
        if (kind === 0) { leb(); importedFunctions++; }
        else if (kind === 1) { at++; const flags = bytes[at++]; leb(); if (flags & 1) leb(); }
        else if (kind === 2) { const flags = bytes[at++]; leb(); if (flags & 1) leb(); }
        else if (kind === 3) at += 2;
        else throw new Error(`import kind ${kind} not understood`);
      }
    } else if (id === 10) {
      for (let i = 0, count = leb(); i < count; i++) { const size = leb(); bodies.push(size); at += size; }
    } else if (id === 0) {
      const nameLength = leb();
      const customName = bytes.subarray(at, at + nameLength).toString();
      at += nameLength;
      if (customName === 'name') {
        while (at < start + length) {
          const sub = bytes[at++];
          const subLength = leb();
          const subStart = at;
          if (sub === 1) {
            for (let i = 0, count = leb(); i < count; i++) {
              const index = leb();
              const textLength = leb();
              names.set(index, bytes.subarray(at, at + textLength).toString());
              at += textLength;
            }
          }
          at = subStart + subLength;
        }
      }
    }
    const key = id === 0 ? 'custom (names, debug info)' : name;
    sections.set(key, (sections.get(key) ?? 0) + length);
    at = start + length;
  }
  const functions = bodies.map((size, i) => ({ size, name: names.get(i + importedFunctions) ?? `function ${i + importedFunctions}` }));
  return { sections, importedFunctions, functions };
}

/** A demangled name without crate hashes, and the `crate::module` it belongs to. */
export function modulePath(name) {
  const plain = name.replace(/\[[0-9a-f]+\]/g, '');
  if (/^__wbg|^__wbindgen/.test(plain)) return { plain, group: 'wasm_bindgen' };
  if (/^[a-z]+engine_|^assignmentHash/i.test(plain)) return { plain, group: 'exports (with what they inline)' };
  // `<aisle::page::Page>::emit_event`, `<T as wasm_bindgen::...>::f`, `alloc::raw_vec::...`
  const path = /^<?([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)/.exec(plain.replace(/^<(?:<)?/, ''));
  const parts = path ? path[1].split('::') : ['(unnamed)'];
  // Methods of primitive types (`<str>::trim`, `<u64>::...`) are the core library's.
  if (/^(str|char|bool|[iuf](8|16|32|64|128|size))$/.test(parts[0])) return { plain, group: 'core' };
  if (/^function$/.test(parts[0])) return { plain, group: '(unnamed)' };
  const depth = parts[0] === 'aisle' ? 2 : 1;
  return { plain, group: parts.slice(0, depth).join('::') };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, top = '40'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node scripts/bench/wasm-functions.mjs FILE.wasm [TOP]');
    process.exit(2);
  }
  const { sections, importedFunctions, functions } = readWasm(readFileSync(file));
  console.log(`${file}: ${functions.length} functions, ${importedFunctions} imported`);
  console.log('\nbytes by section');
  for (const [name, size] of sections) console.log(String(size).padStart(8), name);
  const code = functions.reduce((sum, f) => sum + f.size, 0);
  const groups = new Map();
  for (const f of functions) {
    const { group } = modulePath(f.name);
    groups.set(group, (groups.get(group) ?? 0) + f.size);
  }
  console.log(`\ncode bytes by crate and module (of ${code})`);
  for (const [group, size] of [...groups].sort((a, b) => b[1] - a[1])) {
    console.log(String(size).padStart(8), (100 * size / code).toFixed(1).padStart(5) + '%', group);
  }
  console.log(`\nlargest ${top} functions`);
  for (const f of [...functions].sort((a, b) => b.size - a.size).slice(0, Number(top))) {
    console.log(String(f.size).padStart(8), modulePath(f.name).plain.slice(0, 140));
  }
}
