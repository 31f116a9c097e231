//! The touchpoint change log behind the change feed and subscriptions.
//!
//! A row is written in the same transaction as the change it describes. On PostgreSQL it
//! carries the writing transaction's id (`pg_current_xact_id()`), which the feed uses to
//! stay gap-free although transactions commit out of id order; on SQLite, whose one writer
//! commits in id order, it is 0.
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ConnectionTrait, DbBackend};
use uuid::Uuid;

use super::audit::AuditActor;
use crate::clock;
use crate::domain::ChangeKind;
use crate::entities::touchpoint_change::{self, Column};
use crate::error::AppResult;

pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    brand_id: Uuid,
    touchpoint_id: Uuid,
    kind: ChangeKind,
) -> AppResult<()> {
    let tx_id = match conn.get_database_backend() {
        DbBackend::Postgres => Expr::cust("pg_current_xact_id()::text::bigint"),
        _ => Expr::val(0i64),
    };
    let mut insert = Query::insert();
    insert
        .into_table(touchpoint_change::Entity)
        .columns([
            Column::TxId,
            Column::BrandId,
            Column::TouchpointId,
            Column::Kind,
            Column::ActorId,
            Column::ActorLabel,
            Column::At,
        ])
        .values([
            tx_id,
            Expr::val(brand_id),
            Expr::val(touchpoint_id),
            Expr::val(kind),
            Expr::val(actor.id),
            Expr::val(actor.label.clone()),
            Expr::val(clock::now()),
        ])
        .map_err(crate::error::AppError::internal)?;
    conn.execute(&insert).await?;
    Ok(())
}
