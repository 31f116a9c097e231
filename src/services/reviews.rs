//! The brand's review of its partners' touchpoints, and its signature stamp.
//!
//! Only the brand's ADMINs and EDITORs review (APPROVE / REQUEST_CHANGES, with a comment
//! kept in the touchpoint's history) and set `signature`.
use sea_orm::{EntityTrait, QueryFilter};
use uuid::Uuid;

use super::access::readable_touchpoints;
use super::audit::{self, AuditActor, AuditRecord};
use super::changes;
use super::touchpoints::{check_version, save_if_version};
use crate::auth::Principal;
use crate::clock;
use crate::db::Db;
use crate::domain::{text, ChangeKind, ReviewStatus, Role};
use crate::entities::touchpoint;
use crate::error::{AppError, AppResult};
use crate::events::ChangeEvent;

/// The brand's verdict on a touchpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum ReviewDecision {
    Approve,
    RequestChanges,
}

async fn brand_target<C: sea_orm::ConnectionTrait>(
    conn: &C,
    p: &Principal,
    id: Uuid,
) -> AppResult<touchpoint::Model> {
    let target = touchpoint::Entity::find_by_id(id)
        .filter(readable_touchpoints(p))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("touchpoint"))?;
    p.require_brand_role(target.brand_id, Role::Editor)?;
    Ok(target)
}

async fn save(
    tx: &sea_orm::DatabaseTransaction,
    p: &Principal,
    current: &touchpoint::Model,
    next: touchpoint::Model,
    action: &str,
    comment: Option<String>,
) -> AppResult<(touchpoint::Model, ChangeEvent)> {
    let next = save_if_version(tx, current, next).await?;
    let actor = AuditActor::from(p);
    let (before, mut after) = super::touchpoint_diff::changed(current, &next);
    if let (Some(serde_json::Value::Object(map)), Some(comment)) = (after.as_mut(), comment) {
        map.insert("reviewComment".into(), comment.into());
    }
    audit::record(
        tx,
        &actor,
        AuditRecord {
            action,
            entity_type: "Touchpoint",
            entity_id: next.id,
            brand_id: Some(next.brand_id),
            before,
            after,
        },
    )
    .await?;
    let event = changes::record(tx, &actor, next.brand_id, next.id, ChangeKind::Reviewed).await?;
    Ok((next, event))
}

/// Approves a touchpoint or asks its owner for changes.
pub async fn review(
    db: &Db,
    p: &Principal,
    id: Uuid,
    decision: ReviewDecision,
    comment: Option<&str>,
    expected_version: Option<i32>,
) -> AppResult<touchpoint::Model> {
    let comment = text::optional_prose("comment", comment, text::PROSE_MAX)?;
    if decision == ReviewDecision::RequestChanges && comment.is_none() {
        return Err(AppError::bad_input(
            "comment",
            "say what should change when requesting changes",
        ));
    }
    let tx = db.begin_write().await?;
    let current = brand_target(&tx, p, id).await?;
    check_version(&current, expected_version)?;
    let mut next = current.clone();
    next.review_status = match decision {
        ReviewDecision::Approve => ReviewStatus::Approved,
        ReviewDecision::RequestChanges => ReviewStatus::ChangesRequested,
    };
    next.version += 1;
    next.updated_at = clock::now();
    let (saved, event) = save(
        &tx,
        p,
        &current,
        next,
        audit::touchpoint_action(ChangeKind::Reviewed),
        comment,
    )
    .await?;
    tx.commit().await?;
    db.announce(vec![event]).await;
    Ok(saved)
}

/// Sets or clears the brand's signature stamp on a touchpoint.
pub async fn set_signature(
    db: &Db,
    p: &Principal,
    id: Uuid,
    signature: bool,
) -> AppResult<touchpoint::Model> {
    let tx = db.begin_write().await?;
    let current = brand_target(&tx, p, id).await?;
    if current.signature == signature {
        return Ok(current);
    }
    let mut next = current.clone();
    next.signature = signature;
    next.version += 1;
    next.updated_at = clock::now();
    let (saved, event) = save(&tx, p, &current, next, "touchpoint.set_signature", None).await?;
    tx.commit().await?;
    db.announce(vec![event]).await;
    Ok(saved)
}
