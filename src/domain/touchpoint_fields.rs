//! The fields a client writes on a touchpoint, listed once.
//!
//! `touchpoint_fields!(callback)` hands the list to `callback!`, a macro of the layer that
//! needs it: the patch (`domain::touchpoint`), the GraphQL inputs (`graphql/inputs/touchpoint.rs`),
//! landing a patch on a row (`entities::touchpoint`) and the ledger's diff
//! (`services/touchpoints/diff.rs`). Adding an attribute is its migration, its column in the
//! entity, one line here, and the tests that name every field (the diff's, the CSV's, the
//! GraphQL type's).
//!
//! A line is `field "publicName": kind(argument) required|optional;`, its doc comment shown on
//! the create input. The kind says how a value is checked and stored:
//! - `name()`: a one-line text that cannot be empty or null;
//! - `line()` / `prose()`: optional text, one line of at most 200 characters or prose of at
//!   most 4,000; `""` clears like `null`;
//! - `choice(T)` / `optional_choice(T)`: a value of the vocabulary `T`, not nullable / nullable;
//! - `list(MAX)`: one-line texts of at most `MAX` characters each, not nullable;
//! - `score()`: 1..5, nullable; `date()`: a calendar date, nullable;
//! - `expressions()`, `phase()`, `money()`: the set of expressions (three columns), a phase of
//!   the brand, an amount with its currency (two columns).
//!
//! `required` fields must be given when a touchpoint is created. `externalId` is not here:
//! it is each input's own key (an update may change it, a sync item is found by it).
macro_rules! touchpoint_fields {
    ($callback:ident) => {
        $callback! {
            /// At most 200 characters.
            name "name": name() required;
            description "description": prose() optional;
            channel "channel": choice($crate::domain::Channel) required;
            /// At least one.
            expressions "expressions": expressions() required;
            /// Default: OWN for the brand, PARTNER for a partner.
            ownership "ownership": choice($crate::domain::Ownership) optional;
            /// A phase of the same brand.
            phase_id "phaseId": phase() required;
            target_experience "targetExperience": prose() optional;
            key_metric "keyMetric": line() optional;
            tags "tags": list($crate::domain::text::TAG_MAX) optional;
            cost "cost": money() optional;
            resources "resources": prose() optional;
            media "media": list($crate::domain::text::MEDIA_ITEM_MAX) optional;
            launch_date "launchDate": date() optional;
            timing "timing": line() optional;
            location "location": line() optional;
            /// 1..5
            importance "importance": score() optional;
            /// 1..5
            urgency "urgency": score() optional;
            /// 1..5
            maturity "maturity": score() optional;
            /// 1..5
            effort "effort": score() optional;
            /// 1..5
            benefit "benefit": score() optional;
            /// Default: NETWORK for the brand, PRIVATE for a partner.
            visibility "visibility": choice($crate::domain::Visibility) optional;
            /// Default: ACTIVE.
            status "status": choice($crate::domain::TouchpointStatus) optional;
            horizon "horizon": optional_choice($crate::domain::Horizon) optional;
        }
    };
}
pub(crate) use touchpoint_fields;

/// The public names of the fields, in the list's order.
macro_rules! public_names {
    ($($(#[$doc:meta])* $field:ident $key:literal: $kind:ident($($arg:tt)*) $req:ident;)*) => {
        /// The public name of every field a client writes (without `externalId`).
        pub const FIELD_NAMES: &[&str] = &[$($key),*];
    };
}
touchpoint_fields!(public_names);
