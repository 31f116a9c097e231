//! Subscriptions: live touchpoint changes, filtered for each subscriber at each event.
use std::sync::Arc;

use async_graphql::{Context, Result, Subscription, ID};
use futures_util::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;

use super::context::{db, principal};
use super::ids::parse_id;
use super::types::change::TouchpointChange;
use crate::auth::Principal;
use crate::error::AppError;
use crate::services::network::principals::current_principal;
use crate::services::{network::brands, touchpoints};
use crate::store::db::Db;
use crate::store::events::ChangeEvent;

#[derive(Default)]
pub struct SubscriptionRoot;

/// What one event means for one subscriber: the change if it may see it. The principal is
/// read again (through the principal cache, which every change to it empties), so a revoked
/// membership, client or partnership ends the subscription at the next event.
async fn for_subscriber(
    db: &Db,
    subscriber: &Principal,
    event: &ChangeEvent,
) -> Result<Option<TouchpointChange>, AppError> {
    let current = current_principal(db, subscriber.actor_id(), Some(subscriber.org_id())).await?;
    brands::require_known(&current, event.brand_id)
        .map_err(|_| AppError::Unauthenticated("no longer a member of this network".into()))?;
    Ok(touchpoints::get(db, &current, event.touchpoint_id)
        .await?
        .map(|t| TouchpointChange {
            kind: event.kind,
            at: event.at,
            actor: event.actor_label.clone(),
            entry: None,
            touchpoint: t,
        }))
}

#[Subscription]
impl SubscriptionRoot {
    /// Every create, update, archive, restore and review in the brand's network that the
    /// subscriber may see, as it happens (from any server instance). Live and best effort:
    /// catch up from `touchpointChanges` after a reconnect.
    async fn touchpoint_changed(
        &self,
        ctx: &Context<'_>,
        brand_id: ID,
    ) -> Result<impl Stream<Item = Result<TouchpointChange>>> {
        let p = Arc::new(principal(ctx)?.clone());
        let brand_id = parse_id("brandId", &brand_id)?;
        brands::require_known(&p, brand_id)?;
        let db = db(ctx)?.clone();
        let receiver = db.events().subscribe();
        Ok(stream::unfold(
            (receiver, db, p, false),
            move |(mut receiver, db, p, ended)| async move {
                if ended {
                    return None;
                }
                loop {
                    let event = match receiver.recv().await {
                        Ok(event) => event,
                        Err(RecvError::Lagged(missed)) => {
                            tracing::warn!(missed, "a subscriber fell behind");
                            continue;
                        }
                        Err(RecvError::Closed) => return None,
                    };
                    if event.brand_id != brand_id {
                        continue;
                    }
                    match for_subscriber(&db, &p, &event).await {
                        Ok(Some(change)) => return Some((Ok(change), (receiver, db, p, false))),
                        Ok(None) => continue,
                        // Lost access (or the database failed): tell, then end.
                        Err(err) => return Some((Err(err.into()), (receiver, db, p, true))),
                    }
                }
            },
        ))
    }
}
