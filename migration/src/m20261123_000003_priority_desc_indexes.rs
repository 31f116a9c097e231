//! Indexes that serve the portal's usual list — a brand's (or a phase's) touchpoints by
//! priority, highest first, unprioritised last — in index order, so the database reads one
//! page of rows instead of sorting the whole phase.
//!
//! PostgreSQL sorts NULLs first in a descending index unless told otherwise; SQLite sorts
//! them last there by default and has no NULLS clause in CREATE INDEX.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &str); 2] = [
    (
        "ix_touchpoints_phase_priority_desc",
        "brand_id, phase_id, priority_score DESC{nulls}, id DESC",
    ),
    (
        "ix_touchpoints_brand_priority_desc",
        "brand_id, priority_score DESC{nulls}, id DESC",
    ),
];

/// The first migration's ascending priority indexes, which these replace.
const ASCENDING: [(&str, &str); 2] = [
    (
        "ix_touchpoints_brand_phase_priority",
        "brand_id, phase_id, priority_score, id",
    ),
    (
        "ix_touchpoints_brand_priority",
        "brand_id, priority_score, id",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let nulls = match m.get_database_backend() {
            DbBackend::Postgres => " NULLS LAST",
            _ => "",
        };
        for (name, columns) in INDEXES {
            let columns = columns.replace("{nulls}", nulls);
            m.get_connection()
                .execute_unprepared(&format!("CREATE INDEX {name} ON touchpoints ({columns})"))
                .await?;
        }
        // The ascending ones they replace: every index is one more entry to write on each
        // touchpoint update, and lists by ascending priority are rare (they sort a phase).
        for (name, _) in ASCENDING {
            m.get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            m.get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        for (name, columns) in ASCENDING {
            m.get_connection()
                .execute_unprepared(&format!("CREATE INDEX {name} ON touchpoints ({columns})"))
                .await?;
        }
        Ok(())
    }
}
