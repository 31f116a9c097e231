//! Batch look-ups by id, for the DataLoaders behind nested fields.
//!
//! They do not check permissions row by row: they are only asked for the neighbours of
//! objects the caller was already allowed to read (a visible touchpoint's owner, phase and
//! ratings), and those neighbours are readable whenever their parent is.
use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::db::Db;
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

pub async fn phases(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, phase::Model>> {
    Ok(phase::Entity::find()
        .filter(phase::Column::Id.is_in(ids.iter().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

pub async fn principles(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, principle::Model>> {
    Ok(principle::Entity::find()
        .filter(principle::Column::Id.is_in(ids.iter().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect())
}

/// Ratings per touchpoint, each with its principle; ratings of archived principles are left
/// out (they no longer count towards the alignment).
///
/// Two statements rather than one join: a brand has a handful of principles, shared by
/// thousands of ratings, and decoding each principle once (not once per rating, under
/// prefixed column names) is most of the difference in CPU.
pub async fn alignments(
    db: &Db,
    touchpoint_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<(alignment::Model, Arc<principle::Model>)>>> {
    let ratings = alignment::Entity::find()
        .inner_join(principle::Entity)
        .filter(alignment::Column::TouchpointId.is_in(touchpoint_ids.iter().copied()))
        .filter(principle::Column::ArchivedAt.is_null())
        .order_by_asc(alignment::Column::RatedAt)
        .order_by_asc(alignment::Column::Id)
        .all(db.conn())
        .await?;
    let mut principle_ids: Vec<Uuid> = ratings.iter().map(|r| r.principle_id).collect();
    principle_ids.sort_unstable();
    principle_ids.dedup();
    let principles: HashMap<Uuid, Arc<principle::Model>> = principles(db, &principle_ids)
        .await?
        .into_iter()
        .map(|(id, m)| (id, Arc::new(m)))
        .collect();
    let mut out: HashMap<Uuid, Vec<_>> = HashMap::new();
    for rating in ratings {
        // A principle deleted between the two statements leaves its ratings out, as the
        // join would have.
        if let Some(principle) = principles.get(&rating.principle_id) {
            out.entry(rating.touchpoint_id)
                .or_default()
                .push((rating, Arc::clone(principle)));
        }
    }
    Ok(out)
}
