//! An organization's webhook endpoints, managed by its ADMINs: a partner's for its own
//! systems, the brand's for the brand's. An endpoint listens to one brand's network, to which
//! its organization belongs (a partner's partnership must be ACTIVE to add or change one).
use std::collections::HashMap;

use chrono::Duration;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::signing;
use super::target::TargetPolicy;
use crate::auth::{NetworkRelation, Principal};
use crate::clock;
use crate::domain::{text, ChangeKind, PartnershipStatus, Role};
use crate::entities::string_list::StringList;
use crate::entities::{ledger_entry, touchpoint, webhook_delivery, webhook_endpoint};
use crate::error::{AppError, AppResult};
use crate::services::access::readable_touchpoints;
use crate::services::ledger::feed::FeedCursor;
use crate::services::ledger::{AuditActor, Entry};
use crate::services::write::versioned::Versioned;
use crate::services::write::{Action, Write};
use crate::store::db::Db;

/// Longest description of an endpoint.
const DESCRIPTION_MAX: usize = 500;
/// How long the secret before a rotation keeps signing beside the new one.
const ROTATION_OVERLAP_HOURS: i64 = 24;
/// Deliveries shown per endpoint by default, and at most.
pub const DEFAULT_DELIVERIES: u64 = 20;
pub const MAX_DELIVERIES: u64 = 100;

/// An endpoint to create.
pub struct NewEndpoint {
    pub brand_id: Uuid,
    pub url: String,
    pub events: Vec<ChangeKind>,
    pub description: Option<String>,
}

/// Changes to an endpoint (`None` keeps).
#[derive(Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub events: Option<Vec<ChangeKind>>,
    pub enabled: Option<bool>,
    pub description: Option<Option<String>>,
}

fn events(field: &str, kinds: &[ChangeKind]) -> AppResult<StringList> {
    if kinds.is_empty() {
        return Err(AppError::bad_input(
            field,
            "events must name at least one kind",
        ));
    }
    let mut names: Vec<String> = kinds.iter().map(sea_orm::ActiveEnum::to_value).collect();
    names.sort_unstable();
    names.dedup();
    Ok(StringList(names))
}

fn description(value: Option<String>) -> AppResult<Option<String>> {
    text::optional_prose("description", value.as_deref(), DESCRIPTION_MAX)
}

/// The caller as an ADMIN who may manage its organization's endpoints in `brand_id`'s network.
fn require_manager(p: &Principal, brand_id: Uuid) -> AppResult<()> {
    match p.relation(brand_id) {
        NetworkRelation::None => return Err(AppError::NotFound("brand")),
        NetworkRelation::Partner(status) if status != PartnershipStatus::Active => {
            return Err(AppError::forbidden(
                "the partnership with this brand is not active",
            ))
        }
        _ => {}
    }
    p.require_role(Role::Admin)
}

/// Creates an endpoint of the caller's organization; returns it and its signing secret, which
/// is never shown again. Deliveries start with the changes after this moment.
pub async fn create(
    db: &Db,
    policy: TargetPolicy,
    p: &Principal,
    input: NewEndpoint,
) -> AppResult<(webhook_endpoint::Model, String)> {
    require_manager(p, input.brand_id)?;
    let url = policy.check(&input.url).await?.to_string();
    let events = events("events", &input.events)?;
    let description = description(input.description)?;
    let secret = signing::new_secret();
    let now = clock::now();
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let (cursor_tx, cursor_seq) = ledger_end(w.conn(), db).await?;
    let created = w
        .insert::<webhook_endpoint::Entity>(
            Action::new("webhook_endpoint.create"),
            webhook_endpoint::Model {
                id: Uuid::now_v7(),
                organization_id: p.org_id(),
                brand_id: input.brand_id,
                url,
                events,
                description,
                enabled: true,
                disabled_reason: None,
                secret: secret.clone(),
                previous_secret: None,
                previous_secret_until: None,
                cursor_tx,
                cursor_seq,
                failing_since: None,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    w.commit().await?;
    Ok((created, secret))
}

/// The ledger's current end: a new endpoint receives what comes after it. On PostgreSQL that
/// is the oldest running transaction's id, below which every entry is final.
async fn ledger_end<C: ConnectionTrait>(conn: &C, db: &Db) -> AppResult<(i64, i64)> {
    if db.backend() == sea_orm::DbBackend::Postgres {
        let row = conn
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
            ))
            .await?;
        let horizon: i64 = row
            .map(|r| r.try_get_by_index::<i64>(0))
            .transpose()?
            .unwrap_or(0);
        // Entries of transactions at or above the horizon may still commit: start below them.
        return Ok((horizon - 1, i64::MAX));
    }
    let last: Option<i64> = ledger_entry::Entity::find()
        .select_only()
        .column_as(
            sea_orm::sea_query::Expr::from(sea_orm::sea_query::Func::max(
                sea_orm::sea_query::Expr::col(ledger_entry::Column::Seq),
            )),
            "last",
        )
        .into_tuple::<Option<i64>>()
        .one(conn)
        .await?
        .flatten();
    Ok((0, last.unwrap_or(0)))
}

/// One of the caller's organization's endpoints, read in the write's transaction, for an ADMIN.
async fn own<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    id: Uuid,
) -> AppResult<webhook_endpoint::Model> {
    let endpoint = webhook_endpoint::Entity::find_by_id(id)
        .filter(webhook_endpoint::Column::OrganizationId.eq(p.org_id()))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("webhook endpoint"))?;
    require_manager(p, endpoint.brand_id)?;
    Ok(endpoint)
}

pub async fn update(
    db: &Db,
    policy: TargetPolicy,
    p: &Principal,
    id: Uuid,
    patch: EndpointPatch,
    expected_version: Option<i32>,
) -> AppResult<webhook_endpoint::Model> {
    // The caller may change it before its new URL is resolved (outside the transaction).
    let url = match &patch.url {
        Some(u) => {
            own(db.conn(), p, id).await?;
            Some(policy.check(u).await?.to_string())
        }
        None => None,
    };
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = own(w.conn(), p, id).await?;
    w.change::<webhook_endpoint::Entity>(
        Action::new("webhook_endpoint.update"),
        current,
        expected_version,
        |next| {
            if let Some(url) = url {
                next.url = url;
            }
            if let Some(kinds) = &patch.events {
                next.events = events("events", kinds)?;
            }
            if let Some(d) = patch.description {
                next.description = description(d)?;
            }
            if let Some(enabled) = patch.enabled {
                next.enabled = enabled;
                if enabled {
                    next.disabled_reason = None;
                    next.failing_since = None;
                }
            }
            Ok(())
        },
    )
    .await
}

pub async fn delete(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<()> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let current = own(w.conn(), p, id).await?;
    w.delete::<webhook_endpoint::Entity>(
        Action::new("webhook_endpoint.delete"),
        &current,
        expected_version,
    )
    .await?;
    w.commit().await
}

/// A new signing secret, shown once; the old one keeps signing beside it for 24 hours, so a
/// receiver can switch without missing a delivery.
pub async fn rotate_secret(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<(webhook_endpoint::Model, String)> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let current = own(w.conn(), p, id).await?;
    let secret = signing::new_secret();
    let mut next = current.clone();
    let now = clock::now();
    next.previous_secret = Some(current.secret.clone());
    next.previous_secret_until = Some(now + Duration::hours(ROTATION_OVERLAP_HOURS));
    next.secret = secret.clone();
    let saved = w
        .update::<webhook_endpoint::Entity>(
            Action::new("webhook_endpoint.rotate_secret").also(
                "secretRotatedAt",
                serde_json::Value::Null,
                serde_json::json!(now),
            ),
            &current,
            expected_version,
            next,
        )
        .await?;
    w.commit().await?;
    Ok((saved, secret))
}

/// The organization's endpoints (its ADMINs only).
pub async fn list(
    db: &Db,
    p: &Principal,
    organization_id: Uuid,
) -> AppResult<Vec<webhook_endpoint::Model>> {
    p.require_admin_of(organization_id, "webhook endpoints")?;
    Ok(webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::OrganizationId.eq(organization_id))
        .order_by_asc(webhook_endpoint::Column::CreatedAt)
        .all(db.conn())
        .await?)
}

/// The most recent deliveries, newest first and at most `limit` each, of those of
/// `endpoint_ids` that belong to the caller's organization (whose ADMINs alone may read them),
/// in one statement for any number of endpoints. Only deliveries of touchpoints the caller may
/// see now are shown: one still pending of a touchpoint its organization may no longer see
/// (it will be SKIPPED) does not show even its id.
pub async fn recent_deliveries(
    db: &Db,
    p: &Principal,
    endpoint_ids: &[Uuid],
    limit: u64,
) -> AppResult<HashMap<Uuid, Vec<webhook_delivery::Model>>> {
    use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query};
    use sea_orm::FromQueryResult;
    use webhook_delivery::Column as D;
    p.require_admin_of(p.org_id(), "webhook endpoints")?;
    let own = webhook_endpoint::Entity::find()
        .select_only()
        .column(webhook_endpoint::Column::Id)
        .filter(webhook_endpoint::Column::OrganizationId.eq(p.org_id()))
        .into_query();
    let readable = touchpoint::Entity::find()
        .select_only()
        .column(touchpoint::Column::Id)
        .filter(readable_touchpoints(p))
        .into_query();
    let ranked = webhook_delivery::Entity::find()
        .filter(D::EndpointId.is_in(endpoint_ids.iter().copied()))
        .filter(D::EndpointId.in_subquery(own))
        .filter(D::Status.ne(super::deliverer::SKIPPED))
        .filter(D::TouchpointId.in_subquery(readable))
        .column_as(
            Expr::cust("ROW_NUMBER() OVER (PARTITION BY endpoint_id ORDER BY seq DESC)"),
            "recency",
        )
        .into_query();
    let recent = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("recency")).lte(i64::try_from(limit).unwrap_or(i64::MAX)))
        .order_by(Alias::new("seq"), Order::Desc)
        .to_owned();
    let rows = webhook_delivery::Model::find_by_statement(db.backend().build(&recent))
        .all(db.conn())
        .await?;
    let mut by_endpoint: HashMap<Uuid, Vec<webhook_delivery::Model>> = HashMap::new();
    for row in rows {
        by_endpoint.entry(row.endpoint_id).or_default().push(row);
    }
    Ok(by_endpoint)
}

/// Sends a delivery again (a dead one too), now.
pub async fn redeliver(
    db: &Db,
    p: &Principal,
    delivery_id: Uuid,
) -> AppResult<webhook_delivery::Model> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let delivery = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(w.conn())
        .await?
        .ok_or(AppError::NotFound("webhook delivery"))?;
    let endpoint = own(w.conn(), p, delivery.endpoint_id)
        .await
        .map_err(|_| AppError::NotFound("webhook delivery"))?;
    let now = clock::now();
    let mut again = delivery.clone();
    again.status = super::deliverer::PENDING.to_owned();
    again.next_attempt_at = now;
    again.lease_until = None;
    let saved = again
        .into_active_model()
        .reset_all()
        .update(w.conn())
        .await?;
    w.record(requested(
        "webhook_endpoint.redeliver",
        &endpoint,
        delivery.seq,
    ))
    .await?;
    w.commit().await?;
    Ok(saved)
}

/// Sends everything after `after` (a `touchpointChanges` cursor of the endpoint's brand) again.
pub async fn replay(
    db: &Db,
    p: &Principal,
    endpoint_id: Uuid,
    after: &str,
) -> AppResult<webhook_endpoint::Model> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let endpoint = own(w.conn(), p, endpoint_id).await?;
    let from = FeedCursor::decode(after, endpoint.brand_id)?;
    let now = clock::now();
    // What was delivered after the position is sent again; what was not yet dispatched is
    // dispatched from the position on.
    webhook_delivery::Entity::update_many()
        .col_expr(
            webhook_delivery::Column::Status,
            sea_orm::sea_query::Expr::value(super::deliverer::PENDING),
        )
        .col_expr(
            webhook_delivery::Column::NextAttemptAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .col_expr(
            webhook_delivery::Column::LeaseUntil,
            sea_orm::sea_query::Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
        )
        .filter(webhook_delivery::Column::EndpointId.eq(endpoint.id))
        .filter(from.after_condition(
            webhook_delivery::Column::TxId,
            webhook_delivery::Column::Seq,
        ))
        .exec(w.conn())
        .await?;
    let (tx, seq) = from.position();
    webhook_endpoint::Entity::update_many()
        .col_expr(
            webhook_endpoint::Column::CursorTx,
            sea_orm::sea_query::Expr::value(tx),
        )
        .col_expr(
            webhook_endpoint::Column::CursorSeq,
            sea_orm::sea_query::Expr::value(seq),
        )
        .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
        .exec(w.conn())
        .await?;
    w.record(requested("webhook_endpoint.replay", &endpoint, seq))
        .await?;
    w.commit().await?;
    Ok(endpoint)
}

/// The ledger entry of a request about an endpoint that changes none of its fields.
fn requested<'a>(action: &'a str, endpoint: &webhook_endpoint::Model, seq: i64) -> Entry<'a> {
    let mut changes = crate::services::ledger::Changes::default();
    changes.push("position", serde_json::Value::Null, seq.into());
    Entry {
        action,
        entity_type: <webhook_endpoint::Entity as Versioned>::TYPE,
        entity_id: endpoint.id,
        brand_id: None,
        version: None,
        kind: None,
        changes,
    }
}
