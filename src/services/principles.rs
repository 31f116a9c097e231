//! The brand's principles: its positioning attributes and experience principles (brand
//! ADMIN manages them). Archiving a principle takes its ratings out of every alignment.
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::audit::{self, AuditActor, AuditRecord};
use crate::auth::{NetworkRelation, Principal};
use crate::clock;
use crate::db::Db;
use crate::domain::touchpoint::Change;
use crate::domain::{text, Role};
use crate::entities::principle;
use crate::error::{AppError, AppResult};

fn snapshot(p: &principle::Model) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "name": p.name, "description": p.description, "archivedAt": p.archived_at,
        "version": p.version,
    }))
}

pub async fn create(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    name: &str,
    description: Option<&str>,
) -> AppResult<principle::Model> {
    p.require_brand_role(brand_id, Role::Admin)?;
    let name = text::required_line("name", name, text::NAME_MAX)?;
    let description = text::optional_prose("description", description, text::PROSE_MAX)?;
    let now = clock::now();
    let tx = db.begin_write().await?;
    let created = principle::ActiveModel {
        id: Set(Uuid::now_v7()),
        brand_id: Set(brand_id),
        name: Set(name),
        description: Set(description),
        archived_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "principle.create",
            entity_type: "Principle",
            entity_id: created.id,
            brand_id: Some(brand_id),
            before: None,
            after: snapshot(&created),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// The principle, if it belongs to a network the caller knows.
async fn find_known(
    tx: &sea_orm::DatabaseTransaction,
    p: &Principal,
    id: Uuid,
) -> AppResult<principle::Model> {
    principle::Entity::find_by_id(id)
        .one(tx)
        .await?
        .filter(|pr| p.relation(pr.brand_id) != NetworkRelation::None)
        .ok_or(AppError::NotFound("principle"))
}

async fn save(
    tx: &sea_orm::DatabaseTransaction,
    p: &Principal,
    current: &principle::Model,
    next: principle::Model,
    action: &str,
) -> AppResult<principle::Model> {
    let mut active = current.clone().into_active_model();
    active.name = Set(next.name);
    active.description = Set(next.description);
    active.archived_at = Set(next.archived_at);
    active.version = Set(current.version + 1);
    active.updated_at = Set(clock::now());
    let saved = active.update(tx).await?;
    audit::record(
        tx,
        &AuditActor::from(p),
        AuditRecord {
            action,
            entity_type: "Principle",
            entity_id: saved.id,
            brand_id: Some(saved.brand_id),
            before: snapshot(current),
            after: snapshot(&saved),
        },
    )
    .await?;
    Ok(saved)
}

pub async fn update(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    name: Option<&str>,
    description: Change<String>,
) -> AppResult<principle::Model> {
    let tx = db.begin_write().await?;
    let current = find_known(&tx, p, id).await?;
    p.require_brand_role(current.brand_id, Role::Admin)?;
    if let Some(v) = expected_version.filter(|v| *v != current.version) {
        return Err(AppError::Conflict(format!(
            "the principle is at version {}, not {v}: reload and retry",
            current.version
        )));
    }
    let mut next = current.clone();
    if let Some(name) = name {
        next.name = text::required_line("name", name, text::NAME_MAX)?;
    }
    match description {
        Change::Keep => {}
        Change::Clear => next.description = None,
        Change::Set(v) => {
            next.description = text::optional_prose("description", Some(&v), text::PROSE_MAX)?
        }
    }
    if next == current {
        return Ok(current);
    }
    let saved = save(&tx, p, &current, next, "principle.update").await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok(saved)
}

/// Archives a principle; its ratings stay stored but drop out of every alignment average.
pub async fn archive(db: &Db, p: &Principal, id: Uuid) -> AppResult<principle::Model> {
    let tx = db.begin_write().await?;
    let current = find_known(&tx, p, id).await?;
    p.require_brand_role(current.brand_id, Role::Admin)?;
    if current.archived_at.is_some() {
        return Ok(current);
    }
    let mut next = current.clone();
    next.archived_at = Some(clock::now());
    let saved = save(&tx, p, &current, next, "principle.archive").await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok(saved)
}
