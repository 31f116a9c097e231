//! The embedded database runs with the settings the README promises: durable commits (WAL,
//! full sync), foreign keys, and pages read through a memory map only when configured.
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::{spawn_app, spawn_app_with};

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

#[actix_web::test]
async fn sqlite_connections_are_durable_and_map_the_file_only_when_asked() {
    let app = spawn_app().await;
    if app.db.backend() != DbBackend::Sqlite {
        return; // PostgreSQL: its own server's settings, not the registry's.
    }
    assert_eq!(pragma(&app, "journal_mode").await, "wal");
    assert_eq!(pragma(&app, "synchronous").await, "2", "FULL");
    assert_eq!(pragma(&app, "foreign_keys").await, "1");
    assert_eq!(pragma(&app, "mmap_size").await, "0");

    let mapped = spawn_app_with(|s| s.sqlite_mmap_bytes = 64 * 1024 * 1024).await;
    assert_eq!(pragma(&mapped, "mmap_size").await, "67108864");
}
