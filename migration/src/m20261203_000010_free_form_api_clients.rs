//! `api_clients.free_form_documents`: whether a client may send documents outside the trusted
//! documents when the server requires them (`PERSISTED_OPERATIONS=required`). Integration
//! scripts write their own queries; portals run on the allow-list. Off for every existing
//! client.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("api_clients"))
                .add_column(boolean(Alias::new("free_form_documents")).default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Alias::new("api_clients"))
                .drop_column(Alias::new("free_form_documents"))
                .to_owned(),
        )
        .await
    }
}
