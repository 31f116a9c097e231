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

/// A touchpoint decoded by column position rather than by name: the derived decoding looks
/// every column of every row up by name (a hash of the name each time), which was a tenth
/// of the server's CPU on a page of touchpoints. Only for statements that select the
/// entity's columns in declaration order (`Entity::find()` does); a test holds the field
/// order to the derived decoding's.
pub struct ByPosition(pub Model);

impl sea_orm::FromQueryResult for ByPosition {
    fn from_query_result(row: &sea_orm::QueryResult, _pre: &str) -> Result<Self, DbErr> {
        let mut column = 0..;
        let mut next = || column.next().unwrap_or_default();
        // Fields in declaration order: a struct expression evaluates them as written.
        Ok(Self(Model {
            id: row.try_get_by_index(next())?,
            brand_id: row.try_get_by_index(next())?,
            owner_id: row.try_get_by_index(next())?,
            external_id: row.try_get_by_index(next())?,
            name: row.try_get_by_index(next())?,
            description: row.try_get_by_index(next())?,
            channel: row.try_get_by_index(next())?,
            expr_personal: row.try_get_by_index(next())?,
            expr_physical: row.try_get_by_index(next())?,
            expr_digital: row.try_get_by_index(next())?,
            ownership: row.try_get_by_index(next())?,
            phase_id: row.try_get_by_index(next())?,
            target_experience: row.try_get_by_index(next())?,
            key_metric: row.try_get_by_index(next())?,
            tags: row.try_get_by_index(next())?,
            cost_amount: row.try_get_by_index(next())?,
            cost_currency: row.try_get_by_index(next())?,
            resources: row.try_get_by_index(next())?,
            media: row.try_get_by_index(next())?,
            launch_date: row.try_get_by_index(next())?,
            timing: row.try_get_by_index(next())?,
            location: row.try_get_by_index(next())?,
            importance: row.try_get_by_index(next())?,
            urgency: row.try_get_by_index(next())?,
            maturity: row.try_get_by_index(next())?,
            effort: row.try_get_by_index(next())?,
            benefit: row.try_get_by_index(next())?,
            priority_score: row.try_get_by_index(next())?,
            signature: row.try_get_by_index(next())?,
            visibility: row.try_get_by_index(next())?,
            status: row.try_get_by_index(next())?,
            horizon: row.try_get_by_index(next())?,
            review_status: row.try_get_by_index(next())?,
            version: row.try_get_by_index(next())?,
            created_at: row.try_get_by_index(next())?,
            updated_at: row.try_get_by_index(next())?,
            archived_at: row.try_get_by_index(next())?,
        }))
    }
}
