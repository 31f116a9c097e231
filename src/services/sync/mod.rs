//! `syncTouchpoints`: a partner's system pushes its touchpoints, keyed by its own
//! `externalId`s.
//!
//! * UPSERT creates or updates; an omitted field keeps its stored value, an explicit null
//!   clears it; an item identical to what is stored is `unchanged` (no new version, no audit
//!   entry, no change event). MIRROR also archives the caller's touchpoints in the brand
//!   whose `externalId` is absent from the batch (touchpoints without an `externalId` are
//!   not sync's to manage and are left alone). An item for an archived touchpoint restores
//!   it.
//! * A bad item is reported on its own and does not fail the others.
//! * The valid items, their ledger entries and the idempotency record
//!   commit in one transaction, written in bulk (`sync::write`).
//! * `dryRun` computes exactly the same result and writes nothing (created touchpoints carry
//!   provisional ids).
//! * An idempotency key is the caller's (user or API client) for 24 hours: the same key with
//!   the same request returns the first result and writes nothing; with a different request
//!   it is a CONFLICT.
pub mod column_arrays;
mod plan;
pub mod upsert;
pub mod write;

use std::collections::HashMap;

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set,
    SqlErr,
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::ledger::{AuditActor, Via};
use crate::auth::Principal;
use crate::clock;
use crate::domain::touchpoint::TouchpointPatch;
use crate::domain::{text, SyncMode, SyncOutcome};
use crate::entities::{idempotency_record, touchpoint};
use crate::error::{AppError, AppResult};
use crate::store::db::Db;
use plan::plan;
use write::{KeyRecord, Write, Written};

/// Most items in one batch.
pub const MAX_ITEMS: usize = 1000;
/// How long an idempotency key is remembered.
pub const KEY_TTL_HOURS: i64 = 24;

/// One item as sent: its key, and its fields already validated (or the first error).
pub struct SyncItemDraft {
    pub external_id: String,
    pub patch: AppResult<TouchpointPatch>,
}

pub struct SyncRequest {
    pub brand_id: Uuid,
    pub mode: SyncMode,
    pub dry_run: bool,
    pub idempotency_key: Option<String>,
    /// A stable fingerprint of the request as sent (mode, brand, items), for idempotency:
    /// given with an idempotency key.
    pub fingerprint: Option<String>,
    pub items: Vec<SyncItemDraft>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemResult {
    pub external_id: String,
    pub outcome: SyncOutcome,
    pub touchpoint_id: Option<Uuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemError {
    pub index: usize,
    pub external_id: Option<String>,
    pub code: String,
    pub field: Option<String>,
    pub message: String,
}

/// What a sync did (or, in a dry run, would do). Stored as the idempotent response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncResult {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub archived: usize,
    /// One per input item, in order.
    pub items: Vec<ItemResult>,
    /// The touchpoints MIRROR archived.
    pub archived_items: Vec<ItemResult>,
    pub errors: Vec<ItemError>,
}

/// The result, and the touchpoints it refers to as they now are (as they would be, in a
/// dry run).
pub struct SyncReport {
    pub result: SyncResult,
    pub touchpoints: HashMap<Uuid, touchpoint::Model>,
    pub dry_run: bool,
    /// The result of an earlier request with the same idempotency key.
    pub replayed: bool,
}

fn item_error(index: usize, external_id: Option<&str>, err: &AppError) -> ItemError {
    ItemError {
        index,
        external_id: external_id.map(str::to_owned),
        code: err.code().as_str().to_owned(),
        field: err.field().map(str::to_owned),
        message: err.to_string(),
    }
}

struct Plan {
    result: SyncResult,
    writes: Vec<Write>,
    /// Every touchpoint the result mentions, as it will be.
    touchpoints: HashMap<Uuid, touchpoint::Model>,
}

pub async fn run(db: &Db, p: &Principal, req: SyncRequest) -> AppResult<SyncReport> {
    p.require_writer_in(req.brand_id)?;
    if req.items.len() > MAX_ITEMS {
        return Err(AppError::LimitExceeded(format!(
            "a batch holds at most {MAX_ITEMS} items; send {} in several batches",
            req.items.len()
        )));
    }
    let key = req
        .idempotency_key
        .as_deref()
        .map(|k| text::required_line("idempotencyKey", k, 200))
        .transpose()?;
    if req.dry_run {
        let plan = plan(db, db.conn(), p, &req).await?;
        return Ok(SyncReport {
            result: plan.result,
            touchpoints: plan.touchpoints,
            dry_run: true,
            replayed: false,
        });
    }
    let Some(key) = key else {
        return execute(db, p, &req, None).await;
    };
    let fingerprint = req.fingerprint.as_deref().unwrap_or_default();
    let hash = hex::encode(Sha256::digest(fingerprint.as_bytes()));
    if let Some(report) = replay(db, p, &key, &hash).await? {
        return Ok(report);
    }
    match execute(db, p, &req, Some((&key, &hash))).await {
        // A concurrent request with the same key committed first: answer as it did.
        Err(AppError::Conflict(why)) if why == RACED => replay(db, p, &key, &hash)
            .await?
            .ok_or_else(|| AppError::Conflict("retry the request".into())),
        other => other,
    }
}

/// Marks a lost race on the idempotency key (never shown to a client).
const RACED: &str = "idempotency key raced";

/// The stored result for this caller and key, if any (CONFLICT if the request differs).
async fn replay(db: &Db, p: &Principal, key: &str, hash: &str) -> AppResult<Option<SyncReport>> {
    let found = idempotency_record::Entity::find_by_id((p.actor_id(), key.to_owned()))
        .one(db.conn())
        .await?
        .filter(|r| r.expires_at > clock::now());
    let Some(record) = found else {
        return Ok(None);
    };
    if record.request_hash != hash {
        return Err(AppError::Conflict(
            "this idempotencyKey was used for a different request".into(),
        ));
    }
    let result: SyncResult = serde_json::from_value(record.response).map_err(AppError::internal)?;
    let ids: Vec<Uuid> = result
        .items
        .iter()
        .chain(&result.archived_items)
        .filter_map(|i| i.touchpoint_id)
        .collect();
    let touchpoints = super::touchpoints::visible_by_ids(db, p, &ids).await?;
    Ok(Some(SyncReport {
        result,
        touchpoints,
        dry_run: false,
        replayed: true,
    }))
}

/// How often a batch is planned and written on PostgreSQL before it gives up with CONFLICT. A
/// batch loses a race (`sync::write`) only to a batch that committed, so up to this many
/// concurrent batches over the same touchpoints all go through.
const ATTEMPTS: usize = 5;

async fn execute(
    db: &Db,
    p: &Principal,
    req: &SyncRequest,
    // The idempotency key and the request's hash.
    key: Option<(&str, &str)>,
) -> AppResult<SyncReport> {
    if db.backend() == DbBackend::Postgres {
        execute_postgres(db, p, req, key).await
    } else {
        execute_sqlite(db, p, req, key).await
    }
}

fn written(plan: Plan) -> SyncReport {
    SyncReport {
        result: plan.result,
        touchpoints: plan.touchpoints,
        dry_run: false,
        replayed: false,
    }
}

/// PostgreSQL: plan from the rows as they are, then write the batch in one statement that
/// applies only to rows still as planned (`sync::write`); plan again after a lost race.
async fn execute_postgres(
    db: &Db,
    p: &Principal,
    req: &SyncRequest,
    key: Option<(&str, &str)>,
) -> AppResult<SyncReport> {
    let actor = AuditActor::from(p).via(Via::Sync);
    if key.is_some() {
        forget_expired_keys(db.conn(), p).await?;
    }
    for _ in 0..ATTEMPTS {
        let plan = plan(db, db.conn(), p, req).await?;
        if plan.writes.is_empty() && key.is_none() {
            return Ok(written(plan));
        }
        let record = match key {
            Some((key, hash)) => Some(KeyRecord {
                principal_id: p.actor_id(),
                key,
                request_hash: hash,
                response: serde_json::to_value(&plan.result).map_err(AppError::internal)?,
                expires_at: clock::now() + Duration::hours(KEY_TTL_HOURS),
            }),
            None => None,
        };
        match write::write_postgres(db, &actor, &plan.writes, record).await? {
            Written::Done(events) => {
                db.announce(events).await;
                return Ok(written(plan));
            }
            Written::Raced => continue,
            Written::KeyTaken => return Err(AppError::Conflict(RACED.into())),
        }
    }
    Err(AppError::Conflict(
        "other writers kept changing these touchpoints while the batch was written: retry it"
            .into(),
    ))
}

/// SQLite: the writer lock first (`BEGIN IMMEDIATE`), then the key, the plan and the write in
/// that one transaction.
async fn execute_sqlite(
    db: &Db,
    p: &Principal,
    req: &SyncRequest,
    key: Option<(&str, &str)>,
) -> AppResult<SyncReport> {
    let tx = db.begin_write().await?;
    if let Some((key, hash)) = key {
        forget_expired_keys(&tx, p).await?;
        claim_key(&tx, p, key, hash).await?;
    }
    let plan = plan(db, &tx, p, req).await?;
    let events =
        write::write_sqlite(&tx, &AuditActor::from(p).via(Via::Sync), &plan.writes).await?;
    if let Some((key, _)) = key {
        let response = serde_json::to_value(&plan.result).map_err(AppError::internal)?;
        idempotency_record::Entity::update_many()
            .col_expr(
                idempotency_record::Column::Response,
                sea_orm::sea_query::Expr::value(response),
            )
            .filter(idempotency_record::Column::PrincipalId.eq(p.actor_id()))
            .filter(idempotency_record::Column::Key.eq(key))
            .exec(&tx)
            .await?;
    }
    tx.commit().await?;
    db.announce(events).await;
    Ok(written(plan))
}

/// The caller's expired idempotency records go (a key is remembered 24 hours).
async fn forget_expired_keys<C: ConnectionTrait>(conn: &C, p: &Principal) -> AppResult<()> {
    idempotency_record::Entity::delete_many()
        .filter(idempotency_record::Column::PrincipalId.eq(p.actor_id()))
        .filter(idempotency_record::Column::ExpiresAt.lte(clock::now()))
        .exec(conn)
        .await?;
    Ok(())
}

/// SQLite: takes the key for this request inside the transaction (its response is filled in
/// at the end). A holder that committed first makes the insert fail on the primary key:
/// [`RACED`].
async fn claim_key<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    key: &str,
    hash: &str,
) -> AppResult<()> {
    let now = clock::now();
    let inserted = idempotency_record::ActiveModel {
        principal_id: Set(p.actor_id()),
        key: Set(key.to_owned()),
        request_hash: Set(hash.to_owned()),
        response: Set(serde_json::Value::Null),
        created_at: Set(now),
        expires_at: Set(now + Duration::hours(KEY_TTL_HOURS)),
    }
    .insert(conn)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::Conflict(RACED.into()))
        }
        Err(err) => Err(err.into()),
    }
}
