//! The shipped wasm's raw interface: plain `extern "C"` exports over [`AisleEngine`], called by
//! the hand-written glue `www/loader/wasm-abi.js` (the two are one definition: change them
//! together). Hand-written instead of wasm-bindgen's for a measured size saving: 3,501 B
//! gzip less for the wasm and `aisle.js` together (wasm 38,712 -> 36,405 B, `aisle.js` 9,923 ->
//! 8,729 B; docs/performance.md, "Issue 12, branch `raw`").
//!
//! The conventions, all in numbers (wasm i32 and f64):
//! - text, values and bytes in: the glue asks [`alloc_bytes`] for `len` bytes, copies the
//!   UTF-8 (from `TextEncoder`, so lone surrogates arrive as U+FFFD), the value stream
//!   (`crate::value_stream`: the settings, a manifest, ids, an order) or the bytes there, and
//!   passes `(pointer, len)`; the export takes ownership and frees them before it returns;
//! - the engine is a handle, the pointer [`start`] returns (`Box::into_raw`); one per page,
//!   never freed;
//! - text and orders out: the export keeps the bytes in the session's result slot and returns
//!   their length, or -1 for `None`; the glue reads them at [`result`] before its next call
//!   (the slot is replaced by the next result, so nothing accumulates);
//! - booleans are 0 or 1 out, any nonzero in; an optional number is `-1.0` (quantity) or NaN
//!   (price) for none.
//!
//! Memory may grow during any call (the glue makes a new view of it after every one).
//!
//! Safety: the exports are not Rust API (private; only the glue calls them), and each trusts
//! the glue to pass a handle from `start` and `(pointer, len)` pairs from `alloc`, once each.

use super::api::{assignment_hash as hash, AisleEngine};

/// One page's engine and the bytes of its last result.
pub struct Session {
    engine: AisleEngine,
    result: Vec<u8>,
}

impl Session {
    /// Keeps `bytes` as the result; returns their length, or -1 for none.
    fn hand_back(&mut self, bytes: Option<Vec<u8>>) -> i32 {
        match bytes {
            Some(bytes) => {
                let len = bytes.len() as i32;
                self.result = bytes;
                len
            }
            None => -1,
        }
    }

    fn hand_back_text(&mut self, text: Option<String>) -> i32 {
        self.hand_back(text.map(String::into_bytes))
    }
}

/// The session behind a handle from [`start`].
///
/// # Safety
/// `session` came from `start` and is used by one call at a time (the wasm has one thread).
unsafe fn session<'a>(session: *mut Session) -> &'a mut Session {
    &mut *session
}

/// The bytes the glue wrote into an allocation from [`alloc_bytes`], owned again (freed on drop).
///
/// # Safety
/// `ptr` and `len` are one `alloc_bytes(len)`'s, passed once.
unsafe fn take_bytes(ptr: *mut u8, len: usize) -> Vec<u8> {
    // `Vec::with_capacity` gives exactly the capacity asked for, so `len` is it.
    Vec::from_raw_parts(ptr, len, len)
}

/// Text the glue wrote (UTF-8 from `TextEncoder`); empty if it is not UTF-8, which the glue
/// never sends.
///
/// # Safety
/// As for [`take_bytes`].
unsafe fn take_text(ptr: *mut u8, len: usize) -> String {
    String::from_utf8(take_bytes(ptr, len)).unwrap_or_default()
}

/// `len` bytes for the glue to write an argument into; the export it passes them to frees them.
#[export_name = "alloc"]
extern "C" fn alloc_bytes(len: usize) -> *mut u8 {
    let mut bytes = core::mem::ManuallyDrop::new(Vec::<u8>::with_capacity(len));
    bytes.as_mut_ptr()
}

/// Where the last result's bytes are (`hand_back`), until the session's next call.
#[export_name = "result"]
unsafe extern "C" fn result(session_ptr: *mut Session) -> *const u8 {
    session(session_ptr).result.as_ptr()
}

/// `AisleEngine::new`: the page's session, as a handle.
#[export_name = "start"]
unsafe extern "C" fn start(
    config: *mut u8,
    config_len: usize,
    history: *mut u8,
    history_len: usize,
) -> *mut Session {
    let engine = AisleEngine::new(
        &take_bytes(config, config_len),
        &take_text(history, history_len),
    );
    Box::into_raw(Box::new(Session {
        engine,
        result: Vec::new(),
    }))
}

/// `AisleEngine::use_manifest`: the bundle URL's length, or -1.
#[export_name = "useManifest"]
unsafe extern "C" fn use_manifest(s: *mut Session, text: *mut u8, len: usize) -> i32 {
    let s = session(s);
    let url = s.engine.use_manifest(&take_bytes(text, len));
    s.hand_back_text(url)
}

/// `AisleEngine::load_bundle`.
#[export_name = "loadBundle"]
unsafe extern "C" fn load_bundle(s: *mut Session, bytes: *mut u8, len: usize) -> bool {
    session(s).engine.load_bundle(&take_bytes(bytes, len))
}

/// `AisleEngine::report_failure`.
#[export_name = "reportFailure"]
unsafe extern "C" fn report_failure(
    s: *mut Session,
    code: *mut u8,
    code_len: usize,
    message: *mut u8,
    message_len: usize,
) {
    session(s)
        .engine
        .report_failure(&take_text(code, code_len), &take_text(message, message_len));
}

/// `AisleEngine::report_once`.
#[export_name = "reportOnce"]
unsafe extern "C" fn report_once(
    s: *mut Session,
    code: *mut u8,
    code_len: usize,
    message: *mut u8,
    message_len: usize,
) {
    session(s)
        .engine
        .report_once(&take_text(code, code_len), &take_text(message, message_len));
}

/// `AisleEngine::plan_grid`: the order's length in bytes (4 per little-endian `u32`), or -1.
#[export_name = "planGrid"]
unsafe extern "C" fn plan_grid(
    s: *mut Session,
    ids: *mut u8,
    ids_len: usize,
    fresh: *mut u8,
    fresh_len: usize,
    index: u32,
    leave_visible: u32,
) -> i32 {
    let s = session(s);
    let order = s.engine.plan_grid(
        &take_bytes(ids, ids_len),
        &take_bytes(fresh, fresh_len),
        index,
        leave_visible != 0,
    );
    let order = order.map(|order| {
        let mut bytes = Vec::with_capacity(order.len() * 4);
        for slot in order {
            bytes.extend_from_slice(&slot.to_le_bytes());
        }
        bytes
    });
    s.hand_back(order)
}

/// `AisleEngine::finish_pass`.
#[export_name = "finishPass"]
unsafe extern "C" fn finish_pass(
    s: *mut Session,
    ranked: u32,
    leave_visible: u32,
    elapsed_ms: f64,
) {
    session(s)
        .engine
        .finish_pass(ranked, leave_visible != 0, elapsed_ms);
}

/// `AisleEngine::record_click`.
#[export_name = "recordClick"]
unsafe extern "C" fn record_click(s: *mut Session, id: *mut u8, len: usize, position: u32) {
    session(s)
        .engine
        .record_click(&take_text(id, len), position);
}

/// `AisleEngine::track`: `quantity` below 0 for none, `price` NaN for none.
#[export_name = "track"]
unsafe extern "C" fn track(
    s: *mut Session,
    kind: *mut u8,
    kind_len: usize,
    id: *mut u8,
    id_len: usize,
    quantity: f64,
    price: f64,
) -> bool {
    session(s).engine.track(
        &take_text(kind, kind_len),
        &take_text(id, id_len),
        (quantity >= 0.0).then_some(quantity as u32),
        (!price.is_nan()).then_some(price),
    )
}

/// `AisleEngine::purchase`.
#[export_name = "purchase"]
unsafe extern "C" fn purchase(s: *mut Session, order: *mut u8, len: usize) -> bool {
    session(s).engine.purchase(&take_bytes(order, len))
}

/// `AisleEngine::score_cart`: the JSON's length, or -1.
#[export_name = "scoreCart"]
unsafe extern "C" fn score_cart(s: *mut Session) -> i32 {
    let s = session(s);
    let score = s.engine.score_cart();
    s.hand_back_text(score)
}

/// `AisleEngine::disable`.
#[export_name = "disable"]
unsafe extern "C" fn disable(s: *mut Session) {
    session(s).engine.disable();
}

/// `AisleEngine::history`: the JSON's length.
#[export_name = "history"]
unsafe extern "C" fn history(s: *mut Session) -> i32 {
    let s = session(s);
    let json = s.engine.history();
    s.hand_back_text(Some(json))
}

/// `AisleEngine::history_text`: the stored text's length.
#[export_name = "historyText"]
unsafe extern "C" fn history_text(s: *mut Session) -> i32 {
    let s = session(s);
    let text = s.engine.history_text();
    s.hand_back_text(Some(text))
}

/// `AisleEngine::status`: the JSON's length.
#[export_name = "status"]
unsafe extern "C" fn status(
    s: *mut Session,
    grids: u32,
    cards: u32,
    ids: *mut u8,
    ids_len: usize,
) -> i32 {
    let s = session(s);
    let json = s.engine.status(grids, cards, &take_bytes(ids, ids_len));
    s.hand_back_text(Some(json))
}

/// `AisleEngine::last_plan`: the JSON's length, or -1.
#[export_name = "lastPlan"]
unsafe extern "C" fn last_plan(s: *mut Session) -> i32 {
    let s = session(s);
    let plan = s.engine.last_plan();
    s.hand_back_text(plan)
}

/// `AisleEngine::take_events`: the JSON's length.
#[export_name = "takeEvents"]
unsafe extern "C" fn take_events(s: *mut Session) -> i32 {
    let s = session(s);
    let json = s.engine.take_events();
    s.hand_back_text(Some(json))
}

/// `AisleEngine::take_signals`: the JSON's length.
#[export_name = "takeSignals"]
unsafe extern "C" fn take_signals(s: *mut Session) -> i32 {
    let s = session(s);
    let json = s.engine.take_signals();
    s.hand_back_text(Some(json))
}

/// The assignment hash (`crate::assign::hash`), for the shared vectors: -1 for none.
#[export_name = "assignmentHash"]
unsafe extern "C" fn assignment_hash(
    seed: *mut u8,
    seed_len: usize,
    value: *mut u8,
    value_len: usize,
    version: u32,
) -> f64 {
    hash(
        &take_text(seed, seed_len),
        &take_text(value, value_len),
        version,
    )
    .unwrap_or(-1.0)
}
