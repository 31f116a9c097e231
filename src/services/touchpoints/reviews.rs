//! The brand's review of its partners' touchpoints, and its signature stamp.
//!
//! Only the brand's ADMINs and EDITORs review (APPROVE / REQUEST_CHANGES, with a comment
//! kept in the touchpoint's history) and set `signature`.
use sea_orm::{EntityTrait, QueryFilter};
use uuid::Uuid;

use serde_json::Value;

use crate::auth::Principal;
use crate::domain::{text, ChangeKind, ReviewDecision, ReviewStatus, Role};
use crate::entities::touchpoint;
use crate::error::{AppError, AppResult};
use crate::services::access::readable_touchpoints;
use crate::services::ledger::AuditActor;
use crate::services::write::{Action, Write};
use crate::store::db::Db;

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
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = brand_target(w.conn(), p, id).await?;
    // A review is recorded even when it leaves the status as it was (approved again).
    let decided = match decision {
        ReviewDecision::Approve => "APPROVE",
        ReviewDecision::RequestChanges => "REQUEST_CHANGES",
    };
    let mut action = Action::touchpoint(ChangeKind::Reviewed).also(
        "reviewDecision",
        Value::Null,
        decided.into(),
    );
    if let Some(comment) = comment {
        action = action.also("reviewComment", Value::Null, comment.into());
    }
    w.change::<touchpoint::Entity>(action, current, expected_version, |next| {
        next.review_status = match decision {
            ReviewDecision::Approve => ReviewStatus::Approved,
            ReviewDecision::RequestChanges => ReviewStatus::ChangesRequested,
        };
        Ok(())
    })
    .await
}

/// Sets or clears the brand's signature stamp on a touchpoint.
pub async fn set_signature(
    db: &Db,
    p: &Principal,
    id: Uuid,
    signature: bool,
    expected_version: Option<i32>,
) -> AppResult<touchpoint::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = brand_target(w.conn(), p, id).await?;
    let action = Action::new("touchpoint.set_signature").in_feed(ChangeKind::Reviewed);
    w.change::<touchpoint::Entity>(action, current, expected_version, |next| {
        next.signature = signature;
        Ok(())
    })
    .await
}
