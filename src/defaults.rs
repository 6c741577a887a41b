//! The defaults (and the one format version) the page and the loader share, each defined once, here. The loader's build
//! (`scripts/assemble-loader.mjs`) reads the string and number constants below out of this
//! file into `aisle:generated`, which `www/loader/defaults.js` re-exports; the wasm uses them
//! directly.
#![forbid(unsafe_code)]

/// aisle's version, as `aisle.version` reports it (the crate's version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
/// How many shopper actions the history keeps, unless `data-history-size` says otherwise.
pub const HISTORY_SIZE: usize = 20;
/// Undelivered events kept (in the engine's outbox and in the loader's stored one); beyond
/// that the oldest go first.
pub const OUTBOX_SIZE: usize = 500;
/// Every localStorage key aisle writes starts with this, so a shop can see (and clear) ours.
pub const STORAGE_PREFIX: &str = "aisle:v1:";
/// The card attribute holding the product id, unless `data-item-id` names another.
pub const ID_ATTRIBUTE: &str = "data-product-id";
/// The version of the stored history (`crate::history::StoredHistory`), which the loader
/// also peeks at before the wasm starts (`www/loader/decide.js`: is there a history at all?).
/// Bump it when the stored shape changes; older shapes are rejected by `History::restore`
/// and the shopper starts with a fresh history.
pub const HISTORY_FORMAT_VERSION: u32 = 1;
