//! SQLite: a touchpoint's ratings are read from an index that holds every column the ratings
//! statement selects, so a page's ratings never visit the `alignments` table itself.
//!
//! SQLite keeps `alignments` in rowid order, which is the order ratings were written in, so
//! the ratings of one page of touchpoints lie on as many table pages as they have touchpoints,
//! each reached through the unique `(touchpoint_id, principle_id)` index and then the rowid.
//! Every pooled connection caches the pages it reads on its own (`SQLITE_CACHE_KIB`), so those
//! table pages took room in each connection's cache beside the index pages that led to them.
//! With the covering index the look-up ends in its leaf. R1 (a page of 50 touchpoints with
//! their ratings, concurrency 32): +9% req/s in alternating runs on one seeded database with
//! the index added by hand (+3 to +17% per pair), 1.04 (0.90-1.16 per round) in an
//! interleaved A/B of the two builds on a busy machine.
//!
//! The covering index must be the only one that starts with `touchpoint_id`: SQLite's planner,
//! without ANALYZE statistics (a registry never runs ANALYZE on its own), took the narrower
//! unique index for `touchpoint_id IN (…)` and read the table after all. So the unique index
//! turns round to `(principle_id, touchpoint_id)` — it still says that a touchpoint rates a
//! principle once — and, leading with `principle_id`, it replaces `ix_alignments_principle`.
//! A rating written keeps costing three index entries.
//!
//! PostgreSQL keeps its schema: its buffers are shared by all connections and a heap fetch per
//! rating is cheap there (the same index, as `INCLUDE` columns, measured no difference).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The ratings statement's filter (`touchpoint_id`), its order (`rated_at`, `id`), then the
/// rest of what it selects.
const UP: [&str; 4] = [
    "CREATE INDEX ix_alignments_ratings ON alignments \
      (touchpoint_id, rated_at, id, principle_id, score, note, rated_by_id, rated_by_name)",
    "CREATE UNIQUE INDEX ux_alignments_principle_touchpoint ON alignments \
      (principle_id, touchpoint_id)",
    "DROP INDEX ux_alignments_touchpoint_principle",
    "DROP INDEX ix_alignments_principle",
];

/// The first migration's indexes again.
const DOWN: [&str; 4] = [
    "CREATE UNIQUE INDEX ux_alignments_touchpoint_principle ON alignments \
      (touchpoint_id, principle_id)",
    "CREATE INDEX ix_alignments_principle ON alignments (principle_id)",
    "DROP INDEX ux_alignments_principle_touchpoint",
    "DROP INDEX ix_alignments_ratings",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, UP).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        run(m, DOWN).await
    }
}

/// Runs `statements` one by one on SQLite (one `execute` runs only its first statement there).
async fn run(m: &SchemaManager<'_>, statements: [&str; 4]) -> Result<(), DbErr> {
    if m.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    for sql in statements {
        m.get_connection().execute_unprepared(sql).await?;
    }
    Ok(())
}
