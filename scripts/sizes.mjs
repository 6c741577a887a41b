// Prints raw, gzip (level 9) and brotli (quality 11) sizes of the files given, and their sum.
// Usage: node scripts/sizes.mjs FILE...   With --json, prints one JSON object instead.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { basename } from 'node:path';

export function sizesOf(file) {
  const bytes = readFileSync(file);
  return {
    file: basename(file),
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const rows = args.filter((a) => a !== '--json').map(sizesOf);
  const total = rows.reduce((t, r) => ({ file: 'total', raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }), { file: 'total', raw: 0, gzip: 0, brotli: 0 });
  if (json) {
    console.log(JSON.stringify({ files: rows, total }));
  } else {
    const kb = (n) => (n / 1024).toFixed(1).padStart(7) + ' KB';
    console.log('file                      raw        gzip      brotli');
    for (const r of [...rows, total]) console.log(r.file.padEnd(22) + kb(r.raw) + kb(r.gzip) + kb(r.brotli));
  }
}
