use std::sync::Arc;

use async_graphql::{Context, Enum, Object, Result, ID};

use super::brand::Brand;
use super::organization::Organization;
use crate::auth::{Actor, Principal};
use crate::domain::Role;
use crate::graphql::context::db;
use crate::graphql::ids::to_id;
use crate::services::lookups;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ViewerKind {
    User,
    ApiClient,
}

/// The caller: a user or an API client, acting in one organization with one role.
pub struct Viewer(pub Arc<Principal>);

#[Object]
impl Viewer {
    /// The user's or API client's id.
    async fn id(&self) -> ID {
        to_id(self.0.actor_id())
    }

    async fn kind(&self) -> ViewerKind {
        match self.0.actor {
            Actor::User { .. } => ViewerKind::User,
            Actor::ApiClient { .. } => ViewerKind::ApiClient,
        }
    }

    async fn name(&self) -> &str {
        match &self.0.actor {
            Actor::User { name, .. } | Actor::ApiClient { name, .. } => name,
        }
    }

    /// A user's e-mail; null for an API client.
    async fn email(&self) -> Option<&str> {
        match &self.0.actor {
            Actor::User { email, .. } => Some(email),
            Actor::ApiClient { .. } => None,
        }
    }

    async fn role(&self) -> Role {
        self.0.role
    }

    async fn organization(&self) -> Organization {
        Organization::from(self.0.organization.clone())
    }

    /// The brand networks the caller belongs to (its own brand, and every partnership).
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn brands(&self, ctx: &Context<'_>) -> Result<Vec<Brand>> {
        let ids = self.0.known_brands();
        let mut found = lookups::organizations(db(ctx)?, &ids).await?;
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .map(Brand)
            .collect())
    }
}
