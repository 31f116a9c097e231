use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::brand::Brand;
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

    /// The brand whose network this is.
    async fn brand(&self, ctx: &Context<'_>) -> Result<Brand> {
        let org = loaders(ctx)?
            .organizations
            .load_one(self.0.brand_id)
            .await?
            .ok_or(AppError::NotFound("brand"))?;
        Ok(Brand(org.as_ref().clone()))
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

    /// +1 on every change; pass it as `expectedVersion` to change it only as you read it.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
