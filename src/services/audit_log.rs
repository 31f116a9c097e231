//! Reading the audit trail: the `auditLog` query (ADMINs: a brand's whole network, a
//! partner's own organization) and a touchpoint's history (its owner and its brand).
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::cursor::Cursor;
use crate::auth::{NetworkRelation, Principal};
use crate::db::Db;
use crate::domain::Role;
use crate::entities::{audit_entry, touchpoint};
use crate::error::{AppError, AppResult};
use crate::services::touchpoint_list::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// One page of entries, newest first.
pub struct AuditPage {
    pub entries: Vec<audit_entry::Model>,
    pub has_next_page: bool,
    query: String,
}

impl AuditPage {
    pub fn cursor(&self, e: &audit_entry::Model) -> String {
        Cursor {
            query: self.query.clone(),
            key: e.at.to_rfc3339().into(),
            id: e.id,
        }
        .encode()
    }
}

fn page_size(first: Option<i32>) -> AppResult<u64> {
    match first {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(n) if n < 0 || n as u64 > MAX_PAGE_SIZE => Err(AppError::bad_input(
            "first",
            format!("first must be between 0 and {MAX_PAGE_SIZE}"),
        )),
        Some(n) => Ok(n as u64),
    }
}

async fn page(
    db: &Db,
    scope: Condition,
    query: String,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<AuditPage> {
    let limit = page_size(first)?;
    let mut select = audit_entry::Entity::find().filter(scope);
    if let Some(text) = after {
        let cursor = Cursor::decode("after", text, &query)?;
        let at: DateTime<Utc> = cursor
            .key
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&Utc))
            .ok_or_else(|| AppError::bad_input("after", "after is not a cursor of this query"))?;
        select = select.filter(
            Condition::any().add(audit_entry::Column::At.lt(at)).add(
                Condition::all()
                    .add(audit_entry::Column::At.eq(at))
                    .add(audit_entry::Column::Id.lt(cursor.id)),
            ),
        );
    }
    let mut entries = select
        .order_by_desc(audit_entry::Column::At)
        .order_by_desc(audit_entry::Column::Id)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    let has_next_page = entries.len() as u64 > limit;
    entries.truncate(limit as usize);
    Ok(AuditPage {
        entries,
        has_next_page,
        query,
    })
}

/// The audit log an ADMIN may read: a brand's whole network (every entry in it, and the
/// brand's own organization-level entries), or a partner's own organization's entries.
/// `organization_id` narrows it to one acting organization; `entity_id` to one entity.
pub async fn list(
    db: &Db,
    p: &Principal,
    organization_id: Option<Uuid>,
    entity_id: Option<Uuid>,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<AuditPage> {
    p.require_role(Role::Admin)?;
    let own = p.org_id();
    let mut scope = if p.relation(own) == NetworkRelation::Brand {
        Condition::any()
            .add(audit_entry::Column::BrandId.eq(own))
            .add(audit_entry::Column::OrganizationId.eq(own))
    } else {
        Condition::all().add(audit_entry::Column::OrganizationId.eq(own))
    };
    if let Some(org) = organization_id {
        if !p.is_brand() && org != own {
            return Err(AppError::forbidden(
                "a partner reads the audit log of its own organization only",
            ));
        }
        scope = Condition::all()
            .add(scope)
            .add(audit_entry::Column::OrganizationId.eq(org));
    }
    if let Some(entity) = entity_id {
        scope = Condition::all()
            .add(scope)
            .add(audit_entry::Column::EntityId.eq(entity));
    }
    let query = format!("audit:{own}:{organization_id:?}:{entity_id:?}");
    page(db, scope, query, first, after).await
}

/// A touchpoint's history, newest first: for its owner and its brand; empty for anyone
/// else who can see the touchpoint (the trail is between those two).
pub async fn touchpoint_history(
    db: &Db,
    p: &Principal,
    t: &touchpoint::Model,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<AuditPage> {
    let query = format!("history:{}", t.id);
    let involved = t.owner_id == p.org_id() || p.relation(t.brand_id) == NetworkRelation::Brand;
    if !involved {
        return Ok(AuditPage {
            entries: Vec::new(),
            has_next_page: false,
            query,
        });
    }
    let scope = Condition::all()
        .add(audit_entry::Column::EntityId.eq(t.id))
        .add(audit_entry::Column::EntityType.eq("Touchpoint"));
    page(db, scope, query, first, after).await
}
