//! Journeys (ADMINs and EDITORs of the organization that maps them).
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

use super::phases::change;
use crate::domain::touchpoint::Change;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::types::journey::Journey;
use crate::services::planning::journeys::{self, JourneyFields, StepInput};

#[derive(Debug, Clone, InputObject)]
pub struct JourneyStepInput {
    pub touchpoint_id: ID,
    /// A moment that matters to the customer.
    #[graphql(default = false)]
    pub major: bool,
    pub note: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateJourneyInput {
    pub brand_id: ID,
    pub name: String,
    pub persona: Option<String>,
    pub description: Option<String>,
    /// Initial steps, in order.
    #[graphql(default)]
    pub steps: Vec<JourneyStepInput>,
}

#[derive(Debug, Clone, InputObject)]
pub struct UpdateJourneyInput {
    pub id: ID,
    /// The `version` you read; a stale one fails with CONFLICT.
    pub expected_version: i32,
    pub name: Option<String>,
    #[graphql(default)]
    pub persona: MaybeUndefined<String>,
    #[graphql(default)]
    pub description: MaybeUndefined<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct SetJourneyStepsInput {
    pub journey_id: ID,
    /// When given, a stale version fails with CONFLICT.
    pub expected_version: Option<i32>,
    /// The complete list of steps, in order (it replaces the previous one).
    pub steps: Vec<JourneyStepInput>,
}

#[derive(SimpleObject)]
pub struct JourneyPayload {
    pub journey: Journey,
}

fn steps(input: Vec<JourneyStepInput>) -> Result<Vec<StepInput>, crate::error::AppError> {
    input
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(StepInput {
                touchpoint_id: parse_id(&format!("steps.{i}.touchpointId"), &s.touchpoint_id)?,
                major: s.major,
                note: s.note,
            })
        })
        .collect()
}

#[derive(Default)]
pub struct JourneyMutation;

#[Object]
impl JourneyMutation {
    async fn create_journey(
        &self,
        ctx: &Context<'_>,
        input: CreateJourneyInput,
    ) -> Result<JourneyPayload> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let created = journeys::create(
            db(ctx)?,
            p,
            brand_id,
            JourneyFields {
                name: Some(&input.name),
                persona: Change::from_option(input.persona),
                description: Change::from_option(input.description),
            },
            steps(input.steps)?,
        )
        .await?;
        Ok(JourneyPayload {
            journey: Journey(created),
        })
    }

    async fn update_journey(
        &self,
        ctx: &Context<'_>,
        input: UpdateJourneyInput,
    ) -> Result<JourneyPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved = journeys::update(
            db(ctx)?,
            p,
            id,
            input.expected_version,
            JourneyFields {
                name: input.name.as_deref(),
                persona: change(input.persona),
                description: change(input.description),
            },
        )
        .await?;
        Ok(JourneyPayload {
            journey: Journey(saved),
        })
    }

    /// Replaces a journey's steps. Each touchpoint must be one you can see in the journey's
    /// brand.
    async fn set_journey_steps(
        &self,
        ctx: &Context<'_>,
        input: SetJourneyStepsInput,
    ) -> Result<JourneyPayload> {
        let p = principal(ctx)?;
        let id = parse_id("journeyId", &input.journey_id)?;
        let saved =
            journeys::set_steps(db(ctx)?, p, id, input.expected_version, steps(input.steps)?)
                .await?;
        Ok(JourneyPayload {
            journey: Journey(saved),
        })
    }
}
