//! DataLoaders for nested fields: each batches one kind of look-up per request, so a list of
//! 100 touchpoints costs the same few statements as a list of 10.
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::Context;
use uuid::Uuid;

use crate::auth::Principal;
use crate::entities::{journey_step, organization, phase, touchpoint, webhook_delivery};
use crate::error::{AppError, AppResult};
use crate::services::lookups::RatingList;
use crate::services::webhooks::endpoints;
use crate::services::{lookups, planning::journeys, touchpoints};
use crate::store::db::Db;

pub struct OrganizationLoader(Db);
pub struct PhaseLoader(Db);
pub struct AlignmentLoader(Db);
pub struct JourneyStepsLoader(Db);
/// Touchpoints by id, only those the caller may read: a reference (a journey step) to a
/// touchpoint the caller cannot see resolves to nothing.
pub struct VisibleTouchpointLoader {
    db: Db,
    principal: Option<Arc<Principal>>,
}

/// Shared values, through the cache (`cache`): a loader hands each requester a copy, and a
/// page's fifty touchpoints share a few owners and phases.
impl Loader<Uuid> for OrganizationLoader {
    type Value = Arc<organization::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        lookups::cached_organizations(&self.0, keys).await
    }
}

impl Loader<Uuid> for PhaseLoader {
    type Value = Arc<phase::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        lookups::cached_phases(&self.0, keys).await
    }
}

/// Ratings of a touchpoint (by touchpoint id), each with its principle.
impl Loader<Uuid> for AlignmentLoader {
    type Value = RatingList;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        lookups::alignments(&self.0, keys).await
    }
}

impl Loader<Uuid> for JourneyStepsLoader {
    type Value = Vec<journey_step::Model>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        journeys::steps_of(&self.0, keys).await
    }
}

impl Loader<Uuid> for VisibleTouchpointLoader {
    type Value = touchpoint::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        match &self.principal {
            Some(p) => touchpoints::visible_by_ids(&self.db, p, keys).await,
            None => Ok(HashMap::new()),
        }
    }
}

/// An endpoint's recent deliveries, by (endpoint id, how many).
pub struct DeliveriesLoader {
    db: Db,
    principal: Option<Arc<Principal>>,
}

impl Loader<(Uuid, u64)> for DeliveriesLoader {
    type Value = Vec<webhook_delivery::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[(Uuid, u64)],
    ) -> Result<HashMap<(Uuid, u64), Self::Value>, Self::Error> {
        let Some(p) = &self.principal else {
            return Ok(HashMap::new());
        };
        // One statement per page size asked for (in practice one: every endpoint's field
        // carries the same `first`).
        let mut out = HashMap::with_capacity(keys.len());
        let mut limits: Vec<u64> = keys.iter().map(|(_, limit)| *limit).collect();
        limits.sort_unstable();
        limits.dedup();
        for limit in limits {
            let ids: Vec<Uuid> = keys
                .iter()
                .filter(|(_, l)| *l == limit)
                .map(|(id, _)| *id)
                .collect();
            let mut found = endpoints::recent_deliveries(&self.db, p, &ids, limit).await?;
            for id in ids {
                out.insert((id, limit), found.remove(&id).unwrap_or_default());
            }
        }
        Ok(out)
    }
}

/// How long a loader waits for more keys before it queries. Every sibling field of a list
/// asks for its key in the same poll, before the loader's task first runs, so no wait is
/// needed to batch them; the default millisecond would only add latency per level.
const BATCH_DELAY: std::time::Duration = std::time::Duration::ZERO;

/// The loaders of one request.
pub struct Loaders {
    pub organizations: DataLoader<OrganizationLoader>,
    pub phases: DataLoader<PhaseLoader>,
    pub alignments: DataLoader<AlignmentLoader>,
    pub journey_steps: DataLoader<JourneyStepsLoader>,
    pub touchpoints: DataLoader<VisibleTouchpointLoader>,
    /// Made on first use: few requests read deliveries.
    deliveries: OnceLock<DataLoader<DeliveriesLoader>>,
    db: Db,
    principal: Option<Arc<Principal>>,
}

impl Loaders {
    pub fn new(db: &Db, principal: Option<Arc<Principal>>) -> Self {
        Self {
            organizations: DataLoader::new(OrganizationLoader(db.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            phases: DataLoader::new(PhaseLoader(db.clone()), tokio::spawn).delay(BATCH_DELAY),
            alignments: DataLoader::new(AlignmentLoader(db.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            journey_steps: DataLoader::new(JourneyStepsLoader(db.clone()), tokio::spawn)
                .delay(BATCH_DELAY),
            touchpoints: DataLoader::new(
                VisibleTouchpointLoader {
                    db: db.clone(),
                    principal: principal.clone(),
                },
                tokio::spawn,
            )
            .delay(BATCH_DELAY),
            deliveries: OnceLock::new(),
            db: db.clone(),
            principal,
        }
    }

    pub fn deliveries(&self) -> &DataLoader<DeliveriesLoader> {
        self.deliveries.get_or_init(|| {
            DataLoader::new(
                DeliveriesLoader {
                    db: self.db.clone(),
                    principal: self.principal.clone(),
                },
                tokio::spawn,
            )
            .delay(BATCH_DELAY)
        })
    }
}

pub fn loaders<'a>(ctx: &Context<'a>) -> AppResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| {
        AppError::Internal(std::sync::Arc::new(std::io::Error::other(
            "no loaders in request",
        )))
    })
}
