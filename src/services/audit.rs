//! The append-only audit trail: every write records who, in which organization and network,
//! did what to which entity, with the entity before and after.
use sea_orm::{ActiveModelTrait, ConnectionTrait};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::{Actor, Principal};
use crate::clock;
use crate::domain::ChangeKind;
use crate::entities::audit_entry;
use crate::error::AppResult;

/// Who an audit entry names.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub label: String,
    pub organization_id: Option<Uuid>,
}

impl AuditActor {
    /// An operator's command-line action (`create-brand`, `seed-demo`).
    pub fn system(label: &str) -> Self {
        Self {
            kind: "SYSTEM",
            id: None,
            label: label.to_owned(),
            organization_id: None,
        }
    }
}

impl From<&Principal> for AuditActor {
    fn from(p: &Principal) -> Self {
        Self {
            kind: match p.actor {
                Actor::User { .. } => "USER",
                Actor::ApiClient { .. } => "API_CLIENT",
            },
            id: Some(p.actor_id()),
            label: p.actor_label(),
            organization_id: Some(p.org_id()),
        }
    }
}

/// One write to record.
pub struct AuditRecord<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Uuid,
    pub brand_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// An update as it is kept: only the fields that changed, before and after (the version
/// always), so the trail stays small however wide the entity is.
pub fn changed(
    before: &impl Serialize,
    after: &impl Serialize,
) -> (Option<serde_json::Value>, Option<serde_json::Value>) {
    let (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) =
        (snapshot(before), snapshot(after))
    else {
        return (snapshot(before), snapshot(after));
    };
    let mut old = serde_json::Map::new();
    let mut new = serde_json::Map::new();
    for (key, value) in a {
        let previous = b.get(&key).cloned().unwrap_or(serde_json::Value::Null);
        if previous != value || key == "version" {
            old.insert(key.clone(), previous);
            new.insert(key, value);
        }
    }
    (Some(old.into()), Some(new.into()))
}

/// An entity as it is kept in `before`/`after`.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// Appends an entry in the caller's transaction, so it commits with the write it describes.
pub async fn record<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    rec: AuditRecord<'_>,
) -> AppResult<()> {
    use sea_orm::IntoActiveModel;
    for entry in entries(actor, vec![rec], clock::now()) {
        entry.into_active_model().insert(conn).await?;
    }
    Ok(())
}

/// The action an entry names for a touchpoint write of this kind.
pub fn touchpoint_action(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "touchpoint.create",
        ChangeKind::Updated => "touchpoint.update",
        ChangeKind::Archived => "touchpoint.archive",
        ChangeKind::Restored => "touchpoint.restore",
        ChangeKind::Reviewed => "touchpoint.review",
    }
}

/// A rating as kept in `before`/`after`.
pub fn snapshot_rating(r: &crate::entities::alignment::Model) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "principleId": r.principle_id, "score": r.score, "note": r.note,
    }))
}

/// The entries for `records` by `actor`, at `at`, as they are stored.
pub fn entries(
    actor: &AuditActor,
    records: Vec<AuditRecord<'_>>,
    at: chrono::DateTime<chrono::Utc>,
) -> Vec<audit_entry::Model> {
    records
        .into_iter()
        .map(|rec| audit_entry::Model {
            id: Uuid::now_v7(),
            at,
            actor_kind: actor.kind.to_owned(),
            actor_id: actor.id,
            actor_label: actor.label.clone(),
            organization_id: actor.organization_id,
            brand_id: rec.brand_id,
            action: rec.action.to_owned(),
            entity_type: rec.entity_type.to_owned(),
            entity_id: rec.entity_id,
            before: rec.before,
            after: rec.after,
        })
        .collect()
}

/// Appends many entries (bulk writes such as sync), one INSERT per 500. (On PostgreSQL a
/// sync batch writes its entries as part of one statement instead: see `sync_write`.)
pub async fn record_many<C: ConnectionTrait>(
    conn: &C,
    actor: &AuditActor,
    records: Vec<AuditRecord<'_>>,
) -> AppResult<()> {
    use sea_orm::{EntityTrait, IntoActiveModel};
    let mut rows = entries(actor, records, clock::now())
        .into_iter()
        .map(IntoActiveModel::into_active_model)
        .peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(500).collect();
        audit_entry::Entity::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}
