//! One ledger: the audit trail (`audit_entries`) and the touchpoint change log
//! (`touchpoint_changes`) become `ledger_entries`, one row per changed entity of every write,
//! holding only the changed fields (`changes`: `{"field": [before, after], …}`) and the new
//! `version`. It is read as the audit log, the change feed and a touchpoint's history; a
//! touchpoint write used to append a row to each of the two logs.
//!
//! # Position
//!
//! `(tx_id, seq)` orders the ledger: `tx_id` is the writing transaction's id on PostgreSQL
//! (0 on SQLite, whose single writer commits in `seq` order), `seq` a sequence. The change feed
//! reads below the oldest running transaction, which keeps it gap-free (see the feed's module).
//!
//! # Indexes, each for one reader
//!
//! * the key, `(entity_id, tx_id, seq)` on PostgreSQL (nothing reads by `seq` alone, and the key
//!   ends with it so it is unique): a touchpoint's history and `auditLog(entityId)`; SQLite keys
//!   the table by `seq` (its rowid, which costs nothing) and indexes `(entity_id, tx_id, seq)`;
//! * `(brand_id, tx_id, seq)`: the change feed of a brand and a brand ADMIN's `auditLog` of the
//!   whole network (the feed skips the entries without a `kind`, few in a network: one index for
//!   both readers costs every write less than a partial one for the feed beside it);
//! * `(organization_id, tx_id, seq)`: the `auditLog` of the organization that acted.
//!
//! # Moving what exists
//!
//! `up` turns every audit entry into a ledger entry with the fields whose before and after
//! differ. A change-log row was written beside each touchpoint entry: the entry's action gives
//! its feed `kind`, and the row its transaction id, so the feed keeps its order and a cursor kept
//! from before resumes without a gap (a reader may see its last transaction's changes again:
//! the feed is at-least-once). `down` rebuilds both logs from the ledger.
use std::collections::{HashMap, VecDeque};

use sea_orm_migration::sea_orm::prelude::{DateTimeUtc, Uuid};
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement};
use sea_orm_migration::{prelude::*, schema::*};
use serde_json::{json, Map, Value};

use crate::m20261123_000001_create_registry::{create_audit_entries, create_touchpoint_changes};
use crate::m20261201_000005_log_keys_are_their_read_paths::key_logs_by_read_paths;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LedgerEntries {
    Table,
    Seq,
    TxId,
    At,
    ActorKind,
    ActorId,
    ActorLabel,
    OrganizationId,
    BrandId,
    Action,
    EntityType,
    EntityId,
    Version,
    Kind,
    Via,
    Changes,
}

/// Rows per read and per INSERT while moving (under SQLite's bound-parameter limit).
const CHUNK: usize = 500;

/// The columns both logs and the ledger share, copied as they are.
const SHARED: [&str; 9] = [
    "at",
    "actor_kind",
    "actor_id",
    "actor_label",
    "organization_id",
    "brand_id",
    "action",
    "entity_type",
    "entity_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_ledger(m).await?;
        move_audit_entries(m).await?;
        for table in ["touchpoint_changes", "audit_entries"] {
            m.drop_table(Table::drop().table(Alias::new(table)).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create_audit_entries(m).await?;
        create_touchpoint_changes(m).await?;
        key_logs_by_read_paths(m).await?;
        restore_audit_entries(m).await?;
        restore_touchpoint_changes(m).await?;
        m.drop_table(Table::drop().table(LedgerEntries::Table).to_owned())
            .await
    }
}

async fn create_ledger(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let postgres = m.get_database_backend() == DbBackend::Postgres;
    let mut table = Table::create();
    table.table(LedgerEntries::Table);
    if postgres {
        table
            .col(big_integer(LedgerEntries::Seq).auto_increment())
            .primary_key(
                Index::create()
                    .col(LedgerEntries::EntityId)
                    .col(LedgerEntries::TxId)
                    .col(LedgerEntries::Seq),
            );
    } else {
        table.col(big_pk_auto(LedgerEntries::Seq));
    }
    // Append-only: no foreign keys, so an entry outlives whatever it describes.
    table
        .col(big_integer(LedgerEntries::TxId).default(0))
        .col(timestamp_with_time_zone(LedgerEntries::At))
        .col(string_len(LedgerEntries::ActorKind, 16))
        .col(uuid_null(LedgerEntries::ActorId))
        .col(string_len(LedgerEntries::ActorLabel, 254))
        .col(uuid_null(LedgerEntries::OrganizationId))
        .col(uuid_null(LedgerEntries::BrandId))
        .col(string_len(LedgerEntries::Action, 64))
        .col(string_len(LedgerEntries::EntityType, 32))
        .col(uuid(LedgerEntries::EntityId))
        .col(integer_null(LedgerEntries::Version))
        .col(string_len_null(LedgerEntries::Kind, 16))
        .col(string_len_null(LedgerEntries::Via, 16))
        .col(json(LedgerEntries::Changes));
    m.create_table(table.to_owned()).await?;
    let mut indexes = vec![
        ("ix_ledger_brand", LedgerEntries::BrandId),
        ("ix_ledger_organization", LedgerEntries::OrganizationId),
    ];
    if !postgres {
        indexes.push(("ix_ledger_entity", LedgerEntries::EntityId));
    }
    for (name, first) in indexes {
        m.create_index(
            Index::create()
                .name(name)
                .table(LedgerEntries::Table)
                .col(first)
                .col(LedgerEntries::TxId)
                .col(LedgerEntries::Seq)
                .to_owned(),
        )
        .await?;
    }
    Ok(())
}

/// The change feed's kind of a touchpoint entry's action (each had a change-log row).
fn feed_kind(action: &str) -> Option<&'static str> {
    Some(match action {
        "touchpoint.create" => "CREATED",
        "touchpoint.update" => "UPDATED",
        "touchpoint.archive" => "ARCHIVED",
        "touchpoint.restore" => "RESTORED",
        "touchpoint.review" | "touchpoint.set_signature" => "REVIEWED",
        _ => return None,
    })
}

/// An entry's `before`/`after` documents as field changes, and the version they name. A
/// rating's documents (`{principleId, score, note}`) become one field per principle, as the
/// ledger writes ratings.
fn changes_of(action: &str, before: Option<&Value>, after: Option<&Value>) -> (Value, Option<i32>) {
    if action == "alignment.rate" {
        let principle = [after, before]
            .into_iter()
            .flatten()
            .find_map(|d| d.get("principleId").and_then(Value::as_str))
            .unwrap_or("unknown");
        let rating = |d: Option<&Value>| match d.and_then(Value::as_object) {
            Some(fields) => {
                let mut fields = fields.clone();
                fields.remove("principleId");
                Value::Object(fields)
            }
            None => Value::Null,
        };
        let mut changes = Map::new();
        changes.insert(
            format!("alignments.{principle}"),
            json!([rating(before), rating(after)]),
        );
        return (Value::Object(changes), None);
    }
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.and_then(Value::as_object).unwrap_or(&empty);
    let version = after
        .get("version")
        .and_then(Value::as_i64)
        .and_then(|v| <i32 as TryFrom<i64>>::try_from(v).ok());
    let mut changes = Map::new();
    for field in before.keys().chain(after.keys()) {
        if field == "version" || field == "updatedAt" || changes.contains_key(field) {
            continue;
        }
        let old = before.get(field).unwrap_or(&Value::Null);
        let new = after.get(field).unwrap_or(&Value::Null);
        if old != new {
            changes.insert(field.clone(), json!([old, new]));
        }
    }
    (Value::Object(changes), version)
}

/// The `before`/`after` documents of a ledger entry, as the API derives them. A copy on
/// purpose: an applied migration never changes, so it shares no code that may.
fn documents_of(changes: &Value, version: Option<i32>) -> (Option<Value>, Option<Value>) {
    let mut before = Map::new();
    let mut after = Map::new();
    if let Some(fields) = changes.as_object() {
        for (field, pair) in fields {
            before.insert(field.clone(), pair.get(0).cloned().unwrap_or(Value::Null));
            after.insert(field.clone(), pair.get(1).cloned().unwrap_or(Value::Null));
        }
    }
    let created = match version {
        Some(v) => v == 1,
        None => before.values().all(Value::is_null),
    };
    let removed = version.is_none() && after.values().all(Value::is_null);
    if let Some(v) = version {
        if v > 1 {
            before.insert("version".into(), json!(v - 1));
        }
        after.insert("version".into(), json!(v));
    }
    (
        (!created).then_some(Value::Object(before)),
        (!removed).then_some(Value::Object(after)),
    )
}

/// A JSON column as text on either database (PostgreSQL's `json` or SQLite's text).
fn json_text(row: &QueryResult, column: &str) -> Result<Option<Value>, DbErr> {
    let text: Option<String> = row.try_get("", column)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| DbErr::Custom(e.to_string())))
        .transpose()
}

fn shared_values(row: &QueryResult) -> Result<Vec<Expr>, DbErr> {
    Ok(vec![
        Expr::val(row.try_get::<DateTimeUtc>("", "at")?),
        Expr::val(row.try_get::<String>("", "actor_kind")?),
        Expr::val(row.try_get::<Option<Uuid>>("", "actor_id")?),
        Expr::val(row.try_get::<String>("", "actor_label")?),
        Expr::val(row.try_get::<Option<Uuid>>("", "organization_id")?),
        Expr::val(row.try_get::<Option<Uuid>>("", "brand_id")?),
        Expr::val(row.try_get::<String>("", "action")?),
        Expr::val(row.try_get::<String>("", "entity_type")?),
        Expr::val(row.try_get::<Uuid>("", "entity_id")?),
    ])
}

/// A JSON value for a `json` column of either database.
fn json_value(backend: DbBackend, value: Value) -> Expr {
    let text = Expr::val(value.to_string());
    match backend {
        DbBackend::Postgres => text.cast_as(Alias::new("json")),
        _ => text,
    }
}

async fn move_audit_entries(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = m.get_connection();
    let backend = m.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    // Each touchpoint entry was written with one change-log row (same touchpoint and kind, in
    // the same order): the entry takes that row's transaction id, so the feed keeps its order.
    let logged = conn
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT touchpoint_id, kind, tx_id, id FROM touchpoint_changes ORDER BY id",
        ))
        .await?;
    let mut tx_of: HashMap<(Uuid, String), VecDeque<i64>> = HashMap::new();
    let mut last_id = 0i64;
    for row in &logged {
        let key = (row.try_get("", "touchpoint_id")?, row.try_get("", "kind")?);
        tx_of
            .entry(key)
            .or_default()
            .push_back(row.try_get("", "tx_id")?);
        last_id = Ord::max(last_id, row.try_get::<i64>("", "id")?);
    }
    let select = format!(
        "SELECT {}, id, CAST(before AS TEXT) AS before_text, CAST(after AS TEXT) AS after_text \
         FROM audit_entries ORDER BY at, id",
        SHARED.join(", ")
    );
    let rows = conn
        .query_all_raw(Statement::from_string(backend, select))
        .await?;
    // Positions: a touchpoint entry at its row's transaction; any other entry at the transaction
    // of the touchpoint entry before it in time (its place in the audit log, near enough).
    let mut placed = Vec::with_capacity(rows.len());
    let mut last_tx = 0i64;
    for (i, row) in rows.iter().enumerate() {
        let action: String = row.try_get("", "action")?;
        let entity: Uuid = row.try_get("", "entity_id")?;
        let logged_tx = feed_kind(&action)
            .and_then(|kind| tx_of.get_mut(&(entity, kind.to_owned())))
            .and_then(VecDeque::pop_front);
        if let Some(tx) = logged_tx {
            last_tx = tx;
        }
        placed.push((logged_tx.unwrap_or(last_tx), i));
    }
    placed.sort_unstable();
    // On PostgreSQL every moved entry is numbered above every change-log id, so a cursor kept
    // from before reads its own transaction's entries again rather than skip one; on SQLite
    // (one transaction id) the numbering in time order keeps each row at or above its old id.
    let first_seq = if postgres { last_id + 1 } else { 1 };
    let mut columns: Vec<Alias> = SHARED.iter().map(|c| Alias::new(*c)).collect();
    columns.extend(["seq", "tx_id", "version", "kind", "via", "changes"].map(Alias::new));
    for (n, chunk) in placed.chunks(CHUNK).enumerate() {
        let mut insert = Query::insert();
        insert
            .into_table(LedgerEntries::Table)
            .columns(columns.clone());
        for (k, (tx, i)) in chunk.iter().enumerate() {
            let row = &rows[*i];
            let action: String = row.try_get("", "action")?;
            let (changes, version) = changes_of(
                &action,
                json_text(row, "before_text")?.as_ref(),
                json_text(row, "after_text")?.as_ref(),
            );
            let mut values = shared_values(row)?;
            values.extend([
                Expr::val(first_seq + (n * CHUNK + k) as i64),
                Expr::val(*tx),
                Expr::val(version),
                Expr::val(feed_kind(&action)),
                // How an entry from before the ledger was written is not known.
                Expr::val(Option::<String>::None),
                json_value(backend, changes),
            ]);
            insert
                .values(values)
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        conn.execute(&insert).await?;
    }
    if postgres {
        // The rows came with their numbers: the sequence continues after them.
        conn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('ledger_entries', 'seq'), \
             COALESCE((SELECT max(seq) FROM ledger_entries), 0) + 1, false)",
        )
        .await?;
    }
    Ok(())
}

async fn restore_audit_entries(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = m.get_connection();
    let backend = m.get_database_backend();
    let select = format!(
        "SELECT {}, version, CAST(changes AS TEXT) AS changes_text \
         FROM ledger_entries ORDER BY tx_id, seq",
        SHARED.join(", ")
    );
    let rows = conn
        .query_all_raw(Statement::from_string(backend, select))
        .await?;
    for chunk in rows.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert.into_table(Alias::new("audit_entries")).columns(
            SHARED
                .iter()
                .map(|c| Alias::new(*c))
                .chain(["id", "before", "after"].map(Alias::new)),
        );
        for row in chunk {
            let version: Option<i32> = row.try_get("", "version")?;
            let changes = json_text(row, "changes_text")?.unwrap_or(Value::Null);
            let (before, after) = documents_of(&changes, version);
            let mut values = shared_values(row)?;
            values.push(Expr::val(Uuid::now_v7()));
            for document in [before, after] {
                values.push(match document {
                    Some(d) => json_value(backend, d),
                    // Untyped, so PostgreSQL takes it for a `json` column.
                    None => Expr::cust("NULL"),
                });
            }
            insert
                .values(values)
                .map_err(|e| DbErr::Custom(e.to_string()))?;
        }
        conn.execute(&insert).await?;
    }
    Ok(())
}

async fn restore_touchpoint_changes(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = m.get_connection();
    conn.execute_unprepared(
        "INSERT INTO touchpoint_changes \
           (id, tx_id, brand_id, touchpoint_id, kind, actor_id, actor_label, at) \
         SELECT seq, tx_id, brand_id, entity_id, kind, actor_id, actor_label, at \
         FROM ledger_entries WHERE kind IS NOT NULL AND brand_id IS NOT NULL",
    )
    .await?;
    if m.get_database_backend() == DbBackend::Postgres {
        // The rows came with their ids: the sequence continues after them.
        conn.execute_unprepared(
            "SELECT setval(pg_get_serial_sequence('touchpoint_changes', 'id'), \
             COALESCE((SELECT max(id) FROM touchpoint_changes), 0) + 1, false)",
        )
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_become_changes_and_back() {
        let before = json!({"name": "A", "tier": null, "version": 2, "updatedAt": "x"});
        let after = json!({"name": "B", "tier": null, "version": 3, "updatedAt": "y"});
        let (changes, version) = changes_of("phase.update", Some(&before), Some(&after));
        assert_eq!(changes, json!({"name": ["A", "B"]}));
        assert_eq!(version, Some(3));
        let (b, a) = documents_of(&changes, version);
        assert_eq!(b, Some(json!({"name": "A", "version": 2})));
        assert_eq!(a, Some(json!({"name": "B", "version": 3})));

        let (created, v) = changes_of(
            None,
            Some(&json!({"name": "N", "tier": null, "version": 1})),
        );
        assert_eq!(created, json!({"name": [null, "N"]}));
        assert_eq!(documents_of(&created, v).0, None, "a create has no before");

        let (removed, v) = changes_of(
            "membership.remove",
            Some(&json!({"role": "EDITOR", "version": 4})),
            None,
        );
        assert_eq!(removed, json!({"role": ["EDITOR", null]}));
        assert_eq!(documents_of(&removed, v).1, None, "a removal has no after");

        let rated = json!({"principleId": "p1", "score": 2, "note": null});
        let (rating, v) = changes_of("alignment.rate", None, Some(&rated));
        assert_eq!(
            rating,
            json!({"alignments.p1": [null, {"score": 2, "note": null}]})
        );
        assert_eq!(v, None);
    }
}
