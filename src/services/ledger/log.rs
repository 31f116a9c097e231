//! Reading the ledger as an audit trail: the `auditLog` query (ADMINs: a brand's whole
//! network, a partner's own organization) and a touchpoint's history (its owner and its
//! brand), newest first by ledger position.
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::{NetworkRelation, Principal};
use crate::domain::Role;
use crate::entities::ledger_entry::{self, Column};
use crate::entities::touchpoint;
use crate::error::{AppError, AppResult};
use crate::services::cursor::{page_size, Cursor};
use crate::services::touchpoints::list::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use crate::store::db::Db;

/// One page of entries, newest first.
pub struct AuditPage {
    pub entries: Vec<ledger_entry::Model>,
    pub has_next_page: bool,
    query: String,
}

impl AuditPage {
    /// An entry's cursor: its position `[tx_id, seq]` is the key, and unique on its own.
    pub fn cursor(&self, e: &ledger_entry::Model) -> String {
        Cursor {
            query: self.query.clone(),
            key: serde_json::json!([e.tx_id, e.seq]),
            id: Uuid::nil(),
        }
        .encode()
    }
}

async fn page(
    db: &Db,
    scope: Condition,
    query: String,
    first: Option<i32>,
    after: Option<&str>,
) -> AppResult<AuditPage> {
    let limit = page_size(first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)?;
    let mut select = ledger_entry::Entity::find().filter(scope);
    if let Some(text) = after {
        let cursor = Cursor::decode("after", text, &query)?;
        let (tx_id, seq) = serde_json::from_value::<(i64, i64)>(cursor.key)
            .map_err(|_| AppError::bad_input("after", "after is not a cursor of this query"))?;
        select = select.filter(
            Condition::any().add(Column::TxId.lt(tx_id)).add(
                Condition::all()
                    .add(Column::TxId.eq(tx_id))
                    .add(Column::Seq.lt(seq)),
            ),
        );
    }
    let mut entries = select
        .order_by_desc(Column::TxId)
        .order_by_desc(Column::Seq)
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
            .add(Column::BrandId.eq(own))
            .add(Column::OrganizationId.eq(own))
    } else {
        Condition::all().add(Column::OrganizationId.eq(own))
    };
    if let Some(org) = organization_id {
        if !p.is_brand() && org != own {
            return Err(AppError::forbidden(
                "a partner reads the audit log of its own organization only",
            ));
        }
        scope = Condition::all()
            .add(scope)
            .add(Column::OrganizationId.eq(org));
    }
    if let Some(entity) = entity_id {
        scope = Condition::all().add(scope).add(Column::EntityId.eq(entity));
    }
    let query = format!("audit:{own}:{organization_id:?}:{entity_id:?}");
    page(db, scope, query, first, after).await
}

/// Whether `p` may read what `t`'s writes changed: its owner and its brand may; other readers
/// of the touchpoint see it as it is now, not its earlier values (which may date from when it
/// was PRIVATE) or the brand's review comments.
pub fn reads_history(p: &Principal, t: &touchpoint::Model) -> bool {
    t.owner_id == p.org_id() || p.relation(t.brand_id) == NetworkRelation::Brand
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
    if !reads_history(p, t) {
        return Ok(AuditPage {
            entries: Vec::new(),
            has_next_page: false,
            query,
        });
    }
    let scope = Condition::all()
        .add(Column::EntityId.eq(t.id))
        .add(Column::EntityType.eq("Touchpoint"));
    page(db, scope, query, first, after).await
}
