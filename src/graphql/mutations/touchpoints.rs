//! Registering and editing touchpoints.
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::inputs::touchpoint::{CreateTouchpointInput, UpdateTouchpointInput};
use crate::graphql::types::touchpoint::Touchpoint;
use crate::services::touchpoints;

#[derive(SimpleObject)]
pub struct TouchpointPayload {
    pub touchpoint: Touchpoint,
}

#[derive(Debug, Clone, InputObject)]
pub struct ArchiveTouchpointInput {
    pub id: ID,
    /// When given, a stale version fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RestoreTouchpointInput {
    pub id: ID,
    /// When given, a stale version fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(Default)]
pub struct TouchpointMutation;

#[Object]
impl TouchpointMutation {
    /// Registers a touchpoint of the caller's organization in a brand's network. A partner's
    /// touchpoint starts PENDING review; the brand's own is APPROVED.
    async fn create_touchpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateTouchpointInput,
    ) -> Result<TouchpointPayload> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let patch = input.into_patch()?;
        let created = touchpoints::create(db(ctx)?, p, brand_id, patch).await?;
        Ok(TouchpointPayload {
            touchpoint: Touchpoint::from(created),
        })
    }

    /// Changes a touchpoint of the caller's organization. A partner's edit sends it back to
    /// PENDING review.
    async fn update_touchpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateTouchpointInput,
    ) -> Result<TouchpointPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let expected = input.expected_version;
        let patch = input.fields.into_patch(input.external_id)?;
        let saved = touchpoints::update(db(ctx)?, p, id, expected, patch).await?;
        Ok(TouchpointPayload {
            touchpoint: Touchpoint::from(saved),
        })
    }

    /// Archives (soft-deletes) a touchpoint; `restoreTouchpoint` undoes it.
    async fn archive_touchpoint(
        &self,
        ctx: &Context<'_>,
        input: ArchiveTouchpointInput,
    ) -> Result<TouchpointPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved =
            touchpoints::set_archived(db(ctx)?, p, id, true, input.expected_version).await?;
        Ok(TouchpointPayload {
            touchpoint: Touchpoint::from(saved),
        })
    }

    /// Brings an archived touchpoint back.
    async fn restore_touchpoint(
        &self,
        ctx: &Context<'_>,
        input: RestoreTouchpointInput,
    ) -> Result<TouchpointPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved =
            touchpoints::set_archived(db(ctx)?, p, id, false, input.expected_version).await?;
        Ok(TouchpointPayload {
            touchpoint: Touchpoint::from(saved),
        })
    }
}
