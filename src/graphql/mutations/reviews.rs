//! The brand's review of touchpoints, its signature stamp, and alignment ratings.
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use super::touchpoints::TouchpointPayload;
use crate::domain::ReviewDecision;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::types::touchpoint::Touchpoint;
use crate::services::touchpoints::reviews;
use crate::services::{touchpoints, touchpoints::alignments};

#[derive(Debug, Clone, InputObject)]
pub struct ReviewTouchpointInput {
    pub id: ID,
    pub decision: ReviewDecision,
    /// Kept in the touchpoint's history; required with REQUEST_CHANGES.
    pub comment: Option<String>,
    /// When given, a stale version fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct SetSignatureInput {
    pub id: ID,
    pub signature: bool,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RateAlignmentInput {
    pub touchpoint_id: ID,
    pub principle_id: ID,
    /// −2 (contradicts the principle) .. +2 (expresses it strongly).
    pub score: i32,
    pub note: Option<String>,
}

#[derive(SimpleObject)]
pub struct RateAlignmentPayload {
    /// The rated touchpoint, with its updated alignment.
    pub touchpoint: Touchpoint,
}

#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// The brand approves a touchpoint or asks its owner for changes (brand ADMIN/EDITOR).
    async fn review_touchpoint(
        &self,
        ctx: &Context<'_>,
        input: ReviewTouchpointInput,
    ) -> Result<TouchpointPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved = reviews::review(
            db(ctx)?,
            p,
            id,
            input.decision,
            input.comment.as_deref(),
            input.expected_version,
        )
        .await?;
        Ok(TouchpointPayload {
            touchpoint: Touchpoint::from(saved),
        })
    }

    /// The brand stamps (or unstamps) a touchpoint as a signature moment (brand
    /// ADMIN/EDITOR).
    async fn set_signature(
        &self,
        ctx: &Context<'_>,
        input: SetSignatureInput,
    ) -> Result<TouchpointPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved =
            reviews::set_signature(db(ctx)?, p, id, input.signature, input.expected_version)
                .await?;
        Ok(TouchpointPayload {
            touchpoint: Touchpoint::from(saved),
        })
    }

    /// Rates how well a touchpoint expresses one principle; rating again replaces the
    /// rating. The brand rates any touchpoint of its network; a partner its own.
    async fn rate_alignment(
        &self,
        ctx: &Context<'_>,
        input: RateAlignmentInput,
    ) -> Result<RateAlignmentPayload> {
        let p = principal(ctx)?;
        let db = db(ctx)?;
        let touchpoint_id = parse_id("touchpointId", &input.touchpoint_id)?;
        let principle_id = parse_id("principleId", &input.principle_id)?;
        alignments::rate(
            db,
            p,
            touchpoint_id,
            principle_id,
            input.score,
            input.note.as_deref(),
        )
        .await?;
        let touchpoint = touchpoints::get(db, p, touchpoint_id)
            .await?
            .ok_or(crate::error::AppError::NotFound("touchpoint"))?;
        Ok(RateAlignmentPayload {
            touchpoint: Touchpoint::from(touchpoint),
        })
    }
}
