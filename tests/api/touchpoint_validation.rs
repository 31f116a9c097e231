//! Bad input is answered with BAD_USER_INPUT naming the field, and writes nothing.
use serde_json::{json, Value};

use crate::helpers::{
    assert_ok, create_touchpoint, error_code, error_field, minimal_input, spawn_app, Network,
    TestApp, CREATE_TOUCHPOINT,
};

async fn count(app: &TestApp, token: &str) -> u64 {
    let resp = app
        .gql(
            token,
            "{ touchpoints(filter: {includeArchived: true}) { totalCount } }",
            json!({}),
        )
        .await;
    resp["data"]["touchpoints"]["totalCount"].as_u64().unwrap()
}

/// Each case: a change to the minimal input, and the field the error must name.
fn bad_creates(net: &Network) -> Vec<(&'static str, Value, &'static str)> {
    vec![
        ("empty name", json!({ "name": "" }), "name"),
        ("blank name", json!({ "name": "   " }), "name"),
        ("over-long name", json!({ "name": "x".repeat(201) }), "name"),
        ("importance 0", json!({ "importance": 0 }), "importance"),
        ("urgency 6", json!({ "urgency": 6 }), "urgency"),
        ("maturity -1", json!({ "maturity": -1 }), "maturity"),
        ("effort 9", json!({ "effort": 9 }), "effort"),
        ("benefit 0", json!({ "benefit": 0 }), "benefit"),
        (
            "negative cost",
            json!({ "cost": { "amount": "-5", "currency": "EUR" } }),
            "cost.amount",
        ),
        (
            "non-number cost",
            json!({ "cost": { "amount": "ten", "currency": "EUR" } }),
            "cost.amount",
        ),
        (
            "unknown currency",
            json!({ "cost": { "amount": "5", "currency": "EUX" } }),
            "cost.currency",
        ),
        (
            "empty expressions",
            json!({ "expressions": [] }),
            "expressions",
        ),
        (
            "phase of another brand",
            json!({ "phaseId": net.other_phases[0].to_string() }),
            "phaseId",
        ),
        (
            "malformed phase id",
            json!({ "phaseId": "not-a-uuid" }),
            "phaseId",
        ),
        ("malformed brand id", json!({ "brandId": "42" }), "brandId"),
        (
            "control characters",
            json!({ "name": "bad\u{0007}name" }),
            "name",
        ),
        (
            "over-long description",
            json!({ "description": "d".repeat(10_000) }),
            "description",
        ),
        (
            "too many tags",
            json!({ "tags": (0..31).map(|i| format!("t{i}")).collect::<Vec<_>>() }),
            "tags",
        ),
    ]
}

#[actix_web::test]
async fn bad_creates_are_refused_with_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    for (case, change, field) in bad_creates(&net) {
        let mut input = minimal_input(net.brand_id, net.phases[0], "Valid name");
        for (k, v) in change.as_object().unwrap() {
            input[k] = v.clone();
        }
        let resp = app
            .gql(token, CREATE_TOUCHPOINT, json!({ "input": input }))
            .await;
        assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"), "{case}: {resp}");
        assert_eq!(error_field(&resp), Some(field), "{case}: {resp}");
        assert!(
            resp["data"].is_null() || resp["data"]["createTouchpoint"].is_null(),
            "{case}"
        );
    }
    assert_eq!(count(&app, token).await, 0, "nothing was written");
}

#[actix_web::test]
async fn bad_updates_are_refused_and_leave_the_touchpoint_as_it_was() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    let id = create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "Keep me"),
    )
    .await;
    let cases = vec![
        (json!({ "name": "" }), "name"),
        (json!({ "name": null }), "name"),
        (json!({ "importance": 7 }), "importance"),
        (
            json!({ "cost": { "amount": "-1", "currency": "USD" } }),
            "cost.amount",
        ),
        (json!({ "expressions": [] }), "expressions"),
        (json!({ "expressions": null }), "expressions"),
        (
            json!({ "phaseId": net.other_phases[2].to_string() }),
            "phaseId",
        ),
    ];
    for (change, field) in cases {
        let mut input = json!({ "id": id, "expectedVersion": 1 });
        for (k, v) in change.as_object().unwrap() {
            input[k] = v.clone();
        }
        let resp = app
            .gql(
                token,
                "mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { touchpoint { id } } }",
                json!({ "input": input }),
            )
            .await;
        assert_eq!(
            error_code(&resp),
            Some("BAD_USER_INPUT"),
            "{change}: {resp}"
        );
        assert_eq!(error_field(&resp), Some(field), "{change}: {resp}");
    }
    let resp = app
        .gql(
            token,
            "query($id: ID!) { touchpoint(id: $id) { name version phase { id } } }",
            json!({ "id": id }),
        )
        .await;
    assert_ok(&resp);
    assert_eq!(resp["data"]["touchpoint"]["name"], "Keep me");
    assert_eq!(resp["data"]["touchpoint"]["version"], 1);
    assert_eq!(
        resp["data"]["touchpoint"]["phase"]["id"],
        net.phases[0].to_string()
    );
}

#[actix_web::test]
async fn an_unknown_enum_value_or_wrong_type_is_bad_input() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let mut input = minimal_input(net.brand_id, net.phases[0], "X");
    input["channel"] = json!("CARRIER_PIGEON");
    let resp = app
        .gql(
            &net.a_editor.token,
            CREATE_TOUCHPOINT,
            json!({ "input": input }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"), "{resp}");
    let mut input = minimal_input(net.brand_id, net.phases[0], "X");
    input["importance"] = json!("high");
    let resp = app
        .gql(
            &net.a_editor.token,
            CREATE_TOUCHPOINT,
            json!({ "input": input }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"), "{resp}");
    assert_eq!(count(&app, &net.a_editor.token).await, 0);
}

#[actix_web::test]
async fn a_duplicate_external_id_of_the_same_owner_is_refused() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let mut input = minimal_input(net.brand_id, net.phases[0], "One");
    input["externalId"] = json!("ext-1");
    create_touchpoint(&app, &net.a_editor.token, input.clone()).await;
    let resp = app
        .gql(
            &net.a_editor.token,
            CREATE_TOUCHPOINT,
            json!({ "input": input.clone() }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&resp), Some("externalId"));
    // Another owner may use the same key.
    let resp = app
        .gql(
            &net.b_editor.token,
            CREATE_TOUCHPOINT,
            json!({ "input": input }),
        )
        .await;
    assert_ok(&resp);
}

#[actix_web::test]
async fn a_scalar_that_does_not_parse_in_an_update_or_a_sync_item_names_only_schema_types() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    let input = minimal_input(net.brand_id, net.phases[0], "Parsed");
    let id = create_touchpoint(&app, token, input).await;
    let update = format!(
        "mutation {{ updateTouchpoint(input: {{id: \"{id}\", expectedVersion: 1, \
         launchDate: \"soon\"}}) {{ touchpoint {{ id }} }} }}"
    );
    let sync = format!(
        "mutation {{ syncTouchpoints(input: {{brandId: \"{}\", items: [{{externalId: \"k\", \
         launchDate: \"soon\"}}]}}) {{ created }} }}",
        net.brand_id
    );
    for (query, input_type) in [(update, "UpdateTouchpointInput"), (sync, "SyncItemInput")] {
        let resp = app.gql(token, &query, json!({})).await;
        assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"), "{resp}");
        let message = resp["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("\"Date\"") && message.contains(input_type),
            "{message}"
        );
        assert!(!message.contains("TouchpointFields"), "{message}");
    }
    assert_eq!(count(&app, token).await, 1, "nothing written");
}
