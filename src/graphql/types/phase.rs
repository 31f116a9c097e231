use std::sync::Arc;

use async_graphql::{Object, ID};

use crate::entities::phase;
use crate::graphql::ids::to_id;

/// A stage of the customer lifecycle in one brand's network.
pub struct Phase(pub Arc<phase::Model>);

impl From<phase::Model> for Phase {
    fn from(model: phase::Model) -> Self {
        Self(Arc::new(model))
    }
}

#[Object(serial)]
impl Phase {
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

    /// 0-based, contiguous within the brand.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// What success in this phase is measured by (recall, close rate, repeat business…).
    async fn key_metric(&self) -> Option<&str> {
        self.0.key_metric.as_deref()
    }
}
