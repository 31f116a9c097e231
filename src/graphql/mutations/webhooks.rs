//! The caller's organization's webhook endpoints (its ADMINs).
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

use crate::domain::ChangeKind;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::{parse_id, to_id};
use crate::graphql::types::webhook::{WebhookDelivery, WebhookEndpoint};
use crate::services::webhooks::endpoints::{self, EndpointPatch, NewEndpoint};
use crate::services::webhooks::TargetPolicy;

#[derive(Debug, Clone, InputObject)]
pub struct CreateWebhookEndpointInput {
    /// The network whose changes it receives (the caller's brand, or a brand it partners with).
    pub brand_id: ID,
    /// `https://…`, on a public address.
    pub url: String,
    /// The change kinds it receives.
    pub events: Vec<ChangeKind>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct UpdateWebhookEndpointInput {
    pub id: ID,
    pub url: Option<String>,
    pub events: Option<Vec<ChangeKind>>,
    /// `true` re-enables an endpoint the server disabled.
    pub enabled: Option<bool>,
    pub description: MaybeUndefined<String>,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct DeleteWebhookEndpointInput {
    pub id: ID,
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RotateWebhookSecretInput {
    pub id: ID,
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RedeliverWebhookInput {
    pub delivery_id: ID,
}

#[derive(Debug, Clone, InputObject)]
pub struct ReplayWebhookEndpointInput {
    pub endpoint_id: ID,
    /// A `touchpointChanges` cursor of the endpoint's brand: every change after it is sent
    /// again.
    pub after: String,
}

#[derive(SimpleObject)]
pub struct WebhookEndpointSecretPayload {
    pub endpoint: WebhookEndpoint,
    /// Shown once: verify `Touchpoint-Signature` with it.
    pub secret: String,
}

#[derive(SimpleObject)]
pub struct WebhookEndpointPayload {
    pub endpoint: WebhookEndpoint,
}

#[derive(SimpleObject)]
pub struct DeleteWebhookEndpointPayload {
    pub deleted_id: ID,
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryPayload {
    pub delivery: WebhookDelivery,
}

fn policy(ctx: &Context<'_>) -> Result<TargetPolicy> {
    Ok(*ctx.data::<TargetPolicy>()?)
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    async fn create_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookEndpointInput,
    ) -> Result<WebhookEndpointSecretPayload> {
        let new = NewEndpoint {
            brand_id: parse_id("brandId", &input.brand_id)?,
            url: input.url,
            events: input.events,
            description: input.description,
        };
        let (endpoint, secret) =
            endpoints::create(db(ctx)?, policy(ctx)?, principal(ctx)?, new).await?;
        Ok(WebhookEndpointSecretPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        })
    }

    async fn update_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookEndpointInput,
    ) -> Result<WebhookEndpointPayload> {
        let id = parse_id("id", &input.id)?;
        let patch = EndpointPatch {
            url: input.url,
            events: input.events,
            enabled: input.enabled,
            description: match input.description {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d)),
            },
        };
        let endpoint = endpoints::update(
            db(ctx)?,
            policy(ctx)?,
            principal(ctx)?,
            id,
            patch,
            input.expected_version,
        )
        .await?;
        Ok(WebhookEndpointPayload {
            endpoint: WebhookEndpoint(endpoint),
        })
    }

    async fn delete_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: DeleteWebhookEndpointInput,
    ) -> Result<DeleteWebhookEndpointPayload> {
        let id = parse_id("id", &input.id)?;
        endpoints::delete(db(ctx)?, principal(ctx)?, id, input.expected_version).await?;
        Ok(DeleteWebhookEndpointPayload {
            deleted_id: to_id(id),
        })
    }

    /// A new signing secret, shown once; the old one keeps signing beside it for 24 hours.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        input: RotateWebhookSecretInput,
    ) -> Result<WebhookEndpointSecretPayload> {
        let id = parse_id("id", &input.id)?;
        let (endpoint, secret) =
            endpoints::rotate_secret(db(ctx)?, principal(ctx)?, id, input.expected_version).await?;
        Ok(WebhookEndpointSecretPayload {
            endpoint: WebhookEndpoint(endpoint),
            secret,
        })
    }

    /// Sends a delivery again now (a DEAD one too).
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        input: RedeliverWebhookInput,
    ) -> Result<WebhookDeliveryPayload> {
        let id = parse_id("deliveryId", &input.delivery_id)?;
        let delivery = endpoints::redeliver(db(ctx)?, principal(ctx)?, id).await?;
        Ok(WebhookDeliveryPayload {
            delivery: WebhookDelivery(delivery),
        })
    }

    /// Sends every change after a feed position again.
    async fn replay_webhook_endpoint(
        &self,
        ctx: &Context<'_>,
        input: ReplayWebhookEndpointInput,
    ) -> Result<WebhookEndpointPayload> {
        let id = parse_id("endpointId", &input.endpoint_id)?;
        let endpoint = endpoints::replay(db(ctx)?, principal(ctx)?, id, &input.after).await?;
        Ok(WebhookEndpointPayload {
            endpoint: WebhookEndpoint(endpoint),
        })
    }
}
