//! Rating how well a touchpoint expresses a principle.
//!
//! The brand's ADMINs and EDITORs rate any touchpoint of their network they can see; a
//! partner's ADMINs and EDITORs rate only their own organization's touchpoints. One rating
//! per (touchpoint, principle): rating again replaces it.
use sea_orm::sea_query::LockType;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use crate::auth::{NetworkRelation, Principal};
use crate::clock;
use crate::domain::text;
use crate::entities::{alignment, principle, touchpoint};
use crate::error::{AppError, AppResult};
use crate::services::access::readable_touchpoints;
use crate::services::ledger::{AuditActor, Changes, Entry};
use crate::services::write::Write;
use crate::store::db::Db;

pub async fn rate(
    db: &Db,
    p: &Principal,
    touchpoint_id: Uuid,
    principle_id: Uuid,
    score: i32,
    note: Option<&str>,
) -> AppResult<alignment::Model> {
    if !(-2..=2).contains(&score) {
        return Err(AppError::bad_input(
            "score",
            "score must be between -2 and 2",
        ));
    }
    let note = text::optional_prose("note", note, text::PROSE_MAX)?;
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    // The touchpoint's row is locked (PostgreSQL) so that two ratings of it run one after the
    // other: each reads the rating it replaces, and neither trips on the other's insert.
    let target = touchpoint::Entity::find_by_id(touchpoint_id)
        .filter(readable_touchpoints(p))
        .lock(LockType::NoKeyUpdate)
        .one(w.conn())
        .await?
        .ok_or(AppError::NotFound("touchpoint"))?;
    p.require_writer_in(target.brand_id)?;
    let is_brand = p.relation(target.brand_id) == NetworkRelation::Brand;
    if !is_brand && target.owner_id != p.org_id() {
        return Err(AppError::forbidden(
            "a partner rates only its own organization's touchpoints",
        ));
    }
    let principle = principle::Entity::find_by_id(principle_id)
        .filter(principle::Column::BrandId.eq(target.brand_id))
        .filter(principle::Column::ArchivedAt.is_null())
        .one(w.conn())
        .await?
        .ok_or_else(|| {
            AppError::bad_input("principleId", "no such active principle in this brand")
        })?;
    let existing = alignment::Entity::find()
        .filter(alignment::Column::TouchpointId.eq(target.id))
        .filter(alignment::Column::PrincipleId.eq(principle.id))
        .one(w.conn())
        .await?;
    let now = clock::now();
    let before = existing.as_ref().map(rating).unwrap_or_default();
    let saved = match existing {
        Some(current) => {
            let mut active = current.into_active_model();
            active.score = Set(score as i16);
            active.note = Set(note);
            active.rated_by_id = Set(p.actor_id());
            active.rated_by_name = Set(p.actor_label());
            active.rated_at = Set(now);
            active.update(w.conn()).await?
        }
        None => {
            alignment::ActiveModel {
                id: Set(Uuid::now_v7()),
                touchpoint_id: Set(target.id),
                principle_id: Set(principle.id),
                score: Set(score as i16),
                note: Set(note),
                rated_by_id: Set(p.actor_id()),
                rated_by_name: Set(p.actor_label()),
                rated_at: Set(now),
            }
            .insert(w.conn())
            .await?
        }
    };
    // One field per principle, so the touchpoint's history says which rating changed.
    let mut changes = Changes::default();
    changes.push(
        &format!("alignments.{}", principle.id),
        before,
        rating(&saved),
    );
    if changes.is_empty() {
        // The same rating again, by the same rater: nothing to record.
        w.commit().await?;
        return Ok(saved);
    }
    w.record(Entry {
        action: "alignment.rate",
        entity_type: "Touchpoint",
        entity_id: target.id,
        brand_id: Some(target.brand_id),
        version: None,
        kind: None,
        changes,
    })
    .await?;
    w.commit().await?;
    Ok(saved)
}

/// A rating as its ledger entry shows it.
fn rating(r: &alignment::Model) -> serde_json::Value {
    serde_json::json!({ "score": r.score, "note": r.note, "ratedBy": r.rated_by_name })
}
