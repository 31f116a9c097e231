//! The brand's principles: its positioning attributes and experience principles (brand
//! ADMIN manages them). Archiving a principle takes its ratings out of every alignment.
use sea_orm::EntityTrait;
use uuid::Uuid;

use crate::auth::{NetworkRelation, Principal};
use crate::clock;
use crate::domain::touchpoint::Change;
use crate::domain::{text, Role};
use crate::entities::principle;
use crate::error::{AppError, AppResult};
use crate::services::ledger::AuditActor;
use crate::services::write::{Action, Write};
use crate::store::db::Db;

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
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let created = w
        .insert::<principle::Entity>(
            Action::new("principle.create"),
            principle::Model {
                id: Uuid::now_v7(),
                brand_id,
                name,
                description,
                archived_at: None,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    w.commit().await?;
    Ok(created)
}

/// The principle, if it belongs to a network the caller knows, for its brand's ADMINs.
async fn find_writable(w: &Write<'_>, p: &Principal, id: Uuid) -> AppResult<principle::Model> {
    let found = principle::Entity::find_by_id(id)
        .one(w.conn())
        .await?
        .filter(|pr| p.relation(pr.brand_id) != NetworkRelation::None)
        .ok_or(AppError::NotFound("principle"))?;
    p.require_brand_role(found.brand_id, Role::Admin)?;
    Ok(found)
}

pub async fn update(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    name: Option<&str>,
    description: Change<String>,
) -> AppResult<principle::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = find_writable(&w, p, id).await?;
    w.change::<principle::Entity>(
        Action::new("principle.update"),
        current,
        expected_version,
        |next| {
            if let Some(name) = name {
                next.name = text::required_line("name", name, text::NAME_MAX)?;
            }
            description.apply_checked(&mut next.description, |v| {
                text::optional_prose("description", Some(&v), text::PROSE_MAX)
            })?;
            Ok(())
        },
    )
    .await
}

/// Archives a principle; its ratings stay stored but drop out of every alignment average.
pub async fn archive(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<principle::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = find_writable(&w, p, id).await?;
    let action = Action::new("principle.archive");
    w.change::<principle::Entity>(action, current, expected_version, |next| {
        next.archived_at = next.archived_at.or(Some(clock::now()));
        Ok(())
    })
    .await
}
