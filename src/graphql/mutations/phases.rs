//! The brand's phases (brand ADMIN).
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

use crate::domain::touchpoint::Change;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::types::phase::Phase;
use crate::services::planning::phases;

#[derive(Debug, Clone, InputObject)]
pub struct CreatePhaseInput {
    pub brand_id: ID,
    pub name: String,
    pub key_metric: Option<String>,
    /// 0-based place among the phases; default: last.
    pub position: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct UpdatePhaseInput {
    pub id: ID,
    /// The `version` you read; a stale one fails with CONFLICT.
    pub expected_version: i32,
    pub name: Option<String>,
    /// `null` clears it.
    #[graphql(default)]
    pub key_metric: MaybeUndefined<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct ReorderPhasesInput {
    pub brand_id: ID,
    /// Every phase of the brand, once, in the new order.
    pub phase_ids: Vec<ID>,
}

#[derive(SimpleObject)]
pub struct PhasePayload {
    pub phase: Phase,
}

#[derive(SimpleObject)]
pub struct ReorderPhasesPayload {
    /// The brand's phases in their new order.
    pub phases: Vec<Phase>,
}

pub fn change<T>(value: MaybeUndefined<T>) -> Change<T> {
    match value {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Clear,
        MaybeUndefined::Value(v) => Change::Set(v),
    }
}

#[derive(Default)]
pub struct PhaseMutation;

#[Object]
impl PhaseMutation {
    async fn create_phase(
        &self,
        ctx: &Context<'_>,
        input: CreatePhaseInput,
    ) -> Result<PhasePayload> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let created = phases::create(
            db(ctx)?,
            p,
            brand_id,
            &input.name,
            input.key_metric.as_deref(),
            input.position,
        )
        .await?;
        Ok(PhasePayload {
            phase: Phase::from(created),
        })
    }

    async fn update_phase(
        &self,
        ctx: &Context<'_>,
        input: UpdatePhaseInput,
    ) -> Result<PhasePayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved = phases::update(
            db(ctx)?,
            p,
            id,
            Some(input.expected_version),
            input.name.as_deref(),
            change(input.key_metric),
        )
        .await?;
        Ok(PhasePayload {
            phase: Phase::from(saved),
        })
    }

    async fn reorder_phases(
        &self,
        ctx: &Context<'_>,
        input: ReorderPhasesInput,
    ) -> Result<ReorderPhasesPayload> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let ids = input
            .phase_ids
            .iter()
            .enumerate()
            .map(|(i, id)| parse_id(&format!("phaseIds.{i}"), id))
            .collect::<Result<Vec<_>, _>>()?;
        let saved = phases::reorder(db(ctx)?, p, brand_id, &ids).await?;
        Ok(ReorderPhasesPayload {
            phases: saved.into_iter().map(Phase::from).collect(),
        })
    }
}
