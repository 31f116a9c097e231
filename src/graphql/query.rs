//! The root Query type, merged from one object per area.
use std::sync::Arc;

use async_graphql::{Context, MergedObject, Object, Result, ID};

use super::context::{db, principal, RequestContext};
use super::ids::{parse_id, parse_opt_id};
use super::inputs::touchpoint_filter::{TouchpointFilterInput, TouchpointOrderInput};
use super::page_cost;
use super::prefetch::Wanted;
use super::types::audit::AuditEntryConnection;
use super::types::brand::Brand;
use super::types::change::TouchpointChangeConnection;
use super::types::connection::TouchpointConnection;
use super::types::journey::Journey;
use super::types::organization::Organization;
use super::types::touchpoint::Touchpoint;
use super::types::viewer::Viewer;
use crate::error::AppError;
use crate::services::ledger::{feed, log};
use crate::services::network::organizations::OrgKey;
use crate::services::touchpoints::list::PageArgs;
use crate::services::{network::brands, network::organizations, planning::journeys};

#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct QueryRoot(ViewerQuery, DirectoryQuery, TouchpointQuery);

#[derive(Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// The caller.
    async fn viewer(&self, ctx: &Context<'_>) -> Result<Viewer> {
        principal(ctx)?;
        let principal = ctx
            .data::<RequestContext>()?
            .principal
            .clone()
            .ok_or_else(|| AppError::Unauthenticated("a bearer access token is required".into()))?;
        Ok(Viewer(Arc::clone(&principal)))
    }
}

/// Exactly one of `id` and `slug`.
fn org_key(id: Option<ID>, slug: Option<String>) -> Result<OrgKey, AppError> {
    match (id, slug) {
        (Some(id), None) => Ok(OrgKey::Id(parse_id("id", &id)?)),
        (None, Some(slug)) => Ok(OrgKey::Slug(slug.trim().to_owned())),
        _ => Err(AppError::bad_input("id", "give exactly one of id and slug")),
    }
}

#[derive(Default)]
pub struct DirectoryQuery;

#[Object]
impl DirectoryQuery {
    /// An organization the caller may see, by id or slug; null otherwise.
    async fn organization(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Organization>> {
        let p = principal(ctx)?;
        let key = org_key(id, slug)?;
        Ok(organizations::find_visible(db(ctx)?, p, &key)
            .await?
            .map(Organization::from))
    }

    /// A brand whose network the caller belongs to, by id or slug; null otherwise.
    async fn brand(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Brand>> {
        let p = principal(ctx)?;
        let key = org_key(id, slug)?;
        Ok(brands::find(db(ctx)?, p, &key).await?.map(Brand))
    }
}

#[derive(Default)]
pub struct TouchpointQuery;

#[Object]
impl TouchpointQuery {
    /// A touchpoint the caller may see (archived ones included); null otherwise.
    async fn touchpoint(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Touchpoint>> {
        let p = principal(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(Touchpoint::find(db(ctx)?, p, id, Wanted::in_field(ctx)).await?)
    }

    /// The touchpoints the caller may see, as a Relay connection (page size default 20,
    /// at most 100).
    #[allow(clippy::too_many_arguments)] // one per GraphQL argument
    #[graphql(complexity = "page_cost(first.or(last), 20, child_complexity)")]
    async fn touchpoints(
        &self,
        ctx: &Context<'_>,
        filter: Option<TouchpointFilterInput>,
        order_by: Option<TouchpointOrderInput>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<TouchpointConnection> {
        let args = PageArgs {
            first,
            after,
            last,
            before,
        };
        Ok(TouchpointConnection::resolve(ctx, filter, order_by, args, None).await?)
    }

    /// The change feed of a brand's network, for sync: every create, update, archive,
    /// restore and review of the touchpoints the caller may see, oldest first, resumable
    /// from `after` (default 100 per page, at most 500). Gap-free: a change that commits
    /// later never lands behind a cursor already handed out.
    #[graphql(complexity = "page_cost(first, 100, child_complexity)")]
    async fn touchpoint_changes(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
        after: Option<String>,
        first: Option<i32>,
    ) -> Result<TouchpointChangeConnection> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &brand_id)?;
        let page = feed::page(db(ctx)?, p, brand_id, after.as_deref(), first).await?;
        Ok(page.into())
    }

    /// A journey the caller may read; null otherwise.
    async fn journey(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Journey>> {
        let p = principal(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(journeys::get(db(ctx)?, p, id).await?.map(Journey))
    }

    /// The ledger as an audit trail (ADMINs only): a brand's whole network, or a partner's own
    /// organization; newest first.
    #[graphql(complexity = "page_cost(first, 20, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
        entity_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let p = principal(ctx)?;
        let organization_id = parse_opt_id("organizationId", organization_id.as_ref())?;
        let entity_id = parse_opt_id("entityId", entity_id.as_ref())?;
        let page = log::list(
            db(ctx)?,
            p,
            organization_id,
            entity_id,
            first,
            after.as_deref(),
        )
        .await?;
        Ok(page.into())
    }
}
