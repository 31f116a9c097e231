//! Writing a planned sync batch — its touchpoints, their audit entries and their change-log
//! rows — in the caller's transaction.
//!
//! On PostgreSQL that is one statement (four data-modifying CTEs), its rows in four JSON
//! parameters (see `touchpoint_upsert`): one round trip and one plan instead of four. The batch
//! was planned from touchpoints read without a lock: each update applies only while the stored
//! version is still the one read, each create only while its `externalId` is still free. When
//! another writer got in between, the statement writes fewer touchpoints than the batch holds;
//! the caller then rolls back and plans again ([`Written::Raced`]). Locking the rows as they were
//! read (`SELECT … FOR UPDATE`) cost PostgreSQL a WAL record and a dirtied page per touchpoint
//! on every batch, for a race that integration scripts — each syncing its own organization's
//! touchpoints — rarely run into.
//!
//! On SQLite the caller has held the writer lock since before it read (`BEGIN IMMEDIATE`), so
//! nothing gets in between; the three writes are plain bulk INSERTs.
use std::sync::LazyLock;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement};

use super::audit::{self, AuditActor, AuditRecord};
use super::changes::{self, Change};
use super::{touchpoint_diff, touchpoint_upsert};
use crate::clock;
use crate::domain::ChangeKind;
use crate::entities::touchpoint;
use crate::error::AppResult;
use crate::events::ChangeEvent;

/// What to write for one touchpoint.
pub struct Write {
    /// As it was read (`None`: a new touchpoint).
    pub before: Option<touchpoint::Model>,
    pub after: touchpoint::Model,
    pub kind: ChangeKind,
}

/// How a batch's write went.
pub enum Written {
    /// Everything is written; the events to announce once the transaction commits.
    Done(Vec<ChangeEvent>),
    /// Another writer changed (or created) some of these touchpoints after the batch read them:
    /// roll back and plan again.
    Raced,
}

/// Writes `writes` with their audit entries and change-log rows, by `actor`.
pub async fn write<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    writes: &[Write],
) -> AppResult<Written> {
    if writes.is_empty() {
        return Ok(Written::Done(Vec::new()));
    }
    let records = audit_records(writes);
    let changes: Vec<Change> = writes
        .iter()
        .map(|w| Change {
            brand_id: w.after.brand_id,
            touchpoint_id: w.after.id,
            kind: w.kind,
        })
        .collect();
    if conn.get_database_backend() != DbBackend::Postgres {
        let rows: Vec<&touchpoint::Model> = writes.iter().map(|w| &w.after).collect();
        touchpoint_upsert::upsert_values(conn, &rows).await?;
        audit::record_many(conn, actor, records).await?;
        let events = changes::record_many(conn, actor, changes).await?;
        return Ok(Written::Done(events));
    }

    // Updates in id order: concurrent batches that share touchpoints lock them in one order
    // (the join follows the array), so they wait for each other instead of deadlocking.
    let mut updates: Vec<&touchpoint::Model> = writes
        .iter()
        .filter(|w| w.before.is_some())
        .map(|w| &w.after)
        .collect();
    updates.sort_unstable_by_key(|m| m.id);
    let creates: Vec<&touchpoint::Model> = writes
        .iter()
        .filter(|w| w.before.is_none())
        .map(|w| &w.after)
        .collect();
    let at = clock::now();
    let statement = Statement::from_sql_and_values(
        DbBackend::Postgres,
        POSTGRES_WRITE.as_str(),
        [
            touchpoint_upsert::json_rows(&updates)?.into(),
            touchpoint_upsert::json_rows(&creates)?.into(),
            audit::json_rows(actor, &records)?.into(),
            changes::json_rows(&changes)?.into(),
            actor.id.into(),
            actor.label.clone().into(),
            at.into(),
        ],
    );
    let counts = match conn.query_one_raw(statement).await {
        Ok(row) => row
            .map(|row| Counts::from_query_result(&row, ""))
            .transpose()?,
        Err(err) if deadlocked(&err) => return Ok(Written::Raced),
        Err(err) => return Err(err.into()),
    };
    let written = counts.map_or(0, |c| c.updated + c.created);
    if usize::try_from(written).ok() != Some(writes.len()) {
        return Ok(Written::Raced);
    }
    Ok(Written::Done(changes::events(actor, &changes, at)))
}

/// The audit entries of `writes`: a create with the whole touchpoint, any other write with the
/// fields it changed.
fn audit_records(writes: &[Write]) -> Vec<AuditRecord<'static>> {
    writes
        .iter()
        .map(|w| {
            let (before, after) = match &w.before {
                Some(b) => touchpoint_diff::changed(b, &w.after),
                None => (None, audit::snapshot(&w.after)),
            };
            AuditRecord {
                action: match w.kind {
                    ChangeKind::Created => "touchpoint.create",
                    ChangeKind::Archived => "touchpoint.archive",
                    ChangeKind::Restored => "touchpoint.restore",
                    _ => "touchpoint.update",
                },
                entity_type: "Touchpoint",
                entity_id: w.after.id,
                brand_id: Some(w.after.brand_id),
                before,
                after,
            }
        })
        .collect()
}

/// Touchpoints the statement wrote.
#[derive(FromQueryResult)]
struct Counts {
    updated: i64,
    created: i64,
}

/// The batch's write on PostgreSQL. Data-modifying CTEs all run to completion whether or not
/// the outer query reads them, on one snapshot; the outer query counts what was written.
static POSTGRES_WRITE: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH updated AS ({}), created AS ({}), audit AS ({}), changes AS ({}) \
         SELECT (SELECT count(*) FROM updated) AS updated, \
                (SELECT count(*) FROM created) AS created",
        touchpoint_upsert::update_from_json("$1"),
        touchpoint_upsert::insert_from_json("$2"),
        audit::insert_from_json("$3"),
        changes::insert_from_json("$4", "$5", "$6", "$7"),
    )
});

/// Whether PostgreSQL broke a deadlock by failing this statement (SQLSTATE 40P01): two batches
/// that share touchpoints and met in the middle; the retry goes through.
fn deadlocked(err: &DbErr) -> bool {
    let (DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e))
    | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e))) = err
    else {
        return false;
    };
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "40P01")
}
