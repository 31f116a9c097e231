//! Live change events for subscriptions.
//!
//! Every touchpoint change becomes a [`ChangeEvent`] on this process's bus. With PostgreSQL
//! the writer sends it with `NOTIFY` once its transaction has committed (`Db::announce`) and
//! every instance's listener — this one included — puts it on its bus; with SQLite (one
//! process) the writer puts it on the bus after commit.
//!
//! The bus is best effort: a subscriber that falls behind loses events. The change feed
//! (`touchpointChanges`) is the gap-free record to catch up from.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::domain::ChangeKind;

/// The PostgreSQL channel change events travel on.
pub const CHANNEL: &str = "touchpoint_changes";

/// The PostgreSQL channel that tells every instance to empty its caches (see `cache`).
pub const CACHES_CHANNEL: &str = "caches_changed";

/// Events a subscriber may fall behind by before it misses some.
const BUS_CAPACITY: usize = 4096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeEvent {
    #[serde(rename = "b")]
    pub brand_id: Uuid,
    #[serde(rename = "t")]
    pub touchpoint_id: Uuid,
    #[serde(rename = "k")]
    pub kind: ChangeKind,
    #[serde(rename = "a")]
    pub at: DateTime<Utc>,
    #[serde(rename = "l")]
    pub actor_label: String,
}

/// A NOTIFY payload must stay under 8,000 bytes: events travel in JSON arrays of at most
/// this many bytes each.
const PAYLOAD_BUDGET: usize = 7_000;

/// The events as NOTIFY payloads: JSON arrays, each under the payload limit.
pub fn payloads(events: &[ChangeEvent]) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::from("[");
    for event in events {
        let json = serde_json::to_string(event).unwrap_or_default();
        if current.len() > 1 && current.len() + json.len() + 2 > PAYLOAD_BUDGET {
            current.push(']');
            out.push(std::mem::replace(&mut current, String::from("[")));
        }
        if current.len() > 1 {
            current.push(',');
        }
        current.push_str(&json);
    }
    current.push(']');
    out.push(current);
    out
}

/// This process's fan-out of change events.
#[derive(Debug, Clone)]
pub struct ChangeBus {
    sender: broadcast::Sender<ChangeEvent>,
    /// Wakes a worker that reads the ledger itself (the webhook deliverer) after a commit.
    committed: std::sync::Arc<tokio::sync::Notify>,
}

impl Default for ChangeBus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUS_CAPACITY).0,
            committed: Default::default(),
        }
    }
}

impl ChangeBus {
    pub fn publish(&self, event: ChangeEvent) {
        // No receiver is fine: nobody is subscribed.
        let _ = self.sender.send(event);
        self.committed.notify_one();
    }

    /// Resolves once a change has been published since it last resolved (however many).
    pub async fn changed(&self) {
        self.committed.notified().await;
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.sender.subscribe()
    }

    /// Subscriptions open on this instance.
    pub fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }
}

/// Forwards this database's `NOTIFY`s to the bus, and cache invalidations to the caches,
/// for as long as the process runs; after a lost connection it reconnects (events sent
/// meanwhile are missed: the feed has them; the caches are emptied, as they may have missed
/// a change).
pub async fn listen_postgres(
    pool: sea_orm::sqlx::PgPool,
    bus: ChangeBus,
    caches: crate::store::cache::Caches,
) {
    use sea_orm::sqlx::postgres::PgListener;
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(err) => {
                tracing::warn!(error = %err, "change listener cannot connect; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(err) = listener.listen_all([CHANNEL, CACHES_CHANNEL]).await {
            tracing::warn!(error = %err, "change listener cannot LISTEN; retrying");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        }
        caches.invalidate();
        loop {
            match listener.recv().await {
                Ok(notification) if notification.channel() == CACHES_CHANNEL => {
                    caches.invalidate();
                }
                Ok(notification) => {
                    match serde_json::from_str::<Vec<ChangeEvent>>(notification.payload()) {
                        Ok(events) => events.into_iter().for_each(|e| bus.publish(e)),
                        Err(err) => tracing::warn!(error = %err, "unreadable change events"),
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "change listener lost its connection");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_stay_under_the_notify_limit_and_keep_every_event() {
        let events: Vec<ChangeEvent> = (0..1000)
            .map(|_| ChangeEvent {
                brand_id: Uuid::new_v4(),
                touchpoint_id: Uuid::new_v4(),
                kind: ChangeKind::Updated,
                at: Utc::now(),
                actor_label: "api-client:dealer management system".into(),
            })
            .collect();
        let payloads = payloads(&events);
        assert!(payloads.len() > 1);
        let mut back = Vec::new();
        for p in &payloads {
            assert!(p.len() < 8000);
            back.extend(serde_json::from_str::<Vec<ChangeEvent>>(p).unwrap_or_default());
        }
        assert_eq!(back, events);
    }
}
