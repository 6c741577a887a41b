//! The peer aisle is measured against: GrowthBook's script tag (`@growthbook/growthbook`'s
//! `dist/bundles/auto.min.js`, the version pinned in package.json) running one visual-editor
//! experiment whose treatment moves the grid's cards into the order aisle computed.
//!
//! The features JSON has the shape GrowthBook's API serves at `/api/features/<client key>`
//! (packages/back-end/src/services/features.ts: `experiments[]` with `variations[].domMutations`,
//! `hashAttribute`, `hashVersion`, `urlPatterns`, `weights`, `meta`, `seed`, `phase`,
//! `coverage`). A move is the visual editor's `position` mutation (dom-mutator's
//! `parentSelector` + `insertBeforeSelector`): `parent.insertBefore(card, insertBefore)`.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GrowthBook } from '@growthbook/growthbook';

const require = createRequire(import.meta.url);
const PACKAGE_DIR = dirname(require.resolve('@growthbook/growthbook/package.json'));

/** The GrowthBook SDK version installed (pinned in package.json). */
export const GROWTHBOOK_VERSION = JSON.parse(readFileSync(join(PACKAGE_DIR, 'package.json'), 'utf8')).version;
/** The script-tag build GrowthBook's docs tell sites to include. */
export const GROWTHBOOK_SCRIPT = join(PACKAGE_DIR, 'dist', 'bundles', 'auto.min.js');
/** Where the peer's files live on the demo site (served with aisle's cache headers by serve.mjs). */
export const PEER_DIR = '/peer';
export const CLIENT_KEY = 'sdk-aisle-bench';
export const FEATURES_PATH = `${PEER_DIR}/api/features/${CLIENT_KEY}`;

/**
 * GrowthBook's documented tag (docs/lib/script-tag.mdx: `async`, `data-client-key`, and
 * `data-api-host` for a self-hosted API), in the place of aisle's two tags.
 */
export const PEER_TAG = `<script async src="${PEER_DIR}/auto.min.js" data-api-host="${PEER_DIR}" data-client-key="${CLIENT_KEY}"></script>`;

/** The page with aisle's two script tags removed (the page every tag is measured against). */
export function withoutAisle(html) {
  const bare = html.replace(/<script>window\.aisle = window\.aisle \|\| \[\];<\/script>\s*/, '')
    .replace(/<script async src="\/aisle\/aisle\.js"[\s\S]*?<\/script>\s*/, '');
  if (bare === html) throw new Error('bench: aisle\'s script tags were not found in the page; withoutAisle() needs updating');
  return bare;
}

/** The same page with GrowthBook's tag where aisle's loader tag was. */
export function withPeer(html) {
  const swapped = html.replace(/<script>window\.aisle = window\.aisle \|\| \[\];<\/script>\s*/, '')
    .replace(/<script async src="\/aisle\/aisle\.js"[\s\S]*?<\/script>/, PEER_TAG);
  if (!swapped.includes(PEER_TAG)) throw new Error('bench: aisle\'s loader tag was not found in the page; withPeer() needs updating');
  return swapped;
}

/**
 * The visual-editor mutations that turn the grid's children into `order` (ids of the
 * grid's element children, by `idAttribute`): from the last child to the first, each is
 * inserted before the one that follows it in `order` (the last one appended), so every move
 * lands next to children already in their final place.
 */
export function reorderMutations(gridSelector, idAttribute, order) {
  const select = (id) => `${gridSelector} > [${idAttribute}="${id}"]`;
  const mutations = [];
  for (let i = order.length - 1; i >= 0; i--) {
    const mutation = { selector: select(order[i]), action: 'set', attribute: 'position', parentSelector: gridSelector };
    if (i + 1 < order.length) mutation.insertBeforeSelector = select(order[i + 1]);
    mutations.push(mutation);
  }
  return mutations;
}

/**
 * GrowthBook's copy of aisle's experiment (same key, seed, hash version, weights and
 * coverage), so one visitor id lands in the same arm in both; the treatment moves the cards.
 */
export function featuresPayload({ experiment, pagePath, gridSelector, idAttribute, order }) {
  const variations = experiment.arms.map((arm) => ({
    css: '', js: '', domMutations: arm.personalized ? reorderMutations(gridSelector, idAttribute, order) : [],
  }));
  return {
    status: 200,
    features: {},
    experiments: [{
      key: experiment.key,
      changeId: createHash('sha256').update(`${experiment.key}_visual_aisle-bench`).digest('hex'),
      status: 'running',
      variations,
      hashVersion: experiment.hash_version,
      hashAttribute: 'id',
      urlPatterns: [{ include: true, type: 'simple', pattern: pagePath }],
      weights: experiment.arms.map((arm) => arm.weight),
      meta: experiment.arms.map((arm) => ({ key: arm.key })),
      seed: experiment.seed || experiment.key,
      phase: '0',
      coverage: experiment.coverage,
    }],
    dateUpdated: new Date(0).toISOString(),
  };
}

/** Index of the treatment arm (the personalized one) in aisle's experiment. */
export function treatmentIndex(experiment) {
  const index = experiment.arms.findIndex((arm) => arm.personalized);
  if (index < 0) throw new Error(`bench: experiment ${experiment.key} has no personalized arm`);
  return index;
}

/**
 * The first of a fixed sequence of 32-hex visitor ids that GrowthBook's own SDK puts in
 * variation `variation` of `payload`'s experiment (aisle's arm for it is checked in the browser).
 */
export function visitorInVariation(payload, variation) {
  const experiment = payload.experiments[0];
  for (let n = 1; n < 1000; n++) {
    const id = n.toString(16).padStart(32, '0');
    const gb = new GrowthBook({ attributes: { id } });
    // The page's URL is checked in the browser; here only the bucketing is.
    const result = gb.run({ ...experiment, urlPatterns: undefined, variations: experiment.variations.map((_, i) => i) });
    gb.destroy();
    if (result.inExperiment && result.variationId === variation) return id;
  }
  throw new Error(`bench: no visitor id in variation ${variation} among the first 1000`);
}

/** Writes the peer's script and features JSON into the demo site. */
export function installPeer(siteDir, payload) {
  const dir = join(siteDir, FEATURES_PATH.slice(1, FEATURES_PATH.lastIndexOf('/')));
  mkdirSync(dir, { recursive: true });
  copyFileSync(GROWTHBOOK_SCRIPT, join(siteDir, PEER_DIR.slice(1), 'auto.min.js'));
  writeFileSync(join(siteDir, FEATURES_PATH.slice(1)), JSON.stringify(payload));
}
