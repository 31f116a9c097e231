//! A short-lived memory of resolved callers, so a burst of requests with one token costs the
//! database its principal look-up once, not once per request.
//!
//! Staleness is bounded two ways. Every change to what a principal holds (a membership, a
//! role, an API client, a partnership, the organization) made through this server empties
//! the cache of every instance: this one at once, the others through a PostgreSQL `NOTIFY`
//! (see `Db::principals_changed`). A change made behind the server's back — an operator's SQL,
//! a lost notification — is seen within the time to live.
//!
//! A look-up that started before an invalidation must not put its (possibly old) answer back
//! afterwards: entries carry the generation they were read in, and a `put` from an older
//! generation is dropped.
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::Principal;

/// The token's subject and the organization it names.
type Key = (Uuid, Option<Uuid>);

/// More distinct callers than this within one time to live empties the cache (it is a
/// shortcut, not a store: a flood of distinct tokens must not grow memory).
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, Debug)]
pub struct PrincipalCache {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    ttl: Duration,
    generation: AtomicU64,
    entries: Mutex<HashMap<Key, Entry>>,
}

#[derive(Debug)]
struct Entry {
    read_at: Instant,
    principal: Arc<Principal>,
}

/// Where a caller's look-up started: hand it back to [`PrincipalCache::put`].
#[derive(Debug, Clone, Copy)]
pub struct Generation(u64);

impl PrincipalCache {
    /// A cache keeping principals for `ttl`; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                ttl,
                generation: AtomicU64::new(0),
                entries: Mutex::new(HashMap::new()),
            }),
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Entry>> {
        // A panic while holding the lock leaves a map that is still valid.
        self.inner
            .entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The principal of `subject` acting in `org`, if one was read within the time to live
    /// and nothing changed since.
    pub fn get(&self, subject: Uuid, org: Option<Uuid>) -> Option<Arc<Principal>> {
        if self.inner.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let entry = entries.get(&(subject, org))?;
        (entry.read_at.elapsed() < self.inner.ttl).then(|| Arc::clone(&entry.principal))
    }

    /// Call before reading a principal from the database.
    pub fn generation(&self) -> Generation {
        Generation(self.inner.generation.load(Ordering::Acquire))
    }

    /// Remembers a principal read from the database since `seen`; dropped if the cache was
    /// invalidated meanwhile.
    pub fn put(
        &self,
        seen: Generation,
        subject: Uuid,
        org: Option<Uuid>,
        principal: Arc<Principal>,
    ) {
        if self.inner.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries();
        // Checked under the lock: `invalidate` bumps the generation before it takes the lock,
        // so either this sees the new generation or the clear comes after this insert.
        if self.inner.generation.load(Ordering::Acquire) != seen.0 {
            return;
        }
        if entries.len() >= MAX_ENTRIES {
            let ttl = self.inner.ttl;
            entries.retain(|_, e| e.read_at.elapsed() < ttl);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(
            (subject, org),
            Entry {
                read_at: Instant::now(),
                principal,
            },
        );
    }

    /// Forgets every principal: something they hold changed.
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
    use crate::auth::Actor;
    use crate::domain::{OrganizationKind, Role};
    use crate::entities::organization;

    fn principal() -> Arc<Principal> {
        let now = chrono::Utc::now();
        Arc::new(Principal {
            actor: Actor::ApiClient {
                id: Uuid::new_v4(),
                name: "dms".into(),
            },
            organization: organization::Model {
                id: Uuid::new_v4(),
                slug: "dealer".into(),
                name: "Dealer".into(),
                kind: OrganizationKind::Dealer,
                max_major_steps: 7,
                created_at: now,
                updated_at: now,
            },
            role: Role::Editor,
            partnerships: vec![],
        })
    }

    #[test]
    fn keeps_a_principal_for_its_time_to_live_only() {
        let cache = PrincipalCache::new(Duration::from_millis(50));
        let sub = Uuid::new_v4();
        cache.put(cache.generation(), sub, None, principal());
        assert!(cache.get(sub, None).is_some());
        assert!(cache.get(sub, Some(Uuid::new_v4())).is_none());
        std::thread::sleep(Duration::from_millis(60));
        assert!(cache.get(sub, None).is_none());
    }

    #[test]
    fn a_look_up_older_than_an_invalidation_is_not_kept() {
        let cache = PrincipalCache::new(Duration::from_secs(60));
        let sub = Uuid::new_v4();
        let before = cache.generation();
        cache.invalidate();
        cache.put(before, sub, None, principal());
        assert!(cache.get(sub, None).is_none());
        cache.put(cache.generation(), sub, None, principal());
        assert!(cache.get(sub, None).is_some());
        cache.invalidate();
        assert!(cache.get(sub, None).is_none());
    }

    #[test]
    fn a_zero_time_to_live_keeps_nothing() {
        let cache = PrincipalCache::new(Duration::ZERO);
        let sub = Uuid::new_v4();
        cache.put(cache.generation(), sub, None, principal());
        assert!(cache.get(sub, None).is_none());
    }

    #[test]
    fn stays_bounded() {
        let cache = PrincipalCache::new(Duration::from_secs(60));
        let p = principal();
        for _ in 0..MAX_ENTRIES + 5 {
            cache.put(cache.generation(), Uuid::new_v4(), None, Arc::clone(&p));
        }
        assert!(cache.len() <= MAX_ENTRIES);
    }
}
