use async_graphql::{Context, Object, Result, ID};

use super::insight::Insight;
use super::journey::Journey;
use super::organization::Organization;
use super::partnership::Partnership;
use super::phase::Phase;
use super::principle::Principle;
use crate::entities::organization;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::to_id;
use crate::services::{brands, insights, journeys};

/// A brand and its network, as the caller may see it.
pub struct Brand(pub organization::Model);

#[Object]
impl Brand {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The brand as an organization.
    async fn organization(&self) -> Organization {
        Organization(self.0.clone())
    }

    /// The customer lifecycle, in order.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn phases(&self, ctx: &Context<'_>) -> Result<Vec<Phase>> {
        let list = brands::phases(db(ctx)?, principal(ctx)?, self.0.id).await?;
        Ok(list.into_iter().map(Phase).collect())
    }

    /// The brand's principles; archived ones only with `includeArchived`.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn principles(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_archived: bool,
    ) -> Result<Vec<Principle>> {
        let list =
            brands::principles(db(ctx)?, principal(ctx)?, self.0.id, include_archived).await?;
        Ok(list.into_iter().map(Principle).collect())
    }

    /// The network's partnerships: all for the brand; active ones for a partner.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn partners(&self, ctx: &Context<'_>) -> Result<Vec<Partnership>> {
        let list = brands::partnerships(db(ctx)?, principal(ctx)?, self.0.id).await?;
        Ok(list.into_iter().map(Partnership).collect())
    }

    /// The network's journeys the caller may read.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn journeys(&self, ctx: &Context<'_>) -> Result<Vec<Journey>> {
        let list = journeys::for_brand(db(ctx)?, principal(ctx)?, self.0.id).await?;
        Ok(list.into_iter().map(Journey).collect())
    }

    /// The journey linter's findings over what the caller can see.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn insights(&self, ctx: &Context<'_>) -> Result<Vec<Insight>> {
        let list = insights::for_brand(db(ctx)?, principal(ctx)?, self.0.id).await?;
        Ok(list.into_iter().map(Insight).collect())
    }

    /// The journey linter's threshold of major steps (TOO_MANY_TOUCHPOINTS).
    async fn max_major_steps(&self) -> i32 {
        self.0.max_major_steps
    }
}
