//! The touchpoint change log behind the change feed and subscriptions.
//!
//! A row is written in the same transaction as the change it describes. On PostgreSQL it
//! carries the writing transaction's id (`pg_current_xact_id()`), which the feed uses to
//! stay gap-free although transactions commit out of id order (see `change_feed`); on
//! SQLite, whose single writer commits in id order, `tx_id` is 0. The caller announces the
//! returned events to live subscribers after its commit (`Db::announce`).
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::audit::AuditActor;
use crate::clock;
use crate::domain::ChangeKind;
use crate::entities::touchpoint_change::{self, Column};
use crate::error::{AppError, AppResult};
use crate::events::ChangeEvent;

/// Rows per INSERT: keeps bulk writes under SQLite's bound-parameter limit.
const CHUNK: usize = 500;

/// One change to record.
pub struct Change {
    pub brand_id: Uuid,
    pub touchpoint_id: Uuid,
    pub kind: ChangeKind,
}

/// Records one change; returns the event to announce after commit.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    brand_id: Uuid,
    touchpoint_id: Uuid,
    kind: ChangeKind,
) -> AppResult<ChangeEvent> {
    let mut events = record_many(
        conn,
        actor,
        vec![Change {
            brand_id,
            touchpoint_id,
            kind,
        }],
    )
    .await?;
    events
        .pop()
        .ok_or_else(|| AppError::internal(std::io::Error::other("no change recorded")))
}

/// The events to announce for `changes`, made by `actor` at `at`.
pub fn events(actor: &AuditActor, changes: &[Change], at: DateTime<Utc>) -> Vec<ChangeEvent> {
    changes
        .iter()
        .map(|c| ChangeEvent {
            brand_id: c.brand_id,
            touchpoint_id: c.touchpoint_id,
            kind: c.kind,
            at,
            actor_label: actor.label.clone(),
        })
        .collect()
}

/// Records changes in bulk (one INSERT per 500).
pub async fn record_many<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    changes: Vec<Change>,
) -> AppResult<Vec<ChangeEvent>> {
    let backend = conn.get_database_backend();
    let at = clock::now();
    let events = events(actor, &changes, at);
    for chunk in changes.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(touchpoint_change::Entity).columns([
            Column::TxId,
            Column::BrandId,
            Column::TouchpointId,
            Column::Kind,
            Column::ActorId,
            Column::ActorLabel,
            Column::At,
        ]);
        for c in chunk {
            let tx_id: Expr = match backend {
                DbBackend::Postgres => Expr::cust("pg_current_xact_id()::text::bigint"),
                _ => Expr::val(0i64),
            };
            insert
                .values([
                    tx_id,
                    Expr::val(c.brand_id),
                    Expr::val(c.touchpoint_id),
                    Expr::val(c.kind),
                    Expr::val(actor.id),
                    Expr::val(actor.label.clone()),
                    Expr::val(at),
                ])
                .map_err(AppError::internal)?;
        }
        conn.execute(&insert).await?;
    }
    Ok(events)
}
