//! The entities DESIGN §3 versions: each carries a `version` that every change moves by one,
//! and a write applies only at the version it read ([`crate::services::write::Write`]). This says, once
//! per entity, what that path needs to know of it: its name, its key and version columns,
//! how its next version is stamped, and how the ledger shows its fields.
use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelBehavior, ActiveModelTrait, EntityTrait, IntoActiveModel};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::entities::{
    api_client, journey, membership, organization, partnership, phase, principle, touchpoint,
    webhook_endpoint,
};
use crate::services::ledger::Changes;

pub trait Versioned:
    EntityTrait<Model = <Self as Versioned>::Row, ActiveModel = <Self as Versioned>::Active>
{
    /// The model, with what the write path does with it: compare, copy, save.
    type Row: Clone + PartialEq + IntoActiveModel<Self::Active> + Send + Sync;
    type Active: ActiveModelTrait<Entity = Self> + ActiveModelBehavior + Send;

    /// The entity as the ledger names it (`entityType`).
    const TYPE: &'static str;
    /// The entity as a message names it ("the phase is at version 3").
    const LABEL: &'static str;
    /// Whether the caches hold it: a write to it empties them once committed.
    const CACHED: bool;
    const ID: Self::Column;
    const VERSION: Self::Column;

    fn id(m: &Self::Model) -> Uuid;
    fn version(m: &Self::Model) -> i32;
    /// The network it belongs to (`None`: an organization-level entity).
    fn network(m: &Self::Model) -> Option<Uuid>;
    /// Makes `m` the next version, changed at `now`.
    fn bump(m: &mut Self::Model, now: DateTime<Utc>);
    /// Its fields as the ledger shows them (public names).
    fn fields(m: &Self::Model) -> Value;

    /// The fields a new entity was created with.
    fn created(m: &Self::Model) -> Changes {
        Changes::between(&Value::Null, &Self::fields(m))
    }

    /// The fields that differ from `before` to `after`, each with both values.
    fn diff(before: &Self::Model, after: &Self::Model) -> Changes {
        Changes::between(&Self::fields(before), &Self::fields(after))
    }
}

impl Versioned for touchpoint::Entity {
    type Row = touchpoint::Model;
    type Active = touchpoint::ActiveModel;
    const TYPE: &'static str = "Touchpoint";
    const LABEL: &'static str = "touchpoint";
    const CACHED: bool = false;
    const ID: touchpoint::Column = touchpoint::Column::Id;
    const VERSION: touchpoint::Column = touchpoint::Column::Version;

    fn id(m: &touchpoint::Model) -> Uuid {
        m.id
    }
    fn version(m: &touchpoint::Model) -> i32 {
        m.version
    }
    fn network(m: &touchpoint::Model) -> Option<Uuid> {
        Some(m.brand_id)
    }
    fn bump(m: &mut touchpoint::Model, now: DateTime<Utc>) {
        m.version += 1;
        m.updated_at = now;
    }
    fn fields(m: &touchpoint::Model) -> Value {
        Changes::document(m)
    }
    fn created(m: &touchpoint::Model) -> Changes {
        crate::services::touchpoints::diff::created(m)
    }
    fn diff(before: &touchpoint::Model, after: &touchpoint::Model) -> Changes {
        crate::services::touchpoints::diff::changed(before, after)
    }
}

/// The [`Versioned`] impl of an entity whose model has `id` and `version`: its names, whether
/// the caches hold it, its network, the time a new version stamps (if it keeps one), and its
/// ledger fields.
macro_rules! versioned {
    ($entity:ident, $type:literal, $label:literal, cached: $cached:literal,
     network: |$n:ident| $network:expr, $(stamps: $stamp:ident,)?
     fields: |$f:ident| $fields:expr $(,)?) => {
        impl Versioned for $entity::Entity {
            type Row = $entity::Model;
            type Active = $entity::ActiveModel;
            const TYPE: &'static str = $type;
            const LABEL: &'static str = $label;
            const CACHED: bool = $cached;
            const ID: $entity::Column = $entity::Column::Id;
            const VERSION: $entity::Column = $entity::Column::Version;

            fn id(m: &$entity::Model) -> Uuid {
                m.id
            }
            fn version(m: &$entity::Model) -> i32 {
                m.version
            }
            fn network($n: &$entity::Model) -> Option<Uuid> {
                $network
            }
            #[allow(unused_variables)]
            fn bump(m: &mut $entity::Model, now: DateTime<Utc>) {
                m.version += 1;
                $(m.$stamp = now;)?
            }
            fn fields($f: &$entity::Model) -> Value {
                $fields
            }
        }
    };
}

versioned!(phase, "Phase", "phase", cached: true,
    network: |m| Some(m.brand_id), stamps: updated_at,
    fields: |m| json!({
        "name": m.name, "position": m.position, "keyMetric": m.key_metric, "version": m.version,
    }),
);

versioned!(principle, "Principle", "principle", cached: true,
    network: |m| Some(m.brand_id), stamps: updated_at,
    fields: |m| json!({
        "name": m.name, "description": m.description, "archivedAt": m.archived_at,
        "version": m.version,
    }),
);

versioned!(journey, "Journey", "journey", cached: false,
    network: |m| Some(m.brand_id), stamps: updated_at,
    fields: |m| json!({
        "name": m.name, "persona": m.persona, "description": m.description, "version": m.version,
    }),
);

// An organization's versioned part is a brand's settings.
versioned!(organization, "Organization", "brand's settings", cached: true,
    network: |m| Some(m.id), stamps: updated_at,
    fields: |m| json!({
        "slug": m.slug, "name": m.name, "kind": m.kind, "maxMajorSteps": m.max_major_steps,
        "version": m.version,
    }),
);

versioned!(partnership, "Partnership", "partnership", cached: true,
    network: |m| Some(m.brand_id), stamps: updated_at,
    fields: |m| json!({
        "partnerId": m.partner_id, "tier": m.tier, "status": m.status, "version": m.version,
    }),
);

versioned!(membership, "Membership", "membership", cached: true,
    network: |_m| None,
    fields: |m| json!({
        "userId": m.user_id, "organizationId": m.organization_id, "role": m.role,
        "version": m.version,
    }),
);

versioned!(api_client, "ApiClient", "API client", cached: true,
    network: |_m| None,
    fields: |m| json!({
        "name": m.name, "role": m.role, "revokedAt": m.revoked_at,
        "freeFormDocuments": m.free_form_documents, "version": m.version,
    }),
);

// Its secrets are never in the ledger.
versioned!(webhook_endpoint, "WebhookEndpoint", "webhook endpoint", cached: false,
    network: |_m| None, stamps: updated_at,
    fields: |m| json!({
        "brandId": m.brand_id, "url": m.url, "events": m.events, "description": m.description,
        "enabled": m.enabled, "disabledReason": m.disabled_reason, "version": m.version,
    }),
);
