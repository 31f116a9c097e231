//! What changed in a touchpoint, for its ledger entry: [`Changes::between`] for the one entity
//! that is written in bulk.
//!
//! The generic diff serializes both versions into JSON maps and compares them; a sync batch
//! of a hundred touchpoints spent about a sixth of its CPU there. This compares the fields
//! themselves and serializes only the ones that changed. A test holds it to the generic
//! diff's output, field for field.
use serde_json::Value;

use super::ledger::Changes;
use crate::entities::touchpoint::Model;

/// The changed fields of `before` → `after`, keyed as the touchpoint serializes.
pub fn changed(before: &Model, after: &Model) -> Changes {
    let mut changes = Changes::default();
    macro_rules! compare {
        ($($field:ident => $key:literal),* $(,)?) => {
            $(
                if before.$field != after.$field {
                    changes.push($key, json(&before.$field), json(&after.$field));
                }
            )*
        };
    }
    compare!(
        id => "id",
        brand_id => "brandId",
        owner_id => "ownerId",
        external_id => "externalId",
        name => "name",
        description => "description",
        channel => "channel",
        expr_personal => "exprPersonal",
        expr_physical => "exprPhysical",
        expr_digital => "exprDigital",
        ownership => "ownership",
        phase_id => "phaseId",
        target_experience => "targetExperience",
        key_metric => "keyMetric",
        tags => "tags",
        cost_amount => "costAmount",
        cost_currency => "costCurrency",
        resources => "resources",
        media => "media",
        launch_date => "launchDate",
        timing => "timing",
        location => "location",
        importance => "importance",
        urgency => "urgency",
        maturity => "maturity",
        effort => "effort",
        benefit => "benefit",
        priority_score => "priorityScore",
        signature => "signature",
        visibility => "visibility",
        status => "status",
        horizon => "horizon",
        review_status => "reviewStatus",
        created_at => "createdAt",
        archived_at => "archivedAt",
    );
    changes
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

    fn generic(a: &Model, b: &Model) -> Changes {
        Changes::between(&Changes::document(a), &Changes::document(b))
    }

    #[test]
    fn matches_the_generic_diff_when_everything_changes() {
        let a = one();
        let b = other(&a);
        assert_eq!(changed(&a, &b), generic(&a, &b));
        assert_eq!(changed(&b, &a), generic(&b, &a));
    }

    #[test]
    fn matches_the_generic_diff_for_a_small_change() {
        let a = one();
        let mut b = a.clone();
        b.name = "Renamed".into();
        b.version = 2;
        assert_eq!(changed(&a, &b), generic(&a, &b));
        assert_eq!(
            changed(&a, &b).into_json(),
            serde_json::json!({ "name": ["Showroom", "Renamed"] })
        );
    }
}
