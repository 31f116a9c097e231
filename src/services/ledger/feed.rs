//! The change feed for sync: the ledger's touchpoint entries (every create, update, archive,
//! restore and review) of the touchpoints the caller may see, in a stable order, resumable
//! from an opaque cursor.
//!
//! # Why it is gap-free
//!
//! A reader pages by a cursor and must never miss a change that commits later "behind" it.
//! Ordering by a sequence is not enough on PostgreSQL: transaction A takes id 10, B takes
//! id 11 and commits first, a reader returns 11 and moves its cursor past 10 — then A
//! commits id 10 and the reader never sees it.
//!
//! So each entry carries its writing transaction's id (`pg_current_xact_id()`), the
//! feed is ordered by `(tx_id, seq)`, and a read returns only entries whose `tx_id` is below
//! the oldest transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`). Every
//! transaction below that horizon has finished, so no row can later appear below it; a
//! transaction still running can only add rows above the horizon, which the cursor has not
//! passed. A long-running transaction anywhere in the database holds the horizon back: the
//! feed then waits (it is delayed, never gapped).
//!
//! On SQLite one writer commits at a time and `seq` is handed out in commit order
//! (AUTOINCREMENT), so `(0, seq)` is already a commit order and no horizon is needed.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::log::reads_history;
use crate::auth::Principal;
use crate::domain::ChangeKind;
use crate::entities::{ledger_entry, touchpoint};
use crate::error::{AppError, AppResult};
use crate::services::access::readable_touchpoints;
use crate::services::cursor::page_size;
use crate::services::network::brands;
use crate::store::db::Db;

pub const DEFAULT_FEED_PAGE: u64 = 100;
pub const MAX_FEED_PAGE: u64 = 500;

/// A position in one brand's feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedCursor {
    #[serde(rename = "b")]
    brand_id: Uuid,
    #[serde(rename = "x")]
    tx_id: i64,
    #[serde(rename = "i")]
    id: i64,
}

impl FeedCursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// The position `(tx_id, seq)` in `brand_id`'s feed.
    pub fn at(brand_id: Uuid, tx_id: i64, seq: i64) -> Self {
        Self {
            brand_id,
            tx_id,
            id: seq,
        }
    }

    /// `(tx_id, seq)`: the position, as the ledger's columns hold it.
    pub fn position(&self) -> (i64, i64) {
        (self.tx_id, self.id)
    }

    /// Rows after this position, by their position columns.
    pub fn after_condition(&self, tx: impl ColumnTrait, seq: impl ColumnTrait) -> Condition {
        Condition::any()
            .add(tx.gt(self.tx_id))
            .add(Condition::all().add(tx.eq(self.tx_id)).add(seq.gt(self.id)))
    }

    pub fn decode(text: &str, brand_id: Uuid) -> AppResult<Self> {
        let invalid = || AppError::bad_input("after", "after is not a cursor of this brand's feed");
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let cursor: Self = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.brand_id != brand_id {
            return Err(invalid());
        }
        Ok(cursor)
    }

    /// The position of `entry`, a feed entry of `brand_id`.
    pub fn of(brand_id: Uuid, entry: &ledger_entry::Model) -> Self {
        Self {
            brand_id,
            tx_id: entry.tx_id,
            id: entry.seq,
        }
    }
}

/// On PostgreSQL, the entries below the oldest transaction still running: the ones no later
/// commit can land behind (see the module doc). Every reader that moves a cursor filters by it.
pub fn settled() -> sea_orm::sea_query::SimpleExpr {
    Expr::col((ledger_entry::Entity, ledger_entry::Column::TxId)).lt(Expr::cust(
        "pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
    ))
}

/// One change of the feed: its kind, its ledger entry and the touchpoint as it is now.
pub struct FeedEntry {
    pub kind: ChangeKind,
    pub entry: ledger_entry::Model,
    pub touchpoint: touchpoint::Model,
}

pub struct FeedPage {
    pub brand_id: Uuid,
    pub entries: Vec<FeedEntry>,
    pub has_next_page: bool,
    /// Where to resume: the last entry's cursor, or the cursor given when nothing is new.
    pub end_cursor: Option<FeedCursor>,
}

impl FeedPage {
    pub fn cursor(&self, entry: &ledger_entry::Model) -> String {
        FeedCursor::of(self.brand_id, entry).encode()
    }
}

/// The next changes after `after` in `brand_id`'s feed, of touchpoints the caller may see.
pub async fn page(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    after: Option<&str>,
    first: Option<i32>,
) -> AppResult<FeedPage> {
    brands::require_known(p, brand_id)?;
    let limit = page_size(first, DEFAULT_FEED_PAGE, MAX_FEED_PAGE)?;
    let cursor = after
        .map(|text| FeedCursor::decode(text, brand_id))
        .transpose()?;
    use ledger_entry::Column;
    let mut select = ledger_entry::Entity::find()
        .find_also_related(touchpoint::Entity)
        .filter(Column::BrandId.eq(brand_id))
        .filter(Column::Kind.is_not_null())
        .filter(readable_touchpoints(p));
    if let Some(c) = cursor {
        select = select.filter(c.after_condition(Column::TxId, Column::Seq));
    }
    if db.backend() == DbBackend::Postgres {
        select = select.filter(settled());
    }
    let rows = select
        .order_by_asc(Column::TxId)
        .order_by_asc(Column::Seq)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    let has_next_page = rows.len() as u64 > limit;
    let entries: Vec<_> = rows
        .into_iter()
        .take(limit as usize)
        .filter_map(|(mut entry, touchpoint)| {
            let touchpoint = touchpoint?;
            if !reads_history(p, &touchpoint) {
                entry.changes = serde_json::Value::Object(Default::default());
            }
            Some(FeedEntry {
                kind: entry.kind?,
                entry,
                touchpoint,
            })
        })
        .collect();
    let end_cursor = entries
        .last()
        .map(|f| FeedCursor::of(brand_id, &f.entry))
        .or(cursor);
    Ok(FeedPage {
        brand_id,
        entries,
        has_next_page,
        end_cursor,
    })
}
