//! Outbound webhooks: an organization's endpoints and the deliveries made to them.
//!
//! Deliveries are not written by the write path: a dispatcher reads each endpoint's network
//! from the ledger after the endpoint's own position (`cursor_tx`, `cursor_seq`, as the change
//! feed does) and adds a delivery per entry the endpoint subscribes to, so a write never waits
//! on an endpoint. Indexes:
//!
//! * `webhook_endpoints (organization_id)`: `organization.webhookEndpoints`;
//! * `webhook_deliveries (status, next_attempt_at)`: the deliverer's claim of due deliveries;
//! * `webhook_deliveries (endpoint_id, seq)` unique: one delivery per ledger entry and endpoint
//!   (a dispatcher that runs twice adds nothing), and an endpoint's recent deliveries;
//! * `webhook_deliveries (endpoint_id, touchpoint_id, version)`: a delivery waits for the ones of
//!   its touchpoint's earlier versions (a touchpoint's version orders its changes, where two
//!   transactions' ids may not).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEndpoints {
    Table,
    Id,
    OrganizationId,
    BrandId,
    Url,
    Events,
    Description,
    Enabled,
    DisabledReason,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    CursorTx,
    CursorSeq,
    FailingSince,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    EndpointId,
    Seq,
    TxId,
    TouchpointId,
    Version,
    EventType,
    Status,
    Attempts,
    NextAttemptAt,
    LeaseUntil,
    LastStatus,
    LastLatencyMs,
    LastError,
    LastResponse,
    CreatedAt,
    DeliveredAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookEndpoints::Table)
                .col(pk_uuid(WebhookEndpoints::Id))
                .col(uuid(WebhookEndpoints::OrganizationId))
                .col(uuid(WebhookEndpoints::BrandId))
                .col(string_len(WebhookEndpoints::Url, 2048))
                .col(json(WebhookEndpoints::Events))
                .col(string_len_null(WebhookEndpoints::Description, 500))
                .col(boolean(WebhookEndpoints::Enabled).default(true))
                .col(string_len_null(WebhookEndpoints::DisabledReason, 500))
                .col(string_len(WebhookEndpoints::Secret, 128))
                .col(string_len_null(WebhookEndpoints::PreviousSecret, 128))
                .col(timestamp_with_time_zone_null(
                    WebhookEndpoints::PreviousSecretUntil,
                ))
                .col(big_integer(WebhookEndpoints::CursorTx))
                .col(big_integer(WebhookEndpoints::CursorSeq))
                .col(timestamp_with_time_zone_null(
                    WebhookEndpoints::FailingSince,
                ))
                .col(integer(WebhookEndpoints::Version).default(1))
                .col(timestamp_with_time_zone(WebhookEndpoints::CreatedAt))
                .col(timestamp_with_time_zone(WebhookEndpoints::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookEndpoints::Table, WebhookEndpoints::OrganizationId)
                        .to(Alias::new("organizations"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookEndpoints::Table, WebhookEndpoints::BrandId)
                        .to(Alias::new("organizations"), Alias::new("id"))
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_endpoints_organization")
                .table(WebhookEndpoints::Table)
                .col(WebhookEndpoints::OrganizationId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(WebhookDeliveries::Table)
                .col(pk_uuid(WebhookDeliveries::Id))
                .col(uuid(WebhookDeliveries::EndpointId))
                .col(big_integer(WebhookDeliveries::Seq))
                .col(big_integer(WebhookDeliveries::TxId))
                .col(uuid(WebhookDeliveries::TouchpointId))
                .col(integer(WebhookDeliveries::Version))
                .col(string_len(WebhookDeliveries::EventType, 32))
                .col(string_len(WebhookDeliveries::Status, 16))
                .col(integer(WebhookDeliveries::Attempts).default(0))
                .col(timestamp_with_time_zone(WebhookDeliveries::NextAttemptAt))
                .col(timestamp_with_time_zone_null(WebhookDeliveries::LeaseUntil))
                .col(integer_null(WebhookDeliveries::LastStatus))
                .col(integer_null(WebhookDeliveries::LastLatencyMs))
                .col(string_len_null(WebhookDeliveries::LastError, 500))
                .col(text_null(WebhookDeliveries::LastResponse))
                .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                .col(timestamp_with_time_zone_null(
                    WebhookDeliveries::DeliveredAt,
                ))
                .foreign_key(
                    ForeignKey::create()
                        .from(WebhookDeliveries::Table, WebhookDeliveries::EndpointId)
                        .to(WebhookEndpoints::Table, WebhookEndpoints::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_due")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::Status)
                .col(WebhookDeliveries::NextAttemptAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_webhook_deliveries_entry")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::EndpointId)
                .col(WebhookDeliveries::Seq)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_webhook_deliveries_order")
                .table(WebhookDeliveries::Table)
                .col(WebhookDeliveries::EndpointId)
                .col(WebhookDeliveries::TouchpointId)
                .col(WebhookDeliveries::Version)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(WebhookDeliveries::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(WebhookEndpoints::Table).to_owned())
            .await
    }
}
