//! Counting: over a network of 1,000 touchpoints, a partner's lists return exactly the N it
//! may see — whatever the page size and ordering.
use std::collections::HashSet;

use serde_json::json;
use touchpoint_registry::domain::touchpoint::{Change, ExpressionSet, TouchpointPatch};
use touchpoint_registry::domain::{Channel, Expression, Visibility};
use touchpoint_registry::services::network::principals::resolve_subject;
use touchpoint_registry::services::touchpoints;

use crate::helpers::{spawn_app, Network};

async fn principal(
    app: &crate::helpers::TestApp,
    email: &str,
    org: uuid::Uuid,
) -> touchpoint_registry::auth::Principal {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use touchpoint_registry::entities::user;
    let u = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    resolve_subject(&app.db, u.id, Some(org)).await.unwrap()
}

#[actix_web::test]
async fn a_partner_sees_exactly_the_touchpoints_it_may_whatever_the_page_size_and_order() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let owners = [
        principal(&app, "editor@acme.test", net.brand_id).await,
        principal(&app, "editor@dealer-a.test", net.dealer_a).await,
        principal(&app, "editor@dealer-b.test", net.dealer_b).await,
    ];
    let mut expected = 0;
    for i in 0..1000usize {
        let owner = i % 3;
        let private = i % 2 == 0;
        let archived = i % 10 == 0;
        let score = |k: usize| {
            if i % 7 == 0 {
                Change::Clear
            } else {
                Change::Set(((i + k) % 5 + 1) as i16)
            }
        };
        let patch = TouchpointPatch {
            name: Some(format!("tp {:04}", (i * 7919) % 1000)),
            channel: Some(Channel::Website),
            expressions: Some(ExpressionSet::parse("expressions", &[Expression::Digital]).unwrap()),
            phase_id: Some(net.phases[i % 6]),
            visibility: Some(if private {
                Visibility::Private
            } else {
                Visibility::Network
            }),
            importance: score(0),
            urgency: score(1),
            maturity: score(2),
            effort: score(3),
            benefit: score(4),
            ..TouchpointPatch::default()
        };
        let created = touchpoints::create(&app.db, &owners[owner], net.brand_id, patch)
            .await
            .unwrap();
        if archived {
            touchpoints::set_archived(&app.db, &owners[owner], created.id, true, None)
                .await
                .unwrap();
        }
        // Dealer A sees its own, and the others' NETWORK ones; archived ones are not listed.
        if !archived && (owner == 1 || !private) {
            expected += 1;
        }
    }
    let token = &net.a_viewer.token;
    for (first, orders) in [
        (
            100,
            vec![
                ("PRIORITY", "DESC"),
                ("PRIORITY", "ASC"),
                ("NAME", "ASC"),
                ("NAME", "DESC"),
                ("UPDATED_AT", "DESC"),
                ("UPDATED_AT", "ASC"),
                ("CREATED_AT", "ASC"),
                ("CREATED_AT", "DESC"),
            ],
        ),
        (33, vec![("PRIORITY", "DESC"), ("NAME", "DESC")]),
        (7, vec![("PRIORITY", "ASC")]),
    ] {
        for (field, direction) in orders {
            let mut ids = HashSet::new();
            let mut after: Option<String> = None;
            let mut pages = 0;
            loop {
                let page = app
                    .data(
                        token,
                        "query($n: Int, $a: String, $o: TouchpointOrder) { touchpoints(first: $n, after: $a, orderBy: $o) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }",
                        json!({ "n": first, "a": after, "o": { "field": field, "direction": direction } }),
                    )
                    .await;
                let list = &page["touchpoints"];
                assert_eq!(list["totalCount"], expected, "totalCount");
                for node in list["nodes"].as_array().unwrap() {
                    assert!(
                        ids.insert(node["id"].as_str().unwrap().to_owned()),
                        "{field} {direction}: repeated"
                    );
                }
                pages += 1;
                if !list["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                    break;
                }
                after = list["pageInfo"]["endCursor"].as_str().map(str::to_owned);
            }
            assert_eq!(ids.len(), expected, "{field} {direction} by {first}");
            assert_eq!(
                pages,
                expected.div_ceil(first),
                "{field} {direction} by {first}"
            );
        }
    }
    eprintln!("dealer A sees {expected} of 1000 touchpoints");
}
