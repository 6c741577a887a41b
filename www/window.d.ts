// What aisle, the demo theme and the bench put on `window`, for the JS type check
// (tsconfig.json). The queue API is described in README.md ("JS API").
interface Window {
  /** Before the loader is ready, an array of queued calls; after, the aisle API object. */
  aisle: any;
  /** Google Tag Manager's data layer, which aisle pushes its events to when present. */
  dataLayer?: object[];
  /** The demo theme's cart when localStorage is off. */
  __demoCart?: { id: string; title: string; price: number; quantity: number }[];
  /** What the bench page records about the reorder (scripts/bench.mjs). */
  __bench?: any;
}
