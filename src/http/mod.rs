//! HTTP routes: GraphQL over HTTP and WebSocket, GraphiQL, the token endpoint, the map and
//! the CSV, health and readiness.
pub mod auth;
pub mod export;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod map;
pub mod rate_limit;
pub mod status;
pub mod subscriptions;
pub mod token;

use std::sync::Arc;

use actix_web::web;

use crate::auth::TokenService;
use crate::config::Limits;
use crate::graphql::RegistrySchema;
use crate::metrics::Metrics;
use crate::store::db::Db;
use rate_limit::RateLimiter;

/// Shared by every handler; built once at start-up.
pub struct AppState {
    pub schema: RegistrySchema,
    /// Admission of GraphQL operations (`MAX_IN_FLIGHT` at once, in arrival order).
    pub in_flight: Arc<tokio::sync::Semaphore>,
    /// Parsed query texts, reused across requests.
    pub documents: crate::graphql::document_cache::DocumentCache,
    /// Automatic persisted queries and trusted documents.
    pub persisted: Arc<crate::graphql::persisted::PersistedOperations>,
    /// Measures the complexity of documents refused for it.
    pub complexity: crate::graphql::limits::ComplexityProbe,
    pub db: Db,
    pub tokens: Arc<TokenService>,
    pub production: bool,
    pub limits: Limits,
    pub metrics: std::sync::Arc<Metrics>,
    /// Requests per caller (user, API client, or IP address when anonymous).
    pub api_limiter: RateLimiter,
    /// `POST /auth/token` per client id and per IP address, against secret guessing.
    pub token_limiter: RateLimiter,
    /// Tells open subscriptions that the server is shutting down.
    pub shutdown: tokio::sync::watch::Receiver<bool>,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/graphql", web::post().to(graphql::post))
        .route("/graphql", web::get().to(graphql::get))
        .route("/graphql/ws", web::get().to(subscriptions::subscriptions))
        .route("/auth/token", web::post().to(token::issue))
        .route("/brands/{slug}/map.svg", web::get().to(map::map_svg))
        .route("/brands/{slug}/map.html", web::get().to(map::map_html))
        .route(
            "/brands/{slug}/touchpoints.csv",
            web::get().to(export::touchpoints_csv),
        )
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics));
}
