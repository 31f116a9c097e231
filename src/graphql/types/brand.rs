use async_graphql::{Context, Object, Result, ID};

use super::insight::Insight;
use super::journey::Journey;
use super::map::{ExperienceMap, MapLink};
use super::organization::Organization;
use super::partnership::Partnership;
use super::phase::Phase;
use super::principle::Principle;
use super::scorecard::Scorecard;
use crate::auth::LinkClaims;
use crate::entities::organization;
use crate::error::AppError;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_opt_id;
use crate::graphql::ids::to_id;
use crate::graphql::LinkSigner;
use crate::map::render_svg;
use crate::services::{
    network::brands, planning::experience_map, planning::insights, planning::journeys,
    planning::scorecard,
};

/// How long a map link works.
const MAP_LINK_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

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
        Organization::from(self.0.clone())
    }

    /// The customer lifecycle, in order.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn phases(&self, ctx: &Context<'_>) -> Result<Vec<Phase>> {
        let list = brands::phases(db(ctx)?, principal(ctx)?, self.0.id).await?;
        Ok(list.into_iter().map(Phase::from).collect())
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
        Ok(list.into_iter().map(Principle::from).collect())
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

    /// The experience map as the caller sees it (of one journey, when given).
    async fn experience_map(
        &self,
        ctx: &Context<'_>,
        journey_id: Option<ID>,
    ) -> Result<ExperienceMap> {
        let journey = parse_opt_id("journeyId", journey_id.as_ref())?;
        let input = experience_map::gather(db(ctx)?, principal(ctx)?, &self.0, journey).await?;
        Ok(ExperienceMap {
            svg: render_svg(&input),
        })
    }

    /// A signed link to the map as the caller sees it, valid 15 minutes, usable without a
    /// header (for an `<img>` or a browser).
    async fn map_link(&self, ctx: &Context<'_>, journey_id: Option<ID>) -> Result<MapLink> {
        let p = principal(ctx)?;
        let journey = parse_opt_id("journeyId", journey_id.as_ref())?;
        if let Some(j) = journey {
            journeys::get(db(ctx)?, p, j)
                .await?
                .filter(|found| found.brand_id == self.0.id)
                .ok_or(AppError::NotFound("journey"))?;
        }
        let signer = ctx.data::<LinkSigner>()?;
        let (token, exp) = signer.tokens.issue_link(
            &LinkClaims {
                sub: p.actor_id(),
                org: p.org_id(),
                brand: self.0.id,
                journey,
            },
            MAP_LINK_TTL,
        )?;
        let query = match journey {
            Some(j) => format!("?journey={j}&token={token}"),
            None => format!("?token={token}"),
        };
        let base = format!("{}/brands/{}/map", signer.public_url, self.0.slug);
        Ok(MapLink {
            svg_url: format!("{base}.svg{query}"),
            html_url: format!("{base}.html{query}"),
            expires_at: chrono::DateTime::from_timestamp(exp, 0).unwrap_or_default(),
        })
    }

    /// Roll-ups by phase, owner, channel, and owner × phase.
    async fn scorecard(&self, ctx: &Context<'_>) -> Result<Scorecard> {
        Ok(Scorecard(
            scorecard::for_brand(db(ctx)?, principal(ctx)?, self.0.id).await?,
        ))
    }

    /// The journey linter's threshold of major steps (TOO_MANY_TOUCHPOINTS).
    async fn max_major_steps(&self) -> i32 {
        self.0.max_major_steps
    }

    /// The version of the brand's settings: +1 on every change; pass it as
    /// `expectedVersion` to `updateBrandSettings`.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
