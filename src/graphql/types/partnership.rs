use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::organization::Organization;
use crate::domain::PartnershipStatus;
use crate::entities::partnership;
use crate::error::AppError;
use crate::graphql::ids::to_id;
use crate::graphql::loaders::loaders;

/// A partner's membership in one brand's network.
pub struct Partnership(pub partnership::Model);

#[Object]
impl Partnership {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    async fn brand_id(&self) -> ID {
        to_id(self.0.brand_id)
    }

    async fn partner(&self, ctx: &Context<'_>) -> Result<Organization> {
        let org = loaders(ctx)?
            .organizations
            .load_one(self.0.partner_id)
            .await?
            .ok_or(AppError::NotFound("organization"))?;
        Ok(Organization(org))
    }

    /// Free text set by the brand ("gold", "authorised dealer").
    async fn tier(&self) -> Option<&str> {
        self.0.tier.as_deref()
    }

    async fn status(&self) -> PartnershipStatus {
        self.0.status
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
