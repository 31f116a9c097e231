use sea_orm::entity::prelude::*;

/// One ledger entry to deliver to one endpoint, and how its attempts went.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub endpoint_id: Uuid,
    /// The ledger entry's position.
    pub seq: i64,
    pub tx_id: i64,
    pub touchpoint_id: Uuid,
    /// The touchpoint's version the entry made: deliveries of one touchpoint go in this order.
    pub version: i32,
    /// `touchpoint.created`, `touchpoint.updated`, …
    pub event_type: String,
    /// `PENDING`, `DELIVERED`, `SKIPPED` (not visible to the endpoint when built) or `DEAD`.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    /// While an instance is sending it: no other claims it before this.
    pub lease_until: Option<DateTimeUtc>,
    pub last_status: Option<i32>,
    pub last_latency_ms: Option<i32>,
    pub last_error: Option<String>,
    /// The last response body, at most 64 KiB.
    pub last_response: Option<String>,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
