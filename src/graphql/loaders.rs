//! DataLoaders for nested fields: each batches one kind of look-up per request, so a list of
//! 100 touchpoints costs the same few statements as a list of 10.
use std::collections::HashMap;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::Context;
use uuid::Uuid;

use crate::db::Db;
use crate::entities::{alignment, organization, phase, principle};
use crate::error::{AppError, AppResult};
use crate::services::lookups;

pub struct OrganizationLoader(Db);
pub struct PhaseLoader(Db);
pub struct PrincipleLoader(Db);
pub struct AlignmentLoader(Db);

impl Loader<Uuid> for OrganizationLoader {
    type Value = organization::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        lookups::organizations(&self.0, keys).await
    }
}

impl Loader<Uuid> for PhaseLoader {
    type Value = phase::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        lookups::phases(&self.0, keys).await
    }
}

impl Loader<Uuid> for PrincipleLoader {
    type Value = principle::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        lookups::principles(&self.0, keys).await
    }
}

/// Ratings of a touchpoint (by touchpoint id), each with its principle.
impl Loader<Uuid> for AlignmentLoader {
    type Value = Vec<(alignment::Model, principle::Model)>;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        lookups::alignments(&self.0, keys).await
    }
}

/// The loaders of one request.
pub struct Loaders {
    pub organizations: DataLoader<OrganizationLoader>,
    pub phases: DataLoader<PhaseLoader>,
    pub principles: DataLoader<PrincipleLoader>,
    pub alignments: DataLoader<AlignmentLoader>,
}

impl Loaders {
    pub fn new(db: &Db) -> Self {
        Self {
            organizations: DataLoader::new(OrganizationLoader(db.clone()), tokio::spawn),
            phases: DataLoader::new(PhaseLoader(db.clone()), tokio::spawn),
            principles: DataLoader::new(PrincipleLoader(db.clone()), tokio::spawn),
            alignments: DataLoader::new(AlignmentLoader(db.clone()), tokio::spawn),
        }
    }
}

pub fn loaders<'a>(ctx: &Context<'a>) -> AppResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| {
        AppError::Internal(std::sync::Arc::new(std::io::Error::other(
            "no loaders in request",
        )))
    })
}
