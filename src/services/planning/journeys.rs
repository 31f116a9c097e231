//! Journeys: a persona's path through a brand's touchpoints.
//!
//! A journey belongs to the organization that mapped it. Every organization that reads the
//! network reads its journeys (and the mapping organization always reads its own); the
//! owner's ADMINs and EDITORs edit it. A step pointing at a touchpoint the reader may not
//! see keeps its place but shows no touchpoint.
use std::collections::HashMap;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::auth::Principal;
use crate::clock;
use crate::domain::text;
use crate::domain::touchpoint::Change;
use crate::entities::{journey, journey_step, touchpoint};
use crate::error::{AppError, AppResult};
use crate::services::access::readable_touchpoints;
use crate::services::ledger::AuditActor;
use crate::services::write::{check_version, Action, Write};
use crate::store::db::Db;

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
    p.require_own_writable(
        current.owner_id,
        current.brand_id,
        "only the organization that mapped a journey edits it",
    )?;
    Ok(current)
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
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let steps = checked_steps(w.conn(), p, brand_id, steps).await?;
    let mut action = Action::new("journey.create");
    if !steps.is_empty() {
        action = action.also("steps", serde_json::json!([]), summary(&steps));
    }
    let created = w
        .insert::<journey::Entity>(
            action,
            journey::Model {
                id: Uuid::now_v7(),
                brand_id,
                owner_id: p.org_id(),
                name,
                persona,
                description,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    if !steps.is_empty() {
        replace_steps(w.conn(), created.id, &steps).await?;
    }
    w.commit().await?;
    Ok(created)
}

pub async fn update(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: i32,
    fields: JourneyFields<'_>,
) -> AppResult<journey::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = writable(w.conn(), p, id).await?;
    w.change::<journey::Entity>(
        Action::new("journey.update"),
        current,
        Some(expected_version),
        |next| {
            if let Some(name) = fields.name {
                next.name = text::required_line("name", name, text::NAME_MAX)?;
            }
            fields.persona.apply_checked(&mut next.persona, |v| {
                text::optional_line("persona", Some(&v), text::NAME_MAX)
            })?;
            fields
                .description
                .apply_checked(&mut next.description, |v| {
                    text::optional_prose("description", Some(&v), text::PROSE_MAX)
                })?;
            Ok(())
        },
    )
    .await
}

/// Replaces a journey's steps with `steps`, in order.
pub async fn set_steps(
    db: &Db,
    p: &Principal,
    journey_id: Uuid,
    expected_version: Option<i32>,
    steps: Vec<StepInput>,
) -> AppResult<journey::Model> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let current = writable(w.conn(), p, journey_id).await?;
    let saved = set_steps_in(&mut w, p, &current, expected_version, steps).await?;
    w.commit().await?;
    Ok(saved)
}

/// Replaces the steps and moves the journey to its next version (at the version read), with
/// the steps before and after in its ledger entry.
async fn set_steps_in(
    w: &mut Write<'_>,
    p: &Principal,
    current: &journey::Model,
    expected_version: Option<i32>,
    steps: Vec<StepInput>,
) -> AppResult<journey::Model> {
    check_version::<journey::Entity>(current, expected_version)?;
    let steps = checked_steps(w.conn(), p, current.brand_id, steps).await?;
    let before = stored_steps(w.conn(), current.id).await?;
    // The journey first: its guarded UPDATE holds the row, so a concurrent writer of the same
    // version waits here and then fails, before it touches a step.
    let action = Action::new("journey.set_steps").also("steps", summary(&before), summary(&steps));
    let saved = w
        .update::<journey::Entity>(action, current, expected_version, current.clone())
        .await?;
    replace_steps(w.conn(), current.id, &steps).await?;
    Ok(saved)
}

/// The steps as given, each note checked and every touchpoint one the caller can see in the
/// journey's brand.
async fn checked_steps<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    brand_id: Uuid,
    steps: Vec<StepInput>,
) -> AppResult<Vec<StepInput>> {
    if steps.len() > MAX_STEPS {
        return Err(AppError::bad_input(
            "steps",
            format!("a journey has at most {MAX_STEPS} steps"),
        ));
    }
    let mut checked = Vec::with_capacity(steps.len());
    for (index, step) in steps.into_iter().enumerate() {
        let note = text::optional_prose(
            &format!("steps.{index}.note"),
            step.note.as_deref(),
            text::PROSE_MAX,
        )?;
        checked.push(StepInput { note, ..step });
    }
    if checked.is_empty() {
        return Ok(checked);
    }
    let ids: Vec<Uuid> = checked.iter().map(|s| s.touchpoint_id).collect();
    let visible: Vec<Uuid> = touchpoint::Entity::find()
        .filter(touchpoint::Column::Id.is_in(ids.clone()))
        .filter(touchpoint::Column::BrandId.eq(brand_id))
        .filter(readable_touchpoints(p))
        .all(conn)
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
    Ok(checked)
}

/// The journey's steps, in order.
async fn stored_steps<C: ConnectionTrait>(conn: &C, journey_id: Uuid) -> AppResult<Vec<StepInput>> {
    Ok(journey_step::Entity::find()
        .filter(journey_step::Column::JourneyId.eq(journey_id))
        .order_by_asc(journey_step::Column::Position)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| StepInput {
            touchpoint_id: s.touchpoint_id,
            major: s.major,
            note: s.note,
        })
        .collect())
}

/// Writes `steps` in place of the journey's steps.
async fn replace_steps<C: ConnectionTrait>(
    conn: &C,
    journey_id: Uuid,
    steps: &[StepInput],
) -> AppResult<()> {
    journey_step::Entity::delete_many()
        .filter(journey_step::Column::JourneyId.eq(journey_id))
        .exec(conn)
        .await?;
    for (position, step) in steps.iter().enumerate() {
        journey_step::ActiveModel {
            id: Set(Uuid::now_v7()),
            journey_id: Set(journey_id),
            position: Set(position as i32),
            touchpoint_id: Set(step.touchpoint_id),
            major: Set(step.major),
            note: Set(step.note.clone()),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// Steps as a ledger entry shows them.
fn summary(steps: &[StepInput]) -> serde_json::Value {
    serde_json::json!(steps
        .iter()
        .map(|s| serde_json::json!({"touchpointId": s.touchpoint_id, "major": s.major, "note": s.note}))
        .collect::<Vec<_>>())
}
