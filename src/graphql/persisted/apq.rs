//! The automatic persisted queries this process has been sent (Apollo's protocol): hash → text,
//! bounded, least recently used evicted first, shared by every HTTP worker. Each instance
//! keeps its own: a client whose hash another instance learned is told
//! PERSISTED_QUERY_NOT_FOUND once and sends the text again, as the protocol expects.
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, MutexGuard};

use lru::LruCache;

/// Longer texts run but are not kept: a client sends them in full each time. Bounds the
/// cache's memory at about its size times this.
const MAX_TEXT_BYTES: usize = 32 * 1024;

pub struct ApqCache {
    texts: Mutex<LruCache<String, Arc<str>>>,
}

impl ApqCache {
    pub fn new(size: NonZeroUsize) -> Self {
        Self {
            texts: Mutex::new(LruCache::new(size)),
        }
    }

    pub fn get(&self, hash: &str) -> Option<Arc<str>> {
        self.lock().get(hash).cloned()
    }

    /// Keeps `text` under `hash` (already checked to be its SHA-256).
    pub fn put(&self, hash: String, text: &str) {
        if text.len() <= MAX_TEXT_BYTES {
            self.lock().put(hash, Arc::from(text));
        }
    }

    fn lock(&self) -> MutexGuard<'_, LruCache<String, Arc<str>>> {
        // A cache left by a panicking holder is still a valid cache.
        self.texts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_most_recently_used_and_skips_long_texts() {
        let cache = ApqCache::new(NonZeroUsize::MIN.saturating_add(1));
        cache.put("a".into(), "{ a }");
        cache.put("b".into(), "{ b }");
        assert!(cache.get("a").is_some(), "a is now the most recent");
        cache.put("c".into(), "{ c }");
        assert!(cache.get("b").is_none(), "b was the least recently used");
        assert_eq!(cache.get("a").as_deref(), Some("{ a }"));
        cache.put("long".into(), &" ".repeat(MAX_TEXT_BYTES + 1));
        assert!(cache.get("long").is_none());
    }
}
