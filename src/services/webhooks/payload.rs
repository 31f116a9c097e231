//! What a delivery carries: `{id, type, createdAt, brandId, cursor, data: {touchpoint, changes,
//! actor}}`, the touchpoint as the endpoint's organization may see it when the delivery is
//! built. `changes` are shown to the touchpoint's owner and brand only, as in the change feed.
use serde_json::json;

use crate::domain::ChangeKind;
use crate::entities::{ledger_entry, touchpoint, webhook_delivery};
use crate::services::ledger::changes;
use crate::services::ledger::feed::FeedCursor;
use crate::services::touchpoints::diff;

/// The `type` of a delivery of a change of this kind.
pub fn event_type(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::Created => "touchpoint.created",
        ChangeKind::Updated => "touchpoint.updated",
        ChangeKind::Archived => "touchpoint.archived",
        ChangeKind::Restored => "touchpoint.restored",
        ChangeKind::Reviewed => "touchpoint.reviewed",
    }
}

/// The JSON body of `d`, the delivery of `entry` about `t`.
pub fn body(
    d: &webhook_delivery::Model,
    entry: &ledger_entry::Model,
    t: &touchpoint::Model,
    with_changes: bool,
) -> Vec<u8> {
    let changes = if with_changes {
        changes::fields(&entry.changes)
    } else {
        Vec::new()
    };
    let body = json!({
        "id": d.id,
        "type": d.event_type,
        "createdAt": entry.at,
        "brandId": t.brand_id,
        "cursor": FeedCursor::of(t.brand_id, entry).encode(),
        "data": {
            "touchpoint": diff::document(t),
            "version": entry.version,
            "changes": changes,
            "actor": {
                "kind": entry.actor_kind,
                "label": entry.actor_label,
                "organizationId": entry.organization_id,
                "via": entry.via,
            },
        },
    });
    serde_json::to_vec(&body).unwrap_or_default()
}
