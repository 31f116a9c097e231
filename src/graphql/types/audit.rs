use async_graphql::{Context, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::connection::PageInfo;
use super::field_change::FieldChange;
use super::organization::Organization;
use crate::entities::ledger_entry;
use crate::graphql::ids::to_id;
use crate::graphql::loaders::loaders;
use crate::services::ledger::changes;
use crate::services::ledger::log::AuditPage;

/// One changed entity of one write, as the ledger keeps it.
pub struct AuditEntry(pub ledger_entry::Model);

#[Object]
impl AuditEntry {
    /// The entry's number in the ledger (unique; the order of a page is the ledger's).
    async fn id(&self) -> ID {
        ID(self.0.seq.to_string())
    }

    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }

    /// `touchpoint.update`, `touchpoint.review`, `membership.create`, …
    async fn action(&self) -> &str {
        &self.0.action
    }

    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }

    async fn entity_id(&self) -> ID {
        to_id(self.0.entity_id)
    }

    /// `USER`, `API_CLIENT` or `SYSTEM`.
    async fn actor_kind(&self) -> &str {
        &self.0.actor_kind
    }

    async fn actor_id(&self) -> Option<ID> {
        self.0.actor_id.map(to_id)
    }

    /// The actor's e-mail, `api-client:<name>`, or the command that acted.
    async fn actor_label(&self) -> &str {
        &self.0.actor_label
    }

    /// The organization the actor acted for.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<Organization>> {
        let Some(id) = self.0.organization_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?
            .organizations
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// The network the entity belongs to.
    async fn brand_id(&self) -> Option<ID> {
        self.0.brand_id.map(to_id)
    }

    /// The entity's version after the write (null: unversioned, or removed).
    async fn version(&self) -> Option<i32> {
        self.0.version
    }

    /// How the write came: `MUTATION`, `SYNC` (a `syncTouchpoints` batch) or `CLI`; null for
    /// entries recorded before the ledger said.
    async fn via(&self) -> Option<&str> {
        self.0.via.as_deref()
    }

    /// The fields the write changed, each with its value before and after.
    async fn changes(&self) -> Vec<FieldChange> {
        FieldChange::list(&self.0.changes)
    }

    /// The changed fields' values before the write, and the version before (null for a
    /// create): built from `changes`.
    async fn before(&self) -> Option<Json<serde_json::Value>> {
        changes::documents(&self.0.changes, self.0.version)
            .0
            .map(Json)
    }

    /// The changed fields' values after the write, and the new version (null for a removal):
    /// built from `changes`.
    async fn after(&self) -> Option<Json<serde_json::Value>> {
        changes::documents(&self.0.changes, self.0.version)
            .1
            .map(Json)
    }
}

#[derive(SimpleObject)]
pub struct AuditEntryEdge {
    pub cursor: String,
    pub node: AuditEntry,
}

/// A page of audit entries, newest first.
#[derive(SimpleObject)]
pub struct AuditEntryConnection {
    pub edges: Vec<AuditEntryEdge>,
    pub nodes: Vec<AuditEntry>,
    pub page_info: PageInfo,
}

impl From<AuditPage> for AuditEntryConnection {
    fn from(page: AuditPage) -> Self {
        let cursors: Vec<String> = page.entries.iter().map(|e| page.cursor(e)).collect();
        Self {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                has_previous_page: false,
                start_cursor: cursors.first().cloned(),
                end_cursor: cursors.last().cloned(),
            },
            edges: page
                .entries
                .iter()
                .zip(cursors)
                .map(|(e, cursor)| AuditEntryEdge {
                    cursor,
                    node: AuditEntry(e.clone()),
                })
                .collect(),
            nodes: page.entries.into_iter().map(AuditEntry).collect(),
        }
    }
}
