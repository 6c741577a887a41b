//! Namespaced, versioned key-value storage over `localStorage` that never throws: where the
//! browser refuses storage (Safari private mode, quota, disabled cookies) values live in memory
//! for the life of the page, and aisle keeps working.

use std::cell::RefCell;

/// Every key aisle writes starts with this, so a shop can see (and clear) what is ours.
pub const KEY_PREFIX: &str = "aisle:v1:";

/// Largest value written; bigger ones are kept in memory only (localStorage is shared with
/// the shop's own scripts, so aisle stays small there).
pub const MAX_VALUE_BYTES: usize = 16 * 1024;

/// Storage with an in-memory fallback (a handful of keys: a list is enough).
#[derive(Default)]
pub struct Storage {
    memory: RefCell<Vec<(String, String)>>,
    failed: RefCell<bool>,
}

impl Storage {
    /// Reads `key` (without the prefix). Storage errors fall back to memory.
    pub fn get(&self, key: &str) -> Option<String> {
        if let Some((_, value)) = self.memory.borrow().iter().find(|(k, _)| k == key) {
            return Some(value.clone());
        }
        let storage = self.local_storage()?;
        match storage.get_item(&full_key(key)) {
            Ok(value) => value,
            Err(_) => {
                self.mark_failed();
                None
            }
        }
    }

    /// Writes `key`; returns false when only memory holds it now.
    pub fn set(&self, key: &str, value: &str) -> bool {
        let persisted = value.len() <= MAX_VALUE_BYTES
            && self
                .local_storage()
                .map(|s| s.set_item(&full_key(key), value).is_ok())
                .unwrap_or(false);
        let mut memory = self.memory.borrow_mut();
        memory.retain(|(k, _)| k != key);
        if !persisted {
            self.mark_failed();
            memory.push((String::from(key), String::from(value)));
        }
        persisted
    }

    /// Deletes `key` everywhere.
    pub fn remove(&self, key: &str) {
        self.memory.borrow_mut().retain(|(k, _)| k != key);
        if let Some(storage) = self.local_storage() {
            let _ = storage.remove_item(&full_key(key));
        }
    }

    /// True once the browser refused a read or a write.
    pub fn is_memory_only(&self) -> bool {
        *self.failed.borrow()
    }

    fn mark_failed(&self) {
        *self.failed.borrow_mut() = true;
    }

    /// `window.localStorage`, or None (and memory-only from now on) when even asking throws.
    fn local_storage(&self) -> Option<web_sys::Storage> {
        if self.is_memory_only() {
            return None;
        }
        match web_sys::window().map(|w| w.local_storage()) {
            Some(Ok(Some(storage))) => Some(storage),
            _ => {
                self.mark_failed();
                None
            }
        }
    }
}

fn full_key(key: &str) -> String {
    let mut full = String::with_capacity(KEY_PREFIX.len() + key.len());
    full.push_str(KEY_PREFIX);
    full.push_str(key);
    full
}
