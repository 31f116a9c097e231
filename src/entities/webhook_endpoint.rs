use sea_orm::entity::prelude::*;

use super::string_list::StringList;

/// An organization's receiver of the touchpoint changes it may see in one brand's network.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_endpoints")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub organization_id: Uuid,
    pub brand_id: Uuid,
    pub url: String,
    /// The change kinds it receives (`CREATED`, `UPDATED`, …).
    pub events: StringList,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why the server disabled it (an owner's `enabled: false` leaves this empty).
    pub disabled_reason: Option<String>,
    /// The signing secret (the API shows it once, when it is made).
    pub secret: String,
    /// The secret before the last rotation, which signs beside the new one until
    /// `previous_secret_until`.
    pub previous_secret: Option<String>,
    pub previous_secret_until: Option<DateTimeUtc>,
    /// The ledger position up to which its deliveries are made (see the dispatcher).
    pub cursor_tx: i64,
    pub cursor_seq: i64,
    /// Since when every attempt has failed (`None`: the last one succeeded).
    pub failing_since: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
