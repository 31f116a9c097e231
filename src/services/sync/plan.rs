//! Works out, without writing, what a batch does: each item's key checked, the caller's
//! touchpoints under those keys read, each item turned into its outcome and write, and in
//! MIRROR mode the caller's keyed touchpoints the batch leaves out archived.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::write::Write;
use super::{item_error, ItemError, ItemResult, Plan, SyncItemDraft, SyncRequest, SyncResult};
use crate::auth::Principal;
use crate::clock;
use crate::domain::touchpoint::TouchpointPatch;
use crate::domain::{text, ChangeKind, SyncMode, SyncOutcome};
use crate::entities::touchpoint;
use crate::error::{AppError, AppResult};
use crate::services::lookups;
use crate::services::touchpoints::{blank, review_status_on_write};
use crate::store::db::Db;

/// Reads through `conn` (SQLite: the write transaction; PostgreSQL and dry runs: the pool)
/// and, for phases, through `db`'s cache.
pub(super) async fn plan<C: ConnectionTrait>(
    db: &Db,
    conn: &C,
    p: &Principal,
    req: &SyncRequest,
) -> AppResult<Plan> {
    let brand_id = req.brand_id;
    let Keys {
        keys,
        named,
        mut errors,
    } = keys_of(&req.items);
    let existing = existing_under(conn, p, &named).await?;
    let brand_phases = brand_phases_named(db, conn, brand_id, &req.items).await?;

    let now = clock::now();
    let mut writes = Vec::new();
    let mut touchpoints = HashMap::new();
    let mut outcomes: Vec<Option<ItemResult>> = vec![None; req.items.len()];
    for (index, (item, key)) in req.items.iter().zip(keys).enumerate() {
        let Some(key) = key else {
            continue;
        };
        let planned = item.patch.clone().and_then(|patch| {
            let item = Item {
                key: &key,
                current: existing.get(&key),
                patch,
            };
            planned(p, brand_id, &brand_phases, item, now)
        });
        match planned {
            Err(err) => errors.push(item_error(index, Some(&key), &err)),
            Ok((outcome, model, write)) => {
                writes.extend(write);
                outcomes[index] = Some(ItemResult {
                    external_id: key,
                    outcome,
                    touchpoint_id: Some(model.id),
                });
                touchpoints.insert(model.id, model);
            }
        }
    }

    let mut archived_items = Vec::new();
    if req.mode == SyncMode::Mirror {
        for write in mirror_archives(conn, p, brand_id, &named, now).await? {
            archived_items.push(ItemResult {
                external_id: write.after.external_id.clone().unwrap_or_default(),
                outcome: SyncOutcome::Archived,
                touchpoint_id: Some(write.after.id),
            });
            touchpoints.insert(write.after.id, write.after.clone());
            writes.push(write);
        }
    }
    errors.sort_by_key(|e| e.index);
    Ok(Plan {
        result: result_of(&req.items, outcomes, archived_items, errors),
        writes,
        touchpoints,
    })
}

/// Each item's externalId, when usable and unique in the batch.
struct Keys {
    /// Per item, in order; `None` for an item that failed its key (its error is in `errors`).
    keys: Vec<Option<String>>,
    /// Every distinct key the batch names, usable or duplicated.
    named: Vec<String>,
    errors: Vec<ItemError>,
}

/// Keys first: every item needs a usable, unique externalId.
fn keys_of(items: &[SyncItemDraft]) -> Keys {
    let mut errors = Vec::new();
    let mut seen: HashMap<String, Vec<usize>> = HashMap::new();
    let mut keys: Vec<Option<String>> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match text::required_line("externalId", &item.external_id, text::NAME_MAX) {
            Ok(key) => {
                seen.entry(key.clone()).or_default().push(index);
                keys.push(Some(key));
            }
            Err(err) => {
                errors.push(item_error(index, Some(&item.external_id), &err));
                keys.push(None);
            }
        }
    }
    for indices in seen.values().filter(|v| v.len() > 1) {
        for &index in indices {
            let err = AppError::bad_input(
                "externalId",
                "this externalId appears more than once in the batch",
            );
            errors.push(item_error(index, keys[index].as_deref(), &err));
            keys[index] = None;
        }
    }
    Keys {
        keys,
        named: seen.into_keys().collect(),
        errors,
    }
}

/// What exists of the caller's under these keys. Not locked on PostgreSQL: the write applies
/// only to touchpoints still as read (`sync::write`).
async fn existing_under<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    keys: &[String],
) -> AppResult<HashMap<String, touchpoint::Model>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut query = touchpoint::Entity::find().filter(touchpoint::Column::OwnerId.eq(p.org_id()));
    if conn.get_database_backend() == DbBackend::Postgres {
        // One array parameter rather than one parameter per key: with a list of a hundred
        // parameters PostgreSQL plans the statement afresh on every batch.
        query = query.filter(Expr::cust_with_values(
            r#""touchpoints"."external_id" = ANY($1)"#,
            [sea_orm::Value::from(keys.to_vec())],
        ));
    } else {
        query = query.filter(touchpoint::Column::ExternalId.is_in(keys.iter().cloned()));
    }
    Ok(query
        .into_model::<touchpoint::ByPosition>()
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|row| row.0.external_id.clone().map(|k| (k, row.0)))
        .collect())
}

/// The phases the items name that are the brand's. Through the cache: a phase is never
/// deleted nor moved to another brand, so one read a moment ago still answers.
async fn brand_phases_named<C: ConnectionTrait>(
    db: &Db,
    conn: &C,
    brand_id: Uuid,
    items: &[SyncItemDraft],
) -> AppResult<HashSet<Uuid>> {
    let wanted: Vec<Uuid> = items
        .iter()
        .filter_map(|i| i.patch.as_ref().ok().and_then(|p| p.phase_id))
        .collect::<HashSet<Uuid>>()
        .into_iter()
        .collect();
    Ok(lookups::cached_phases_through(db, conn, &wanted)
        .await?
        .into_values()
        .filter(|ph| ph.brand_id == brand_id)
        .map(|ph| ph.id)
        .collect())
}

/// One item with a usable key: the caller's touchpoint under it, if any, and its patch.
struct Item<'a> {
    key: &'a str,
    current: Option<&'a touchpoint::Model>,
    patch: TouchpointPatch,
}

/// What one item does: its outcome, the touchpoint as it will be, and the write (none when
/// nothing changes).
fn planned(
    p: &Principal,
    brand_id: Uuid,
    brand_phases: &HashSet<Uuid>,
    item: Item<'_>,
    now: DateTime<Utc>,
) -> AppResult<(SyncOutcome, touchpoint::Model, Option<Write>)> {
    let Item {
        key,
        current,
        patch,
    } = item;
    if let Some(phase_id) = patch.phase_id {
        if !brand_phases.contains(&phase_id) {
            return Err(AppError::bad_input(
                "phaseId",
                "no such phase in this brand",
            ));
        }
    }
    match current {
        Some(current) if current.brand_id != brand_id => Err(AppError::bad_input(
            "externalId",
            "your organization uses this externalId in another brand's network",
        )),
        Some(current) => {
            let mut next = current.clone();
            next.apply(patch);
            let restoring = current.archived_at.is_some();
            next.archived_at = None;
            if !restoring && current.same_content(&next) {
                return Ok((SyncOutcome::Unchanged, current.clone(), None));
            }
            next.version = current.version + 1;
            next.updated_at = now;
            next.review_status = review_status_on_write(brand_id, current.owner_id);
            let kind = if restoring {
                ChangeKind::Restored
            } else {
                ChangeKind::Updated
            };
            let write = Write {
                before: Some(current.clone()),
                after: next.clone(),
                kind,
            };
            Ok((SyncOutcome::Updated, next, Some(write)))
        }
        None => {
            let required = patch.required_for_create()?;
            let mut model = blank(p, brand_id, required.phase_id);
            model.apply(patch);
            model.external_id = Some(key.to_owned());
            let write = Write {
                before: None,
                after: model.clone(),
                kind: ChangeKind::Created,
            };
            Ok((SyncOutcome::Created, model, Some(write)))
        }
    }
}

/// MIRROR: the caller's keyed touchpoints in this brand that the batch does not name, each
/// archived.
async fn mirror_archives<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    brand_id: Uuid,
    named: &[String],
    now: DateTime<Utc>,
) -> AppResult<Vec<Write>> {
    let mut absent = touchpoint::Entity::find()
        .filter(touchpoint::Column::OwnerId.eq(p.org_id()))
        .filter(touchpoint::Column::BrandId.eq(brand_id))
        .filter(touchpoint::Column::ArchivedAt.is_null())
        .filter(touchpoint::Column::ExternalId.is_not_null());
    if !named.is_empty() {
        absent = absent.filter(touchpoint::Column::ExternalId.is_not_in(named.iter().cloned()));
    }
    Ok(absent
        .all(conn)
        .await?
        .into_iter()
        .map(|current| {
            let mut next = current.clone();
            next.archived_at = Some(now);
            next.version = current.version + 1;
            next.updated_at = now;
            Write {
                before: Some(current),
                after: next,
                kind: ChangeKind::Archived,
            }
        })
        .collect())
}

/// The batch's result: one entry per item in order (FAILED where it has an error), the
/// archived ones, and the counts.
fn result_of(
    items: &[SyncItemDraft],
    outcomes: Vec<Option<ItemResult>>,
    archived_items: Vec<ItemResult>,
    errors: Vec<ItemError>,
) -> SyncResult {
    let items: Vec<ItemResult> = outcomes
        .into_iter()
        .zip(items)
        .map(|(outcome, item)| {
            outcome.unwrap_or(ItemResult {
                external_id: item.external_id.clone(),
                outcome: SyncOutcome::Failed,
                touchpoint_id: None,
            })
        })
        .collect();
    let count = |o: SyncOutcome| items.iter().filter(|i| i.outcome == o).count();
    SyncResult {
        created: count(SyncOutcome::Created),
        updated: count(SyncOutcome::Updated),
        unchanged: count(SyncOutcome::Unchanged),
        archived: archived_items.len(),
        items,
        archived_items,
        errors,
    }
}
