use async_graphql::{Json, SimpleObject};

use crate::services::ledger::changes;

/// One field a write changed, with its value before and after (`null`: unset, or the entity
/// did not exist yet / no longer exists).
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The field's public name (`name`, `reviewStatus`, `alignments.<principleId>`, …).
    pub field: String,
    pub before: Option<Json<serde_json::Value>>,
    pub after: Option<Json<serde_json::Value>>,
}

impl FieldChange {
    /// The changes of a stored ledger entry.
    pub fn list(stored: &serde_json::Value) -> Vec<Self> {
        changes::fields(stored)
            .into_iter()
            .map(|c| Self {
                field: c.field,
                before: value(c.before),
                after: value(c.after),
            })
            .collect()
    }
}

fn value(v: serde_json::Value) -> Option<Json<serde_json::Value>> {
    (!v.is_null()).then_some(Json(v))
}
