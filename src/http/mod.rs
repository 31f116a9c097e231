//! HTTP routes: GraphQL over HTTP, GraphiQL, health and readiness.
pub mod auth;
pub mod graphiql;
pub mod graphql;
pub mod health;
pub mod subscriptions;
pub mod token;

use std::sync::Arc;

use actix_web::web;

use crate::auth::TokenService;
use crate::db::Db;
use crate::graphql::RegistrySchema;

/// Largest request body accepted (DESIGN.md §6).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Shared by every handler; built once at start-up.
pub struct AppState {
    pub schema: RegistrySchema,
    pub db: Db,
    pub tokens: Arc<TokenService>,
    pub production: bool,
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
        .route("/graphql", web::post().to(graphql::post))
        .route("/graphql", web::get().to(graphql::get))
        .route("/graphql/ws", web::get().to(subscriptions::subscriptions))
        .route("/auth/token", web::post().to(token::issue))
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz));
}
