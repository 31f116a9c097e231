//! Appending to the ledger, in the caller's transaction, so an entry commits with the write it
//! describes. On PostgreSQL an entry carries its transaction's id (`pg_current_xact_id()`),
//! which keeps the change feed gap-free ([`super::feed`]); on SQLite, whose single writer
//! commits in `seq` order, `tx_id` is 0.
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::{AuditActor, Changes};
use crate::clock;
use crate::domain::ChangeKind;
use crate::entities::ledger_entry::{self, Column};
use crate::error::{AppError, AppResult};
use crate::store::events::ChangeEvent;

/// Entries per INSERT: keeps bulk writes under SQLite's bound-parameter limit.
const CHUNK: usize = 500;

/// One changed entity of a write.
pub struct Entry<'a> {
    pub action: &'a str,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    /// The network the entity belongs to (`None`: an organization-level entity).
    pub brand_id: Option<Uuid>,
    /// Its version after the write (`None`: unversioned, or removed).
    pub version: Option<i32>,
    /// The touchpoint change it is, which the feed and subscribers see.
    pub kind: Option<ChangeKind>,
    pub changes: Changes,
}

/// The action an entry names for a touchpoint write of this kind.
pub fn touchpoint_action(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "touchpoint.create",
        ChangeKind::Updated => "touchpoint.update",
        ChangeKind::Archived => "touchpoint.archive",
        ChangeKind::Restored => "touchpoint.restore",
        ChangeKind::Reviewed => "touchpoint.review",
    }
}

/// The live events of the feed entries among `entries`, to announce once they commit.
pub fn events(actor: &AuditActor, entries: &[Entry<'_>], at: DateTime<Utc>) -> Vec<ChangeEvent> {
    entries
        .iter()
        .filter_map(|e| {
            Some(ChangeEvent {
                brand_id: e.brand_id?,
                touchpoint_id: e.entity_id,
                kind: e.kind?,
                at,
                actor_label: actor.label.clone(),
            })
        })
        .collect()
}

/// Appends `entries` by `actor` (one INSERT per 500); returns the events to announce after
/// the caller commits.
pub async fn append<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    entries: Vec<Entry<'_>>,
) -> AppResult<Vec<ChangeEvent>> {
    let at = clock::now();
    let events = events(actor, &entries, at);
    let tx_id = || match conn.get_database_backend() {
        DbBackend::Postgres => Expr::cust("pg_current_xact_id()::text::bigint"),
        _ => Expr::val(0i64),
    };
    let mut entries = entries.into_iter().peekable();
    while entries.peek().is_some() {
        let mut insert = Query::insert();
        insert.into_table(ledger_entry::Entity).columns([
            Column::TxId,
            Column::At,
            Column::ActorKind,
            Column::ActorId,
            Column::ActorLabel,
            Column::OrganizationId,
            Column::BrandId,
            Column::Action,
            Column::EntityType,
            Column::EntityId,
            Column::Version,
            Column::Kind,
            Column::Via,
            Column::Changes,
        ]);
        for e in entries.by_ref().take(CHUNK) {
            insert
                .values([
                    tx_id(),
                    Expr::val(at),
                    Expr::val(actor.kind),
                    Expr::val(actor.id),
                    Expr::val(actor.label.clone()),
                    Expr::val(actor.organization_id),
                    Expr::val(e.brand_id),
                    Expr::val(e.action),
                    Expr::val(e.entity_type),
                    Expr::val(e.entity_id),
                    Expr::val(e.version),
                    Expr::val(e.kind),
                    Expr::val(actor.via.as_str()),
                    Expr::val(e.changes.into_json()),
                ])
                .map_err(AppError::internal)?;
        }
        conn.execute(&insert).await?;
    }
    Ok(events)
}
