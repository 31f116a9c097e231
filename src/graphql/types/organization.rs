use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

use crate::domain::OrganizationKind;
use crate::entities::organization;
use crate::graphql::ids::to_id;

/// A brand or a partner company.
pub struct Organization(pub organization::Model);

#[Object]
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
}
