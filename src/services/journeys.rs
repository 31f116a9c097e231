//! Journeys: a persona's path through a brand's touchpoints.
//!
//! A journey belongs to the organization that mapped it; any member of the network reads
//! it, and its ADMINs and EDITORs edit it. A step pointing at a touchpoint the reader may not
//! see is shown without its touchpoint.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use super::access::readable_touchpoints;
use super::audit::{self, AuditActor, AuditRecord};
use crate::auth::Principal;
use crate::clock;
use crate::db::Db;
use crate::domain::text;
use crate::entities::{journey, journey_step, touchpoint};
use crate::error::{AppError, AppResult};

/// Most steps in one journey.
pub const MAX_STEPS: usize = 200;

pub async fn create(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    name: &str,
    persona: Option<&str>,
    description: Option<&str>,
) -> AppResult<journey::Model> {
    p.require_writer_in(brand_id)?;
    let name = text::required_line("name", name, text::NAME_MAX)?;
    let persona = text::optional_line("persona", persona, text::NAME_MAX)?;
    let description = text::optional_prose("description", description, text::PROSE_MAX)?;
    let now = clock::now();
    let tx = db.begin_write().await?;
    let created = journey::ActiveModel {
        id: Set(Uuid::now_v7()),
        brand_id: Set(brand_id),
        owner_id: Set(p.org_id()),
        name: Set(name),
        persona: Set(persona),
        description: Set(description),
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
            action: "journey.create",
            entity_type: "Journey",
            entity_id: created.id,
            brand_id: Some(brand_id),
            before: None,
            after: audit::snapshot(&serde_json::json!({
                "name": created.name, "persona": created.persona,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

/// One step as given: the touchpoint, whether it is a major step, a note.
pub struct StepInput {
    pub touchpoint_id: Uuid,
    pub major: bool,
    pub note: Option<String>,
}

/// Replaces a journey's steps with `steps`, in order. Every touchpoint must be one the
/// caller can see, in the journey's brand.
pub async fn set_steps(
    db: &Db,
    p: &Principal,
    journey_id: Uuid,
    steps: Vec<StepInput>,
) -> AppResult<Vec<journey_step::Model>> {
    if steps.len() > MAX_STEPS {
        return Err(AppError::bad_input(
            "steps",
            format!("a journey has at most {MAX_STEPS} steps"),
        ));
    }
    let tx = db.begin_write().await?;
    let current = journey::Entity::find_by_id(journey_id)
        .one(&tx)
        .await?
        .filter(|j| p.readable_networks().contains(&j.brand_id) || j.owner_id == p.org_id())
        .ok_or(AppError::NotFound("journey"))?;
    if current.owner_id != p.org_id() {
        return Err(AppError::forbidden(
            "only the organization that mapped a journey edits it",
        ));
    }
    p.require_writer_in(current.brand_id)?;
    let ids: Vec<Uuid> = steps.iter().map(|s| s.touchpoint_id).collect();
    let visible: Vec<Uuid> = touchpoint::Entity::find()
        .filter(touchpoint::Column::Id.is_in(ids.clone()))
        .filter(touchpoint::Column::BrandId.eq(current.brand_id))
        .filter(readable_touchpoints(p))
        .all(&tx)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    for (index, id) in ids.iter().enumerate() {
        if !visible.contains(id) {
            return Err(AppError::bad_input(
                format!("steps.{index}.touchpointId"),
                "no such touchpoint in this brand",
            ));
        }
    }
    let before: Vec<journey_step::Model> = journey_step::Entity::find()
        .filter(journey_step::Column::JourneyId.eq(journey_id))
        .order_by_asc(journey_step::Column::Position)
        .all(&tx)
        .await?;
    journey_step::Entity::delete_many()
        .filter(journey_step::Column::JourneyId.eq(journey_id))
        .exec(&tx)
        .await?;
    let mut saved = Vec::with_capacity(steps.len());
    for (position, step) in steps.into_iter().enumerate() {
        let note = text::optional_prose(
            &format!("steps.{position}.note"),
            step.note.as_deref(),
            text::PROSE_MAX,
        )?;
        saved.push(
            journey_step::ActiveModel {
                id: Set(Uuid::now_v7()),
                journey_id: Set(journey_id),
                position: Set(position as i32),
                touchpoint_id: Set(step.touchpoint_id),
                major: Set(step.major),
                note: Set(note),
            }
            .insert(&tx)
            .await?,
        );
    }
    let mut touched: journey::ActiveModel = current.clone().into();
    touched.version = Set(current.version + 1);
    touched.updated_at = Set(clock::now());
    touched.update(&tx).await?;
    let summary = |list: &[journey_step::Model]| {
        serde_json::json!(list
            .iter()
            .map(|s| serde_json::json!({"touchpointId": s.touchpoint_id, "major": s.major}))
            .collect::<Vec<_>>())
    };
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "journey.set_steps",
            entity_type: "Journey",
            entity_id: journey_id,
            brand_id: Some(current.brand_id),
            before: Some(summary(&before)),
            after: Some(summary(&saved)),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}
