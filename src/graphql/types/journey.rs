use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::organization::Organization;
use super::touchpoint::Touchpoint;
use crate::entities::{journey, journey_step};
use crate::error::AppError;
use crate::graphql::ids::to_id;
use crate::graphql::loaders::loaders;

/// A named path of one persona through a brand's touchpoints.
pub struct Journey(pub journey::Model);

#[Object]
impl Journey {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    async fn brand_id(&self) -> ID {
        to_id(self.0.brand_id)
    }

    /// The organization that mapped it (and edits it).
    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        let org = loaders(ctx)?
            .organizations
            .load_one(self.0.owner_id)
            .await?
            .ok_or(AppError::NotFound("organization"))?;
        Ok(Organization(org))
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Who walks it ("Maya, 34, urban commuter").
    async fn persona(&self) -> Option<&str> {
        self.0.persona.as_deref()
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// The steps in order.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn steps(&self, ctx: &Context<'_>) -> Result<Vec<JourneyStep>> {
        let steps = loaders(ctx)?
            .journey_steps
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(steps.into_iter().map(JourneyStep).collect())
    }

    /// +1 on every change; pass it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One step of a journey.
pub struct JourneyStep(pub journey_step::Model);

#[Object]
impl JourneyStep {
    /// 0-based.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// A major step: a moment that matters to the customer.
    async fn major(&self) -> bool {
        self.0.major
    }

    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// The touchpoint; null when the caller may not see it (the step keeps its place).
    async fn touchpoint(&self, ctx: &Context<'_>) -> Result<Option<Touchpoint>> {
        Ok(loaders(ctx)?
            .touchpoints
            .load_one(self.0.touchpoint_id)
            .await?
            .map(Touchpoint::from))
    }
}
