use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use crate::domain::ChangeKind;
use crate::entities::{webhook_delivery, webhook_endpoint};
use crate::graphql::ids::to_id;
use crate::graphql::loaders::loaders;
use crate::services::cursor::page_size;
use crate::services::webhooks::endpoints::{DEFAULT_DELIVERIES, MAX_DELIVERIES};

/// An organization's receiver of the touchpoint changes it may see in one brand's network.
/// Its signing secret is shown once, when it is created or rotated.
pub struct WebhookEndpoint(pub webhook_endpoint::Model);

#[Object]
impl WebhookEndpoint {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    /// The network whose changes it receives.
    async fn brand_id(&self) -> ID {
        to_id(self.0.brand_id)
    }

    async fn url(&self) -> &str {
        &self.0.url
    }

    /// The change kinds it receives.
    async fn events(&self) -> Vec<ChangeKind> {
        self.0
            .events
            .0
            .iter()
            .filter_map(|k| <ChangeKind as sea_orm::ActiveEnum>::try_from_value(k).ok())
            .collect()
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn enabled(&self) -> bool {
        self.0.enabled
    }

    /// Why the server disabled it (every delivery failed for the retry window); null when it is
    /// enabled or was disabled by an ADMIN.
    async fn disabled_reason(&self) -> Option<&str> {
        self.0.disabled_reason.as_deref()
    }

    /// Since when every attempt has failed; null when the last one succeeded.
    async fn failing_since(&self) -> Option<DateTime<Utc>> {
        self.0.failing_since
    }

    /// Until when the secret before the last rotation still signs beside the new one.
    async fn previous_secret_expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.previous_secret_until
    }

    /// +1 on every change; pass it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Its most recent deliveries, newest first (default 20, at most 100).
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> Result<Vec<WebhookDelivery>> {
        let limit = page_size(first, DEFAULT_DELIVERIES, MAX_DELIVERIES)?;
        let list = loaders(ctx)?
            .deliveries()
            .load_one((self.0.id, limit))
            .await?
            .unwrap_or_default();
        Ok(list.into_iter().map(WebhookDelivery).collect())
    }
}

/// One change sent (or to be sent) to one endpoint.
pub struct WebhookDelivery(pub webhook_delivery::Model);

#[Object]
impl WebhookDelivery {
    /// Also the `Touchpoint-Delivery` header: receivers de-duplicate by it.
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    /// `touchpoint.created`, `touchpoint.updated`, …
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }

    async fn touchpoint_id(&self) -> ID {
        to_id(self.0.touchpoint_id)
    }

    /// `PENDING` (to be sent, or retried at `nextAttemptAt`), `DELIVERED`, `DEAD` (given up:
    /// redeliver it when the receiver is fixed) or `SKIPPED` (the organization could no longer
    /// see the touchpoint when it was built).
    async fn status(&self) -> &str {
        &self.0.status
    }

    async fn attempts(&self) -> i32 {
        self.0.attempts
    }

    /// The HTTP status of the last answer.
    async fn last_response_code(&self) -> Option<i32> {
        self.0.last_status
    }

    async fn last_latency_ms(&self) -> Option<i32> {
        self.0.last_latency_ms
    }

    async fn last_error(&self) -> Option<&str> {
        self.0.last_error.as_deref()
    }

    /// The last answer's body, at most 64 KiB.
    async fn last_response_body(&self) -> Option<&str> {
        self.0.last_response.as_deref()
    }

    /// When it is attempted next (while PENDING).
    async fn next_attempt_at(&self) -> Option<DateTime<Utc>> {
        (self.0.status == crate::services::webhooks::deliverer::PENDING)
            .then_some(self.0.next_attempt_at)
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at
    }
}
