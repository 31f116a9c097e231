//! Short-lived memories of rows many requests read and few change: the resolved callers
//! (a burst of requests with one token costs the database its principal look-up once, not
//! once per request) and the organizations, phases and principles that touchpoints show.
//!
//! Staleness is bounded two ways. Every change to what a cache holds (a membership, a role,
//! an API client, a partnership, an organization, a phase, a principle) made through this
//! server empties the caches of every instance: this one at once, the others through a
//! PostgreSQL `NOTIFY` (see `Db::caches_changed`). A change made behind the server's back —
//! an operator's SQL, a lost notification — is seen within the time to live (`CACHE_TTL`).
//!
//! A look-up that started before an invalidation must not put its (possibly old) answer back
//! afterwards: entries carry the generation they were read in, and a `put` from an older
//! generation is dropped.
//!
//! Not moka: that rule needs the generation check and the insert under one lock, and moka's
//! `invalidate_all` keeps whatever is inserted after it, so a check before its `insert` would
//! race the invalidation. What moka adds (weighed eviction, loaders, expiry listeners) these
//! few small maps do not use.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::principle::PrincipleSummary;
use crate::entities::{organization, phase};

/// More distinct keys than this within one time to live empties a cache (it is a shortcut,
/// not a store: a flood of distinct tokens must not grow memory).
const MAX_ENTRIES: usize = 10_000;

/// Resolved callers by the token's subject and the organization it names.
pub type PrincipalCache = TtlCache<(Uuid, Option<Uuid>), Principal>;

/// Every cache a [`Db`](crate::store::db::Db) keeps, emptied together.
#[derive(Clone, Debug)]
pub struct Caches {
    pub principals: PrincipalCache,
    pub organizations: TtlCache<Uuid, organization::Model>,
    pub phases: TtlCache<Uuid, phase::Model>,
    pub principles: TtlCache<Uuid, PrincipleSummary>,
}

impl Caches {
    /// Caches keeping what they hold for `ttl`; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            principals: TtlCache::new(ttl),
            organizations: TtlCache::new(ttl),
            phases: TtlCache::new(ttl),
            principles: TtlCache::new(ttl),
        }
    }

    /// Forgets everything: something they hold changed.
    pub fn invalidate(&self) {
        self.principals.invalidate();
        self.organizations.invalidate();
        self.phases.invalidate();
        self.principles.invalidate();
    }
}

#[derive(Debug)]
pub struct TtlCache<K, V> {
    inner: Arc<Inner<K, V>>,
}

impl<K, V> Clone for TtlCache<K, V> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

#[derive(Debug)]
struct Inner<K, V> {
    ttl: Duration,
    generation: AtomicU64,
    entries: Mutex<HashMap<K, Entry<V>>>,
}

#[derive(Debug)]
struct Entry<V> {
    read_at: Instant,
    value: Arc<V>,
}

/// Where a look-up started: hand it back to [`TtlCache::put`].
#[derive(Debug, Clone, Copy)]
pub struct Generation(u64);

impl<K: Eq + Hash + Clone, V> TtlCache<K, V> {
    /// A cache keeping values for `ttl`; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                ttl,
                generation: AtomicU64::new(0),
                entries: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, Entry<V>>> {
        // A panic while holding the lock leaves a map that is still valid.
        self.inner
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Read within the time to live (invalidation removes entries outright).
    fn fresh(&self, entry: &Entry<V>) -> bool {
        entry.read_at.elapsed() < self.inner.ttl
    }

    /// The value of `key`, if it was read within the time to live and nothing changed since.
    pub fn get(&self, key: &K) -> Option<Arc<V>> {
        if self.inner.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let entry = entries.get(key)?;
        self.fresh(entry).then(|| Arc::clone(&entry.value))
    }

    /// The values of `keys` that are kept (under one lock), and the keys that are not.
    pub fn get_many(&self, keys: &[K]) -> (HashMap<K, Arc<V>>, Vec<K>) {
        if self.inner.ttl.is_zero() {
            return (HashMap::new(), keys.to_vec());
        }
        let entries = self.entries();
        let mut found = HashMap::with_capacity(keys.len());
        let mut missing = Vec::new();
        for key in keys {
            match entries.get(key) {
                Some(e) if self.fresh(e) => {
                    found.insert(key.clone(), Arc::clone(&e.value));
                }
                _ => missing.push(key.clone()),
            }
        }
        (found, missing)
    }

    /// Call before reading from the database.
    pub fn generation(&self) -> Generation {
        Generation(self.inner.generation.load(Ordering::Acquire))
    }

    /// Remembers values read from the database since `seen`; dropped if the cache was
    /// invalidated meanwhile.
    pub fn put(&self, seen: Generation, values: impl IntoIterator<Item = (K, Arc<V>)>) {
        if self.inner.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        // Checked under the lock: `invalidate` bumps the generation before it takes the lock,
        // so either this sees the new generation or the clear comes after this insert.
        if self.inner.generation.load(Ordering::Acquire) != seen.0 {
            return;
        }
        let read_at = Instant::now();
        for (key, value) in values {
            if entries.len() >= MAX_ENTRIES {
                entries.retain(|_, e| self.fresh(e));
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
            }
            entries.insert(key, Entry { read_at, value });
        }
    }

    /// Forgets every value: something they hold changed.
    pub fn invalidate(&self) {
        self.inner.generation.fetch_add(1, Ordering::AcqRel);
        self.entries().clear();
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal() -> Arc<Principal> {
        Arc::new(Principal::dealer_editor_for_tests())
    }

    #[test]
    fn keeps_a_principal_for_its_time_to_live_only() {
        let cache: PrincipalCache = TtlCache::new(Duration::from_millis(50));
        let sub = Uuid::new_v4();
        cache.put(cache.generation(), [((sub, None), principal())]);
        assert!(cache.get(&(sub, None)).is_some());
        assert!(cache.get(&(sub, Some(Uuid::new_v4()))).is_none());
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(&(sub, None)).is_none());
    }

    #[test]
    fn a_look_up_older_than_an_invalidation_is_not_kept() {
        let cache: PrincipalCache = TtlCache::new(Duration::from_secs(60));
        let sub = Uuid::new_v4();
        let before = cache.generation();
        cache.invalidate();
        cache.put(before, [((sub, None), principal())]);
        assert!(cache.get(&(sub, None)).is_none());
        cache.put(cache.generation(), [((sub, None), principal())]);
        assert!(cache.get(&(sub, None)).is_some());
        cache.invalidate();
        assert!(cache.get(&(sub, None)).is_none());
    }

    #[test]
    fn a_zero_time_to_live_keeps_nothing() {
        let cache: PrincipalCache = TtlCache::new(Duration::ZERO);
        let sub = Uuid::new_v4();
        cache.put(cache.generation(), [((sub, None), principal())]);
        assert!(cache.get(&(sub, None)).is_none());
    }

    #[test]
    fn stays_bounded() {
        let cache: PrincipalCache = TtlCache::new(Duration::from_secs(60));
        let p = principal();
        for _ in 0..MAX_ENTRIES + 5 {
            cache.put(
                cache.generation(),
                [((Uuid::new_v4(), None), Arc::clone(&p))],
            );
        }
        assert!(cache.len() <= MAX_ENTRIES);
    }

    #[test]
    fn get_many_splits_kept_from_missing_keys() {
        let cache: TtlCache<Uuid, u32> = TtlCache::new(Duration::from_secs(60));
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        cache.put(cache.generation(), [(a, Arc::new(1))]);
        let (found, missing) = cache.get_many(&[a, b]);
        assert_eq!(found.get(&a).map(|v| **v), Some(1));
        assert_eq!(missing, vec![b]);
        cache.invalidate();
        let (found, missing) = cache.get_many(&[a, b]);
        assert!(found.is_empty());
        assert_eq!(missing, vec![a, b]);
    }
}
