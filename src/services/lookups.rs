//! Batch look-ups by id, for the DataLoaders behind nested fields.
//!
//! They do not check permissions row by row: they are only asked for the neighbours of
//! objects the caller was already allowed to read (a visible touchpoint's owner, phase and
//! ratings), and those neighbours are readable whenever their parent is.
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, Iterable, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::cache::TtlCache;
use crate::db::Db;
use crate::entities::cell::Cell;
use crate::entities::{alignment, organization, phase, principle};
use crate::error::AppResult;

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

/// A principle as ratings show it (and the GraphQL `Principle` type: its columns but the
/// timestamps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipleSummary {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub version: i32,
    pub archived_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<principle::Model> for PrincipleSummary {
    fn from(m: principle::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            description: m.description,
            version: m.version,
            archived_at: m.archived_at,
        }
    }
}

/// Ratings of touchpoints, each with its (shared) principle.
pub type Ratings = HashMap<Uuid, RatingList>;

/// One touchpoint's ratings, each with its principle.
pub type RatingList = Vec<(alignment::Model, Arc<PrincipleSummary>)>;

/// Ratings per touchpoint, each with its principle; ratings of archived principles are left
/// out (they no longer count towards the alignment).
///
/// One statement, with the principle's columns under plain names, and each principle built
/// once and shared by its ratings. Not sea-orm's paired decoding (`find_also_related`): it
/// formats a prefixed name for every column of every row, which cost more CPU than the rest
/// of the look-up. Not a second statement for the principles: on PostgreSQL that is one
/// more round trip per request.
pub async fn alignments(db: &Db, touchpoint_ids: &[Uuid]) -> AppResult<Ratings> {
    use principle::Column as P;
    let rows = alignment::Entity::find()
        .select_only()
        .columns(alignment::Column::iter())
        .column_as(P::Name, "principle_name")
        .column_as(P::Description, "principle_description")
        .column_as(P::Version, "principle_version")
        .inner_join(principle::Entity)
        .filter(alignment::Column::TouchpointId.is_in(touchpoint_ids.iter().copied()))
        .filter(P::ArchivedAt.is_null())
        .order_by_asc(alignment::Column::RatedAt)
        .order_by_asc(alignment::Column::Id)
        .into_model::<RatingRow>()
        .all(db.conn())
        .await?;
    let mut principles: HashMap<Uuid, Arc<PrincipleSummary>> = HashMap::new();
    let mut out: Ratings = HashMap::new();
    for row in rows {
        let principle = principles
            .entry(row.principle_id)
            .or_insert_with(|| Arc::new(row.principle()));
        let principle = Arc::clone(principle);
        out.entry(row.touchpoint_id)
            .or_default()
            .push((row.rating(), principle));
    }
    Ok(out)
}

/// A rating with its principle's columns, in the order [`alignments`] selects them.
struct RatingRow {
    id: Uuid,
    touchpoint_id: Uuid,
    principle_id: Uuid,
    score: i16,
    note: Option<String>,
    rated_by_id: Uuid,
    rated_by_name: String,
    rated_at: chrono::DateTime<chrono::Utc>,
    principle_name: String,
    principle_description: Option<String>,
    principle_version: i32,
}

/// Decoded by column position, as `touchpoint::ByPosition` (a page reads ~150 ratings).
impl FromQueryResult for RatingRow {
    fn from_query_result(row: &sea_orm::QueryResult, _pre: &str) -> Result<Self, sea_orm::DbErr> {
        Self::at(row, 0)
    }
}

/// The rating whose columns start at `first` (a rating row's, as [`alignments`] selects
/// them), with its principle; `None` where an outer join found no rating of an active
/// principle.
pub(crate) fn rating_at(
    row: &sea_orm::QueryResult,
    first: usize,
) -> Result<Option<(alignment::Model, PrincipleSummary)>, sea_orm::DbErr> {
    let rated = Option::<Uuid>::read(row, first)?;
    let principle_name = Option::<String>::read(row, first + alignment::Column::iter().count())?;
    if rated.is_none() || principle_name.is_none() {
        return Ok(None);
    }
    let found = RatingRow::at(row, first)?;
    let principle = found.principle();
    Ok(Some((found.rating(), principle)))
}

impl RatingRow {
    fn at(row: &sea_orm::QueryResult, first: usize) -> Result<Self, sea_orm::DbErr> {
        let mut column = first..;
        let mut next = || column.next().unwrap_or_default();
        Ok(Self {
            id: Cell::read(row, next())?,
            touchpoint_id: Cell::read(row, next())?,
            principle_id: Cell::read(row, next())?,
            score: Cell::read(row, next())?,
            note: Cell::read(row, next())?,
            rated_by_id: Cell::read(row, next())?,
            rated_by_name: Cell::read(row, next())?,
            rated_at: Cell::read(row, next())?,
            principle_name: Cell::read(row, next())?,
            principle_description: Cell::read(row, next())?,
            principle_version: Cell::read(row, next())?,
        })
    }

    fn principle(&self) -> PrincipleSummary {
        PrincipleSummary {
            id: self.principle_id,
            name: self.principle_name.clone(),
            description: self.principle_description.clone(),
            version: self.principle_version,
            // Only ratings of active principles are read.
            archived_at: None,
        }
    }

    fn rating(self) -> alignment::Model {
        alignment::Model {
            id: self.id,
            touchpoint_id: self.touchpoint_id,
            principle_id: self.principle_id,
            score: self.score,
            note: self.note,
            rated_by_id: self.rated_by_id,
            rated_by_name: self.rated_by_name,
            rated_at: self.rated_at,
        }
    }
}
