//! A validated change to a touchpoint (how it lands on a row: `entities::touchpoint::Model::apply`).
//!
//! Every way of writing a touchpoint — create, update, sync — turns its input into a
//! [`TouchpointPatch`] at the edge, so the rules (which fields are required, what a score
//! may be, that `expressions` is non-empty) hold the same on every path.
use chrono::NaiveDate;
use uuid::Uuid;

use super::money::Money;
use super::touchpoint_fields::touchpoint_fields;
use super::{Channel, Expression};
use crate::error::{AppError, AppResult};

/// A field of a patch that may keep, set or clear a nullable value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Change<T> {
    /// Not mentioned: the stored value stays.
    #[default]
    Keep,
    /// Explicitly null: the stored value is cleared.
    Clear,
    Set(T),
}

impl<T> Change<T> {
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Self::Clear, Self::Set)
    }

    pub fn try_map<U>(self, f: impl FnOnce(T) -> AppResult<U>) -> AppResult<Change<U>> {
        Ok(match self {
            Self::Keep => Change::Keep,
            Self::Clear => Change::Clear,
            Self::Set(v) => Change::Set(f(v)?),
        })
    }

    /// Keeps or clears `slot`, or sets it to what `check` makes of the new value (which may
    /// be nothing: a blank text clears).
    pub fn apply_checked<U>(
        self,
        slot: &mut Option<U>,
        check: impl FnOnce(T) -> AppResult<Option<U>>,
    ) -> AppResult<()> {
        match self {
            Self::Keep => {}
            Self::Clear => *slot = None,
            Self::Set(v) => *slot = check(v)?,
        }
        Ok(())
    }

    /// Keeps, clears or sets `slot`.
    pub fn apply_to(self, slot: &mut Option<T>) {
        match self {
            Self::Keep => {}
            Self::Clear => *slot = None,
            Self::Set(v) => *slot = Some(v),
        }
    }
}

/// A score of 1..=5.
pub fn score(field: &str, value: i32) -> AppResult<i16> {
    if (1..=5).contains(&value) {
        Ok(value as i16)
    } else {
        Err(AppError::bad_input(
            field,
            format!("{field} must be between 1 and 5"),
        ))
    }
}

/// The non-empty set of expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExpressionSet {
    pub personal: bool,
    pub physical: bool,
    pub digital: bool,
}

impl ExpressionSet {
    pub fn parse(field: &str, values: &[Expression]) -> AppResult<Self> {
        let set = Self {
            personal: values.contains(&Expression::Personal),
            physical: values.contains(&Expression::Physical),
            digital: values.contains(&Expression::Digital),
        };
        if !(set.personal || set.physical || set.digital) {
            return Err(AppError::bad_input(
                field,
                "expressions must hold at least one of PERSONAL, PHYSICAL, DIGITAL",
            ));
        }
        Ok(set)
    }

    /// In the order of the enumeration.
    pub fn to_vec(self) -> Vec<Expression> {
        let mut out = Vec::with_capacity(3);
        if self.personal {
            out.push(Expression::Personal);
        }
        if self.physical {
            out.push(Expression::Physical);
        }
        if self.digital {
            out.push(Expression::Digital);
        }
        out
    }
}

/// The type a patch holds for a field of the given kind (see `touchpoint_fields`).
macro_rules! patch_type {
    (name()) => { Option<String> };
    (line()) => { Change<String> };
    (prose()) => { Change<String> };
    (choice($t:ty)) => { Option<$t> };
    (optional_choice($t:ty)) => { Change<$t> };
    (list($max:expr)) => { Option<Vec<String>> };
    (score()) => { Change<i16> };
    (date()) => { Change<NaiveDate> };
    (expressions()) => { Option<ExpressionSet> };
    (phase()) => { Option<Uuid> };
    (money()) => { Change<Money> };
}

macro_rules! patch_struct {
    ($($(#[$doc:meta])* $field:ident $key:literal: $kind:ident($($arg:tt)*) $req:ident;)*) => {
        /// A validated set of changes to a touchpoint's own fields. Fields that cannot be null
        /// are `Option` (None keeps); nullable fields are [`Change`].
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct TouchpointPatch {
            pub external_id: Change<String>,
            $(pub $field: patch_type!($kind($($arg)*)),)*
        }
    };
}
touchpoint_fields!(patch_struct);

/// What a new touchpoint must have; the rest of the patch is optional.
pub struct NewTouchpoint {
    pub name: String,
    pub channel: Channel,
    pub expressions: ExpressionSet,
    pub phase_id: Uuid,
}

impl TouchpointPatch {
    /// The required fields of a create; each missing one is BAD_USER_INPUT naming it.
    pub fn required_for_create(&self) -> AppResult<NewTouchpoint> {
        let missing = |field: &str| AppError::bad_input(field, format!("{field} is required"));
        Ok(NewTouchpoint {
            name: self.name.clone().ok_or_else(|| missing("name"))?,
            channel: self.channel.ok_or_else(|| missing("channel"))?,
            expressions: self.expressions.ok_or_else(|| missing("expressions"))?,
            phase_id: self.phase_id.ok_or_else(|| missing("phaseId"))?,
        })
    }
}
