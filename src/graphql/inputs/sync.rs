//! The input of `syncTouchpoints`.
use async_graphql::{InputObject, InputType, ID};

use super::touchpoint::TouchpointFields;
use crate::domain::SyncMode;

/// One touchpoint of the caller's organization, keyed by its `externalId`. For a new one,
/// `name`, `channel`, `expressions` and `phaseId` are required; for an existing one an
/// omitted field keeps its value and `null` clears it.
#[derive(Debug, Clone, InputObject)]
pub struct SyncItemInput {
    pub external_id: String,
    #[graphql(flatten)]
    pub fields: TouchpointFields,
}

#[derive(Debug, Clone, InputObject)]
pub struct SyncTouchpointsInput {
    pub brand_id: ID,
    #[graphql(default_with = "SyncMode::Upsert")]
    pub mode: SyncMode,
    /// Return what a real run would return, and write nothing.
    #[graphql(default = false)]
    pub dry_run: bool,
    /// Yours for 24 hours: the same key and request returns the first result; a different
    /// request with it is a CONFLICT. Dry runs neither use nor keep keys.
    pub idempotency_key: Option<String>,
    /// At most 1,000.
    pub items: Vec<SyncItemInput>,
}

impl SyncTouchpointsInput {
    /// A stable fingerprint of what the request asks (brand, mode, items; not the key and
    /// not `dryRun`), with object keys sorted so field order does not matter.
    pub fn fingerprint(&self) -> String {
        let mut value = self.to_value().into_json().unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.remove("idempotencyKey");
            map.remove("dryRun");
        }
        canonical(&value)
    }
}

fn canonical(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let fields: Vec<String> = keys
                .into_iter()
                .map(|k| {
                    format!(
                        "{}:{}",
                        serde_json::Value::from(k.as_str()),
                        canonical(&map[k])
                    )
                })
                .collect();
            format!("{{{}}}", fields.join(","))
        }
        serde_json::Value::Array(items) => {
            format!(
                "[{}]",
                items.iter().map(canonical).collect::<Vec<_>>().join(",")
            )
        }
        other => other.to_string(),
    }
}
