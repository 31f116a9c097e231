//! The brand's phases: the ordered stages of its customer lifecycle (brand ADMIN manages
//! them). Positions stay contiguous from 0 after every change. Phases are cached (`cache`):
//! every change empties the caches once committed.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use super::audit::{self, AuditActor, AuditRecord};
use crate::auth::{NetworkRelation, Principal};
use crate::clock;
use crate::db::Db;
use crate::domain::touchpoint::Change;
use crate::domain::{text, Role};
use crate::entities::phase;
use crate::error::{AppError, AppResult};

/// Most phases in one brand: a lifecycle, not a process map.
pub const MAX_PHASES: usize = 20;

fn snapshot(p: &phase::Model) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "name": p.name, "position": p.position, "keyMetric": p.key_metric, "version": p.version,
    }))
}

async fn ordered<C: ConnectionTrait>(conn: &C, brand_id: Uuid) -> AppResult<Vec<phase::Model>> {
    Ok(phase::Entity::find()
        .filter(phase::Column::BrandId.eq(brand_id))
        .order_by_asc(phase::Column::Position)
        .order_by_asc(phase::Column::Id)
        .all(conn)
        .await?)
}

/// Writes positions 0..n in the given order, touching only rows whose position changes.
async fn renumber<C: ConnectionTrait>(conn: &C, phases: &[phase::Model]) -> AppResult<()> {
    let now = clock::now();
    for (index, p) in phases.iter().enumerate() {
        let position = index as i32;
        if p.position != position {
            let mut active = p.clone().into_active_model();
            active.position = Set(position);
            active.version = Set(p.version + 1);
            active.updated_at = Set(now);
            active.update(conn).await?;
        }
    }
    Ok(())
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
    let tx = db.begin_write().await?;
    let mut phases = ordered(&tx, brand_id).await?;
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
    // Make room first, so positions never collide mid-way.
    let mut after = phases.split_off(index);
    for p in after.iter_mut().rev() {
        let mut active = p.clone().into_active_model();
        active.position = Set(p.position + 1);
        active.version = Set(p.version + 1);
        *p = active.update(&tx).await?;
    }
    let now = clock::now();
    let created = phase::ActiveModel {
        id: Set(Uuid::now_v7()),
        brand_id: Set(brand_id),
        name: Set(name),
        position: Set(index as i32),
        key_metric: Set(key_metric),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    phases.push(created.clone());
    phases.extend(after);
    renumber(&tx, &phases).await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "phase.create",
            entity_type: "Phase",
            entity_id: created.id,
            brand_id: Some(brand_id),
            before: None,
            after: snapshot(&created),
        },
    )
    .await?;
    tx.commit().await?;
    db.caches_changed().await;
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
    let tx = db.begin_write().await?;
    let current = phase::Entity::find_by_id(phase_id)
        .one(&tx)
        .await?
        .filter(|ph| p.relation(ph.brand_id) != NetworkRelation::None)
        .ok_or(AppError::NotFound("phase"))?;
    p.require_brand_role(current.brand_id, Role::Admin)?;
    if let Some(v) = expected_version.filter(|v| *v != current.version) {
        return Err(AppError::Conflict(format!(
            "the phase is at version {}, not {v}: reload and retry",
            current.version
        )));
    }
    let mut next = current.clone();
    if let Some(name) = name {
        next.name = text::required_line("name", name, text::NAME_MAX)?;
    }
    match key_metric {
        Change::Keep => {}
        Change::Clear => next.key_metric = None,
        Change::Set(v) => {
            next.key_metric = text::optional_line("keyMetric", Some(&v), text::NAME_MAX)?
        }
    }
    if next == current {
        return Ok(current);
    }
    let mut active = current.clone().into_active_model();
    active.name = Set(next.name);
    active.key_metric = Set(next.key_metric);
    active.version = Set(current.version + 1);
    active.updated_at = Set(clock::now());
    let saved = active.update(&tx).await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "phase.update",
            entity_type: "Phase",
            entity_id: saved.id,
            brand_id: Some(saved.brand_id),
            before: snapshot(&current),
            after: snapshot(&saved),
        },
    )
    .await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok(saved)
}

/// Puts the brand's phases in the given order; `phase_ids` must name each phase once.
pub async fn reorder(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    phase_ids: &[Uuid],
) -> AppResult<Vec<phase::Model>> {
    p.require_brand_role(brand_id, Role::Admin)?;
    let tx = db.begin_write().await?;
    let current = ordered(&tx, brand_id).await?;
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
    renumber(&tx, &next).await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "phase.reorder",
            entity_type: "Brand",
            entity_id: brand_id,
            brand_id: Some(brand_id),
            before: Some(serde_json::json!(current
                .iter()
                .map(|ph| ph.id)
                .collect::<Vec<_>>())),
            after: Some(serde_json::json!(phase_ids)),
        },
    )
    .await?;
    let saved = ordered(&tx, brand_id).await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok(saved)
}
