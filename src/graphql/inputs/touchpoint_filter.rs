//! The GraphQL `TouchpointFilter` input and its mapping to the service filter. The two stay
//! separate shapes on purpose: this one carries the wire types (string IDs, the search text
//! still to be checked against NAME_MAX) and its docs, the service one holds the parsed values
//! (UUIDs, lower-cased search) the list query reads, so services know no GraphQL;
//! `into_filter` is the one edge between them.

use async_graphql::{InputObject, ID};
use chrono::{DateTime, Utc};

use crate::domain::text::{self, NAME_MAX};
use crate::domain::{
    Channel, Expression, Horizon, Ownership, ReviewStatus, SortDirection, TouchpointOrderField,
    TouchpointStatus, Visibility,
};
use crate::error::AppResult;
use crate::graphql::ids::parse_opt_id;
use crate::services::touchpoints::list::{TouchpointFilter, TouchpointOrder};

/// Narrows a touchpoint list; every field is optional and they combine with AND.
#[derive(Debug, Clone, Default, InputObject)]
#[graphql(name = "TouchpointFilter")]
pub struct TouchpointFilterInput {
    pub brand_id: Option<ID>,
    pub owner_id: Option<ID>,
    pub phase_id: Option<ID>,
    pub ownership: Option<Ownership>,
    pub channel: Option<Channel>,
    /// Touchpoints having this expression (among others).
    pub expression: Option<Expression>,
    pub signature: Option<bool>,
    pub status: Option<TouchpointStatus>,
    pub review_status: Option<ReviewStatus>,
    pub visibility: Option<Visibility>,
    pub horizon: Option<Horizon>,
    /// Case-insensitive text found in the name or description.
    pub search: Option<String>,
    /// Touchpoints changed at or after this instant.
    pub updated_since: Option<DateTime<Utc>>,
    /// Include archived touchpoints (default false).
    #[graphql(default = false)]
    pub include_archived: bool,
}

impl TouchpointFilterInput {
    pub fn into_filter(self) -> AppResult<TouchpointFilter> {
        Ok(TouchpointFilter {
            brand_id: parse_opt_id("filter.brandId", self.brand_id.as_ref())?,
            owner_id: parse_opt_id("filter.ownerId", self.owner_id.as_ref())?,
            phase_id: parse_opt_id("filter.phaseId", self.phase_id.as_ref())?,
            ownership: self.ownership,
            channel: self.channel,
            expression: self.expression,
            signature: self.signature,
            status: self.status,
            review_status: self.review_status,
            visibility: self.visibility,
            horizon: self.horizon,
            search: text::optional_line("filter.search", self.search.as_deref(), NAME_MAX)?
                .map(|s| s.to_lowercase()),
            updated_since: self.updated_since,
            include_archived: self.include_archived,
        })
    }
}

/// How to order a touchpoint list (default UPDATED_AT DESC); ties are broken by id.
#[derive(Debug, Clone, Copy, InputObject)]
#[graphql(name = "TouchpointOrder")]
pub struct TouchpointOrderInput {
    pub field: TouchpointOrderField,
    pub direction: SortDirection,
}

impl From<TouchpointOrderInput> for TouchpointOrder {
    fn from(i: TouchpointOrderInput) -> Self {
        Self {
            field: i.field,
            direction: i.direction,
        }
    }
}
