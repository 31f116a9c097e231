//! The brand's phases (brand ADMIN manages them).
use sea_orm::{ActiveModelTrait, EntityTrait, IntoActiveModel, Set};
use uuid::Uuid;

use super::audit::{self, AuditActor, AuditRecord};
use crate::auth::Principal;
use crate::clock;
use crate::db::Db;
use crate::domain::touchpoint::Change;
use crate::domain::{text, Role};
use crate::entities::phase;
use crate::error::{AppError, AppResult};

/// Renames a phase and/or sets its key metric.
pub async fn update(
    db: &Db,
    p: &Principal,
    phase_id: Uuid,
    name: Option<&str>,
    key_metric: Change<String>,
) -> AppResult<phase::Model> {
    let tx = db.begin_write().await?;
    let current = phase::Entity::find_by_id(phase_id)
        .one(&tx)
        .await?
        .filter(|ph| p.relation(ph.brand_id) != crate::auth::NetworkRelation::None)
        .ok_or(AppError::NotFound("phase"))?;
    p.require_brand_role(current.brand_id, Role::Admin)?;
    let mut active = current.clone().into_active_model();
    if let Some(name) = name {
        active.name = Set(text::required_line("name", name, text::NAME_MAX)?);
    }
    match key_metric {
        Change::Keep => {}
        Change::Clear => active.key_metric = Set(None),
        Change::Set(v) => {
            active.key_metric = Set(text::optional_line("keyMetric", Some(&v), text::NAME_MAX)?)
        }
    }
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
            before: audit::snapshot(&serde_json::json!({
                "name": current.name, "keyMetric": current.key_metric,
            })),
            after: audit::snapshot(&serde_json::json!({
                "name": saved.name, "keyMetric": saved.key_metric,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}
