//! Drops two touchpoint indexes that no query needs, because every index is one more entry
//! to write on each touchpoint update (a sync batch rewrites a hundred rows at a time):
//!
//! * `ix_touchpoints_owner_brand` (owner_id, brand_id): look-ups by owner go through the
//!   unique (owner_id, external_id) index, which starts with the same column.
//! * `ix_touchpoints_phase` (phase_id): every touchpoint query names its brand, which
//!   (brand_id, phase_id, priority…) serves; phases are never deleted, so the foreign key
//!   needs no index of its own.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const DROPPED: [(&str, &str); 2] = [
    ("ix_touchpoints_owner_brand", "owner_id, brand_id"),
    ("ix_touchpoints_phase", "phase_id"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in DROPPED {
            m.get_connection()
                .execute_unprepared(&format!("DROP INDEX IF EXISTS {name}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in DROPPED {
            m.get_connection()
                .execute_unprepared(&format!("CREATE INDEX {name} ON touchpoints ({columns})"))
                .await?;
        }
        Ok(())
    }
}
