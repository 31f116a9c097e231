//! The input of `syncTouchpoints`.
use async_graphql::{InputObject, InputType, MaybeUndefined, ID};

use super::touchpoint::{MoneyInput, TouchpointFields};
use crate::domain::SyncMode;
use crate::domain::{Channel, Expression, Horizon, Ownership, TouchpointStatus, Visibility};
use crate::graphql::scalars::Date;

/// One touchpoint of the caller's organization, keyed by its `externalId`. For a new one,
/// `name`, `channel`, `expressions` and `phaseId` are required; for an existing one an
/// omitted field keeps its value and `null` clears it.
#[derive(Debug, Clone, InputObject)]
pub struct SyncItemInput {
    pub external_id: String,
    #[graphql(default)]
    pub name: MaybeUndefined<String>,
    #[graphql(default)]
    pub description: MaybeUndefined<String>,
    #[graphql(default)]
    pub channel: MaybeUndefined<Channel>,
    #[graphql(default)]
    pub expressions: MaybeUndefined<Vec<Expression>>,
    #[graphql(default)]
    pub ownership: MaybeUndefined<Ownership>,
    #[graphql(default)]
    pub phase_id: MaybeUndefined<ID>,
    #[graphql(default)]
    pub target_experience: MaybeUndefined<String>,
    #[graphql(default)]
    pub key_metric: MaybeUndefined<String>,
    #[graphql(default)]
    pub tags: MaybeUndefined<Vec<String>>,
    #[graphql(default)]
    pub cost: MaybeUndefined<MoneyInput>,
    #[graphql(default)]
    pub resources: MaybeUndefined<String>,
    #[graphql(default)]
    pub media: MaybeUndefined<Vec<String>>,
    #[graphql(default)]
    pub launch_date: MaybeUndefined<Date>,
    #[graphql(default)]
    pub timing: MaybeUndefined<String>,
    #[graphql(default)]
    pub location: MaybeUndefined<String>,
    #[graphql(default)]
    pub importance: MaybeUndefined<i32>,
    #[graphql(default)]
    pub urgency: MaybeUndefined<i32>,
    #[graphql(default)]
    pub maturity: MaybeUndefined<i32>,
    #[graphql(default)]
    pub effort: MaybeUndefined<i32>,
    #[graphql(default)]
    pub benefit: MaybeUndefined<i32>,
    #[graphql(default)]
    pub visibility: MaybeUndefined<Visibility>,
    #[graphql(default)]
    pub status: MaybeUndefined<TouchpointStatus>,
    #[graphql(default)]
    pub horizon: MaybeUndefined<Horizon>,
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

impl From<SyncItemInput> for TouchpointFields {
    fn from(i: SyncItemInput) -> Self {
        Self {
            // The key identifies the touchpoint; it is not a field to change.
            external_id: MaybeUndefined::Undefined,
            name: i.name,
            description: i.description,
            channel: i.channel,
            expressions: i.expressions,
            ownership: i.ownership,
            phase_id: i.phase_id,
            target_experience: i.target_experience,
            key_metric: i.key_metric,
            tags: i.tags,
            cost: i.cost,
            resources: i.resources,
            media: i.media,
            launch_date: i.launch_date,
            timing: i.timing,
            location: i.location,
            importance: i.importance,
            urgency: i.urgency,
            maturity: i.maturity,
            effort: i.effort,
            benefit: i.benefit,
            visibility: i.visibility,
            status: i.status,
            horizon: i.horizon,
        }
    }
}
