//! PostgreSQL: the two append-only logs take the index they are read by as their primary key,
//! and the separate index goes.
//!
//! * `touchpoint_changes`: `(brand_id, tx_id, id)`, the change feed's order, instead of
//!   `(id)` beside an index on `(brand_id, tx_id, id)`;
//! * `audit_entries`: `(entity_id, at, id)`, an entity's history, instead of `(id)` beside an
//!   index on `(entity_id, at, id)`.
//!
//! Nothing reads either log by id alone, and a key that ends with the (unique) id is as
//! unique. A sync batch of 100 touchpoints writes 100 rows to each log: this is 200 fewer
//! index entries to insert, and WAL records to write, per batch.
//!
//! SQLite keeps its tables: `touchpoint_changes.id` is its rowid (that key costs nothing),
//! and changing a primary key there means rebuilding the table.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, the index that becomes the key, its columns).
const LOGS: [(&str, &str, &str); 2] = [
    (
        "touchpoint_changes",
        "ix_touchpoint_changes_brand_tx",
        "brand_id, tx_id, id",
    ),
    ("audit_entries", "ix_audit_entity_at", "entity_id, at, id"),
];

/// The change of `up`; the ledger migration's `down` applies it again to the logs it restores.
pub(crate) async fn key_logs_by_read_paths(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    for (table, index, columns) in LOGS {
        m.get_connection()
            .execute_unprepared(&format!(
                "ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, \
                 ADD CONSTRAINT {table}_pkey PRIMARY KEY ({columns}); \
                 DROP INDEX {index}"
            ))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        key_logs_by_read_paths(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if m.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        for (table, index, columns) in LOGS {
            m.get_connection()
                .execute_unprepared(&format!(
                    "CREATE INDEX {index} ON {table} ({columns}); \
                     ALTER TABLE {table} DROP CONSTRAINT {table}_pkey, \
                     ADD CONSTRAINT {table}_pkey PRIMARY KEY (id)"
                ))
                .await?;
        }
        Ok(())
    }
}
