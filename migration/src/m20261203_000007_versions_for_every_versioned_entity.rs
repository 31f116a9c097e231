//! A `version` on the rest of DESIGN §3's versioned entities — organizations (a brand's
//! settings), partnerships, memberships and API clients — so their writes are guarded by the
//! version read, as touchpoints, phases, principles and journeys already are.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 4] = [
    "organizations",
    "partnerships",
    "memberships",
    "api_clients",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .add_column(integer(Alias::new("version")).default(1))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(*table))
                    .drop_column(Alias::new("version"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
