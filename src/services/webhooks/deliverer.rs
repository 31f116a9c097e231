//! The deliverer: every instance runs one. Woken by each commit's change events (on
//! PostgreSQL every instance hears every commit through LISTEN/NOTIFY) and by a short poll
//! for retries that fall due, it
//!
//! 1. **dispatches** (unless the last round found a full batch due): for the enabled endpoints
//!    of each brand and position, reads the brand's ledger after that position (below the
//!    oldest running transaction on PostgreSQL, as the change feed does, so nothing that
//!    commits late is passed over) and adds one delivery per entry of a kind each endpoint
//!    receives; the endpoint rows are locked `FOR UPDATE SKIP LOCKED`, so one instance
//!    dispatches an endpoint at a time and a unique `(endpoint, seq)` makes a repeat add nothing;
//! 2. **claims** due deliveries `FOR UPDATE SKIP LOCKED`, each with a lease (twice the timeout:
//!    a send ends within one) and one more attempt counted: no two instances send one delivery at once, and an
//!    instance that dies mid-delivery lets its lease expire, after which another sends it. A
//!    delivery waits while an earlier version of its touchpoint is pending for the endpoint;
//! 3. **sends** each, signed, built from the touchpoint as the endpoint's organization may see
//!    it now (a touchpoint it may no longer see is SKIPPED), and records the outcome: 2xx is
//!    DELIVERED; 408, 429, 5xx and no answer retry with exponential backoff and jitter (at
//!    least `Retry-After`) until the retry window ends (then DEAD); any other answer is DEAD at
//!    once. An endpoint whose deliveries have all failed for the window is disabled.
//!
//! On SQLite the one process does all of this; `SKIP LOCKED` is left out there.
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt;
use rand::Rng;
use reqwest::header::{HeaderMap, HeaderValue};
use sea_orm::sea_query::{Expr, ExprTrait, LockBehavior, LockType, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use uuid::Uuid;

use super::client::{Outcome, WebhookClient};
use super::payload;
use super::signing::{self, DELIVERY_HEADER, SIGNATURE_HEADER};
use super::target::TargetPolicy;
use crate::auth::{Actor, Principal};
use crate::clock;
use crate::domain::{ChangeKind, Role};
use crate::entities::{
    ledger_entry, organization, partnership, touchpoint, webhook_delivery, webhook_endpoint,
};
use crate::error::{AppError, AppResult};
use crate::metrics::Metrics;
use crate::services::access::can_read_touchpoint;
use crate::services::ledger::feed::{settled, FeedCursor};
use crate::services::ledger::log::reads_history;
use crate::store::db::Db;

pub const PENDING: &str = "PENDING";
pub const DELIVERED: &str = "DELIVERED";
pub const SKIPPED: &str = "SKIPPED";
pub const DEAD: &str = "DEAD";

/// Ledger entries one dispatch reads for the endpoints at one position.
const DISPATCH_BATCH: u64 = 500;
/// Rows one statement inserts or updates: well under PostgreSQL's 65,535 bind parameters.
const ROWS_PER_STATEMENT: usize = 1_000;
/// Deliveries claimed, and sent concurrently, at a time: a round costs a few statements and one
/// commit whatever its size, so larger rounds deliver more per second (bench/README.md).
const CLAIM_BATCH: u64 = 256;
/// Deliveries sent to one endpoint at once: a partner's receiver is not sized for a round.
const PER_ENDPOINT: usize = 16;
/// How often the deliverer looks for retries that fell due when no commit woke it.
const POLL: Duration = Duration::from_millis(500);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// How deliveries are made.
#[derive(Debug, Clone)]
pub struct WebhookSettings {
    pub policy: TargetPolicy,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// How long a delivery is retried (and an endpoint may fail) before it is given up.
    pub retry_for: Duration,
    /// The wait before the second attempt; it doubles with each one after.
    pub retry_base: Duration,
    /// How long DELIVERED and SKIPPED deliveries are kept.
    pub keep_delivered: Duration,
}

/// How often the deliverer counts the deliveries waiting (for `/metrics`).
const COUNT_EVERY: Duration = Duration::from_secs(5);
/// How often it forgets deliveries kept long enough, and how many one statement forgets.
const PRUNE_EVERY: Duration = Duration::from_secs(600);
const PRUNE_BATCH: u64 = 10_000;

/// Runs the deliverer until `shutdown` turns true.
pub async fn run(
    db: Db,
    settings: WebhookSettings,
    metrics: std::sync::Arc<Metrics>,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let client = match WebhookClient::new(settings.policy, settings.timeout) {
        Ok(c) => c,
        Err(err) => {
            tracing::error!(error = %err, "webhook client could not be built: no deliveries");
            return;
        }
    };
    let mut counted = std::time::Instant::now() - COUNT_EVERY;
    let mut pruned = std::time::Instant::now() - PRUNE_EVERY;
    let mut backlog = false;
    loop {
        if counted.elapsed() >= COUNT_EVERY {
            counted = std::time::Instant::now();
            if let Ok(n) = pending(&db).await {
                metrics.webhook_pending(n);
            }
        }
        if pruned.elapsed() >= PRUNE_EVERY {
            pruned = std::time::Instant::now();
            if let Err(err) = prune(&db, settings.keep_delivered).await {
                tracing::warn!(error = %err, "old webhook deliveries were not removed");
            }
        }
        let busy = match tick(&db, &client, &settings, &metrics, backlog).await {
            Ok(n) => {
                backlog = n as u64 >= CLAIM_BATCH;
                n > 0
            }
            Err(err) => {
                tracing::warn!(error = %err, "webhook delivery round failed");
                false
            }
        };
        if *shutdown.borrow() {
            return;
        }
        if busy {
            continue;
        }
        tokio::select! {
            // One round for all the commits since the last.
            _ = db.events().changed() => {}
            _ = tokio::time::sleep(POLL) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Removes DELIVERED and SKIPPED deliveries finished longer than `keep` ago, a batch per
/// statement (every instance may run it: a row removed twice is removed once). Returns how
/// many. The claim's index `(status, next_attempt_at)` finds them: a finished delivery was
/// last due no later than it finished.
pub async fn prune(db: &Db, keep: Duration) -> AppResult<u64> {
    use webhook_delivery::Column as D;
    let cutoff = clock::now() - chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
    let mut removed = 0;
    loop {
        let finished = webhook_delivery::Entity::find()
            .select_only()
            .column(D::Id)
            .filter(D::Status.is_in([DELIVERED, SKIPPED]))
            .filter(D::NextAttemptAt.lt(cutoff))
            .filter(
                Condition::any()
                    .add(D::DeliveredAt.is_null())
                    .add(D::DeliveredAt.lt(cutoff)),
            )
            .limit(PRUNE_BATCH)
            .into_query();
        let done = webhook_delivery::Entity::delete_many()
            .filter(D::Id.in_subquery(finished))
            .exec(db.conn())
            .await?
            .rows_affected;
        removed += done;
        if done < PRUNE_BATCH {
            return Ok(removed);
        }
    }
}

/// One round: dispatch, claim, send. Returns how many deliveries it claimed and sent.
///
/// After a round that claimed a full batch (`backlog`), more are due already and the next one
/// sends before it dispatches: deliveries are added as fast as they are sent rather than as
/// fast as the ledger grows, so a burst of writes waits in the ledger, not as rows that every
/// claim and the database's flush to disk wade through.
pub async fn tick(
    db: &Db,
    client: &WebhookClient,
    settings: &WebhookSettings,
    metrics: &Metrics,
    backlog: bool,
) -> AppResult<usize> {
    // Without an enabled endpoint a round is one read: writes pay nothing for webhooks.
    let any = webhook_endpoint::Entity::find()
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .one(db.conn())
        .await?;
    if any.is_none() {
        return Ok(0);
    }
    if !backlog {
        dispatch(db).await?;
    }
    let due = claim(db, settings).await?;
    let n = due.len();
    if n == 0 {
        return Ok(0);
    }
    let batch = &Batch::load(db, &due).await?;
    // Every endpoint at once, each with at most PER_ENDPOINT of its deliveries in flight.
    let mut by_endpoint: HashMap<Uuid, Vec<webhook_delivery::Model>> = HashMap::new();
    for d in due {
        by_endpoint.entry(d.endpoint_id).or_default().push(d);
    }
    let attempts: Vec<Attempt<'_>> = futures_util::stream::iter(by_endpoint.into_values())
        .map(|deliveries| {
            futures_util::stream::iter(deliveries)
                .map(|d| attempt(client, settings, metrics, batch, d))
                .buffer_unordered(PER_ENDPOINT)
        })
        .flatten_unordered(None)
        .filter_map(|a| async move { a })
        .collect()
        .await;
    if let Err(err) = record(db, settings, attempts).await {
        // The leases run out and the deliveries are made again: at least once.
        tracing::warn!(error = %err, "webhook delivery outcomes failed to record");
    }
    Ok(n)
}

/// One delivery's attempt, to be recorded with the round's others.
struct Attempt<'a> {
    delivery: webhook_delivery::Model,
    endpoint: &'a webhook_endpoint::Model,
    finished: Finished,
}

/// Records a round's outcomes in one transaction and one statement per thousand: one commit
/// for the round rather than one per delivery, which is what a commit's flush to disk made the
/// deliverer wait on. Then each endpoint's health from its deliveries of the round: one that
/// delivered anything is not failing; one that delivered nothing is, and is disabled once that
/// has lasted the window.
async fn record(db: &Db, settings: &WebhookSettings, attempts: Vec<Attempt<'_>>) -> AppResult<()> {
    let tx = db.begin_write().await?;
    let mut health: HashMap<Uuid, (&webhook_endpoint::Model, bool, Option<String>)> =
        HashMap::new();
    for a in &attempts {
        // A skip says nothing of the receiver's health.
        if a.finished.status != SKIPPED {
            let seen = health
                .entry(a.endpoint.id)
                .or_insert((a.endpoint, false, None));
            if a.finished.status == DELIVERED {
                seen.1 = true;
            } else {
                seen.2.clone_from(&a.finished.error);
            }
        }
    }
    for chunk in attempts.chunks(ROWS_PER_STATEMENT) {
        finish(&tx, db.backend(), chunk).await?;
    }
    for (endpoint, delivered, error) in health.into_values() {
        endpoint_health(&tx, settings, endpoint, delivered, error).await?;
    }
    tx.commit().await?;
    Ok(())
}

fn postgres(db: &Db) -> bool {
    db.backend() == DbBackend::Postgres
}

/// Deliveries waiting to be made (or retried).
async fn pending(db: &Db) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::Status.eq(PENDING))
        .count(db.conn())
        .await?)
}

/// Adds the deliveries of the ledger entries after each enabled endpoint's position.
///
/// The endpoints of one brand at one position (every endpoint of a brand, once each has caught
/// up) share one read of the ledger, and all the rows go in one insert: a round costs a few
/// statements however many endpoints there are, rather than three per endpoint.
async fn dispatch(db: &Db) -> AppResult<()> {
    let tx = db.begin_write().await?;
    let mut select =
        webhook_endpoint::Entity::find().filter(webhook_endpoint::Column::Enabled.eq(true));
    if postgres(db) {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let mut groups: HashMap<(Uuid, i64, i64), Vec<webhook_endpoint::Model>> = HashMap::new();
    for endpoint in select.all(&tx).await? {
        let at = (endpoint.brand_id, endpoint.cursor_tx, endpoint.cursor_seq);
        groups.entry(at).or_default().push(endpoint);
    }
    let now = clock::now();
    let mut rows = Vec::new();
    for ((brand_id, cursor_tx, cursor_seq), endpoints) in groups {
        let kinds: Vec<HashSet<ChangeKind>> = endpoints.iter().map(subscribed).collect();
        let any: HashSet<ChangeKind> = kinds.iter().flatten().copied().collect();
        let from = FeedCursor::at(brand_id, cursor_tx, cursor_seq);
        let entries = unsent(db, &tx, brand_id, &from, any).await?;
        let Some(last) = entries.last() else { continue };
        let (last_tx, last_seq) = (last.tx_id, last.seq);
        for (endpoint, kinds) in endpoints.iter().zip(&kinds) {
            rows.extend(
                entries
                    .iter()
                    .filter(|e| e.kind.is_some_and(|k| kinds.contains(&k)))
                    .filter_map(|e| pending_delivery(endpoint.id, e, now)),
            );
        }
        webhook_endpoint::Entity::update_many()
            .col_expr(webhook_endpoint::Column::CursorTx, Expr::value(last_tx))
            .col_expr(webhook_endpoint::Column::CursorSeq, Expr::value(last_seq))
            .filter(webhook_endpoint::Column::Id.is_in(endpoints.iter().map(|e| e.id)))
            .exec(&tx)
            .await?;
    }
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        webhook_delivery::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(webhook_delivery::ActiveModel::from),
        )
        .on_conflict(
            OnConflict::columns([
                webhook_delivery::Column::EndpointId,
                webhook_delivery::Column::Seq,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The brand's ledger entries of `kinds` after `from`, oldest first, at most a batch; on
/// PostgreSQL only the settled ones, as the change feed reads, so nothing that commits late is
/// passed over.
async fn unsent(
    db: &Db,
    conn: &impl sea_orm::ConnectionTrait,
    brand_id: Uuid,
    from: &FeedCursor,
    kinds: HashSet<ChangeKind>,
) -> AppResult<Vec<ledger_entry::Model>> {
    use ledger_entry::Column as L;
    let mut entries = ledger_entry::Entity::find()
        .filter(L::BrandId.eq(brand_id))
        .filter(L::Kind.is_in(kinds))
        .filter(from.after_condition(L::TxId, L::Seq));
    if postgres(db) {
        entries = entries.filter(settled());
    }
    Ok(entries
        .order_by_asc(L::TxId)
        .order_by_asc(L::Seq)
        .limit(DISPATCH_BATCH)
        .all(conn)
        .await?)
}

/// The kinds of change an endpoint receives.
fn subscribed(e: &webhook_endpoint::Model) -> HashSet<ChangeKind> {
    e.events
        .0
        .iter()
        .filter_map(|k| <ChangeKind as sea_orm::ActiveEnum>::try_from_value(k).ok())
        .collect()
}

/// A new delivery of a touchpoint's ledger entry to an endpoint, due now.
fn pending_delivery(
    endpoint_id: Uuid,
    e: &ledger_entry::Model,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<webhook_delivery::Model> {
    Some(webhook_delivery::Model {
        id: Uuid::now_v7(),
        endpoint_id,
        seq: e.seq,
        tx_id: e.tx_id,
        touchpoint_id: e.entity_id,
        version: e.version?,
        event_type: payload::event_type(e.kind?).to_owned(),
        status: PENDING.to_owned(),
        attempts: 0,
        next_attempt_at: now,
        lease_until: None,
        last_status: None,
        last_latency_ms: None,
        last_error: None,
        last_response: None,
        created_at: now,
        delivered_at: None,
    })
}

/// Claims the due deliveries: a lease each, and one more attempt counted.
async fn claim(db: &Db, settings: &WebhookSettings) -> AppResult<Vec<webhook_delivery::Model>> {
    use webhook_delivery::Column as D;
    let tx = db.begin_write().await?;
    let now = clock::now();
    let mut select = webhook_delivery::Entity::find()
        .filter(D::Status.eq(PENDING))
        .filter(D::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(D::LeaseUntil.is_null())
                .add(D::LeaseUntil.lt(now)),
        )
        // Its endpoint is enabled, and no earlier version of its touchpoint waits before it.
        .filter(Expr::cust(
            "EXISTS (SELECT 1 FROM webhook_endpoints w \
               WHERE w.id = webhook_deliveries.endpoint_id AND w.enabled) \
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e \
               WHERE e.endpoint_id = webhook_deliveries.endpoint_id \
                 AND e.touchpoint_id = webhook_deliveries.touchpoint_id \
                 AND e.version < webhook_deliveries.version AND e.status = 'PENDING')",
        ))
        .order_by_asc(D::NextAttemptAt)
        .limit(CLAIM_BATCH);
    if postgres(db) {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let mut due = select.all(&tx).await?;
    if due.is_empty() {
        return Ok(due);
    }
    let lease =
        now + chrono::Duration::from_std(settings.timeout * 2).map_err(AppError::internal)?;
    webhook_delivery::Entity::update_many()
        .col_expr(D::LeaseUntil, Expr::value(lease))
        .col_expr(D::Attempts, Expr::col(D::Attempts).add(1))
        .filter(D::Id.is_in(due.iter().map(|d| d.id)))
        .exec(&tx)
        .await?;
    tx.commit().await?;
    for d in &mut due {
        d.attempts += 1;
        d.lease_until = Some(lease);
    }
    Ok(due)
}

/// What the claimed deliveries are built from, read once for all of them: their endpoints
/// (each with its organization as a reader: it sees what its VIEWERs would), ledger entries and
/// touchpoints.
struct Batch {
    endpoints: HashMap<Uuid, (webhook_endpoint::Model, Principal)>,
    entries: HashMap<i64, ledger_entry::Model>,
    touchpoints: HashMap<Uuid, touchpoint::Model>,
}

impl Batch {
    async fn load(db: &Db, due: &[webhook_delivery::Model]) -> AppResult<Self> {
        let conn = db.conn();
        let endpoint_ids: HashSet<Uuid> = due.iter().map(|d| d.endpoint_id).collect();
        let touchpoint_ids: HashSet<Uuid> = due.iter().map(|d| d.touchpoint_id).collect();
        let endpoints = webhook_endpoint::Entity::find()
            .filter(webhook_endpoint::Column::Id.is_in(endpoint_ids))
            .all(conn)
            .await?;
        let org_ids: HashSet<Uuid> = endpoints.iter().map(|e| e.organization_id).collect();
        let organizations: HashMap<Uuid, organization::Model> = organization::Entity::find()
            .filter(organization::Column::Id.is_in(org_ids.iter().copied()))
            .all(conn)
            .await?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
        let mut partnerships: HashMap<Uuid, Vec<(Uuid, crate::domain::PartnershipStatus)>> =
            HashMap::new();
        for p in partnership::Entity::find()
            .filter(partnership::Column::PartnerId.is_in(org_ids))
            .all(conn)
            .await?
        {
            partnerships
                .entry(p.partner_id)
                .or_default()
                .push((p.brand_id, p.status));
        }
        let endpoints = endpoints
            .into_iter()
            .filter_map(|e| {
                let organization = organizations.get(&e.organization_id)?.clone();
                let reader = Principal {
                    actor: Actor::ApiClient {
                        id: e.id,
                        name: format!("webhook:{}", e.id),
                    },
                    role: Role::Viewer,
                    partnerships: partnerships
                        .get(&e.organization_id)
                        .cloned()
                        .unwrap_or_default(),
                    organization,
                    free_form_documents: false,
                };
                Some((e.id, (e, reader)))
            })
            .collect();
        // By touchpoint first: the ledger's key on PostgreSQL.
        let entries = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::EntityId.is_in(touchpoint_ids.iter().copied()))
            .filter(ledger_entry::Column::Seq.is_in(due.iter().map(|d| d.seq)))
            .all(conn)
            .await?
            .into_iter()
            .map(|e| (e.seq, e))
            .collect();
        let touchpoints = touchpoint::Entity::find()
            .filter(touchpoint::Column::Id.is_in(touchpoint_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
        Ok(Self {
            endpoints,
            entries,
            touchpoints,
        })
    }
}

/// Builds, signs and sends one claimed delivery, and records how it went.
/// Builds and sends one delivery; `None` when its endpoint is gone (its deliveries went with
/// it).
async fn attempt<'a>(
    client: &WebhookClient,
    settings: &WebhookSettings,
    metrics: &Metrics,
    batch: &'a Batch,
    d: webhook_delivery::Model,
) -> Option<Attempt<'a>> {
    let (endpoint, reader) = batch.endpoints.get(&d.endpoint_id)?;
    let done = |delivery, finished| {
        Some(Attempt {
            delivery,
            endpoint,
            finished,
        })
    };
    let entry = batch.entries.get(&d.seq);
    let touchpoint = batch.touchpoints.get(&d.touchpoint_id);
    let (Some(entry), Some(t)) = (entry, touchpoint) else {
        metrics.webhook_attempt("skipped", None);
        return done(d, Finished::skipped("the change is no longer there"));
    };
    if !can_read_touchpoint(reader, t) {
        metrics.webhook_attempt("skipped", None);
        return done(
            d,
            Finished::skipped("the touchpoint is not visible to the endpoint's organization"),
        );
    }
    let body = payload::body(&d, entry, t, reads_history(reader, t));
    let now = clock::now();
    let mut secrets = vec![endpoint.secret.as_str()];
    if let (Some(old), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_until) {
        if until > now {
            secrets.push(old);
        }
    }
    let mut headers = HeaderMap::new();
    let signature = signing::header(&secrets, now.timestamp(), &body);
    for (name, value) in [
        (SIGNATURE_HEADER, signature),
        (DELIVERY_HEADER, d.id.to_string()),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(name, v);
        }
    }
    let outcome = client.post(&endpoint.url, headers, body).await;
    let finished = judge(settings, &d, outcome);
    let outcome = match finished.status {
        DELIVERED => "delivered",
        PENDING => "retry",
        _ => "dead",
    };
    metrics.webhook_attempt(
        outcome,
        finished.latency_ms.map(|ms| f64::from(ms) / 1000.0),
    );
    done(d, finished)
}

/// What an attempt leaves on its delivery.
struct Finished {
    status: &'static str,
    next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    last_status: Option<i32>,
    latency_ms: Option<i32>,
    error: Option<String>,
    response: Option<String>,
}

impl Finished {
    fn skipped(why: &str) -> Self {
        Self {
            status: SKIPPED,
            next_attempt_at: None,
            last_status: None,
            latency_ms: None,
            error: Some(why.to_owned()),
            response: None,
        }
    }
}

/// The exponential wait before attempt `attempts + 1`, ±20 % jitter.
fn backoff(base: Duration, attempts: i32) -> Duration {
    let doubling = Ord::min(u32::try_from(attempts.saturating_sub(1)).unwrap_or(0), 20);
    let wait = base.saturating_mul(1 << doubling).min(MAX_BACKOFF);
    wait.mul_f64(rand::thread_rng().gen_range(0.8..1.2))
}

fn judge(settings: &WebhookSettings, d: &webhook_delivery::Model, outcome: Outcome) -> Finished {
    let now = clock::now();
    let millis = |l: Duration| i32::try_from(l.as_millis()).ok();
    let (retry, retry_after, mut finished) = match outcome {
        Outcome::Answered {
            status,
            retry_after,
            body,
            latency,
        } => {
            let ok = (200..300).contains(&status);
            let retry = matches!(status, 408 | 429 | 500..=599);
            let finished = Finished {
                status: if ok { DELIVERED } else { DEAD },
                next_attempt_at: None,
                last_status: Some(i32::from(status)),
                latency_ms: millis(latency),
                error: (!ok).then(|| format!("the receiver answered {status}")),
                response: Some(body),
            };
            (retry, retry_after, finished)
        }
        Outcome::Failed {
            error,
            timed_out,
            latency,
        } => {
            let error = if timed_out {
                format!("no answer within {} s", settings.timeout.as_secs())
            } else {
                error
            };
            let finished = Finished {
                status: DEAD,
                next_attempt_at: None,
                last_status: None,
                latency_ms: millis(latency),
                error: Some(error),
                response: None,
            };
            (true, None, finished)
        }
        Outcome::Refused { error } => {
            let finished = Finished {
                status: DEAD,
                next_attempt_at: None,
                last_status: None,
                latency_ms: None,
                error: Some(format!("not sent: {error}")),
                response: None,
            };
            (false, None, finished)
        }
    };
    if retry {
        let window =
            chrono::Duration::from_std(settings.retry_for).unwrap_or(chrono::Duration::MAX);
        let wait = backoff(settings.retry_base, d.attempts).max(retry_after.unwrap_or_default());
        let next = now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        if next - d.created_at < window {
            finished.status = PENDING;
            finished.next_attempt_at = Some(next);
        } else if let Some(e) = &mut finished.error {
            e.push_str(&format!(" (given up after {} attempts)", d.attempts));
        }
    }
    finished
}

/// Writes attempts' outcomes in one statement, each only if its delivery is still that
/// attempt's (an instance whose lease ran out does not overwrite the one that took over). The
/// values go in as a `VALUES` list joined to the table by id, which PostgreSQL and SQLite
/// (`UPDATE … FROM`, 3.33) both read; sea-query builds no `UPDATE … FROM`.
async fn finish(
    conn: &impl sea_orm::ConnectionTrait,
    backend: DbBackend,
    attempts: &[Attempt<'_>],
) -> AppResult<()> {
    const COLUMNS: [&str; 9] = [
        "id",
        "attempts",
        "status",
        "last_status",
        "last_latency_ms",
        "last_error",
        "last_response",
        "next_attempt_at",
        "delivered_at",
    ];
    if attempts.is_empty() {
        return Ok(());
    }
    let now = clock::now();
    let mut values: Vec<sea_orm::Value> = Vec::with_capacity(attempts.len() * COLUMNS.len());
    let mut rows = Vec::with_capacity(attempts.len());
    for a in attempts {
        let (d, f) = (&a.delivery, &a.finished);
        let first = values.len();
        values.extend([
            d.id.into(),
            d.attempts.into(),
            f.status.into(),
            f.last_status.into(),
            f.latency_ms.into(),
            f.error
                .as_ref()
                .map(|e| e.chars().take(500).collect::<String>())
                .into(),
            f.response.clone().into(),
            f.next_attempt_at.into(),
            (f.status == DELIVERED).then_some(now).into(),
        ]);
        let marks: Vec<String> = (first + 1..=values.len())
            .map(|n| match backend {
                DbBackend::Postgres => format!("${n}"),
                _ => "?".to_owned(),
            })
            .collect();
        rows.push(format!("({})", marks.join(", ")));
    }
    let sql = format!(
        "WITH v ({columns}) AS (VALUES {rows}) \
         UPDATE webhook_deliveries SET status = v.status, lease_until = NULL, \
           last_status = v.last_status, last_latency_ms = v.last_latency_ms, \
           last_error = v.last_error, last_response = v.last_response, \
           next_attempt_at = COALESCE(v.next_attempt_at, webhook_deliveries.next_attempt_at), \
           delivered_at = COALESCE(v.delivered_at, webhook_deliveries.delivered_at) \
         FROM v WHERE webhook_deliveries.id = v.id AND webhook_deliveries.attempts = v.attempts",
        columns = COLUMNS.join(", "),
        rows = rows.join(", "),
    );
    conn.execute_raw(sea_orm::Statement::from_sql_and_values(
        backend, sql, values,
    ))
    .await?;
    Ok(())
}

/// Marks the endpoint failing (or not) after a round of its deliveries, and disables it once it
/// has failed for the whole retry window.
async fn endpoint_health(
    conn: &impl sea_orm::ConnectionTrait,
    settings: &WebhookSettings,
    endpoint: &webhook_endpoint::Model,
    delivered: bool,
    error: Option<String>,
) -> AppResult<()> {
    use webhook_endpoint::Column as W;
    let now = clock::now();
    if delivered {
        if endpoint.failing_since.is_some() {
            webhook_endpoint::Entity::update_many()
                .col_expr(
                    W::FailingSince,
                    Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
                )
                .filter(W::Id.eq(endpoint.id))
                .exec(conn)
                .await?;
        }
        return Ok(());
    }
    let since = endpoint.failing_since.unwrap_or(now);
    let window = chrono::Duration::from_std(settings.retry_for).unwrap_or(chrono::Duration::MAX);
    if endpoint.failing_since.is_some() && now - since < window {
        return Ok(()); // already failing, not yet for the whole window
    }
    // Another instance's round may have marked it first: the earliest time stays.
    let mut update = webhook_endpoint::Entity::update_many().col_expr(
        W::FailingSince,
        Expr::from(sea_orm::sea_query::Func::coalesce([
            Expr::col(W::FailingSince),
            Expr::value(since),
        ])),
    );
    if now - since >= window {
        let why = format!(
            "disabled: every delivery failed since {} (last: {})",
            since.to_rfc3339(),
            error.unwrap_or_default()
        );
        update = update
            .col_expr(W::Enabled, Expr::value(false))
            .col_expr(
                W::DisabledReason,
                Expr::value(Some(why.chars().take(500).collect::<String>())),
            )
            .col_expr(W::Version, Expr::col(W::Version).add(1));
    }
    update.filter(W::Id.eq(endpoint.id)).exec(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let base = Duration::from_secs(10);
        for (attempts, nominal) in [(1, 10.0), (2, 20.0), (3, 40.0), (5, 160.0)] {
            let w = backoff(base, attempts).as_secs_f64();
            assert!(
                (nominal * 0.8..=nominal * 1.2).contains(&w),
                "{attempts}: {w}"
            );
        }
        assert!(backoff(base, 40) <= MAX_BACKOFF.mul_f64(1.2));
    }
}
