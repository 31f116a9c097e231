use async_graphql::{Object, ID};

use crate::domain::{InsightCode, Severity};
use crate::graphql::ids::to_id;
use crate::services::planning::insights::Insight as Finding;

/// A finding of the journey linter.
pub struct Insight(pub Finding);

#[Object]
impl Insight {
    async fn code(&self) -> InsightCode {
        self.0.code
    }

    async fn severity(&self) -> Severity {
        self.0.severity
    }

    async fn message(&self) -> &str {
        &self.0.message
    }

    /// What it is about: touchpoints, phases or journeys.
    async fn subject_ids(&self) -> Vec<ID> {
        self.0.subject_ids.iter().copied().map(to_id).collect()
    }
}
