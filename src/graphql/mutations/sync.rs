//! `syncTouchpoints`: integration scripts push their touchpoints in batches.
use async_graphql::{Context, MaybeUndefined, Object, Result, SimpleObject};

use crate::domain::SyncOutcome;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::inputs::sync::SyncTouchpointsInput;
use crate::graphql::types::touchpoint::Touchpoint;
use crate::services::sync::{self, ItemResult, SyncItemDraft, SyncReport, SyncRequest};

/// One item's outcome.
#[derive(SimpleObject)]
pub struct SyncItem {
    pub external_id: String,
    pub outcome: SyncOutcome,
    /// As it now is (in a dry run: as it would be, with a provisional id when created);
    /// null when the item failed.
    pub touchpoint: Option<Touchpoint>,
}

/// Why one item was refused; the other items are not affected.
#[derive(SimpleObject)]
pub struct SyncError {
    /// The item's position in `items`.
    pub index: i32,
    pub external_id: Option<String>,
    /// An `extensions.code` value (BAD_USER_INPUT, …).
    pub code: String,
    /// The item's field at fault (`phaseId`, `cost.amount`, …).
    pub field: Option<String>,
    pub message: String,
}

#[derive(SimpleObject)]
pub struct SyncTouchpointsPayload {
    pub created: i32,
    pub updated: i32,
    pub unchanged: i32,
    pub archived: i32,
    /// One per input item, in order.
    pub items: Vec<SyncItem>,
    /// The touchpoints MIRROR archived because the batch did not list them.
    pub archived_items: Vec<SyncItem>,
    pub errors: Vec<SyncError>,
    pub dry_run: bool,
    /// This is the stored result of an earlier request with the same idempotency key.
    pub replayed: bool,
}

fn item(report: &SyncReport, i: &ItemResult) -> SyncItem {
    SyncItem {
        external_id: i.external_id.clone(),
        outcome: i.outcome,
        touchpoint: i
            .touchpoint_id
            .and_then(|id| report.touchpoints.get(&id))
            .cloned()
            .map(Touchpoint::from),
    }
}

impl From<SyncReport> for SyncTouchpointsPayload {
    fn from(report: SyncReport) -> Self {
        let r = &report.result;
        let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
        Self {
            created: count(r.created),
            updated: count(r.updated),
            unchanged: count(r.unchanged),
            archived: count(r.archived),
            items: r.items.iter().map(|i| item(&report, i)).collect(),
            archived_items: r.archived_items.iter().map(|i| item(&report, i)).collect(),
            errors: r
                .errors
                .iter()
                .map(|e| SyncError {
                    index: count(e.index),
                    external_id: e.external_id.clone(),
                    code: e.code.clone(),
                    field: e.field.clone(),
                    message: e.message.clone(),
                })
                .collect(),
            dry_run: report.dry_run,
            replayed: report.replayed,
        }
    }
}

#[derive(Default)]
pub struct SyncMutation;

#[Object]
impl SyncMutation {
    /// Creates or updates the caller's touchpoints in a brand's network by `externalId`
    /// (MIRROR also archives the caller's touchpoints there that the batch leaves out).
    /// A bad item is reported in `errors` and does not fail the others; all valid items
    /// commit together.
    async fn sync_touchpoints(
        &self,
        ctx: &Context<'_>,
        input: SyncTouchpointsInput,
    ) -> Result<SyncTouchpointsPayload> {
        let p = principal(ctx)?;
        // Only a request with a key is ever compared with another: fingerprinting a batch
        // costs about a tenth of its CPU.
        let fingerprint = input.idempotency_key.is_some().then(|| input.fingerprint());
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let items = input
            .items
            .into_iter()
            .map(|item| SyncItemDraft {
                // The key identifies the touchpoint; it is not a field to change.
                patch: item.fields.into_patch(MaybeUndefined::Undefined),
                external_id: item.external_id,
            })
            .collect();
        let report = sync::run(
            db(ctx)?,
            p,
            SyncRequest {
                brand_id,
                mode: input.mode,
                dry_run: input.dry_run,
                idempotency_key: input.idempotency_key,
                fingerprint,
                items,
            },
        )
        .await?;
        Ok(report.into())
    }
}
