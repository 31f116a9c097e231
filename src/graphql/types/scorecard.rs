use async_graphql::{Context, Object, Result, SimpleObject};

use super::organization::Organization;
use super::phase::Phase;
use crate::domain::Channel;
use crate::error::AppError;
use crate::graphql::loaders::loaders;
use crate::services::planning::scorecard::{Scorecard as Card, Tally};

/// Counts and averages over a set of touchpoints.
#[derive(SimpleObject)]
pub struct ScorecardFigures {
    pub touchpoints: u32,
    pub active: u32,
    pub planned: u32,
    pub retired: u32,
    pub signatures: u32,
    pub pending_reviews: u32,
    pub personal: u32,
    pub physical: u32,
    pub digital: u32,
    /// Touchpoints with more than one expression.
    pub multi_access: u32,
    /// Mean alignment of the rated touchpoints (−2..+2); null when none is rated.
    pub alignment_average: Option<f64>,
    /// Median priorityScore of the scored touchpoints.
    pub median_priority: Option<f64>,
}

impl From<&Tally> for ScorecardFigures {
    fn from(t: &Tally) -> Self {
        Self {
            touchpoints: t.touchpoints,
            active: t.active,
            planned: t.planned,
            retired: t.retired,
            signatures: t.signatures,
            pending_reviews: t.pending_reviews,
            personal: t.personal,
            physical: t.physical,
            digital: t.digital,
            multi_access: t.multi_access,
            alignment_average: t.alignment_average,
            median_priority: t.median_priority,
        }
    }
}

async fn phase(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Phase> {
    Ok(Phase(
        loaders(ctx)?
            .phases
            .load_one(id)
            .await?
            .ok_or(AppError::NotFound("phase"))?,
    ))
}

async fn owner(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Organization> {
    Ok(Organization(
        loaders(ctx)?
            .organizations
            .load_one(id)
            .await?
            .ok_or(AppError::NotFound("organization"))?,
    ))
}

pub struct PhaseFigures(uuid::Uuid, ScorecardFigures);
pub struct OwnerFigures(uuid::Uuid, ScorecardFigures);
pub struct OwnerPhaseFigures(uuid::Uuid, uuid::Uuid, ScorecardFigures);

#[derive(SimpleObject)]
pub struct ChannelFigures {
    pub channel: Channel,
    pub figures: ScorecardFigures,
}

#[Object]
impl PhaseFigures {
    async fn phase(&self, ctx: &Context<'_>) -> Result<Phase> {
        phase(ctx, self.0).await
    }

    async fn figures(&self) -> &ScorecardFigures {
        &self.1
    }
}

#[Object]
impl OwnerFigures {
    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        owner(ctx, self.0).await
    }

    async fn figures(&self) -> &ScorecardFigures {
        &self.1
    }
}

#[Object]
impl OwnerPhaseFigures {
    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        owner(ctx, self.0).await
    }

    async fn phase(&self, ctx: &Context<'_>) -> Result<Phase> {
        phase(ctx, self.1).await
    }

    async fn figures(&self) -> &ScorecardFigures {
        &self.2
    }
}

/// A brand's roll-ups over the non-archived touchpoints the caller may see.
pub struct Scorecard(pub Card);

#[Object]
impl Scorecard {
    async fn total(&self) -> ScorecardFigures {
        (&self.0.total).into()
    }

    /// Every phase, in order.
    async fn by_phase(&self) -> Vec<PhaseFigures> {
        self.0
            .by_phase
            .iter()
            .map(|(id, t)| PhaseFigures(*id, t.into()))
            .collect()
    }

    /// Each owner, the biggest contributor first.
    async fn by_owner(&self) -> Vec<OwnerFigures> {
        self.0
            .by_owner
            .iter()
            .map(|(id, t)| OwnerFigures(*id, t.into()))
            .collect()
    }

    async fn by_channel(&self) -> Vec<ChannelFigures> {
        self.0
            .by_channel
            .iter()
            .map(|(channel, t)| ChannelFigures {
                channel: *channel,
                figures: t.into(),
            })
            .collect()
    }

    /// Each owner's contribution per phase.
    async fn by_owner_and_phase(&self) -> Vec<OwnerPhaseFigures> {
        self.0
            .by_owner_and_phase
            .iter()
            .map(|((o, ph), t)| OwnerPhaseFigures(*o, *ph, t.into()))
            .collect()
    }
}
