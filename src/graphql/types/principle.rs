use std::sync::Arc;

use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

use crate::entities::principle;
use crate::entities::principle::PrincipleSummary;
use crate::graphql::ids::to_id;

/// A positioning attribute or experience principle of the brand ("fast", "personal").
/// Shared: every rating of a list refers to one of a few principles.
pub struct Principle(pub Arc<PrincipleSummary>);

impl From<principle::Model> for Principle {
    fn from(model: principle::Model) -> Self {
        Self(Arc::new(model.into()))
    }
}

#[Object(serial)]
impl Principle {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// +1 on every change; pass it back as `expectedVersion`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Set when archived; archived principles no longer count towards alignment.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}
