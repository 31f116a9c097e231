use std::sync::Arc;

use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::api_client::ApiClient;
use super::connection::TouchpointConnection;
use super::member::Membership;
use super::webhook::WebhookEndpoint;
use crate::domain::OrganizationKind;
use crate::entities::organization;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::to_id;
use crate::graphql::inputs::touchpoint_filter::{TouchpointFilterInput, TouchpointOrderInput};
use crate::services::touchpoints::list::PageArgs;
use crate::services::webhooks::endpoints;
use crate::services::{network::api_clients, network::members};

/// A brand or a partner company.
pub struct Organization(pub Arc<organization::Model>);

impl From<organization::Model> for Organization {
    fn from(model: organization::Model) -> Self {
        Self(Arc::new(model))
    }
}

#[Object(serial)]
impl Organization {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    /// Unique, URL-safe name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn kind(&self) -> OrganizationKind {
        self.0.kind
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The organization's people and their roles (its ADMINs only).
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let list = Box::pin(members::list(db(ctx)?, principal(ctx)?, self.0.id)).await?;
        Ok(list.into_iter().map(|(m, u)| Membership(m, u)).collect())
    }

    /// The organization's API clients (its ADMINs only).
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    /// Its webhook endpoints (its ADMINs only), each with its recent deliveries.
    async fn webhook_endpoints(&self, ctx: &Context<'_>) -> Result<Vec<WebhookEndpoint>> {
        let list = endpoints::list(db(ctx)?, principal(ctx)?, self.0.id).await?;
        Ok(list.into_iter().map(WebhookEndpoint).collect())
    }

    async fn api_clients(&self, ctx: &Context<'_>) -> Result<Vec<ApiClient>> {
        let list = Box::pin(api_clients::list(db(ctx)?, principal(ctx)?, self.0.id)).await?;
        Ok(list.into_iter().map(ApiClient).collect())
    }

    /// This organization's touchpoints that the caller may see.
    #[allow(clippy::too_many_arguments)] // one per GraphQL argument
    #[graphql(complexity = "crate::graphql::page_cost(first.or(last), 20, child_complexity)")]
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
        Ok(Box::pin(TouchpointConnection::resolve(
            ctx,
            filter,
            order_by,
            args,
            Some(self.0.id),
        ))
        .await?)
    }
}
