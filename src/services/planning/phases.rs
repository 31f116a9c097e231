//! The brand's phases: the ordered stages of its customer lifecycle (brand ADMIN manages
//! them). Positions stay contiguous from 0 after every change. Phases are cached (`cache`):
//! every change empties the caches once committed.
use sea_orm::sea_query::LockType;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::{NetworkRelation, Principal};
use crate::clock;
use crate::domain::touchpoint::Change;
use crate::domain::{text, Role};
use crate::entities::{organization, phase};
use crate::error::{AppError, AppResult};
use crate::services::ledger::AuditActor;
use crate::services::write::{Action, Write};
use crate::store::db::Db;

/// Most phases in one brand: a lifecycle, not a process map.
pub const MAX_PHASES: usize = 20;

/// The brand's phases in order, read for a change to their order: on PostgreSQL the brand's
/// row is locked first (NO KEY UPDATE, which the touchpoints' foreign-key checks do not wait
/// for), so two such changes of one brand run one after the other and positions stay
/// contiguous; on SQLite the write transaction already runs alone.
async fn ordered_for_change(w: &Write<'_>, brand_id: Uuid) -> AppResult<Vec<phase::Model>> {
    organization::Entity::find_by_id(brand_id)
        .select_only()
        .column(organization::Column::Id)
        .lock(LockType::NoKeyUpdate)
        .into_tuple::<Uuid>()
        .one(w.conn())
        .await?;
    ordered(w.conn(), brand_id).await
}

async fn ordered<C: ConnectionTrait>(conn: &C, brand_id: Uuid) -> AppResult<Vec<phase::Model>> {
    Ok(phase::Entity::find()
        .filter(phase::Column::BrandId.eq(brand_id))
        .order_by_asc(phase::Column::Position)
        .order_by_asc(phase::Column::Id)
        .all(conn)
        .await?)
}

/// Gives the phases positions 0..n in the given order, saving only those whose position
/// changes, each at the version read: a concurrent change to one of them is a CONFLICT.
async fn renumber(w: &mut Write<'_>, phases: &[phase::Model]) -> AppResult<Vec<phase::Model>> {
    let mut saved = Vec::with_capacity(phases.len());
    for (index, current) in phases.iter().enumerate() {
        let mut next = current.clone();
        next.position = index as i32;
        saved.push(
            w.update::<phase::Entity>(Action::new("phase.move"), current, None, next)
                .await?,
        );
    }
    Ok(saved)
}

/// Adds a phase at `position` (0-based; default: last).
pub async fn create(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    name: &str,
    key_metric: Option<&str>,
    position: Option<i32>,
) -> AppResult<phase::Model> {
    p.require_brand_role(brand_id, Role::Admin)?;
    let name = text::required_line("name", name, text::NAME_MAX)?;
    let key_metric = text::optional_line("keyMetric", key_metric, text::NAME_MAX)?;
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let phases = ordered_for_change(&w, brand_id).await?;
    if phases.len() >= MAX_PHASES {
        return Err(AppError::LimitExceeded(format!(
            "a brand has at most {MAX_PHASES} phases"
        )));
    }
    let index = match position {
        None => phases.len(),
        Some(n) if n >= 0 && (n as usize) <= phases.len() => n as usize,
        Some(_) => {
            return Err(AppError::bad_input(
                "position",
                format!("position must be between 0 and {}", phases.len()),
            ))
        }
    };
    let now = clock::now();
    let created = w
        .insert::<phase::Entity>(
            Action::new("phase.create"),
            phase::Model {
                id: Uuid::now_v7(),
                brand_id,
                name,
                position: index as i32,
                key_metric,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    // The phases from `index` on move one place down to make room.
    let mut order = phases;
    order.insert(index, created.clone());
    renumber(&mut w, &order).await?;
    w.commit().await?;
    Ok(created)
}

/// Renames a phase and/or sets its key metric. `expected_version`, when given, must match.
pub async fn update(
    db: &Db,
    p: &Principal,
    phase_id: Uuid,
    expected_version: Option<i32>,
    name: Option<&str>,
    key_metric: Change<String>,
) -> AppResult<phase::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = phase::Entity::find_by_id(phase_id)
        .one(w.conn())
        .await?
        .filter(|ph| p.relation(ph.brand_id) != NetworkRelation::None)
        .ok_or(AppError::NotFound("phase"))?;
    p.require_brand_role(current.brand_id, Role::Admin)?;
    w.change::<phase::Entity>(
        Action::new("phase.update"),
        current,
        expected_version,
        |next| {
            if let Some(name) = name {
                next.name = text::required_line("name", name, text::NAME_MAX)?;
            }
            key_metric.apply_checked(&mut next.key_metric, |v| {
                text::optional_line("keyMetric", Some(&v), text::NAME_MAX)
            })?;
            Ok(())
        },
    )
    .await
}

/// Puts the brand's phases in the given order; `phase_ids` must name each phase once.
pub async fn reorder(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    phase_ids: &[Uuid],
) -> AppResult<Vec<phase::Model>> {
    p.require_brand_role(brand_id, Role::Admin)?;
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let current = ordered_for_change(&w, brand_id).await?;
    let mut seen = std::collections::HashSet::new();
    let mut next = Vec::with_capacity(current.len());
    for (index, id) in phase_ids.iter().enumerate() {
        if !seen.insert(*id) {
            return Err(AppError::bad_input(
                format!("phaseIds.{index}"),
                "a phase is listed twice",
            ));
        }
        let found = current.iter().find(|ph| ph.id == *id).ok_or_else(|| {
            AppError::bad_input(format!("phaseIds.{index}"), "no such phase in this brand")
        })?;
        next.push(found.clone());
    }
    if next.len() != current.len() {
        return Err(AppError::bad_input(
            "phaseIds",
            "list every phase of the brand exactly once",
        ));
    }
    let saved = renumber(&mut w, &next).await?;
    w.commit().await?;
    Ok(saved)
}
