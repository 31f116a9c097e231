//! A `version` on phases and principles, so their updates take `expectedVersion` like
//! touchpoints and journeys do.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Phases {
    Table,
    Version,
}

#[derive(DeriveIden)]
enum Principles {
    Table,
    Version,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Phases::Table)
                .add_column(integer(Phases::Version).default(1))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Principles::Table)
                .add_column(integer(Principles::Version).default(1))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Principles::Table)
                .drop_column(Principles::Version)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Phases::Table)
                .drop_column(Phases::Version)
                .to_owned(),
        )
        .await
    }
}
