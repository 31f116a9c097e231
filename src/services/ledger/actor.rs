//! Who a ledger entry names, and the path the write came by.
use uuid::Uuid;

use crate::auth::{Actor, Principal};

/// How a write came (`AuditEntry.via`): a history shows a sync run apart from an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Mutation,
    Sync,
    Cli,
}

impl Via {
    pub fn as_str(self) -> &'static str {
        match self {
            Via::Mutation => "MUTATION",
            Via::Sync => "SYNC",
            Via::Cli => "CLI",
        }
    }
}

/// The actor of a write: who, for which organization, by which path.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub kind: &'static str,
    pub id: Option<Uuid>,
    pub label: String,
    pub organization_id: Option<Uuid>,
    pub via: Via,
}

impl AuditActor {
    /// An operator's command-line action (`create-brand`, `seed-demo`).
    pub fn system(label: &str) -> Self {
        Self {
            kind: "SYSTEM",
            id: None,
            label: label.to_owned(),
            organization_id: None,
            via: Via::Cli,
        }
    }

    /// The same actor writing by another path.
    pub fn via(mut self, via: Via) -> Self {
        self.via = via;
        self
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
            via: Via::Mutation,
        }
    }
}
