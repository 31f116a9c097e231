use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::string_list::StringList;
use crate::domain::{Channel, Horizon, Ownership, ReviewStatus, TouchpointStatus, Visibility};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "touchpoints")]
#[serde(rename_all = "camelCase")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    pub owner_id: Uuid,
    pub external_id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub channel: Channel,
    pub expr_personal: bool,
    pub expr_physical: bool,
    pub expr_digital: bool,
    pub ownership: Ownership,
    pub phase_id: Uuid,
    pub target_experience: Option<String>,
    pub key_metric: Option<String>,
    #[sea_orm(column_type = "Json")]
    pub tags: StringList,
    pub cost_amount: Option<String>,
    pub cost_currency: Option<String>,
    pub resources: Option<String>,
    #[sea_orm(column_type = "Json")]
    pub media: StringList,
    pub launch_date: Option<Date>,
    pub timing: Option<String>,
    pub location: Option<String>,
    pub importance: Option<i16>,
    pub urgency: Option<i16>,
    pub maturity: Option<i16>,
    pub effort: Option<i16>,
    pub benefit: Option<i16>,
    /// priorityScore × 100; see `domain::priority`.
    pub priority_score: Option<i32>,
    pub signature: bool,
    pub visibility: Visibility,
    pub status: TouchpointStatus,
    pub horizon: Option<Horizon>,
    pub review_status: ReviewStatus,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
