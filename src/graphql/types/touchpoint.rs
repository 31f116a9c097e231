use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::alignment::Alignment;
use super::audit::AuditEntryConnection;
use super::organization::Organization;
use super::phase::Phase;
use crate::domain::priority::hundredths_to_score;
use crate::domain::touchpoint::ExpressionSet;
use crate::domain::{
    Channel, Expression, Horizon, Ownership, ReviewStatus, TouchpointStatus, Visibility,
};
use crate::entities::touchpoint;
use crate::error::AppError;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::to_id;
use crate::graphql::loaders::loaders;
use crate::graphql::scalars::{Date, Decimal};
use crate::services::audit_log;

/// One interaction point in one brand's network.
pub struct Touchpoint(pub touchpoint::Model);

/// An amount of money.
#[derive(SimpleObject)]
pub struct Money {
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
}

#[Object]
impl Touchpoint {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    /// The brand whose network this touchpoint belongs to.
    async fn brand_id(&self) -> ID {
        to_id(self.0.brand_id)
    }

    /// The organization that registered and stewards it.
    async fn owner(&self, ctx: &Context<'_>) -> Result<Organization> {
        let org = loaders(ctx)?
            .organizations
            .load_one(self.0.owner_id)
            .await?
            .ok_or(AppError::NotFound("organization"))?;
        Ok(Organization(org))
    }

    /// The owner's own key for it (unique per owner); sync matches on it.
    async fn external_id(&self) -> Option<&str> {
        self.0.external_id.as_deref()
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    async fn channel(&self) -> Channel {
        self.0.channel
    }

    /// PERSONAL, PHYSICAL, DIGITAL: never empty.
    async fn expressions(&self) -> Vec<Expression> {
        ExpressionSet::of(&self.0).to_vec()
    }

    /// More than one expression.
    async fn multi_access(&self) -> bool {
        ExpressionSet::of(&self.0).to_vec().len() > 1
    }

    async fn ownership(&self) -> Ownership {
        self.0.ownership
    }

    async fn phase(&self, ctx: &Context<'_>) -> Result<Phase> {
        let phase = loaders(ctx)?
            .phases
            .load_one(self.0.phase_id)
            .await?
            .ok_or(AppError::NotFound("phase"))?;
        Ok(Phase(phase))
    }

    /// What the customer should experience here.
    async fn target_experience(&self) -> Option<&str> {
        self.0.target_experience.as_deref()
    }

    async fn key_metric(&self) -> Option<&str> {
        self.0.key_metric.as_deref()
    }

    async fn tags(&self) -> &[String] {
        &self.0.tags.0
    }

    async fn cost(&self) -> Option<Money> {
        match (&self.0.cost_amount, &self.0.cost_currency) {
            (Some(amount), Some(currency)) => Some(Money {
                amount: Decimal(amount.clone()),
                currency: currency.clone(),
            }),
            _ => None,
        }
    }

    async fn resources(&self) -> Option<&str> {
        self.0.resources.as_deref()
    }

    async fn media(&self) -> &[String] {
        &self.0.media.0
    }

    async fn launch_date(&self) -> Option<Date> {
        self.0.launch_date.map(Date)
    }

    async fn timing(&self) -> Option<&str> {
        self.0.timing.as_deref()
    }

    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }

    /// 1..5
    async fn importance(&self) -> Option<i32> {
        self.0.importance.map(i32::from)
    }

    /// 1..5
    async fn urgency(&self) -> Option<i32> {
        self.0.urgency.map(i32::from)
    }

    /// 1..5
    async fn maturity(&self) -> Option<i32> {
        self.0.maturity.map(i32::from)
    }

    /// 1..5
    async fn effort(&self) -> Option<i32> {
        self.0.effort.map(i32::from)
    }

    /// 1..5
    async fn benefit(&self) -> Option<i32> {
        self.0.benefit.map(i32::from)
    }

    /// ((2·importance + urgency + maturity) / 4) · (benefit / effort), rounded half away
    /// from zero to 2 decimals; null if any input is null.
    async fn priority_score(&self) -> Option<f64> {
        self.0.priority_score.map(hundredths_to_score)
    }

    /// A "stamp of authenticity" touchpoint; set by the brand only.
    async fn signature(&self) -> bool {
        self.0.signature
    }

    async fn visibility(&self) -> Visibility {
        self.0.visibility
    }

    async fn status(&self) -> TouchpointStatus {
        self.0.status
    }

    /// Where it sits on the roadmap; null when not planned.
    async fn horizon(&self) -> Option<Horizon> {
        self.0.horizon
    }

    async fn review_status(&self) -> ReviewStatus {
        self.0.review_status
    }

    /// How well it expresses the brand's principles.
    #[graphql(complexity = "crate::graphql::LIST_COST * child_complexity")]
    async fn alignment(&self, ctx: &Context<'_>) -> Result<Alignment> {
        let rows = loaders(ctx)?
            .alignments
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(Alignment::from_ratings(rows))
    }

    /// Its audit entries, newest first: reviews with their comments, edits with before and
    /// after. Shown to the owner and the brand; empty for other readers.
    #[graphql(complexity = "crate::graphql::page_cost(first, 20, child_complexity)")]
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<AuditEntryConnection> {
        let page = audit_log::touchpoint_history(
            db(ctx)?,
            principal(ctx)?,
            &self.0,
            first,
            after.as_deref(),
        )
        .await?;
        Ok(page.into())
    }

    /// +1 on every change; pass it back as `expectedVersion` to update.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// Set while archived (a soft delete; `restoreTouchpoint` undoes it).
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
}
