//! The embedded database runs with the settings the README promises: durable commits (WAL,
//! full sync), foreign keys, the configured page cache, pages read through a memory map only
//! when configured, and prepared statements that stay prepared.
use sea_orm::{ConnectionTrait, DbBackend, QueryTrait, Statement};
use touchpoint_registry::services::lookups;

use crate::helpers::{spawn_app, spawn_app_with};

/// An app on the embedded database; `None` when the suite runs on PostgreSQL, whose storage
/// settings are its own server's, not the registry's.
async fn sqlite_app() -> Option<crate::helpers::TestApp> {
    let app = spawn_app().await;
    (app.db.backend() == DbBackend::Sqlite).then_some(app)
}

async fn pragma(app: &crate::helpers::TestApp, name: &str) -> String {
    let row = app
        .db
        .conn()
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .map(|n| n.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .unwrap()
}

/// The first column of every row `sql` returns, as text.
async fn texts(app: &crate::helpers::TestApp, sql: &str) -> Vec<String> {
    app.db
        .conn()
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get_by_index::<String>(0).unwrap())
        .collect()
}

/// SQLite's compile options, after checking that `.cargo/config.toml`'s flags reached the
/// build at all (without them every option test below would pass or fail for nothing).
async fn build_options(app: &crate::helpers::TestApp) -> Vec<String> {
    let options = texts(app, "PRAGMA compile_options").await;
    assert!(
        options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"),
        "the build's SQLite flags apply: {options:?}"
    );
    options
}

#[actix_web::test]
async fn sqlite_connections_are_durable_and_map_the_file_only_when_asked() {
    let Some(app) = sqlite_app().await else {
        return;
    };
    assert_eq!(pragma(&app, "journal_mode").await, "wal");
    assert_eq!(pragma(&app, "synchronous").await, "2", "FULL");
    assert_eq!(pragma(&app, "foreign_keys").await, "1");
    assert_eq!(pragma(&app, "mmap_size").await, "0");
    assert_eq!(
        pragma(&app, "cache_size").await,
        "-4096",
        "KiB, as configured"
    );

    let mapped = spawn_app_with(|s| {
        s.sqlite_mmap_bytes = 64 * 1024 * 1024;
        s.sqlite_cache_kib = 1024;
    })
    .await;
    assert_eq!(pragma(&mapped, "mmap_size").await, "67108864");
    assert_eq!(pragma(&mapped, "cache_size").await, "-1024");
}

/// STAT4 samples make SQLite compile a statement again each time a value is bound that might
/// change its plan, which defeats the prepared-statement cache; `.cargo/config.toml` builds
/// SQLite without them. ANALYZE still stores the per-index row counts the planner uses.
#[actix_web::test]
async fn sqlite_is_built_without_stat4_so_analyze_leaves_statements_prepared() {
    let Some(app) = sqlite_app().await else {
        return;
    };
    let options = build_options(&app).await;
    assert!(
        !options.iter().any(|o| o.starts_with("ENABLE_STAT")),
        "compiled with STAT4: {options:?}"
    );

    app.db.conn().execute_unprepared("ANALYZE").await.unwrap();
    let stat_tables = texts(
        &app,
        "SELECT name FROM sqlite_master WHERE name LIKE 'sqlite_stat%' ORDER BY name",
    )
    .await;
    assert_eq!(stat_tables, ["sqlite_stat1"]);
}

/// libsqlite3-sys compiles in SQLITE_ENABLE_MEMORY_MANAGEMENT, which puts the pages of all
/// connections in one cache behind one global mutex; `.cargo/config.toml` turns it off so each
/// pooled connection reads its own pages without waiting for the others.
#[actix_web::test]
async fn sqlite_connections_keep_their_page_caches_apart() {
    let Some(app) = sqlite_app().await else {
        return;
    };
    let options = build_options(&app).await;
    assert!(
        !options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"),
        "compiled with one shared page cache: {options:?}"
    );
}

/// A page's ratings are read from the covering index alone (migration 6): a table page per
/// rated touchpoint would take room in every pooled connection's cache.
#[actix_web::test]
async fn sqlite_reads_a_pages_ratings_from_their_index_alone() {
    let Some(app) = sqlite_app().await else {
        return;
    };
    let ids = [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()];
    let statement = lookups::ratings_of(&ids).build(DbBackend::Sqlite);
    let plan = app
        .db
        .conn()
        .query_all_raw(Statement {
            sql: format!("EXPLAIN QUERY PLAN {}", statement.sql),
            ..statement
        })
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get::<String>("", "detail").unwrap())
        .collect::<Vec<_>>();
    assert!(
        plan.iter()
            .any(|step| step.contains("USING COVERING INDEX ix_alignments_ratings")),
        "{plan:?}"
    );
}
