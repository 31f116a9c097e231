//! The brand's principles (brand ADMIN manages them).
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

use super::audit::{self, AuditActor, AuditRecord};
use crate::auth::Principal;
use crate::clock;
use crate::db::Db;
use crate::domain::{text, Role};
use crate::entities::principle;
use crate::error::AppResult;

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
            after: audit::snapshot(&serde_json::json!({
                "name": created.name, "description": created.description,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}
