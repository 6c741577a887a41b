// The shipped wasm (pkg/aisle_core_bg.wasm) through its hand-written interface
// (www/loader/wasm-abi.js over the raw exports of src/web/abi.rs), in Node: the shared
// assignment, manifest and event vectors (as tests/web.rs runs them through the Rust API),
// text in and out as UTF-8 (non-ASCII, emoji, a lone surrogate), undefined for Rust's `None`,
// a bundle load that grows the wasm's memory during the call, followed by correct results,
// a trap that reaches the caller as a `WebAssembly.RuntimeError` (what the loader's `guard`
// takes for a dead core), and no memory kept per call over 20,000 calls.
// Needs scripts/build.sh (pkg/) and the release CLI (a 20,000-product bundle is built here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.mjs';
import { instantiateCore } from '../../www/loader/wasm-abi.js';

const AISLE = join(ROOT, 'target', 'release', 'aisle');
const WASM = new WebAssembly.Module(readFileSync(join(ROOT, 'pkg', 'aisle_core_bg.wasm')));
const VECTORS = join(ROOT, 'tests', 'vectors');
const readJson = (name) => JSON.parse(readFileSync(join(VECTORS, name), 'utf8'));
/** The clock of the native vectors (tests/page_vectors.rs), so events match them exactly. */
const VECTOR_NOW_MS = 1_700_000_000_000;
const VISITOR = '5f0c2a1e9b7d4c3a8e6f1b2d3c4a5e6f';
const NO_EXPERIMENTS = JSON.stringify({ manifest_version: 1, bundle: 'bundle.bin', model_version: 'abi-test', experiments: [] });
/** Every visitor personalized and exposures logged. */
const ALL_PERSONALIZED = JSON.stringify({
  manifest_version: 1, bundle: 'bundle.bin', model_version: 'abi-test',
  experiments: [{ key: 'abi', seed: 's', hash_version: 2, coverage: 1, arms: [{ key: 'control', weight: 0 }, { key: 'personalized', weight: 1, personalized: true }] }],
});

/**
 * The core instantiated through the glue, with its memory (which the glue does not hand
 * out): `WebAssembly.Instance` is wrapped for the one call to see the instance. `now`: the
 * clock the core imports (`Date.now` as the glue passes it), fixed for the vectors.
 */
function loadCore(now) {
  const RealInstance = WebAssembly.Instance;
  const realNow = Date.now;
  let instance;
  WebAssembly.Instance = class extends RealInstance {
    constructor(module, imports) { super(module, imports); instance = this; }
  };
  if (now !== undefined) Date.now = () => now;
  try {
    const core = instantiateCore(WASM);
    return { core, memory: /** @type {WebAssembly.Memory} */ (instance.exports.memory) };
  } finally {
    WebAssembly.Instance = RealInstance;
    Date.now = realNow;
  }
}

const startEngine = (core, config = {}, history = '') =>
  new core.AisleEngine({ visitor: VISITOR, nonce: '00', ...config }, history);

let scratch;
let bigBundle; // 20,000 products, about 400 KB
let known; // product ids of that bundle
before(() => {
  scratch = mkdtempSync(join(tmpdir(), 'aisle-abi-'));
  execFileSync(AISLE, ['generate', '--products', '20000', '--sessions', '2000',
    '--catalog-out', join(scratch, 'catalog.csv'), '--events-out', join(scratch, 'events.ndjson')], { stdio: 'ignore' });
  execFileSync(AISLE, ['build', '--catalog', join(scratch, 'catalog.csv'), '--out', join(scratch, 'out')], { stdio: 'ignore' });
  const name = readdirSync(join(scratch, 'out')).find((f) => /^bundle-.*\.bin$/.test(f));
  bigBundle = new Uint8Array(readFileSync(join(scratch, 'out', name)));
  known = readFileSync(join(scratch, 'catalog.csv'), 'utf8').split('\n').slice(1, 201).map((line) => line.split(',')[0]);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

test('the assignment hash vectors hold in the shipped wasm', () => {
  const { core } = loadCore();
  const cases = readJson('assignment.json').hash;
  assert.ok(cases.length > 10);
  for (const { seed, value, version, expected } of cases) {
    assert.equal(core.assignmentHash(seed, value, version), expected ?? undefined, `hash(${seed}, ${value}, v${version})`);
  }
});

test('the manifest vectors hold in the shipped wasm: the bundle URL, or undefined when aisle stays off', () => {
  const { core } = loadCore();
  const { cases } = readJson('manifest.json');
  assert.ok(cases.length > 10);
  let refused = 0;
  for (const { name, text, expected, bundle } of cases) {
    const engine = startEngine(core);
    engine.takeEvents();
    engine.takeSignals();
    const url = engine.useManifest(text);
    assert.equal(url, bundle ?? undefined, name);
    if (url === undefined) refused++;
    const codes = JSON.parse(engine.takeEvents()).filter((e) => e.type === 'error').map((e) => e.code);
    const killed = JSON.parse(engine.takeSignals()).some(([signal, detail]) => signal === 'aisle:disabled' && detail.reason === 'kill_switch');
    const outcome = codes.length ? codes.join(',') : killed ? 'kill_switch' : 'accepted';
    assert.equal(outcome, expected, name);
  }
  assert.ok(refused >= 3, 'the vectors include refused manifests (undefined)');
});

test('the event vectors hold in the shipped wasm, text for text', () => {
  const { core } = loadCore(VECTOR_NOW_MS);
  const bundle = readFileSync(join(VECTORS, 'bundle.bin'));
  const { cases } = readJson('events.json');
  for (const { name, config, calls, events } of cases) {
    const engine = new core.AisleEngine(config, '');
    for (const [call, ...args] of calls) {
      if (call === 'track') engine.track(args[0], args[1], args[2] ?? undefined, args[3] ?? undefined);
      else if (call === 'recordClick') engine.recordClick(args[0], args[1]);
      else if (call === 'purchase') engine.purchase(args[0]);
      else if (call === 'reportFailure') engine.reportFailure(args[0], args[1]);
      else if (call === 'useManifest') engine.useManifest(args[0]);
      else if (call === 'loadBundle') assert.equal(engine.loadBundle(bundle), true, name);
      else if (call === 'planGrid') engine.planGrid(args[0], new Uint8Array(args[0].length).fill(1), args[1], args[2]);
      else assert.fail(`unknown call ${call}`);
    }
    assert.equal(engine.takeEvents(), `[${events.join(',')}]`, name);
  }
});

test('text crosses as UTF-8 both ways: non-ASCII and emoji ids, a lone surrogate as U+FFFD', () => {
  const { core } = loadCore();
  const engine = startEngine(core, { product: 'chaussure-é' });
  assert.equal(engine.useManifest(ALL_PERSONALIZED), 'bundle.bin');
  assert.equal(engine.loadBundle(bigBundle), true);
  assert.equal(engine.track('view', '帽子-😀', undefined, undefined), true);
  assert.equal(engine.track('add_to_cart', 'lone-\ud800-end', 2, 19.5), true);
  const history = JSON.parse(engine.history());
  assert.deepEqual(history.a.map((a) => a.i), ['chaussure-é', '帽子-😀', 'lone-\ufffd-end']);
  assert.deepEqual(history.c.map((line) => [line.i, line.q]), [['lone-\ufffd-end', 2]]);

  // The install check lists the ids the bundle does not know, as the loader read them. Ids go
  // in as a value stream, their text UTF-8 as above: a lone surrogate as U+FFFD. (As JSON
  // text they went through `JSON.stringify`, which writes it as `\ud800`, which the wasm's
  // JSON reader refused: the grid was not ranked at all.)
  const ids = [known[0], 'ü-straße', '🛒🛍️', 'price-€', 'lone-\ud800-end'];
  const status = JSON.parse(engine.status(1, ids.length, ids));
  assert.equal(status.productsInBundle, 20000);
  assert.equal(status.install.recognised, 1);
  assert.deepEqual(status.install.unrecognised, ['ü-straße', '🛒🛍️', 'price-€', 'lone-\ufffd-end']);

  // A grid of known and unknown non-ASCII ids: planned, and the exposure event carries them back.
  const grid = [known[1], 'ü-straße', known[2], '🛒🛍️', 'price-€', 'lone-\udfff'];
  const order = engine.planGrid(grid, new Uint8Array(grid.length).fill(1), 0, false);
  assert.ok(order instanceof Uint32Array);
  const plan = JSON.parse(engine.lastPlan());
  assert.equal(plan.order.length, grid.length);
  const text = engine.takeEvents();
  assert.ok(text.includes('"🛒🛍️"') && text.includes('"price-€"') && text.includes('"ü-straße"'), text);
});

test('None comes back as undefined, an empty result as an empty value', () => {
  const { core } = loadCore();
  const engine = startEngine(core);
  assert.equal(engine.lastPlan(), undefined, 'no grid planned yet');
  assert.equal(engine.planGrid(['a', 'b'], new Uint8Array([1, 1]), 0, false), undefined, 'no bundle: not ranked');
  assert.equal(engine.scoreCart(), undefined, 'no bundle: no cart score');
  assert.equal(engine.useManifest('{"manifest_version":1,"bundle":"b.bin","model_version":"m","kill_switch":true}'), undefined);
  assert.equal(engine.useManifest('%% not json'), undefined);
  assert.equal(engine.useManifest(''), undefined);
  assert.equal(core.assignmentHash('seed', 'visitor', 99), undefined, 'an unknown hash version');
  const errors = JSON.parse(engine.takeEvents()).filter((e) => e.type === 'error');
  assert.deepEqual(errors.map((e) => e.code), ['manifest_invalid', 'manifest_invalid']);
  // The text is read by the browser's JSON.parse, whose message says what and where.
  for (const { message } of errors) assert.match(message, /^manifest is not valid: .*(JSON|token|end)/i, message);
  assert.equal(engine.takeEvents(), '[]');
  assert.equal(engine.useManifest(NO_EXPERIMENTS), 'bundle.bin', 'after refusals, a good manifest still reads');
});

test('a bundle load that grows the memory during the call, then correct results from the new memory', () => {
  const { core, memory } = loadCore();
  const engine = startEngine(core, { product: known[42] });
  engine.useManifest(NO_EXPERIMENTS);
  const before = memory.buffer;
  const pagesBefore = before.byteLength / 65536;
  assert.equal(engine.loadBundle(bigBundle), true);
  const grownPages = memory.buffer.byteLength / 65536 - pagesBefore;
  // Copying the argument in needs at most its own size (7 pages); the decode needs more.
  assert.ok(grownPages > Math.ceil(bigBundle.length / 65536) + 1, `grew by ${grownPages} pages`);
  assert.equal(before.byteLength, 0, 'the old buffer is detached: a view kept across the call would read nothing');
  const signals = JSON.parse(engine.takeSignals());
  assert.ok(signals.some(([name]) => name === 'aisle:event'), JSON.stringify(signals));
  const status = JSON.parse(engine.status(0, 0, []));
  assert.equal(status.productsInBundle, 20000);
  assert.deepEqual(status.errors, []);
  const ids = [known[43], known[44], known[45], 'new-card', known[46]];
  const order = engine.planGrid(ids, new Uint8Array(ids.length).fill(1), 0, false);
  assert.ok(order instanceof Uint32Array, 'ranked');
  if (order.length) assert.deepEqual([...order].sort((a, b) => a - b), [0, 1, 2, 3, 4], 'a permutation of the grid');
  assert.equal(JSON.parse(engine.lastPlan()).order.length, ids.length);
});

test('a trap in the wasm reaches the caller as a WebAssembly.RuntimeError', () => {
  const { core } = loadCore();
  const engine = startEngine(core);
  // 3e9 bytes is more than wasm32's address space: the allocator aborts, which traps.
  assert.throws(() => engine.loadBundle(/** @type {any} */ ({ length: 3e9 })), WebAssembly.RuntimeError);
});

test('memory stays bounded over 20,000 calls: nothing is kept per call', () => {
  // The vectors' small bundle, so the allocator has little free memory left over from a
  // decode to hide a leak in: 64 bytes kept per argument would grow it by 1 MB here.
  const { core, memory } = loadCore();
  const engine = startEngine(core, { product: 'a', historySize: 100 });
  engine.useManifest(ALL_PERSONALIZED);
  assert.equal(engine.loadBundle(readFileSync(join(VECTORS, 'bundle.bin'))), true);
  const ids = ['c', 'a', 'd', 'b'].concat(Array.from({ length: 44 }, (_, i) => 'new-card-' + i));
  const fresh = new Uint8Array(ids.length).fill(1);
  let calls = 0;
  function round(i) {
    assert.equal(engine.track('view', ids[i % 4], undefined, undefined), true);
    engine.recordClick(ids[(i + 1) % 4], i % ids.length);
    const order = engine.planGrid(ids, fresh, i % 4, false);
    assert.ok(order instanceof Uint32Array);
    assert.equal(JSON.parse(engine.status(1, ids.length, ids)).install.recognised, 4);
    assert.ok(engine.historyText().length > 20);
    assert.ok(engine.lastPlan());
    engine.scoreCart();
    assert.equal(typeof core.assignmentHash('seed-é', ids[i % ids.length], 2), 'number');
    JSON.parse(engine.takeSignals());
    assert.ok(JSON.parse(engine.takeEvents()).length >= 2);
    calls += 10;
  }
  let i = 0;
  while (calls < 2000) round(i++); // the history fills up to its cap, the allocator settles
  const settled = memory.buffer.byteLength;
  const start = calls;
  while (calls - start < 20000) round(i++);
  assert.ok(memory.buffer.byteLength <= settled + 65536,
    `memory grew from ${settled} to ${memory.buffer.byteLength} bytes over ${calls - start} calls`);
  assert.equal(JSON.parse(engine.history()).a.length, 100, 'the history is capped, as it should be');
});
