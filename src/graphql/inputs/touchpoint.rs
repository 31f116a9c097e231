//! Touchpoint inputs (create, update) and their one conversion into a [`TouchpointPatch`].
use async_graphql::{InputObject, MaybeUndefined, ID};

use crate::domain::money::Money;
use crate::domain::text::{self, NAME_MAX, PROSE_MAX};
use crate::domain::touchpoint::{score, Change, ExpressionSet, TouchpointPatch};
use crate::domain::touchpoint_fields::touchpoint_fields;
use crate::domain::Expression;
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

/// The GraphQL type of a field of the given kind (see `touchpoint_fields`).
macro_rules! input_type {
    (name()) => { String };
    (line()) => { String };
    (prose()) => { String };
    (choice($t:ty)) => { $t };
    (optional_choice($t:ty)) => { $t };
    (list($max:expr)) => { Vec<String> };
    (score()) => { i32 };
    (date()) => { Date };
    (expressions()) => { Vec<Expression> };
    (phase()) => { ID };
    (money()) => { MoneyInput };
}

/// A create's field: a required one must be given, an optional one may be left out.
macro_rules! create_type {
    (required, $t:ty) => { $t };
    (optional, $t:ty) => { Option<$t> };
}

/// A create's field as the update's: given, or left out.
macro_rules! as_given {
    (required, $value:expr) => {
        MaybeUndefined::Value($value)
    };
    (optional, $value:expr) => {
        given($value)
    };
}

/// A field checked into the patch's, naming `$key` when it is at fault.
macro_rules! checked {
    (name(), $key:literal, $value:expr) => {
        non_null($key, $value)?
            .map(|v| text::required_line($key, &v, NAME_MAX))
            .transpose()?
    };
    (line(), $key:literal, $value:expr) => {
        line($key, $value, NAME_MAX)?
    };
    (prose(), $key:literal, $value:expr) => {
        prose($key, $value)?
    };
    (choice($t:ty), $key:literal, $value:expr) => {
        non_null($key, $value)?
    };
    (optional_choice($t:ty), $key:literal, $value:expr) => {
        nullable($value)
    };
    (list($max:expr), $key:literal, $value:expr) => {
        non_null($key, $value)?
            .map(|v| text::line_list($key, &v, $max))
            .transpose()?
    };
    (score(), $key:literal, $value:expr) => {
        nullable($value).try_map(|v| score($key, v))?
    };
    (date(), $key:literal, $value:expr) => {
        nullable($value).try_map(|d| Ok(d.0))?
    };
    (expressions(), $key:literal, $value:expr) => {
        non_null($key, $value)?
            .map(|v| ExpressionSet::parse($key, &v))
            .transpose()?
    };
    (phase(), $key:literal, $value:expr) => {
        non_null($key, $value)?
            .map(|v| parse_id($key, &v))
            .transpose()?
    };
    (money(), $key:literal, $value:expr) => {
        nullable($value).try_map(|m| Money::parse($key, &m.amount.0, &m.currency))?
    };
}

macro_rules! inputs {
    ($($(#[$doc:meta])* $field:ident $key:literal: $kind:ident($($arg:tt)*) $req:ident;)*) => {
        /// A new touchpoint of the caller's organization.
        #[derive(Debug, Clone, InputObject)]
        pub struct CreateTouchpointInput {
            /// The brand whose network it joins.
            pub brand_id: ID,
            /// Your own key for it (unique within your organization).
            pub external_id: Option<String>,
            $($(#[$doc])* pub $field: create_type!($req, input_type!($kind($($arg)*))),)*
        }

        /// The touchpoint fields an update or a sync item may send, each omitted (kept), `null`
        /// (cleared, or refused where the field cannot be null) or a value. Flattened into those
        /// inputs, so it is not a type of the schema; the key `externalId` is each input's own.
        #[derive(Debug, Clone, Default, InputObject)]
        pub struct TouchpointFields {
            $(#[graphql(default)] pub $field: MaybeUndefined<input_type!($kind($($arg)*))>,)*
        }

        impl CreateTouchpointInput {
            /// The input validated, naming the first field at fault.
            pub fn into_patch(self) -> AppResult<TouchpointPatch> {
                let fields = TouchpointFields {
                    $($field: as_given!($req, self.$field),)*
                };
                fields.into_patch(given(self.external_id))
            }
        }

        impl TouchpointFields {
            /// Validates every field and the `externalId` change (if any), naming the first one
            /// at fault.
            pub fn into_patch(self, external_id: MaybeUndefined<String>) -> AppResult<TouchpointPatch> {
                Ok(TouchpointPatch {
                    external_id: nullable(external_id)
                        .try_map(|v| text::required_line("externalId", &v, NAME_MAX))?,
                    $($field: checked!($kind($($arg)*), $key, self.$field),)*
                })
            }
        }
    };
}
touchpoint_fields!(inputs);

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

fn given<T>(value: Option<T>) -> MaybeUndefined<T> {
    value.map_or(MaybeUndefined::Undefined, MaybeUndefined::Value)
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
