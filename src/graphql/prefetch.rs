//! The owners, phases and ratings that a selection of touchpoints asks for, loaded once for
//! all of them before their fields resolve.
//!
//! A touchpoint resolves its fields one after another (`#[Object(serial)]`): a concurrent
//! set of futures per touchpoint cost more CPU than the fields themselves. Left to the
//! DataLoaders, a page's owners, phases and ratings would then be three round trips one
//! after the other; loaded here they are three statements at once, and each node reads its
//! own from memory. Owners and phases come through the cache (`cache`), so a page usually
//! costs one statement here, for its ratings. A touchpoint without them (a mutation's
//! result, a journey step) still resolves them through the loaders.
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Lookahead};
use futures_util::future::{try_join3, OptionFuture};
use uuid::Uuid;

use crate::entities::{organization, phase, touchpoint};
use crate::error::AppResult;
use crate::services::lookups::{self, Ratings};
use crate::store::db::Db;

/// What was loaded for a set of touchpoints; `None` where the selection did not ask.
#[derive(Default)]
pub struct Neighbours {
    pub owners: Option<HashMap<Uuid, Arc<organization::Model>>>,
    pub phases: Option<HashMap<Uuid, Arc<phase::Model>>>,
    pub ratings: Option<Ratings>,
}

/// Which neighbours the selections of a touchpoint ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    pub owner: bool,
    pub phase: bool,
    pub alignment: bool,
}

impl Wanted {
    /// Reads the selections made on a touchpoint (fragments included). A field that a
    /// directive skips still counts: loading it is only wasted work, never a wrong answer.
    pub fn of(selections: &[Lookahead<'_>]) -> Self {
        let asks = |name: &str| selections.iter().any(|s| s.field(name).exists());
        Self {
            owner: asks("owner"),
            phase: asks("phase"),
            alignment: asks("alignment"),
        }
    }

    /// The selections on the nodes of a connection field: `nodes` and `edges.node`.
    pub fn in_connection(ctx: &Context<'_>) -> Self {
        let connection = ctx.look_ahead();
        Self::of(&[
            connection.field("nodes"),
            connection.field("edges").field("node"),
        ])
    }

    /// The selection on a field that returns one touchpoint.
    pub fn in_field(ctx: &Context<'_>) -> Self {
        Self::of(&[ctx.look_ahead()])
    }

    pub fn any(self) -> bool {
        self.owner || self.phase || self.alignment
    }
}

/// Loads what `wanted` names for `touchpoints`, the three look-ups at once.
pub async fn load(
    db: &Db,
    wanted: Wanted,
    touchpoints: &[touchpoint::Model],
) -> AppResult<Neighbours> {
    if !wanted.any() || touchpoints.is_empty() {
        return Ok(Neighbours::default());
    }
    let owner_ids = lookups::distinct(touchpoints.iter().map(|t| t.owner_id));
    let phase_ids = lookups::distinct(touchpoints.iter().map(|t| t.phase_id));
    let ids: Vec<Uuid> = touchpoints.iter().map(|t| t.id).collect();
    let owners: OptionFuture<_> = wanted
        .owner
        .then(|| lookups::cached_organizations(db, &owner_ids))
        .into();
    let phases: OptionFuture<_> = wanted
        .phase
        .then(|| lookups::cached_phases(db, &phase_ids))
        .into();
    let ratings: OptionFuture<_> = wanted
        .alignment
        .then(|| lookups::alignments(db, &ids))
        .into();
    let (owners, phases, ratings) = try_join3(
        async { owners.await.transpose() },
        async { phases.await.transpose() },
        async { ratings.await.transpose() },
    )
    .await?;
    Ok(Neighbours {
        owners,
        phases,
        ratings,
    })
}
