// Type declarations for aisle's script-tag API (`pkg/aisle.js`): `window.aisle`, its queued
// calls and the `aisle:*` events on `document`. aisle.js is a classic script, not a module:
// these types describe what it puts on the page. Use them with
//   import type { AisleApi, AisleCall } from 'aisle';
// which also types `window.aisle` and `document.addEventListener('aisle:…', …)`.

/** A product id as the catalog knows it (Shopify ids may be passed as numbers). */
export type ProductId = string | number;

/** One line of a purchase. */
export interface PurchaseItem {
  id: ProductId;
  quantity?: number;
  price?: number;
}

/** The order passed to `['purchase', order]`. */
export interface PurchaseOrder {
  orderId?: string;
  revenue?: number;
  currency?: string;
  items?: PurchaseItem[];
}

/** A call queued with `window.aisle.push(...)`, before or after aisle loaded. */
export type AisleCall =
  | ['addToCart', ProductId, number?, number?]
  | ['removeFromCart', ProductId, number?]
  | ['purchase', PurchaseOrder]
  | ['view', ProductId]
  | ['track', 'product_view' | 'add_to_cart' | 'remove_from_cart', ProductId, number?, number?]
  | ['consent', boolean | 'granted' | 'denied']
  | ['disable']
  | ((api: AisleApi) => void);

/** `window.aisle` before aisle.js ran: the queue of the snippet's stub line. */
export type AisleQueue = AisleCall[];

/** One action of the stored history: kind (v view, c grid click, a add to cart, r remove,
 * p purchase, g category view), id, time (ms since the epoch), session number. */
export interface HistoryAction {
  k: 'v' | 'c' | 'a' | 'r' | 'p' | 'g';
  i: string;
  t: number;
  s: number;
}

/** One cart line of the stored history: id, quantity, unit price, when it was added. */
export interface HistoryCartLine {
  i: string;
  q: number;
  p?: number;
  t: number;
}

/** `aisle.history()`: the stored history, readable. */
export interface AisleHistory {
  /** Storage format version. */
  v: number;
  /** The last actions, oldest first. */
  a: HistoryAction[];
  /** Current session number. */
  s: number;
  /** When the current session started (ms since the epoch). */
  ss: number;
  /** Last activity (ms since the epoch). */
  la: number;
  /** First seen (ms since the epoch). */
  fs: number;
  /** The cart. */
  c: HistoryCartLine[];
  /** Gaps between past sessions, ms. */
  g: number[];
}

/** `aisle.status()`: what aisle runs with on this page. */
export interface AisleStatus {
  /** The bundle's model version, once a bundle loaded. */
  modelVersion?: string;
  productsInBundle: number;
  /** Experiment key ('' when none runs). */
  experiment: string;
  arm: string;
  personalized: boolean;
  visitor: string;
  /** True when the browser refused localStorage (history kept in memory). */
  storageMemoryOnly: boolean;
  gridsRanked: number;
  /** ms from the script tag to the first reorder. */
  firstReorderMs?: number;
  /** `code: message` of every failure on this page. */
  errors: string[];
  history: AisleHistory;
  /** The install check, read from the page when called (docs/themes.md). */
  install: AisleInstallCheck;
}

/** `aisle.status().install`: what the selectors find on the page now. */
export interface AisleInstallCheck {
  /** Elements matching `data-grid`. */
  grids: number;
  /** Grid children that are or hold a `data-item` card. */
  cards: number;
  /** Cards whose product id could be read. */
  ids: number;
  /** Ids the bundle knows; absent until the bundle is loaded. */
  recognised?: number;
  /** The first five distinct ids the bundle does not know. */
  unrecognised: string[];
}

/** `aisle.abandonRisk()` and the `aisle:abandon-risk` event. */
export interface AbandonRisk {
  /** Probability that this cart is abandoned, 0..1. */
  score: number;
  reasons: string[];
  nudgeDelayMs: number;
}

/** Fields every recorded event carries (event schema v1, docs/ab-testing.md). */
export interface AisleEventHead {
  v: number;
  id: string;
  ts: number;
  visitor: string;
  session: string;
  /** Experiment key to arm key. */
  arms?: Record<string, string>;
}

export interface PurchaseLine {
  product: string;
  quantity: number;
  price?: number;
}

/** `aisle:event` detail: one recorded event. */
export type AisleEvent = AisleEventHead &
  (
    | { type: 'product_view'; product: string }
    | { type: 'category_view'; category: string }
    | { type: 'grid_click'; product: string; position: number }
    | { type: 'add_to_cart'; product: string; quantity: number; price?: number }
    | { type: 'remove_from_cart'; product: string; quantity: number }
    | { type: 'purchase'; order_id?: string; revenue?: number; currency?: string; items: PurchaseLine[] }
    | {
        type: 'exposure';
        experiment: string;
        arm: string;
        bundle_version: string;
        grid: string;
        shown: string[];
        treatment?: string[];
        changed: boolean;
      }
    | { type: 'abandon_score'; score: number; reasons: string[]; nudge_delay_ms: number }
    | { type: 'error'; code: string; message: string }
  );

/** `aisle:error` detail. Failures before the core started carry only type, code, message. */
export type AisleError = { type: 'error'; code: string; message: string } & Partial<AisleEventHead>;

/** The `detail` of each `aisle:*` event on `document`. */
export interface AisleEventMap {
  'aisle:ready': { ms: number };
  'aisle:reordered': { grids: number; ms: number; arm: string; personalized: boolean };
  'aisle:event': AisleEvent;
  'aisle:error': AisleError;
  'aisle:disabled': { reason: 'kill_switch' | 'url' | 'api' };
  'aisle:abandon-risk': AbandonRisk;
  'aisle:hide': { ms: number };
  'aisle:show': { afterMs: number; expired: boolean };
}

/** `window.aisle` once aisle.js ran. No method throws. */
export interface AisleApi {
  readonly version: string;
  /** Runs each call (the same calls as the queue); returns 0. */
  push(...calls: AisleCall[]): number;
  track(kind: 'product_view' | 'add_to_cart' | 'remove_from_cart', id: ProductId, quantity?: number, price?: number): boolean;
  view(id: ProductId): boolean;
  addToCart(id: ProductId, quantity?: number, unitPrice?: number): boolean;
  /** quantity omitted: the whole line. */
  removeFromCart(id: ProductId, quantity?: number): boolean;
  purchase(order: PurchaseOrder): boolean;
  consent(granted: boolean | 'granted' | 'denied'): void;
  disable(): void;
  /** null before aisle is ready. */
  history(): AisleHistory | null;
  /** null before aisle is ready. */
  status(): AisleStatus | null;
  /** null without a cart or before aisle is ready. */
  abandonRisk(): AbandonRisk | null;
  onReady(callback: (api: AisleApi) => void): void;
}

declare global {
  interface Window {
    aisle: AisleQueue | AisleApi;
  }
  interface DocumentEventMap {
    'aisle:ready': CustomEvent<AisleEventMap['aisle:ready']>;
    'aisle:reordered': CustomEvent<AisleEventMap['aisle:reordered']>;
    'aisle:event': CustomEvent<AisleEventMap['aisle:event']>;
    'aisle:error': CustomEvent<AisleEventMap['aisle:error']>;
    'aisle:disabled': CustomEvent<AisleEventMap['aisle:disabled']>;
    'aisle:abandon-risk': CustomEvent<AisleEventMap['aisle:abandon-risk']>;
    'aisle:hide': CustomEvent<AisleEventMap['aisle:hide']>;
    'aisle:show': CustomEvent<AisleEventMap['aisle:show']>;
  }
}
