//! Batch look-ups by id, for the DataLoaders behind nested fields.
//!
//! They do not check permissions row by row: they are only asked for the neighbours of
//! objects the caller was already allowed to read (a visible touchpoint's owner, phase and
//! ratings), and those neighbours are readable whenever their parent is.
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Iterable, QueryFilter,
    QueryOrder, Select,
};
use uuid::Uuid;

use crate::entities::cell::Cell;
use crate::entities::principle::{self, PrincipleSummary};
use crate::entities::{alignment, organization, phase};
use crate::error::AppResult;
use crate::store::cache::TtlCache;
use crate::store::db::Db;

pub async fn organizations(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Id.is_in(ids.iter().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

pub async fn phases<C: ConnectionTrait>(
    conn: &C,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, phase::Model>> {
    Ok(phase::Entity::find()
        .filter(phase::Column::Id.is_in(ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

/// Organizations by id through the cache (`cache`): those read within its time to live
/// from memory, the rest in one statement.
pub async fn cached_organizations(
    db: &Db,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Arc<organization::Model>>> {
    through_cache(&db.caches().organizations, ids, |missing| async move {
        organizations(db, &missing).await
    })
    .await
}

/// Phases by id through the cache, as [`cached_organizations`].
pub async fn cached_phases(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Arc<phase::Model>>> {
    cached_phases_through(db, db.conn(), ids).await
}

/// [`cached_phases`], reading what the cache lacks through `conn`: inside a transaction, its
/// own connection (a SQLite writer waiting for a second connection while holding the write
/// lock would wait for the writers queued behind it).
pub async fn cached_phases_through<C: ConnectionTrait>(
    db: &Db,
    conn: &C,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Arc<phase::Model>>> {
    through_cache(&db.caches().phases, ids, |missing| async move {
        phases(conn, &missing).await
    })
    .await
}

async fn through_cache<V, F, Fut>(
    cache: &TtlCache<Uuid, V>,
    ids: &[Uuid],
    load: F,
) -> AppResult<HashMap<Uuid, Arc<V>>>
where
    F: FnOnce(Vec<Uuid>) -> Fut,
    Fut: Future<Output = AppResult<HashMap<Uuid, V>>>,
{
    let (mut found, missing) = cache.get_many(ids);
    if missing.is_empty() {
        return Ok(found);
    }
    let seen = cache.generation();
    let loaded: Vec<(Uuid, Arc<V>)> = load(missing)
        .await?
        .into_iter()
        .map(|(id, v)| (id, Arc::new(v)))
        .collect();
    found.extend(loaded.iter().map(|(id, v)| (*id, Arc::clone(v))));
    cache.put(seen, loaded);
    Ok(found)
}

/// Ratings of touchpoints, each with its (shared) principle.
pub type Ratings = HashMap<Uuid, RatingList>;

/// One touchpoint's ratings, each with its principle.
pub type RatingList = Vec<(alignment::Model, Arc<PrincipleSummary>)>;

/// Ratings per touchpoint, each with its principle; ratings of archived principles are left
/// out (they no longer count towards the alignment).
///
/// The ratings in one statement, their principles through the cache (`cache`, as owners and
/// phases): a brand has a handful of principles and every page rates the same ones, so a
/// page usually costs this one statement. Joining the principles in instead cost SQLite two
/// more index look-ups per rating (the ratings query took a third less time without them).
/// Decoded by column position, as `touchpoint::ByPosition` (a page reads ~150 ratings).
pub async fn alignments(db: &Db, touchpoint_ids: &[Uuid]) -> AppResult<Ratings> {
    let ratings = ratings_of(touchpoint_ids)
        .into_model::<RatingByPosition>()
        .all(db.conn())
        .await?;
    let principle_ids = distinct(ratings.iter().map(|r| r.0.principle_id));
    let principles = cached_principles(db, &principle_ids).await?;
    let mut out: Ratings = HashMap::new();
    for RatingByPosition(rating) in ratings {
        // A rating's principle is never missing (the foreign key cascades deletes).
        let Some(principle) = principles.get(&rating.principle_id) else {
            continue;
        };
        if principle.archived_at.is_none() {
            out.entry(rating.touchpoint_id)
                .or_default()
                .push((rating, Arc::clone(principle)));
        }
    }
    Ok(out)
}

/// The ids once each: what the cached look-ups take, from a page's rows.
pub fn distinct(ids: impl Iterator<Item = Uuid>) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Principles by id through the cache, as [`cached_organizations`]. Private: it reads any
/// brand's principles, and is reached only through ratings of touchpoints the caller may see.
async fn cached_principles(
    db: &Db,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Arc<PrincipleSummary>>> {
    through_cache(&db.caches().principles, ids, |missing| async move {
        Ok(principle::Entity::find()
            .filter(principle::Column::Id.is_in(missing))
            .all(db.conn())
            .await?
            .into_iter()
            .map(|m| (m.id, PrincipleSummary::from(m)))
            .collect())
    })
    .await
}

/// The ratings statement: the touchpoints' ratings, oldest first. On SQLite it reads only
/// the covering index `ix_alignments_ratings` (migration 6), never the table.
pub fn ratings_of(touchpoint_ids: &[Uuid]) -> Select<alignment::Entity> {
    alignment::Entity::find()
        .filter(alignment::Column::TouchpointId.is_in(touchpoint_ids.iter().copied()))
        .order_by_asc(alignment::Column::RatedAt)
        .order_by_asc(alignment::Column::Id)
}

/// A rating decoded by column position (the columns [`ratings_of`] selects).
struct RatingByPosition(alignment::Model);

impl FromQueryResult for RatingByPosition {
    fn from_query_result(row: &sea_orm::QueryResult, _pre: &str) -> Result<Self, sea_orm::DbErr> {
        Ok(Self(rating_from(row, 0)?))
    }
}

/// The rating whose columns start at `first`, in `alignment::Column` order.
fn rating_from(row: &sea_orm::QueryResult, first: usize) -> Result<alignment::Model, DbErr> {
    let mut column = first..;
    let mut next = || column.next().unwrap_or_default();
    Ok(alignment::Model {
        id: Cell::read(row, next())?,
        touchpoint_id: Cell::read(row, next())?,
        principle_id: Cell::read(row, next())?,
        score: Cell::read(row, next())?,
        note: Cell::read(row, next())?,
        rated_by_id: Cell::read(row, next())?,
        rated_by_name: Cell::read(row, next())?,
        rated_at: Cell::read(row, next())?,
    })
}

/// The rating whose columns start at `first` (in `alignment::Column` order), followed by its
/// principle's name, description and version; `None` where an outer join found no rating of
/// an active principle.
pub(crate) fn rating_at(
    row: &sea_orm::QueryResult,
    first: usize,
) -> Result<Option<(alignment::Model, PrincipleSummary)>, DbErr> {
    let principle_at = first + alignment::Column::iter().count();
    let rated = Option::<Uuid>::read(row, first)?;
    let principle_name = Option::<String>::read(row, principle_at)?;
    let (Some(_), Some(name)) = (rated, principle_name) else {
        return Ok(None);
    };
    let rating = rating_from(row, first)?;
    let principle = PrincipleSummary {
        id: rating.principle_id,
        name,
        description: Cell::read(row, principle_at + 1)?,
        version: Cell::read(row, principle_at + 2)?,
        // Only ratings of active principles are joined.
        archived_at: None,
    };
    Ok(Some((rating, principle)))
}
