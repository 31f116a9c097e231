//! Touchpoint inputs (create, update) and their one conversion into a [`TouchpointPatch`].
use async_graphql::{InputObject, MaybeUndefined, ID};

use crate::domain::money::Money;
use crate::domain::text::{self, MEDIA_ITEM_MAX, NAME_MAX, PROSE_MAX, TAG_MAX};
use crate::domain::touchpoint::{score, Change, ExpressionSet, TouchpointPatch};
use crate::domain::{Channel, Expression, Horizon, Ownership, TouchpointStatus, Visibility};
use crate::error::{AppError, AppResult};
use crate::graphql::ids::parse_id;
use crate::graphql::scalars::{Date, Decimal};

/// An amount of money.
#[derive(Debug, Clone, InputObject)]
pub struct MoneyInput {
    /// A non-negative decimal, at most 4 decimal places.
    pub amount: Decimal,
    /// ISO 4217 code.
    pub currency: String,
}

/// A new touchpoint of the caller's organization.
#[derive(Debug, Clone, InputObject)]
pub struct CreateTouchpointInput {
    /// The brand whose network it joins.
    pub brand_id: ID,
    /// Your own key for it (unique within your organization).
    pub external_id: Option<String>,
    /// At most 200 characters.
    pub name: String,
    pub description: Option<String>,
    pub channel: Channel,
    /// At least one.
    pub expressions: Vec<Expression>,
    /// Default: OWN for the brand, PARTNER for a partner.
    pub ownership: Option<Ownership>,
    /// A phase of the same brand.
    pub phase_id: ID,
    pub target_experience: Option<String>,
    pub key_metric: Option<String>,
    pub tags: Option<Vec<String>>,
    pub cost: Option<MoneyInput>,
    pub resources: Option<String>,
    pub media: Option<Vec<String>>,
    pub launch_date: Option<Date>,
    pub timing: Option<String>,
    pub location: Option<String>,
    /// 1..5
    pub importance: Option<i32>,
    /// 1..5
    pub urgency: Option<i32>,
    /// 1..5
    pub maturity: Option<i32>,
    /// 1..5
    pub effort: Option<i32>,
    /// 1..5
    pub benefit: Option<i32>,
    /// Default: NETWORK for the brand, PRIVATE for a partner.
    pub visibility: Option<Visibility>,
    /// Default: ACTIVE.
    pub status: Option<TouchpointStatus>,
    pub horizon: Option<Horizon>,
}

/// Changes to a touchpoint: an omitted field keeps its value; `null` clears a nullable one.
#[derive(Debug, Clone, InputObject)]
pub struct UpdateTouchpointInput {
    pub id: ID,
    /// The `version` you read; a stale one fails with CONFLICT.
    pub expected_version: i32,
    #[graphql(default)]
    pub external_id: MaybeUndefined<String>,
    #[graphql(flatten)]
    pub fields: TouchpointFields,
}

/// The touchpoint fields an update or a sync item may send, each omitted (kept), `null`
/// (cleared, or refused where the field cannot be null) or a value. Flattened into those
/// inputs, so it is not a type of the schema; the key `externalId` is each input's own.
#[derive(Debug, Clone, Default, InputObject)]
pub struct TouchpointFields {
    #[graphql(default)]
    pub name: MaybeUndefined<String>,
    #[graphql(default)]
    pub description: MaybeUndefined<String>,
    #[graphql(default)]
    pub channel: MaybeUndefined<Channel>,
    #[graphql(default)]
    pub expressions: MaybeUndefined<Vec<Expression>>,
    #[graphql(default)]
    pub ownership: MaybeUndefined<Ownership>,
    #[graphql(default)]
    pub phase_id: MaybeUndefined<ID>,
    #[graphql(default)]
    pub target_experience: MaybeUndefined<String>,
    #[graphql(default)]
    pub key_metric: MaybeUndefined<String>,
    #[graphql(default)]
    pub tags: MaybeUndefined<Vec<String>>,
    #[graphql(default)]
    pub cost: MaybeUndefined<MoneyInput>,
    #[graphql(default)]
    pub resources: MaybeUndefined<String>,
    #[graphql(default)]
    pub media: MaybeUndefined<Vec<String>>,
    #[graphql(default)]
    pub launch_date: MaybeUndefined<Date>,
    #[graphql(default)]
    pub timing: MaybeUndefined<String>,
    #[graphql(default)]
    pub location: MaybeUndefined<String>,
    #[graphql(default)]
    pub importance: MaybeUndefined<i32>,
    #[graphql(default)]
    pub urgency: MaybeUndefined<i32>,
    #[graphql(default)]
    pub maturity: MaybeUndefined<i32>,
    #[graphql(default)]
    pub effort: MaybeUndefined<i32>,
    #[graphql(default)]
    pub benefit: MaybeUndefined<i32>,
    #[graphql(default)]
    pub visibility: MaybeUndefined<Visibility>,
    #[graphql(default)]
    pub status: MaybeUndefined<TouchpointStatus>,
    #[graphql(default)]
    pub horizon: MaybeUndefined<Horizon>,
}

fn given<T>(value: Option<T>) -> MaybeUndefined<T> {
    value.map_or(MaybeUndefined::Undefined, MaybeUndefined::Value)
}

impl CreateTouchpointInput {
    /// The input validated, naming the first field at fault.
    pub fn into_patch(self) -> AppResult<TouchpointPatch> {
        let fields = TouchpointFields {
            name: MaybeUndefined::Value(self.name),
            description: given(self.description),
            channel: MaybeUndefined::Value(self.channel),
            expressions: MaybeUndefined::Value(self.expressions),
            ownership: given(self.ownership),
            phase_id: MaybeUndefined::Value(self.phase_id),
            target_experience: given(self.target_experience),
            key_metric: given(self.key_metric),
            tags: given(self.tags),
            cost: given(self.cost),
            resources: given(self.resources),
            media: given(self.media),
            launch_date: given(self.launch_date),
            timing: given(self.timing),
            location: given(self.location),
            importance: given(self.importance),
            urgency: given(self.urgency),
            maturity: given(self.maturity),
            effort: given(self.effort),
            benefit: given(self.benefit),
            visibility: given(self.visibility),
            status: given(self.status),
            horizon: given(self.horizon),
        };
        fields.into_patch(given(self.external_id))
    }
}

/// A field that cannot be null: omitted keeps, a value sets, `null` is refused.
fn non_null<T>(field: &str, value: MaybeUndefined<T>) -> AppResult<Option<T>> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(AppError::bad_input(
            field,
            format!("{field} cannot be null"),
        )),
        MaybeUndefined::Value(v) => Ok(Some(v)),
    }
}

fn nullable<T>(value: MaybeUndefined<T>) -> Change<T> {
    match value {
        MaybeUndefined::Undefined => Change::Keep,
        MaybeUndefined::Null => Change::Clear,
        MaybeUndefined::Value(v) => Change::Set(v),
    }
}

/// Optional one-line text: `""` clears like `null`.
fn line(field: &str, value: MaybeUndefined<String>, max: usize) -> AppResult<Change<String>> {
    nullable(value)
        .try_map(|v| text::optional_line(field, Some(&v), max))
        .map(flatten_blank)
}

/// Optional prose: `""` clears like `null`.
fn prose(field: &str, value: MaybeUndefined<String>) -> AppResult<Change<String>> {
    nullable(value)
        .try_map(|v| text::optional_prose(field, Some(&v), PROSE_MAX))
        .map(flatten_blank)
}

fn flatten_blank(change: Change<Option<String>>) -> Change<String> {
    match change {
        Change::Keep => Change::Keep,
        Change::Clear | Change::Set(None) => Change::Clear,
        Change::Set(Some(v)) => Change::Set(v),
    }
}

fn score_change(field: &str, value: MaybeUndefined<i32>) -> AppResult<Change<i16>> {
    nullable(value).try_map(|v| score(field, v))
}

impl TouchpointFields {
    /// Validates every field and the `externalId` change (if any), naming the first one at
    /// fault.
    pub fn into_patch(self, external_id: MaybeUndefined<String>) -> AppResult<TouchpointPatch> {
        Ok(TouchpointPatch {
            external_id: nullable(external_id)
                .try_map(|v| text::required_line("externalId", &v, NAME_MAX))?,
            name: non_null("name", self.name)?
                .map(|v| text::required_line("name", &v, NAME_MAX))
                .transpose()?,
            description: prose("description", self.description)?,
            channel: non_null("channel", self.channel)?,
            expressions: non_null("expressions", self.expressions)?
                .map(|v| ExpressionSet::parse("expressions", &v))
                .transpose()?,
            ownership: non_null("ownership", self.ownership)?,
            phase_id: non_null("phaseId", self.phase_id)?
                .map(|v| parse_id("phaseId", &v))
                .transpose()?,
            target_experience: prose("targetExperience", self.target_experience)?,
            key_metric: line("keyMetric", self.key_metric, NAME_MAX)?,
            tags: non_null("tags", self.tags)?
                .map(|v| text::line_list("tags", &v, TAG_MAX))
                .transpose()?,
            cost: nullable(self.cost)
                .try_map(|m| Money::parse("cost", &m.amount.0, &m.currency))?,
            resources: prose("resources", self.resources)?,
            media: non_null("media", self.media)?
                .map(|v| text::line_list("media", &v, MEDIA_ITEM_MAX))
                .transpose()?,
            launch_date: nullable(self.launch_date).try_map(|d| Ok(d.0))?,
            timing: line("timing", self.timing, NAME_MAX)?,
            location: line("location", self.location, NAME_MAX)?,
            importance: score_change("importance", self.importance)?,
            urgency: score_change("urgency", self.urgency)?,
            maturity: score_change("maturity", self.maturity)?,
            effort: score_change("effort", self.effort)?,
            benefit: score_change("benefit", self.benefit)?,
            visibility: non_null("visibility", self.visibility)?,
            status: non_null("status", self.status)?,
            horizon: nullable(self.horizon),
        })
    }
}
