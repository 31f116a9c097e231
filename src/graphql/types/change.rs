use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::connection::PageInfo;
use super::field_change::FieldChange;
use super::touchpoint::Touchpoint;
use crate::domain::ChangeKind;
use crate::entities::{ledger_entry, touchpoint};
use crate::graphql::ids::to_id;
use crate::services::ledger::feed::{FeedEntry, FeedPage};

/// Something that happened to a touchpoint.
pub struct TouchpointChange {
    pub kind: ChangeKind,
    pub at: DateTime<Utc>,
    pub actor: String,
    /// The ledger entry, when the change was read from the feed (not from a live event).
    pub entry: Option<ledger_entry::Model>,
    /// The touchpoint as it is now.
    pub touchpoint: touchpoint::Model,
}

#[Object]
impl TouchpointChange {
    async fn kind(&self) -> ChangeKind {
        self.kind
    }

    async fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// Who changed it (an e-mail, or `api-client:<name>`).
    async fn actor(&self) -> &str {
        &self.actor
    }

    async fn touchpoint_id(&self) -> ID {
        to_id(self.touchpoint.id)
    }

    /// The touchpoint as it is now (archived ones included).
    async fn touchpoint(&self) -> Touchpoint {
        Touchpoint::from(self.touchpoint.clone())
    }

    /// The touchpoint's version this change made (null in a live event).
    async fn version(&self) -> Option<i32> {
        self.entry.as_ref().and_then(|e| e.version)
    }

    /// The fields this change set, each before and after: for the touchpoint's owner and
    /// brand (as its `history`); empty for other readers, and in a live event (read the feed).
    async fn changes(&self) -> Vec<FieldChange> {
        self.entry
            .as_ref()
            .map(|e| FieldChange::list(&e.changes))
            .unwrap_or_default()
    }
}

#[derive(SimpleObject)]
pub struct TouchpointChangeEdge {
    pub cursor: String,
    pub node: TouchpointChange,
}

/// A page of the change feed, oldest first. Keep `pageInfo.endCursor` and pass it as
/// `after` next time: it is there even when the page is empty.
#[derive(SimpleObject)]
pub struct TouchpointChangeConnection {
    pub edges: Vec<TouchpointChangeEdge>,
    pub nodes: Vec<TouchpointChange>,
    pub page_info: PageInfo,
}

impl From<FeedPage> for TouchpointChangeConnection {
    fn from(page: FeedPage) -> Self {
        let change = |f: &FeedEntry| TouchpointChange {
            kind: f.kind,
            at: f.entry.at,
            actor: f.entry.actor_label.clone(),
            entry: Some(f.entry.clone()),
            touchpoint: f.touchpoint.clone(),
        };
        let cursors: Vec<String> = page.entries.iter().map(|f| page.cursor(&f.entry)).collect();
        Self {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                has_previous_page: false,
                start_cursor: cursors.first().cloned(),
                end_cursor: page.end_cursor.map(|c| c.encode()),
            },
            edges: page
                .entries
                .iter()
                .zip(cursors)
                .map(|(f, cursor)| TouchpointChangeEdge {
                    cursor,
                    node: change(f),
                })
                .collect(),
            nodes: page.entries.iter().map(change).collect(),
        }
    }
}
