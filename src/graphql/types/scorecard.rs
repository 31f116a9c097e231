use async_graphql::{Context, Object, Result, SimpleObject};

use super::organization::Organization;
use super::phase::Phase;
use crate::domain::Channel;
use crate::error::AppError;
use crate::graphql::loaders::loaders;
use crate::services::planning::scorecard::{Scorecard as Card, Tally};

// The API's view of a service `Tally`, borrowed and read through getters, so the figures
// are listed once on this side of the edge and nothing is copied.
pub struct ScorecardFigures<'a>(&'a Tally);

/// Counts and averages over a set of touchpoints.
#[Object]
impl ScorecardFigures<'_> {
    async fn touchpoints(&self) -> u32 {
        self.0.touchpoints
    }

    async fn active(&self) -> u32 {
        self.0.active
    }

    async fn planned(&self) -> u32 {
        self.0.planned
    }

    async fn retired(&self) -> u32 {
        self.0.retired
    }

    async fn signatures(&self) -> u32 {
        self.0.signatures
    }

    async fn pending_reviews(&self) -> u32 {
        self.0.pending_reviews
    }

    async fn personal(&self) -> u32 {
        self.0.personal
    }

    async fn physical(&self) -> u32 {
        self.0.physical
    }

    async fn digital(&self) -> u32 {
        self.0.digital
    }

    /// Touchpoints with more than one expression.
    async fn multi_access(&self) -> u32 {
        self.0.multi_access
    }

    /// Mean alignment of the rated touchpoints (−2..+2); null when none is rated.
    async fn alignment_average(&self) -> Option<f64> {
        self.0.alignment_average
    }

    /// Median priorityScore of the scored touchpoints.
    async fn median_priority(&self) -> Option<f64> {
        self.0.median_priority
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

pub struct PhaseFigures<'a>(uuid::Uuid, ScorecardFigures<'a>);
pub struct OwnerFigures<'a>(uuid::Uuid, ScorecardFigures<'a>);
pub struct OwnerPhaseFigures<'a>(uuid::Uuid, uuid::Uuid, ScorecardFigures<'a>);

#[derive(SimpleObject)]
pub struct ChannelFigures<'a> {
    pub channel: Channel,
    pub figures: ScorecardFigures<'a>,
}

#[Object]
impl PhaseFigures<'_> {
    async fn phase(&self, ctx: &Context<'_>) -> Result<Phase> {
        phase(ctx, self.0).await
    }

    async fn figures(&self) -> &ScorecardFigures<'_> {
        &self.1
    }
}

#[Object]
impl OwnerFigures<'_> {
    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        owner(ctx, self.0).await
    }

    async fn figures(&self) -> &ScorecardFigures<'_> {
        &self.1
    }
}

#[Object]
impl OwnerPhaseFigures<'_> {
    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        owner(ctx, self.0).await
    }

    async fn phase(&self, ctx: &Context<'_>) -> Result<Phase> {
        phase(ctx, self.1).await
    }

    async fn figures(&self) -> &ScorecardFigures<'_> {
        &self.2
    }
}

/// A brand's roll-ups over the non-archived touchpoints the caller may see.
pub struct Scorecard(pub Card);

#[Object]
impl Scorecard {
    async fn total(&self) -> ScorecardFigures<'_> {
        ScorecardFigures(&self.0.total)
    }

    /// Every phase, in order.
    async fn by_phase(&self) -> Vec<PhaseFigures<'_>> {
        self.0
            .by_phase
            .iter()
            .map(|(id, t)| PhaseFigures(*id, ScorecardFigures(t)))
            .collect()
    }

    /// Each owner, the biggest contributor first.
    async fn by_owner(&self) -> Vec<OwnerFigures<'_>> {
        self.0
            .by_owner
            .iter()
            .map(|(id, t)| OwnerFigures(*id, ScorecardFigures(t)))
            .collect()
    }

    async fn by_channel(&self) -> Vec<ChannelFigures<'_>> {
        self.0
            .by_channel
            .iter()
            .map(|(channel, t)| ChannelFigures {
                channel: *channel,
                figures: ScorecardFigures(t),
            })
            .collect()
    }

    /// Each owner's contribution per phase.
    async fn by_owner_and_phase(&self) -> Vec<OwnerPhaseFigures<'_>> {
        self.0
            .by_owner_and_phase
            .iter()
            .map(|((o, ph), t)| OwnerPhaseFigures(*o, *ph, ScorecardFigures(t)))
            .collect()
    }
}
