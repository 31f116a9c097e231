//! What changed in a touchpoint, for its ledger entry, under the names and in the shapes the
//! API shows (`priorityScore` 12.5, `expressions` [PERSONAL], `cost` {amount currency}), not as
//! the columns store them.
//!
//! The generic diff ([`Changes::between`]) serializes both versions into JSON maps and compares
//! them; a sync batch of a hundred touchpoints spent about a sixth of its CPU there. This
//! compares the fields themselves and serializes only the ones that changed. A test holds it to
//! every column of the model.
use serde_json::{json, Value};

use crate::domain::priority::hundredths_to_score;
use crate::domain::touchpoint_fields::touchpoint_fields;
use crate::entities::touchpoint::Model;
use crate::services::ledger::Changes;

/// The changed fields of `before` → `after`.
pub fn changed(before: &Model, after: &Model) -> Changes {
    between(Some(before), after)
}

/// The fields a new touchpoint was created with (the ones set).
pub fn created(after: &Model) -> Changes {
    between(None, after)
}

/// The touchpoint as a document of its public fields (unset ones left out), with its version
/// and the time it was last changed.
pub fn document(m: &Model) -> Value {
    let mut doc = created(m).into_after();
    doc.insert("version".into(), m.version.into());
    doc.insert("updatedAt".into(), json(&m.updated_at));
    Value::Object(doc)
}

/// Compares one column under its public name (push skips an unchanged value).
macro_rules! compare {
    ($changes:ident, $before:ident, $after:ident, $field:ident, $key:literal) => {
        if $before.map(|b| &b.$field) != Some(&$after.$field) {
            $changes.push(
                $key,
                $before.map_or(Value::Null, |b| json(&b.$field)),
                json(&$after.$field),
            );
        }
    };
}

/// A written field of the given kind: one column compared, or (expressions, cost) left to
/// [`shown`].
macro_rules! compare_written {
    ($changes:ident, $before:ident, $after:ident, $field:ident, $key:literal, expressions()) => {};
    ($changes:ident, $before:ident, $after:ident, $field:ident, $key:literal, money()) => {};
    ($changes:ident, $before:ident, $after:ident, $field:ident, $key:literal, $kind:ident($($arg:tt)*)) => {
        compare!($changes, $before, $after, $field, $key)
    };
}

/// `fn written(changes, before, after)`: the fields a client writes.
macro_rules! written {
    ($($(#[$doc:meta])* $field:ident $key:literal: $kind:ident($($arg:tt)*) $req:ident;)*) => {
        fn written(changes: &mut Changes, before: Option<&Model>, after: &Model) {
            $(compare_written!(changes, before, after, $field, $key, $kind($($arg)*));)*
        }
    };
}
touchpoint_fields!(written);

fn between(before: Option<&Model>, after: &Model) -> Changes {
    let mut changes = Changes::default();
    compare!(changes, before, after, id, "id");
    compare!(changes, before, after, brand_id, "brandId");
    compare!(changes, before, after, owner_id, "ownerId");
    compare!(changes, before, after, external_id, "externalId");
    written(&mut changes, before, after);
    // The registry's own columns.
    compare!(changes, before, after, signature, "signature");
    compare!(changes, before, after, review_status, "reviewStatus");
    compare!(changes, before, after, created_at, "createdAt");
    compare!(changes, before, after, archived_at, "archivedAt");
    for (key, show) in shown() {
        changes.push(key, before.map_or(Value::Null, show), show(after));
    }
    changes
}

/// Fields the API shows differently from their columns.
fn shown() -> [(&'static str, Shown); 3] {
    [
        ("priorityScore", priority),
        ("expressions", expressions),
        ("cost", cost),
    ]
}

/// How the API shows a field made of columns.
type Shown = fn(&Model) -> Value;

fn priority(m: &Model) -> Value {
    json(&m.priority_score.map(hundredths_to_score))
}

fn expressions(m: &Model) -> Value {
    json(&m.expressions().to_vec())
}

fn cost(m: &Model) -> Value {
    match (&m.cost_amount, &m.cost_currency) {
        (Some(amount), Some(currency)) => json!({ "amount": amount, "currency": currency }),
        _ => Value::Null,
    }
}

fn json<T: serde::Serialize>(value: &T) -> Value {
    // Plain data (strings, numbers, ids, dates, enums): serializing cannot fail.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, Horizon, Ownership, ReviewStatus, TouchpointStatus, Visibility};
    use crate::entities::string_list::StringList;
    use chrono::{Duration, NaiveDate, Utc};
    use uuid::Uuid;

    fn one() -> Model {
        let now = Utc::now();
        Model {
            id: Uuid::new_v4(),
            brand_id: Uuid::new_v4(),
            owner_id: Uuid::new_v4(),
            external_id: Some("a-1".into()),
            name: "Showroom".into(),
            description: None,
            channel: Channel::Store,
            expr_personal: true,
            expr_physical: false,
            expr_digital: false,
            ownership: Ownership::Own,
            phase_id: Uuid::new_v4(),
            target_experience: Some("welcome".into()),
            key_metric: None,
            tags: StringList(vec!["a".into()]),
            cost_amount: Some("10.00".into()),
            cost_currency: Some("EUR".into()),
            resources: None,
            media: StringList(vec![]),
            launch_date: NaiveDate::from_ymd_opt(2026, 1, 2),
            timing: None,
            location: Some("Lyon".into()),
            importance: Some(3),
            urgency: Some(2),
            maturity: None,
            effort: Some(1),
            benefit: Some(5),
            priority_score: Some(1250),
            signature: false,
            visibility: Visibility::Private,
            status: TouchpointStatus::Active,
            horizon: None,
            review_status: ReviewStatus::Draft,
            version: 1,
            created_at: now,
            updated_at: now,
            archived_at: None,
        }
    }

    /// Every field different (and every option flipped between set and unset).
    fn other(m: &Model) -> Model {
        let later = m.updated_at + Duration::seconds(5);
        Model {
            id: Uuid::new_v4(),
            brand_id: Uuid::new_v4(),
            owner_id: Uuid::new_v4(),
            external_id: None,
            name: "Web shop".into(),
            description: Some("new".into()),
            channel: Channel::Website,
            expr_personal: false,
            expr_physical: true,
            expr_digital: true,
            ownership: Ownership::ThirdParty,
            phase_id: Uuid::new_v4(),
            target_experience: None,
            key_metric: Some("NPS".into()),
            tags: StringList(vec![]),
            cost_amount: None,
            cost_currency: None,
            resources: Some("two people".into()),
            media: StringList(vec!["https://x.test/a.png".into()]),
            launch_date: None,
            timing: Some("weekly".into()),
            location: None,
            importance: None,
            urgency: Some(5),
            maturity: Some(4),
            effort: None,
            benefit: Some(1),
            priority_score: None,
            signature: true,
            visibility: Visibility::Network,
            status: TouchpointStatus::Planned,
            horizon: Some(Horizon::Later),
            review_status: ReviewStatus::Approved,
            version: 2,
            created_at: later,
            updated_at: later,
            archived_at: Some(later),
        }
    }

    /// The public name each column is shown under.
    fn public(column: &str) -> &str {
        match column {
            "exprPersonal" | "exprPhysical" | "exprDigital" => "expressions",
            "costAmount" | "costCurrency" => "cost",
            other => other,
        }
    }

    fn fields(changes: Changes) -> std::collections::BTreeSet<String> {
        match changes.into_json() {
            Value::Object(map) => map.into_iter().map(|(k, _)| k).collect(),
            _ => Default::default(),
        }
    }

    #[test]
    fn every_column_is_compared_under_its_public_name() {
        let a = one();
        let b = other(&a);
        let Value::Object(columns) = Changes::document(&a) else {
            panic!("a touchpoint serializes to an object")
        };
        let expected: std::collections::BTreeSet<String> = columns
            .keys()
            .filter(|k| !["version", "updatedAt"].contains(&k.as_str()))
            .map(|k| public(k).to_owned())
            .collect();
        assert_eq!(fields(changed(&a, &b)), expected);
        assert_eq!(fields(changed(&b, &a)), expected);
    }

    #[test]
    fn values_are_shown_as_the_api_shows_them() {
        let a = one();
        let mut b = a.clone();
        b.name = "Renamed".into();
        b.priority_score = Some(1325);
        b.expr_digital = true;
        b.cost_amount = None;
        b.cost_currency = None;
        b.version = 2;
        assert_eq!(
            changed(&a, &b).into_json(),
            serde_json::json!({
                "name": ["Showroom", "Renamed"],
                "priorityScore": [12.5, 13.25],
                "expressions": [["PERSONAL"], ["PERSONAL", "DIGITAL"]],
                "cost": [{ "amount": "10.00", "currency": "EUR" }, null],
            })
        );
        assert!(changed(&a, &a).is_empty());
    }

    #[test]
    fn a_create_lists_the_fields_it_set() {
        let a = one();
        let set = created(&a).into_json();
        assert_eq!(set["name"], serde_json::json!([null, "Showroom"]));
        assert_eq!(set["expressions"], serde_json::json!([null, ["PERSONAL"]]));
        assert!(
            set.get("description").is_none(),
            "an unset field is no change"
        );
    }
}
