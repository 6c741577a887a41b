// The release (scripts/release.sh) and the CLI's install paths: the dist/ files a merchant or an
// operator downloads, checked the way they would use them (sha256sum -c, tar -x, running the
// binary, npm install of the tarball), and `cargo install --path cli` into a scratch root.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';

const { version } = JSON.parse(readFileSync(join(ROOT, 'npm', 'package.json'), 'utf8'));
const TARGET = 'x86_64-unknown-linux-gnu';
let scratch, dist;

before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'aisle-release-'));
  dist = join(scratch, 'dist');
  execFileSync('bash', [join(ROOT, 'scripts', 'release.sh'), dist], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
});
after(() => { if (scratch) rmSync(scratch, { recursive: true, force: true }); });

const sh = (command, cwd = scratch) => execFileSync('bash', ['-c', command], { cwd, encoding: 'utf8' });

test('dist/ holds the npm tarball, the CLI archive, the Shopify extension and SHA256SUMS, and the sums check', () => {
  const files = readdirSync(dist).sort();
  assert.deepEqual(files, [`aisle-${version}-${TARGET}.tar.gz`, `aisle-${version}.tgz`, `aisle-shopify-embed-${version}.tar.gz`, 'SHA256SUMS'].sort());
  assert.match(sh('sha256sum -c SHA256SUMS', dist), new RegExp(`aisle-${version}.tgz: OK`));
  assert.equal(sh('sha256sum -c SHA256SUMS | grep -c ": OK$"', dist).trim(), '3');
});

test('the CLI archive: one folder with the binary, README and both licences; the binary runs and knows its version', () => {
  const listing = sh(`tar -tzf ${dist}/aisle-${version}-${TARGET}.tar.gz`).trim().split('\n').sort();
  const folder = `aisle-${version}-${TARGET}/`;
  assert.deepEqual(listing, [folder, `${folder}LICENSE-APACHE`, `${folder}LICENSE-MIT`, `${folder}README.md`, `${folder}aisle`]);
  sh(`tar -xzf ${dist}/aisle-${version}-${TARGET}.tar.gz`);
  const binary = join(scratch, folder, 'aisle');
  assert.ok(statSync(binary).mode & 0o100, 'executable');
  assert.equal(execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim(), `aisle ${version}`);
  assert.match(execFileSync(binary, ['--help'], { encoding: 'utf8' }), /build/);
});

test('the archives are reproducible: a second release writes the same bytes', () => {
  const again = join(scratch, 'again');
  execFileSync('bash', [join(ROOT, 'scripts', 'release.sh'), again], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  assert.equal(readFileSync(join(again, 'SHA256SUMS'), 'utf8'), readFileSync(join(dist, 'SHA256SUMS'), 'utf8'));
});

test('the Shopify extension archive: the committed Liquid and locales, and the built assets', () => {
  const listing = sh(`tar -tzf ${dist}/aisle-shopify-embed-${version}.tar.gz`).trim().split('\n').filter((l) => !l.endsWith('/')).sort();
  assert.deepEqual(listing, [
    'aisle-embed/assets/aisle-debug.js', 'aisle-embed/assets/aisle.js', 'aisle-embed/assets/aisle_core_bg.wasm',
    'aisle-embed/blocks/aisle.liquid', 'aisle-embed/locales/en.default.json', 'aisle-embed/locales/en.default.schema.json',
    'aisle-embed/shopify.extension.toml',
  ]);
  sh(`tar -xzf ${dist}/aisle-shopify-embed-${version}.tar.gz`);
  assert.ok(readFileSync(join(scratch, 'aisle-embed', 'assets', 'aisle.js')).equals(readFileSync(join(ROOT, 'pkg', 'aisle.js'))));
});

test('cargo install --path cli puts a working `aisle` into a scratch root', () => {
  const root = join(scratch, 'cargo-root');
  // The workspace's target/ as build dir: the release build is already there, so this checks
  // the install (manifest, binary name, paths) without compiling the CLI a second time.
  sh(`source scripts/toolchain.sh && CARGO_TARGET_DIR="${join(ROOT, 'target')}" cargo install --quiet --locked --path cli --root "${root}"`, ROOT);
  const binary = join(root, 'bin', 'aisle');
  assert.ok(existsSync(binary));
  assert.equal(execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim(), `aisle ${version}`);
});
