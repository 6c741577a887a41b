//! Where a wasm's bytes go: its sections, its largest functions (code bytes after inlining: an
//! export's figure includes the core code LTO inlined into it) and the code bytes per crate and
//! module path, read from the name section. Reads the wasm's sections itself (twiggy is not a
//! dependency); `docs/performance.md` ("Where the wasm bytes go") quotes its figures. Names
//! still mangled (no wasm-bindgen pass demangles them since the raw interface, src/web/abi.rs)
//! are demangled by binutils' `c++filt`, which reads Rust's v0 and legacy manglings; the
//! exported functions (the interface) are grouped as such, by the export section.
//!
//! Usage: AISLE_PKG_ONLY=1 AISLE_WASM_NAMES=1 bash scripts/build.sh
//!        node scripts/bench/wasm-functions.mjs target/glue/aisle_core_named.wasm [TOP]
//! (the shipped build's optimization, keeping the names; TOP functions listed, 40 by default).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export',
  'start', 'element', 'code', 'data', 'data count'];

/** The wasm's sections, imported function count, function body sizes and names, and whether
 * each function is exported. */
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
  const exported = new Set();
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
    } else if (id === 7) {
      for (let i = 0, count = leb(); i < count; i++) {
        skipName();
        const kind = bytes[at++];
        const index = leb();
        if (kind === 0) exported.add(index);
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
  const demangled = demangle([...names.values()]);
  const functions = bodies.map((size, i) => {
    const name = names.get(i + importedFunctions);
    return { size, name: name === undefined ? `function ${i + importedFunctions}` : demangled.get(name), exported: exported.has(i + importedFunctions) };
  });
  return { sections, importedFunctions, functions };
}

/** Rust's mangled names (`_R…`, `_ZN…`) demangled by `c++filt`, the others as they are. A
 * name it cannot read may end in the `_N` wasm-opt appends to tell two copies apart: that is
 * left out and the rest read again. */
function demangle(names) {
  const out = new Map(names.map((name) => [name, name]));
  const filt = (list) => {
    const run = spawnSync('c++filt', { input: list.join('\n'), encoding: 'utf8', maxBuffer: 1 << 26 });
    return run.status === 0 ? run.stdout.split('\n') : [];
  };
  const mangled = names.filter((name) => /^_(R|ZN)/.test(name));
  const lines = mangled.length ? filt(mangled) : [];
  mangled.forEach((name, i) => out.set(name, lines[i] || name));
  const suffixed = mangled.filter((name) => out.get(name) === name && /^_R.*_\d+$/.test(name));
  const again = suffixed.length ? filt(suffixed.map((name) => name.replace(/_\d+$/, ''))) : [];
  suffixed.forEach((name, i) => { if (again[i] && !again[i].startsWith('_R')) out.set(name, again[i]); });
  return out;
}

/** A demangled name without crate hashes, and the `crate::module` it belongs to. */
export function modulePath(name, exported = false) {
  const plain = name.replace(/\[[0-9a-f]+\]/g, '');
  if (exported) return { plain, group: 'exports (with what they inline)' };
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
    const { group } = modulePath(f.name, f.exported);
    groups.set(group, (groups.get(group) ?? 0) + f.size);
  }
  console.log(`\ncode bytes by crate and module (of ${code})`);
  for (const [group, size] of [...groups].sort((a, b) => b[1] - a[1])) {
    console.log(String(size).padStart(8), (100 * size / code).toFixed(1).padStart(5) + '%', group);
  }
  console.log(`\nlargest ${top} functions`);
  for (const f of [...functions].sort((a, b) => b.size - a.size).slice(0, Number(top))) {
    console.log(String(f.size).padStart(8), modulePath(f.name, f.exported).plain.slice(0, 140));
  }
}
