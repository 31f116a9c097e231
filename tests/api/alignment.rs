//! Alignment ratings: one per (touchpoint, principle), −2..+2, averaged over active
//! principles.
use serde_json::json;

use crate::helpers::{
    create_touchpoint, error_code, error_field, minimal_input, spawn_app, Network,
};

const RATE: &str = "mutation($t: ID!, $p: ID!, $s: Int!, $n: String) {
  rateAlignment(input: {touchpointId: $t, principleId: $p, score: $s, note: $n}) {
    touchpoint { alignment { average ratings { score note ratedBy principle { name } } } }
  }
}";

#[actix_web::test]
async fn ratings_replace_each_other_and_average_over_active_principles() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Site"),
    )
    .await;
    let (p1, p2) = (net.principles[0].to_string(), net.principles[1].to_string());
    let token = &net.brand_editor.token;
    app.data(
        token,
        RATE,
        json!({ "t": id, "p": p1, "s": -2, "n": "Impersonal" }),
    )
    .await;
    let resp = app
        .data(token, RATE, json!({ "t": id, "p": p2, "s": 1 }))
        .await;
    assert_eq!(
        resp["rateAlignment"]["touchpoint"]["alignment"]["average"],
        -0.5
    );
    // Rating the same principle again replaces the rating.
    let resp = app
        .data(token, RATE, json!({ "t": id, "p": p1, "s": 2 }))
        .await;
    let alignment = &resp["rateAlignment"]["touchpoint"]["alignment"];
    assert_eq!(alignment["average"], 1.5);
    assert_eq!(alignment["ratings"].as_array().unwrap().len(), 2);
    assert_eq!(alignment["ratings"][1]["ratedBy"], "editor@acme.test");

    // Archiving a principle takes its rating out of the average.
    app.data(
        &net.brand_admin.token,
        "mutation($p: ID!) { archivePrinciple(input: {id: $p}) { principle { archivedAt } } }",
        json!({ "p": p1 }),
    )
    .await;
    let resp = app.data(token, "query($t: ID!) { touchpoint(id: $t) { alignment { average ratings { principle { name } } } } }", json!({ "t": id })).await;
    assert_eq!(resp["touchpoint"]["alignment"]["average"], 1.0);
    assert_eq!(
        resp["touchpoint"]["alignment"]["ratings"],
        json!([{ "principle": { "name": "Effortless" } }])
    );
    // …and it can no longer be rated.
    let resp = app
        .gql(token, RATE, json!({ "t": id, "p": p1, "s": 1 }))
        .await;
    assert_eq!(error_field(&resp), Some("principleId"));
}

#[actix_web::test]
async fn bad_ratings_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.brand_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Site"),
    )
    .await;
    let p = net.principles[0].to_string();
    let token = &net.brand_editor.token;
    for (score, field) in [(3, "score"), (-3, "score")] {
        let resp = app
            .gql(token, RATE, json!({ "t": id, "p": p, "s": score }))
            .await;
        assert_eq!(
            (error_code(&resp), error_field(&resp)),
            (Some("BAD_USER_INPUT"), Some(field))
        );
    }
    let resp = app
        .gql(
            token,
            RATE,
            json!({ "t": id, "p": uuid::Uuid::new_v4().to_string(), "s": 1 }),
        )
        .await;
    assert_eq!(error_field(&resp), Some("principleId"), "unknown principle");
    // A principle of another brand.
    let other = app
        .data(&net.other_admin.token, "mutation($b: ID!) { createPrinciple(input: {brandId: $b, name: \"Bold\"}) { principle { id } } }", json!({ "b": net.other_brand_id.to_string() }))
        .await["createPrinciple"]["principle"]["id"]
        .clone();
    let resp = app
        .gql(token, RATE, json!({ "t": id, "p": other, "s": 1 }))
        .await;
    assert_eq!(
        error_field(&resp),
        Some("principleId"),
        "a principle of another brand"
    );
    let resp = app
        .gql(
            token,
            RATE,
            json!({ "t": uuid::Uuid::new_v4().to_string(), "p": p, "s": 1 }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("NOT_FOUND"));
    let after = app
        .data(
            token,
            "query($t: ID!) { touchpoint(id: $t) { alignment { average ratings { score } } } }",
            json!({ "t": id }),
        )
        .await;
    assert_eq!(
        after["touchpoint"]["alignment"],
        json!({ "average": null, "ratings": [] })
    );
}
