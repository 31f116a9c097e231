use async_graphql::{Context, Json, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::connection::PageInfo;
use super::organization::Organization;
use crate::entities::audit_entry;
use crate::graphql::ids::to_id;
use crate::graphql::loaders::loaders;
use crate::services::audit_log::AuditPage;

/// One write, as the audit trail keeps it.
pub struct AuditEntry(pub audit_entry::Model);

#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        to_id(self.0.id)
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

    async fn before(&self) -> Option<Json<serde_json::Value>> {
        self.0.before.clone().map(Json)
    }

    async fn after(&self) -> Option<Json<serde_json::Value>> {
        self.0.after.clone().map(Json)
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
