//! Database migrations of the touchpoint registry.
//!
//! The same migrations run on SQLite (the embedded default) and PostgreSQL (production).
//! Migrations are named `mYYYYMMDD_HHMMSS_what`, each has a working `down`, and an applied
//! migration is never edited: a change to the schema is a new migration.
pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_registry;
mod m20261123_000002_versions_for_optimistic_concurrency;
mod m20261123_000003_priority_desc_indexes;
mod m20261123_000004_drop_redundant_touchpoint_indexes;
mod m20261201_000005_log_keys_are_their_read_paths;
mod m20261201_000006_sqlite_ratings_from_their_index;
mod m20261203_000007_versions_for_every_versioned_entity;
mod m20261203_000008_one_ledger;
mod m20261203_000009_webhooks;
mod m20261203_000010_free_form_api_clients;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_registry::Migration),
            Box::new(m20261123_000002_versions_for_optimistic_concurrency::Migration),
            Box::new(m20261123_000003_priority_desc_indexes::Migration),
            Box::new(m20261123_000004_drop_redundant_touchpoint_indexes::Migration),
            Box::new(m20261201_000005_log_keys_are_their_read_paths::Migration),
            Box::new(m20261201_000006_sqlite_ratings_from_their_index::Migration),
            Box::new(m20261203_000007_versions_for_every_versioned_entity::Migration),
            Box::new(m20261203_000008_one_ledger::Migration),
            Box::new(m20261203_000009_webhooks::Migration),
            Box::new(m20261203_000010_free_form_api_clients::Migration),
        ]
    }
}
