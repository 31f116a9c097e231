//! Writing a planned sync batch: its touchpoints, one ledger entry per written touchpoint
//! and, for a request with an idempotency key, the key's record — all or nothing.
//!
//! On PostgreSQL that is one statement (data-modifying CTEs) in a transaction of its own: one
//! round trip, one plan, every row bound as one array per column (`column_arrays`). The batch
//! was planned from touchpoints read without a lock and outside this transaction: each update
//! applies only while the stored version is still the one read, each create only while its
//! `externalId` is still free. When another writer got in between, the statement writes fewer
//! touchpoints than the batch holds and is rolled back; the caller plans again
//! ([`Written::Raced`]). Locking the rows as they were read (`SELECT … FOR UPDATE` in one
//! transaction with the write) cost PostgreSQL a WAL record and a dirtied page per touchpoint
//! on every batch, for a race that integration scripts — each syncing its own organization's
//! touchpoints — rarely run into.
//!
//! On SQLite the caller holds the writer lock from before it read (`BEGIN IMMEDIATE`), so
//! nothing gets in between; the writes are plain bulk INSERTs in that transaction.
use std::sync::LazyLock;
use std::time::Instant;

use sea_orm::sqlx::{self, Row};
use sea_orm::{ActiveEnum, ConnectionTrait, DbErr, IdenStatic, Iterable, RuntimeErr};
use uuid::Uuid;

use super::column_arrays;
use super::upsert;
use crate::clock;
use crate::domain::ChangeKind;
use crate::entities::touchpoint;
use crate::error::{AppError, AppResult};
use crate::services::ledger::{self, append::touchpoint_action, AuditActor, Entry};
use crate::services::touchpoints::diff;
use crate::store::db::Db;
use crate::store::events::ChangeEvent;

/// What to write for one touchpoint.
pub struct Write {
    /// As it was read (`None`: a new touchpoint).
    pub before: Option<touchpoint::Model>,
    pub after: touchpoint::Model,
    pub kind: ChangeKind,
}

/// How a batch's write went.
pub enum Written {
    /// Everything is written; the events to announce.
    Done(Vec<ChangeEvent>),
    /// Another writer changed (or created) some of these touchpoints after the batch read
    /// them; nothing is written: plan again.
    Raced,
    /// A concurrent request with the same idempotency key committed first; nothing is
    /// written: answer as it did.
    KeyTaken,
}

/// The idempotency record a keyed request leaves, with the result it answers.
pub struct KeyRecord<'a> {
    pub principal_id: Uuid,
    pub key: &'a str,
    pub request_hash: &'a str,
    pub response: serde_json::Value,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// SQLite: writes `writes` with their ledger entries in the caller's `BEGIN IMMEDIATE`
/// transaction; returns the events to announce once it commits.
pub async fn write_sqlite<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    writes: &[Write],
) -> AppResult<Vec<ChangeEvent>> {
    if writes.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<&touchpoint::Model> = writes.iter().map(|w| &w.after).collect();
    upsert::upsert_values(conn, &rows).await?;
    ledger::append(conn, actor, entries(writes)).await
}

/// PostgreSQL: writes `writes`, their ledger entries and `key`'s record in one statement and
/// one transaction of their own.
pub async fn write_postgres(
    db: &Db,
    actor: &AuditActor,
    writes: &[Write],
    key: Option<KeyRecord<'_>>,
) -> AppResult<Written> {
    let Some(pool) = db.postgres_pool() else {
        return Err(AppError::internal(std::io::Error::other(
            "write_postgres on another database",
        )));
    };
    let at = clock::now();
    // Updates in id order: concurrent batches that share touchpoints lock them in one order
    // (the join follows the arrays), so they wait for each other instead of deadlocking.
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
    let entries = entries(writes);

    let sql = if key.is_some() {
        KEYED_WRITE.as_str()
    } else {
        WRITE.as_str()
    };
    let mut query = sqlx::query(sql);
    for array in column_arrays::of::<touchpoint::Entity>(&updates)?
        .into_iter()
        .chain(column_arrays::of::<touchpoint::Entity>(&creates)?)
    {
        query = array.bind(query);
    }
    query = query
        .bind(entries.iter().map(|e| e.brand_id).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.entity_id).collect::<Vec<_>>())
        .bind(entries.iter().map(|e| e.version).collect::<Vec<_>>())
        .bind(
            entries
                .iter()
                .map(|e| e.kind.map(|k| k.to_value()))
                .collect::<Vec<_>>(),
        )
        .bind(entries.iter().map(|e| e.action).collect::<Vec<_>>())
        .bind(
            entries
                .iter()
                .map(|e| e.changes.to_text())
                .collect::<Vec<_>>(),
        )
        .bind(actor.kind)
        .bind(actor.id)
        .bind(actor.label.as_str())
        .bind(actor.organization_id)
        .bind(actor.via.as_str())
        .bind(at);
    if let Some(k) = &key {
        query = query
            .bind(k.principal_id)
            .bind(k.key)
            .bind(k.request_hash)
            .bind(k.response.to_string())
            .bind(k.expires_at);
    }

    let started = Instant::now();
    let mut tx = pool.begin().await.map_err(db_error)?;
    let result = query.fetch_one(&mut *tx).await;
    db.statement_ran(started.elapsed(), result.is_err());
    let row = match result {
        Ok(row) => row,
        // Dropping the transaction rolls it back.
        Err(err) if sqlstate(&err).as_deref() == Some("40P01") => return Ok(Written::Raced),
        Err(err) if key.is_some() && sqlstate(&err).as_deref() == Some("23505") => {
            return Ok(Written::KeyTaken)
        }
        Err(err) => return Err(db_error(err)),
    };
    let written: i64 =
        row.try_get::<i64, _>(0).map_err(db_error)? + row.try_get::<i64, _>(1).map_err(db_error)?;
    if usize::try_from(written).ok() != Some(writes.len()) {
        tx.rollback().await.map_err(db_error)?;
        return Ok(Written::Raced);
    }
    tx.commit().await.map_err(db_error)?;
    Ok(Written::Done(ledger::append::events(actor, &entries, at)))
}

/// The ledger entries of `writes`: a create with the fields it set, any other write with the
/// fields it changed.
fn entries(writes: &[Write]) -> Vec<Entry<'static>> {
    writes
        .iter()
        .map(|w| Entry {
            action: touchpoint_action(w.kind),
            entity_type: "Touchpoint",
            entity_id: w.after.id,
            brand_id: Some(w.after.brand_id),
            version: Some(w.after.version),
            kind: Some(w.kind),
            changes: match &w.before {
                Some(b) => diff::changed(b, &w.after),
                None => diff::created(&w.after),
            },
        })
        .collect()
}

/// The batch's statement: data-modifying CTEs all run to completion whether or not the outer
/// query reads them, on one snapshot; the outer query counts the touchpoints written.
/// Parameters: the updates' columns, the creates' columns; the ledger entries' brand, entity,
/// version, kind, action and changes; the actor's kind, id, label, organization and path, the
/// time; then, keyed, the idempotency record's principal, key, hash, response and expiry.
static WRITE: LazyLock<String> = LazyLock::new(|| write_statement(false));
static KEYED_WRITE: LazyLock<String> = LazyLock::new(|| write_statement(true));

/// Parameters of the ledger entries (one array each) and of the actor and time (one each).
const LEDGER_ARRAYS: usize = 6;
const SCALARS: usize = 6;

fn write_statement(keyed: bool) -> String {
    use touchpoint::Column;
    let n = column_arrays::count::<touchpoint::Entity>();
    let all = column_arrays::names::<touchpoint::Entity>();
    let updatable: Vec<String> = Column::iter()
        .filter(|c| !upsert::fixed(c))
        .map(|c| format!("\"{0}\" = r.\"{0}\"", c.as_str()))
        .collect();
    let l = 1 + 2 * n;
    let s = l + LEDGER_ARRAYS;
    let at = s + 5;
    let k = s + SCALARS;
    let key_cte = if keyed {
        format!(
            ", key AS (INSERT INTO idempotency_records \
               (principal_id, key, request_hash, response, created_at, expires_at) \
               VALUES (${k}::uuid, ${}::text, ${}::text, ${}::json, ${at}::timestamptz, \
               ${}::timestamptz))",
            k + 1,
            k + 2,
            k + 3,
            k + 4,
        )
    } else {
        String::new()
    };
    format!(
        "WITH updated AS (\
           UPDATE touchpoints AS t SET {updates} FROM {update_rows} \
           WHERE t.id = r.id AND t.version = r.version - 1 RETURNING t.id), \
         created AS (\
           INSERT INTO touchpoints ({all}) SELECT {all} FROM {create_rows} \
           ON CONFLICT DO NOTHING RETURNING id), \
         ledger AS (\
           INSERT INTO ledger_entries (tx_id, at, actor_kind, actor_id, actor_label, \
             organization_id, brand_id, action, entity_type, entity_id, version, kind, via, \
             changes) \
           SELECT pg_current_xact_id()::text::bigint, ${at}::timestamptz, ${s}::text, \
             ${}::uuid, ${}::text, ${}::uuid, e.brand_id, e.action, 'Touchpoint', \
             e.entity_id, e.version, e.kind, ${}::text, e.changes \
           FROM unnest(${l}::uuid[], ${}::uuid[], ${}::int4[], ${}::text[], ${}::text[], \
             ${}::text[]::json[]) WITH ORDINALITY \
             AS e(brand_id, entity_id, version, kind, action, changes, n) \
           ORDER BY e.n){key_cte} \
         SELECT (SELECT count(*) FROM updated), (SELECT count(*) FROM created)",
        s + 1,
        s + 2,
        s + 3,
        s + 4,
        l + 1,
        l + 2,
        l + 3,
        l + 4,
        l + 5,
        updates = updatable.join(", "),
        update_rows = column_arrays::unnest::<touchpoint::Entity>(1, "r"),
        create_rows = column_arrays::unnest::<touchpoint::Entity>(1 + n, "r"),
    )
}

fn sqlstate(err: &sqlx::Error) -> Option<String> {
    err.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
}

fn db_error(err: sqlx::Error) -> AppError {
    DbErr::Exec(RuntimeErr::SqlxError(std::sync::Arc::new(err))).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statements_number_their_parameters_without_gaps() {
        for (sql, last) in [(WRITE.as_str(), 0), (KEYED_WRITE.as_str(), 5)] {
            let n =
                2 * column_arrays::count::<touchpoint::Entity>() + LEDGER_ARRAYS + SCALARS + last;
            for i in 1..=n {
                assert!(sql.contains(&format!("${i}::")), "${i} missing in {sql}");
            }
            assert!(!sql.contains(&format!("${}::", n + 1)), "{sql}");
        }
        assert!(WRITE.contains("\"review_status\" = r.\"review_status\""));
        assert!(!WRITE.contains("\"created_at\" = r."));
        assert!(!WRITE.contains("idempotency_records"));
    }
}
