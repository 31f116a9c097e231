//! Journeys: a persona's path through a brand's touchpoints.
//!
//! A journey belongs to the organization that mapped it. Every organization that reads the
//! network reads its journeys (and the mapping organization always reads its own); the
//! owner's ADMINs and EDITORs edit it. A step pointing at a touchpoint the reader may not
//! see keeps its place but shows no touchpoint.
use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

use super::access::readable_touchpoints;
use super::audit::{self, AuditActor, AuditRecord};
use crate::auth::Principal;
use crate::clock;
use crate::db::Db;
use crate::domain::text;
use crate::domain::touchpoint::Change;
use crate::entities::{journey, journey_step, touchpoint};
use crate::error::{AppError, AppResult};

/// Most steps in one journey.
pub const MAX_STEPS: usize = 200;

/// One step as given: the touchpoint, whether it is a major step, a note.
pub struct StepInput {
    pub touchpoint_id: Uuid,
    pub major: bool,
    pub note: Option<String>,
}

/// Journeys the caller may read.
fn readable(p: &Principal) -> Condition {
    Condition::any()
        .add(journey::Column::OwnerId.eq(p.org_id()))
        .add(journey::Column::BrandId.is_in(p.readable_networks()))
}

fn snapshot(j: &journey::Model) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "name": j.name, "persona": j.persona, "description": j.description, "version": j.version,
    }))
}

pub async fn get(db: &Db, p: &Principal, id: Uuid) -> AppResult<Option<journey::Model>> {
    Ok(journey::Entity::find_by_id(id)
        .filter(readable(p))
        .one(db.conn())
        .await?)
}

/// The brand's journeys the caller may read, oldest first.
pub async fn for_brand(db: &Db, p: &Principal, brand_id: Uuid) -> AppResult<Vec<journey::Model>> {
    Ok(journey::Entity::find()
        .filter(journey::Column::BrandId.eq(brand_id))
        .filter(readable(p))
        .order_by_asc(journey::Column::CreatedAt)
        .order_by_asc(journey::Column::Id)
        .all(db.conn())
        .await?)
}

/// Steps of several journeys, in order (for the steps loader; the journeys are already
/// known readable).
pub async fn steps_of(
    db: &Db,
    journey_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<journey_step::Model>>> {
    let rows = journey_step::Entity::find()
        .filter(journey_step::Column::JourneyId.is_in(journey_ids.iter().copied()))
        .order_by_asc(journey_step::Column::JourneyId)
        .order_by_asc(journey_step::Column::Position)
        .all(db.conn())
        .await?;
    let mut out: HashMap<Uuid, Vec<_>> = HashMap::new();
    for step in rows {
        out.entry(step.journey_id).or_default().push(step);
    }
    Ok(out)
}

/// A journey the caller may edit: readable (else NOT_FOUND), mapped by the caller's
/// organization, in a network where it may write (else FORBIDDEN).
async fn writable<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    id: Uuid,
) -> AppResult<journey::Model> {
    let current = journey::Entity::find_by_id(id)
        .filter(readable(p))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("journey"))?;
    if current.owner_id != p.org_id() {
        return Err(AppError::forbidden(
            "only the organization that mapped a journey edits it",
        ));
    }
    p.require_writer_in(current.brand_id)?;
    Ok(current)
}

fn check_version(current: &journey::Model, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(v) if v != current.version => Err(AppError::Conflict(format!(
            "the journey is at version {}, not {v}: reload and retry",
            current.version
        ))),
        _ => Ok(()),
    }
}

pub struct JourneyFields<'a> {
    pub name: Option<&'a str>,
    pub persona: Change<String>,
    pub description: Change<String>,
}

pub async fn create(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    fields: JourneyFields<'_>,
    steps: Vec<StepInput>,
) -> AppResult<journey::Model> {
    p.require_writer_in(brand_id)?;
    let name = text::required_line("name", fields.name.unwrap_or_default(), text::NAME_MAX)?;
    let persona = match fields.persona {
        Change::Set(v) => text::optional_line("persona", Some(&v), text::NAME_MAX)?,
        _ => None,
    };
    let description = match fields.description {
        Change::Set(v) => text::optional_prose("description", Some(&v), text::PROSE_MAX)?,
        _ => None,
    };
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
    let actor = AuditActor::from(p);
    audit::record(
        &tx,
        &actor,
        AuditRecord {
            action: "journey.create",
            entity_type: "Journey",
            entity_id: created.id,
            brand_id: Some(brand_id),
            before: None,
            after: snapshot(&created),
        },
    )
    .await?;
    if !steps.is_empty() {
        write_steps(&tx, p, &created, steps).await?;
    }
    tx.commit().await?;
    Ok(created)
}

pub async fn update(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: i32,
    fields: JourneyFields<'_>,
) -> AppResult<journey::Model> {
    let tx = db.begin_write().await?;
    let current = writable(&tx, p, id).await?;
    check_version(&current, Some(expected_version))?;
    let mut next = current.clone();
    if let Some(name) = fields.name {
        next.name = text::required_line("name", name, text::NAME_MAX)?;
    }
    match fields.persona {
        Change::Keep => {}
        Change::Clear => next.persona = None,
        Change::Set(v) => next.persona = text::optional_line("persona", Some(&v), text::NAME_MAX)?,
    }
    match fields.description {
        Change::Keep => {}
        Change::Clear => next.description = None,
        Change::Set(v) => {
            next.description = text::optional_prose("description", Some(&v), text::PROSE_MAX)?
        }
    }
    if next == current {
        return Ok(current);
    }
    let mut active = current.clone().into_active_model();
    active.name = Set(next.name);
    active.persona = Set(next.persona);
    active.description = Set(next.description);
    active.version = Set(current.version + 1);
    active.updated_at = Set(clock::now());
    let saved = active.update(&tx).await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "journey.update",
            entity_type: "Journey",
            entity_id: saved.id,
            brand_id: Some(saved.brand_id),
            before: snapshot(&current),
            after: snapshot(&saved),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

/// Replaces a journey's steps with `steps`, in order.
pub async fn set_steps(
    db: &Db,
    p: &Principal,
    journey_id: Uuid,
    expected_version: Option<i32>,
    steps: Vec<StepInput>,
) -> AppResult<journey::Model> {
    let tx = db.begin_write().await?;
    let current = writable(&tx, p, journey_id).await?;
    check_version(&current, expected_version)?;
    write_steps(&tx, p, &current, steps).await?;
    let mut active = current.clone().into_active_model();
    active.version = Set(current.version + 1);
    active.updated_at = Set(clock::now());
    let saved = active.update(&tx).await?;
    tx.commit().await?;
    Ok(saved)
}

/// Replaces the steps (the caller bumps the journey's version). Every step's touchpoint must
/// be one the caller can see, in the journey's brand.
async fn write_steps(
    tx: &sea_orm::DatabaseTransaction,
    p: &Principal,
    current: &journey::Model,
    steps: Vec<StepInput>,
) -> AppResult<()> {
    if steps.len() > MAX_STEPS {
        return Err(AppError::bad_input(
            "steps",
            format!("a journey has at most {MAX_STEPS} steps"),
        ));
    }
    let mut notes = Vec::with_capacity(steps.len());
    for (index, step) in steps.iter().enumerate() {
        notes.push(text::optional_prose(
            &format!("steps.{index}.note"),
            step.note.as_deref(),
            text::PROSE_MAX,
        )?);
    }
    let ids: Vec<Uuid> = steps.iter().map(|s| s.touchpoint_id).collect();
    let visible: Vec<Uuid> = touchpoint::Entity::find()
        .filter(touchpoint::Column::Id.is_in(ids.clone()))
        .filter(touchpoint::Column::BrandId.eq(current.brand_id))
        .filter(readable_touchpoints(p))
        .all(tx)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    if let Some(index) = ids.iter().position(|id| !visible.contains(id)) {
        return Err(AppError::bad_input(
            format!("steps.{index}.touchpointId"),
            "no such touchpoint in this brand",
        ));
    }
    let before = journey_step::Entity::find()
        .filter(journey_step::Column::JourneyId.eq(current.id))
        .order_by_asc(journey_step::Column::Position)
        .all(tx)
        .await?;
    journey_step::Entity::delete_many()
        .filter(journey_step::Column::JourneyId.eq(current.id))
        .exec(tx)
        .await?;
    let mut saved = Vec::with_capacity(steps.len());
    for ((position, step), note) in steps.into_iter().enumerate().zip(notes) {
        saved.push(
            journey_step::ActiveModel {
                id: Set(Uuid::now_v7()),
                journey_id: Set(current.id),
                position: Set(position as i32),
                touchpoint_id: Set(step.touchpoint_id),
                major: Set(step.major),
                note: Set(note),
            }
            .insert(tx)
            .await?,
        );
    }
    let summary = |list: &[journey_step::Model]| {
        serde_json::json!(list
            .iter()
            .map(|s| serde_json::json!({"touchpointId": s.touchpoint_id, "major": s.major, "note": s.note}))
            .collect::<Vec<_>>())
    };
    audit::record(
        tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "journey.set_steps",
            entity_type: "Journey",
            entity_id: current.id,
            brand_id: Some(current.brand_id),
            before: Some(summary(&before)),
            after: Some(summary(&saved)),
        },
    )
    .await?;
    Ok(())
}
