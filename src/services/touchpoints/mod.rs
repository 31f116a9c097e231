//! Reading and writing touchpoints under the rules of DESIGN.md §2.
//!
//! Writes run in one transaction with their ledger entry. A touchpoint
//! the caller cannot read does not exist for it (NOT_FOUND); one it can read but may not
//! change is FORBIDDEN.
pub mod alignments;
pub mod csv_export;
pub mod diff;
pub mod list;
pub mod reviews;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::readable_touchpoints;
use super::ledger::AuditActor;
use super::lookups::{self, RatingList};
use super::write::{check_version, Action, Write};
use crate::auth::Principal;
use crate::clock;
use crate::domain::touchpoint::TouchpointPatch;
use crate::domain::{ChangeKind, Ownership, ReviewStatus, Visibility};
use crate::entities::principle::PrincipleSummary;
use crate::entities::{alignment, phase, principle, touchpoint};
use crate::error::{AppError, AppResult};
use crate::store::db::Db;

/// The touchpoint, if the caller may read it.
pub async fn get(db: &Db, p: &Principal, id: Uuid) -> AppResult<Option<touchpoint::Model>> {
    get_in(db.conn(), p, id).await
}

async fn get_in<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    id: Uuid,
) -> AppResult<Option<touchpoint::Model>> {
    Ok(touchpoint::Entity::find_by_id(id)
        .filter(readable_touchpoints(p))
        .into_model::<touchpoint::ByPosition>()
        .one(conn)
        .await?
        .map(|row| row.0))
}

/// The touchpoint, if the caller may read it, with its ratings of active principles (oldest
/// first, as [`lookups::alignments`]) — in one statement: opening a touchpoint is among the
/// most frequent requests, and its ratings as a second statement were a second round trip.
pub async fn get_with_ratings(
    db: &Db,
    p: &Principal,
    id: Uuid,
) -> AppResult<Option<(touchpoint::Model, RatingList)>> {
    use sea_orm::sea_query::{Expr, ExprTrait, IntoCondition};
    use sea_orm::{Iterable, JoinType, QueryOrder, QuerySelect, RelationTrait};
    let ratings_of = touchpoint::Entity::belongs_to(alignment::Entity)
        .from(touchpoint::Column::Id)
        .to(alignment::Column::TouchpointId)
        .into();
    let active_principle =
        alignment::Relation::Principle
            .def()
            .on_condition(|_, principle_table| {
                Expr::col((principle_table, principle::Column::ArchivedAt))
                    .is_null()
                    .into_condition()
            });
    let rows = touchpoint::Entity::find_by_id(id)
        .filter(readable_touchpoints(p))
        .join(JoinType::LeftJoin, ratings_of)
        .join(JoinType::LeftJoin, active_principle)
        .columns(alignment::Column::iter())
        .column_as(principle::Column::Name, "principle_name")
        .column_as(principle::Column::Description, "principle_description")
        .column_as(principle::Column::Version, "principle_version")
        .order_by_asc(alignment::Column::RatedAt)
        .order_by_asc(alignment::Column::Id)
        .into_model::<TouchpointWithRating>()
        .all(db.conn())
        .await?;
    let mut rows = rows.into_iter();
    let Some(first) = rows.next() else {
        return Ok(None);
    };
    let ratings = std::iter::once(first.rating)
        .chain(rows.map(|r| r.rating))
        .flatten()
        .map(|(rating, principle)| (rating, std::sync::Arc::new(principle)))
        .collect();
    Ok(Some((first.touchpoint, ratings)))
}

/// A touchpoint's row joined with one of its ratings (if any).
struct TouchpointWithRating {
    touchpoint: touchpoint::Model,
    rating: Option<(alignment::Model, PrincipleSummary)>,
}

impl sea_orm::FromQueryResult for TouchpointWithRating {
    fn from_query_result(row: &sea_orm::QueryResult, pre: &str) -> Result<Self, sea_orm::DbErr> {
        use sea_orm::Iterable;
        Ok(Self {
            touchpoint: touchpoint::ByPosition::from_query_result(row, pre)?.0,
            rating: lookups::rating_at(row, touchpoint::Column::iter().count())?,
        })
    }
}

/// A touchpoint the caller may change: readable (else NOT_FOUND), owned by the caller's
/// organization, and in a network where the caller may write (else FORBIDDEN).
async fn get_writable<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    id: Uuid,
) -> AppResult<touchpoint::Model> {
    let current = get_in(conn, p, id)
        .await?
        .ok_or(AppError::NotFound("touchpoint"))?;
    p.require_own_writable(
        current.owner_id,
        current.brand_id,
        "only the owner edits a touchpoint; the brand reviews it instead",
    )?;
    Ok(current)
}

/// The brand's own touchpoints are approved on write; a partner's wait for review.
pub(super) fn review_status_on_write(brand_id: Uuid, owner_id: Uuid) -> ReviewStatus {
    if owner_id == brand_id {
        ReviewStatus::Approved
    } else {
        ReviewStatus::Pending
    }
}

/// The phase must belong to the touchpoint's brand.
async fn check_phase<C: ConnectionTrait>(
    conn: &C,
    phase_id: Uuid,
    brand_id: Uuid,
) -> AppResult<()> {
    let found = phase::Entity::find_by_id(phase_id)
        .filter(phase::Column::BrandId.eq(brand_id))
        .one(conn)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(AppError::bad_input(
            "phaseId",
            "no such phase in this brand",
        )),
    }
}

/// `externalId` is unique per owner.
async fn check_external_id<C: ConnectionTrait>(
    conn: &C,
    owner_id: Uuid,
    external_id: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let mut query = touchpoint::Entity::find()
        .filter(touchpoint::Column::OwnerId.eq(owner_id))
        .filter(touchpoint::Column::ExternalId.eq(external_id));
    if let Some(id) = except {
        query = query.filter(touchpoint::Column::Id.ne(id));
    }
    if query.one(conn).await?.is_some() {
        return Err(AppError::bad_input(
            "externalId",
            "another touchpoint of your organization has this externalId",
        ));
    }
    Ok(())
}

/// A new touchpoint with its defaults, before the patch is applied.
pub(super) fn blank(p: &Principal, brand_id: Uuid, phase_id: Uuid) -> touchpoint::Model {
    let is_brand = p.org_id() == brand_id;
    touchpoint::Model {
        ownership: if is_brand {
            Ownership::Own
        } else {
            Ownership::Partner
        },
        // The brand shares with its network by default; a partner keeps its data private
        // until it chooses to share.
        visibility: if is_brand {
            Visibility::Network
        } else {
            Visibility::Private
        },
        review_status: review_status_on_write(brand_id, p.org_id()),
        ..touchpoint::Model::new(Uuid::now_v7(), brand_id, p.org_id(), phase_id, clock::now())
    }
}

/// Registers a touchpoint of the caller's organization in `brand_id`'s network.
pub async fn create(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    patch: TouchpointPatch,
) -> AppResult<touchpoint::Model> {
    p.require_writer_in(brand_id)?;
    let required = patch.required_for_create()?;
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    check_phase(w.conn(), required.phase_id, brand_id).await?;
    if let crate::domain::touchpoint::Change::Set(ext) = &patch.external_id {
        check_external_id(w.conn(), p.org_id(), ext, None).await?;
    }
    let mut model = blank(p, brand_id, required.phase_id);
    model.apply(patch);
    let created = w
        .insert::<touchpoint::Entity>(Action::touchpoint(ChangeKind::Created), model)
        .await?;
    w.commit().await?;
    Ok(created)
}

/// Applies `patch` when the caller holds `expected_version`. A patch that changes nothing
/// returns the touchpoint as it is (no new version, no ledger entry).
pub async fn update(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: i32,
    patch: TouchpointPatch,
) -> AppResult<touchpoint::Model> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let current = get_writable(w.conn(), p, id).await?;
    // Before the other checks, so a stale version answers CONFLICT whatever else is wrong;
    // `Write::update` checks it again at the write, where it also holds under a race.
    check_version::<touchpoint::Entity>(&current, Some(expected_version))?;
    if current.archived_at.is_some() {
        return Err(AppError::Conflict(
            "the touchpoint is archived: restore it before editing".into(),
        ));
    }
    if let Some(phase_id) = patch.phase_id {
        check_phase(w.conn(), phase_id, current.brand_id).await?;
    }
    if let crate::domain::touchpoint::Change::Set(ext) = &patch.external_id {
        check_external_id(w.conn(), current.owner_id, ext, Some(current.id)).await?;
    }
    let mut next = current.clone();
    next.apply(patch);
    if next != current {
        next.review_status = review_status_on_write(current.brand_id, current.owner_id);
    }
    let saved = w
        .update::<touchpoint::Entity>(
            Action::touchpoint(ChangeKind::Updated),
            &current,
            Some(expected_version),
            next,
        )
        .await?;
    w.commit().await?;
    Ok(saved)
}

/// Archives (soft-deletes) or restores a touchpoint. Asking for the state it is already in
/// changes nothing and returns it.
pub async fn set_archived(
    db: &Db,
    p: &Principal,
    id: Uuid,
    archived: bool,
    expected_version: Option<i32>,
) -> AppResult<touchpoint::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = get_writable(w.conn(), p, id).await?;
    let kind = if archived {
        ChangeKind::Archived
    } else {
        ChangeKind::Restored
    };
    w.change::<touchpoint::Entity>(
        Action::touchpoint(kind),
        current,
        expected_version,
        |next| {
            if next.archived_at.is_some() != archived {
                next.archived_at = archived.then(clock::now);
            }
            Ok(())
        },
    )
    .await
}

/// The touchpoints among `ids` the caller may read (for journey steps and other references).
pub async fn visible_by_ids(
    db: &Db,
    p: &Principal,
    ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, touchpoint::Model>> {
    Ok(touchpoint::Entity::find()
        .filter(touchpoint::Column::Id.is_in(ids.iter().copied()))
        .filter(readable_touchpoints(p))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}
