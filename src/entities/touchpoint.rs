use sea_orm::entity::prelude::*;
use serde::Serialize;

use super::string_list::StringList;
use crate::domain::priority::Scores;
use crate::domain::touchpoint::{Change, ExpressionSet, TouchpointPatch};
use crate::domain::touchpoint_fields::touchpoint_fields;
use crate::domain::{Channel, Horizon, Ownership, ReviewStatus, TouchpointStatus, Visibility};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize)]
#[sea_orm(table_name = "touchpoints")]
#[serde(rename_all = "camelCase")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    pub owner_id: Uuid,
    pub external_id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub channel: Channel,
    pub expr_personal: bool,
    pub expr_physical: bool,
    pub expr_digital: bool,
    pub ownership: Ownership,
    pub phase_id: Uuid,
    pub target_experience: Option<String>,
    pub key_metric: Option<String>,
    #[sea_orm(column_type = "Json")]
    pub tags: StringList,
    pub cost_amount: Option<String>,
    pub cost_currency: Option<String>,
    pub resources: Option<String>,
    #[sea_orm(column_type = "Json")]
    pub media: StringList,
    pub launch_date: Option<Date>,
    pub timing: Option<String>,
    pub location: Option<String>,
    pub importance: Option<i16>,
    pub urgency: Option<i16>,
    pub maturity: Option<i16>,
    pub effort: Option<i16>,
    pub benefit: Option<i16>,
    /// priorityScore × 100; see `domain::priority`.
    pub priority_score: Option<i32>,
    pub signature: bool,
    pub visibility: Visibility,
    pub status: TouchpointStatus,
    pub horizon: Option<Horizon>,
    pub review_status: ReviewStatus,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A touchpoint decoded by column position rather than by name: the derived decoding looks
/// every column of every row up by name (a hash of the name each time), which was a tenth
/// of the server's CPU on a page of touchpoints. Only for statements that select the
/// entity's columns in declaration order (`Entity::find()` does); a test holds the field
/// order to the derived decoding's.
pub struct ByPosition(pub Model);

impl sea_orm::FromQueryResult for ByPosition {
    fn from_query_result(row: &sea_orm::QueryResult, _pre: &str) -> Result<Self, DbErr> {
        use super::cell::{json, optional_vocabulary, vocabulary, Cell};
        let mut column = 0..;
        let mut next = || column.next().unwrap_or_default();
        // Fields in declaration order: a struct expression evaluates them as written.
        Ok(Self(Model {
            id: Cell::read(row, next())?,
            brand_id: Cell::read(row, next())?,
            owner_id: Cell::read(row, next())?,
            external_id: Cell::read(row, next())?,
            name: Cell::read(row, next())?,
            description: Cell::read(row, next())?,
            channel: vocabulary(row, next())?,
            expr_personal: Cell::read(row, next())?,
            expr_physical: Cell::read(row, next())?,
            expr_digital: Cell::read(row, next())?,
            ownership: vocabulary(row, next())?,
            phase_id: Cell::read(row, next())?,
            target_experience: Cell::read(row, next())?,
            key_metric: Cell::read(row, next())?,
            tags: json(row, next())?,
            cost_amount: Cell::read(row, next())?,
            cost_currency: Cell::read(row, next())?,
            resources: Cell::read(row, next())?,
            media: json(row, next())?,
            launch_date: Cell::read(row, next())?,
            timing: Cell::read(row, next())?,
            location: Cell::read(row, next())?,
            importance: Cell::read(row, next())?,
            urgency: Cell::read(row, next())?,
            maturity: Cell::read(row, next())?,
            effort: Cell::read(row, next())?,
            benefit: Cell::read(row, next())?,
            priority_score: Cell::read(row, next())?,
            signature: Cell::read(row, next())?,
            visibility: vocabulary(row, next())?,
            status: vocabulary(row, next())?,
            horizon: optional_vocabulary(row, next())?,
            review_status: vocabulary(row, next())?,
            version: Cell::read(row, next())?,
            created_at: Cell::read(row, next())?,
            updated_at: Cell::read(row, next())?,
            archived_at: Cell::read(row, next())?,
        }))
    }
}

/// A patch's field landing on its column: a non-null field's `Option` sets when given, a
/// nullable field's [`Change`] keeps, clears or sets.
trait Land<Slot> {
    fn land(self, slot: &mut Slot);
}

impl<T, Slot: From<T>> Land<Slot> for Option<T> {
    fn land(self, slot: &mut Slot) {
        if let Some(v) = self {
            *slot = v.into();
        }
    }
}

impl<T> Land<Option<T>> for Change<T> {
    fn land(self, slot: &mut Option<T>) {
        self.apply_to(slot)
    }
}

/// How a patch's field of the given kind lands on the row's column(s).
macro_rules! apply_field {
    ($row:ident, $value:expr, $field:ident, expressions()) => {
        if let Some(set) = $value {
            $row.expr_personal = set.personal;
            $row.expr_physical = set.physical;
            $row.expr_digital = set.digital;
        }
    };
    ($row:ident, $value:expr, $field:ident, money()) => {
        match $value {
            Change::Keep => {}
            Change::Clear => {
                $row.cost_amount = None;
                $row.cost_currency = None;
            }
            Change::Set(money) => {
                $row.cost_amount = Some(money.amount_text());
                $row.cost_currency = Some(money.currency);
            }
        }
    };
    // Every other kind is one column.
    ($row:ident, $value:expr, $field:ident, $kind:ident($($arg:tt)*)) => {
        Land::land($value, &mut $row.$field)
    };
}

/// `fn apply_fields(row, patch)`: every field of the patch on its column(s).
macro_rules! apply_fields {
    ($($(#[$doc:meta])* $field:ident $key:literal: $kind:ident($($arg:tt)*) $req:ident;)*) => {
        fn apply_fields(row: &mut Model, patch: TouchpointPatch) {
            patch.external_id.apply_to(&mut row.external_id);
            $(apply_field!(row, patch.$field, $field, $kind($($arg)*));)*
        }
    };
}
touchpoint_fields!(apply_fields);

impl Model {
    /// A version-1 row of `owner_id` in `brand_id`'s network with every descriptive column
    /// empty; writers set what differs with struct-update syntax, so a new column is added
    /// here once.
    pub fn new(id: Uuid, brand_id: Uuid, owner_id: Uuid, phase_id: Uuid, at: DateTimeUtc) -> Self {
        Self {
            id,
            brand_id,
            owner_id,
            external_id: None,
            name: String::new(),
            description: None,
            channel: Channel::Other,
            expr_personal: false,
            expr_physical: false,
            expr_digital: false,
            ownership: Ownership::Own,
            phase_id,
            target_experience: None,
            key_metric: None,
            tags: StringList::default(),
            cost_amount: None,
            cost_currency: None,
            resources: None,
            media: StringList::default(),
            launch_date: None,
            timing: None,
            location: None,
            importance: None,
            urgency: None,
            maturity: None,
            effort: None,
            benefit: None,
            priority_score: None,
            signature: false,
            visibility: Visibility::Private,
            status: TouchpointStatus::Active,
            horizon: None,
            review_status: ReviewStatus::Approved,
            version: 1,
            created_at: at,
            updated_at: at,
            archived_at: None,
        }
    }

    /// The expressions the row holds.
    pub fn expressions(&self) -> ExpressionSet {
        ExpressionSet {
            personal: self.expr_personal,
            physical: self.expr_physical,
            digital: self.expr_digital,
        }
    }

    /// Applies a validated patch to the descriptive columns and recomputes the priority.
    /// Lifecycle columns the registry owns (version, review status, timestamps) are left to
    /// the caller.
    pub fn apply(&mut self, patch: TouchpointPatch) {
        apply_fields(self, patch);
        self.priority_score = Scores::from_options(
            self.importance,
            self.urgency,
            self.maturity,
            self.effort,
            self.benefit,
        )
        .map(|s| s.priority_hundredths());
    }

    /// Whether two versions of a touchpoint differ in anything a client wrote.
    pub fn same_content(&self, other: &Self) -> bool {
        let mut this = self.clone();
        this.version = other.version;
        this.updated_at = other.updated_at;
        this.review_status = other.review_status;
        this == *other
    }
}
