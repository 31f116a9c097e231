use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::alignment::Alignment;
use super::audit::AuditEntryConnection;
use super::brand::Brand;
use super::organization::Organization;
use super::phase::Phase;
use crate::auth::Principal;
use crate::domain::priority::hundredths_to_score;
use crate::domain::{
    Channel, Expression, Horizon, Ownership, ReviewStatus, TouchpointStatus, Visibility,
};
use crate::entities::touchpoint;
use crate::error::AppError;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::to_id;
use crate::graphql::loaders::loaders;
use crate::graphql::prefetch::{self, Neighbours, Wanted};
use crate::graphql::scalars::{Date, Decimal};
use crate::services::ledger::log;
use crate::services::lookups::RatingList;
use crate::services::touchpoints;
use crate::store::db::Db;

/// One interaction point in one brand's network.
pub struct Touchpoint {
    pub model: touchpoint::Model,
    /// Its owner, phase and ratings when they were loaded with its page (see `prefetch`).
    neighbours: Option<Arc<Neighbours>>,
}

impl From<touchpoint::Model> for Touchpoint {
    fn from(model: touchpoint::Model) -> Self {
        Self {
            model,
            neighbours: None,
        }
    }
}

impl Touchpoint {
    /// Touchpoints with the neighbours their selection asks for, loaded for all of them.
    pub async fn with_neighbours(
        db: &Db,
        wanted: Wanted,
        models: Vec<touchpoint::Model>,
    ) -> Result<Vec<Self>, AppError> {
        let neighbours = if wanted.any() {
            Some(Arc::new(prefetch::load(db, wanted, &models).await?))
        } else {
            None
        };
        Ok(models
            .into_iter()
            .map(|model| Self {
                model,
                neighbours: neighbours.clone(),
            })
            .collect())
    }

    /// The touchpoint `id` if the caller may read it, with the neighbours `wanted` names; its
    /// ratings, when wanted, read with it in one statement.
    pub async fn find(
        db: &Db,
        p: &Principal,
        id: Uuid,
        wanted: Wanted,
    ) -> Result<Option<Self>, AppError> {
        if wanted.alignment {
            let Some((found, ratings)) = touchpoints::get_with_ratings(db, p, id).await? else {
                return Ok(None);
            };
            return Ok(Some(Self::with_ratings(db, wanted, found, ratings).await?));
        }
        let Some(found) = touchpoints::get(db, p, id).await? else {
            return Ok(None);
        };
        Ok(Self::with_neighbours(db, wanted, vec![found]).await?.pop())
    }

    /// One touchpoint read with its ratings, and the other neighbours its selection asks for.
    async fn with_ratings(
        db: &Db,
        wanted: Wanted,
        model: touchpoint::Model,
        ratings: RatingList,
    ) -> Result<Self, AppError> {
        let others = Wanted {
            alignment: false,
            ..wanted
        };
        let mut neighbours = prefetch::load(db, others, std::slice::from_ref(&model)).await?;
        neighbours.ratings = Some(HashMap::from([(model.id, ratings)]));
        Ok(Self {
            model,
            neighbours: Some(Arc::new(neighbours)),
        })
    }

    fn loaded(&self) -> Option<&Neighbours> {
        self.neighbours.as_deref()
    }
}

/// An amount of money.
#[derive(SimpleObject)]
pub struct Money {
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
}

#[Object(serial)]
impl Touchpoint {
    async fn id(&self) -> ID {
        to_id(self.model.id)
    }

    /// The brand whose network this touchpoint belongs to.
    async fn brand_id(&self) -> ID {
        to_id(self.model.brand_id)
    }

    /// The brand whose network it belongs to.
    async fn brand(&self, ctx: &Context<'_>) -> Result<Brand> {
        let org = loaders(ctx)?
            .organizations
            .load_one(self.model.brand_id)
            .await?
            .ok_or(AppError::NotFound("brand"))?;
        Ok(Brand(org.as_ref().clone()))
    }

    /// The organization that registered and stewards it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        let id = self.model.owner_id;
        let org = match self.loaded().and_then(|n| n.owners.as_ref()) {
            Some(owners) => owners.get(&id).cloned(),
            None => loaders(ctx)?.organizations.load_one(id).await?,
        }
        .ok_or(AppError::NotFound("organization"))?;
        Ok(Organization(org))
    }

    /// The owner's own key for it (unique per owner); sync matches on it.
    async fn external_id(&self) -> Option<&str> {
        self.model.external_id.as_deref()
    }

    async fn name(&self) -> &str {
        &self.model.name
    }

    async fn description(&self) -> Option<&str> {
        self.model.description.as_deref()
    }

    async fn channel(&self) -> Channel {
        self.model.channel
    }

    /// PERSONAL, PHYSICAL, DIGITAL: never empty.
    async fn expressions(&self) -> Vec<Expression> {
        self.model.expressions().to_vec()
    }

    /// More than one expression.
    async fn multi_access(&self) -> bool {
        self.model.expressions().to_vec().len() > 1
    }

    async fn ownership(&self) -> Ownership {
        self.model.ownership
    }

    async fn phase(&self, ctx: &Context<'_>) -> Result<Phase> {
        let id = self.model.phase_id;
        let phase = match self.loaded().and_then(|n| n.phases.as_ref()) {
            Some(phases) => phases.get(&id).cloned(),
            None => loaders(ctx)?.phases.load_one(id).await?,
        }
        .ok_or(AppError::NotFound("phase"))?;
        Ok(Phase(phase))
    }

    /// What the customer should experience here.
    async fn target_experience(&self) -> Option<&str> {
        self.model.target_experience.as_deref()
    }

    async fn key_metric(&self) -> Option<&str> {
        self.model.key_metric.as_deref()
    }

    async fn tags(&self) -> &[String] {
        &self.model.tags.0
    }

    async fn cost(&self) -> Option<Money> {
        match (&self.model.cost_amount, &self.model.cost_currency) {
            (Some(amount), Some(currency)) => Some(Money {
                amount: Decimal(amount.clone()),
                currency: currency.clone(),
            }),
            _ => None,
        }
    }

    async fn resources(&self) -> Option<&str> {
        self.model.resources.as_deref()
    }

    async fn media(&self) -> &[String] {
        &self.model.media.0
    }

    async fn launch_date(&self) -> Option<Date> {
        self.model.launch_date.map(Date)
    }

    async fn timing(&self) -> Option<&str> {
        self.model.timing.as_deref()
    }

    async fn location(&self) -> Option<&str> {
        self.model.location.as_deref()
    }

    /// 1..5
    async fn importance(&self) -> Option<i32> {
        self.model.importance.map(i32::from)
    }

    /// 1..5
    async fn urgency(&self) -> Option<i32> {
        self.model.urgency.map(i32::from)
    }

    /// 1..5
    async fn maturity(&self) -> Option<i32> {
        self.model.maturity.map(i32::from)
    }

    /// 1..5
    async fn effort(&self) -> Option<i32> {
        self.model.effort.map(i32::from)
    }

    /// 1..5
    async fn benefit(&self) -> Option<i32> {
        self.model.benefit.map(i32::from)
    }

    /// ((2·importance + urgency + maturity) / 4) · (benefit / effort), rounded half away
    /// from zero to 2 decimals; null if any input is null.
    async fn priority_score(&self) -> Option<f64> {
        self.model.priority_score.map(hundredths_to_score)
    }

    /// A "stamp of authenticity" touchpoint; set by the brand only.
    async fn signature(&self) -> bool {
        self.model.signature
    }

    async fn visibility(&self) -> Visibility {
        self.model.visibility
    }

    async fn status(&self) -> TouchpointStatus {
        self.model.status
    }

    /// Where it sits on the roadmap; null when not planned.
    async fn horizon(&self) -> Option<Horizon> {
        self.model.horizon
    }

    async fn review_status(&self) -> ReviewStatus {
        self.model.review_status
    }

    /// How well it expresses the brand's principles.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn alignment(&self, ctx: &Context<'_>) -> Result<Alignment> {
        let id = self.model.id;
        let rows = match self.loaded().and_then(|n| n.ratings.as_ref()) {
            Some(ratings) => ratings.get(&id).cloned(),
            None => loaders(ctx)?.alignments.load_one(id).await?,
        }
        .unwrap_or_default();
        Ok(Alignment::from_ratings(rows))
    }

    /// Its ledger entries, newest first: who changed which fields (each before and after),
    /// when and by which path — edits, reviews with their comments, ratings, sync runs. Shown
    /// to the owner and the brand; empty for other readers.
    #[graphql(complexity = "crate::graphql::page_cost(first, 20, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let page = Box::pin(log::touchpoint_history(
            db(ctx)?,
            principal(ctx)?,
            &self.model,
            first,
            after.as_deref(),
        ))
        .await?;
        Ok(page.into())
    }

    /// +1 on every change; pass it back as `expectedVersion` to update.
    async fn version(&self) -> i32 {
        self.model.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.model.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.model.updated_at
    }

    /// Set while archived (a soft delete; `restoreTouchpoint` undoes it).
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.model.archived_at
    }
}
