//! Managing a brand's phases (contiguous positions, reorder) and principles.
use serde_json::{json, Value};

use crate::helpers::{error_code, error_field, spawn_app, Network, TestApp};

async fn phases(app: &TestApp, net: &Network) -> Vec<Value> {
    app.data(
        &net.brand_admin.token,
        "query($b: ID!) { brand(id: $b) { phases { id name position version keyMetric } } }",
        json!({ "b": net.brand_id.to_string() }),
    )
    .await["brand"]["phases"]
        .as_array()
        .unwrap()
        .clone()
}

fn names(list: &[Value]) -> Vec<&str> {
    list.iter().map(|p| p["name"].as_str().unwrap()).collect()
}

#[actix_web::test]
async fn new_brands_get_the_default_phases_and_positions_stay_contiguous() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let list = phases(&app, &net).await;
    assert_eq!(
        names(&list),
        [
            "Awareness",
            "Consideration",
            "Purchase",
            "Onboarding & use",
            "Service & support",
            "Loyalty & advocacy"
        ]
    );
    let token = &net.brand_admin.token;
    let brand = net.brand_id.to_string();
    app.data(token, "mutation($b: ID!) { createPhase(input: {brandId: $b, name: \"Research\", keyMetric: \"Visits\", position: 1}) { phase { position } } }", json!({ "b": brand })).await;
    app.data(token, "mutation($b: ID!) { createPhase(input: {brandId: $b, name: \"Farewell\"}) { phase { position } } }", json!({ "b": brand })).await;
    let list = phases(&app, &net).await;
    assert_eq!(
        names(&list)[..3],
        ["Awareness", "Research", "Consideration"]
    );
    assert_eq!(names(&list)[7], "Farewell");
    let positions: Vec<i64> = list
        .iter()
        .map(|p| p["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, (0..8).collect::<Vec<_>>());

    // Reorder: reverse everything.
    let reversed: Vec<Value> = list.iter().rev().map(|p| p["id"].clone()).collect();
    let resp = app.data(token, "mutation($b: ID!, $ids: [ID!]!) { reorderPhases(input: {brandId: $b, phaseIds: $ids}) { phases { name position } } }", json!({ "b": brand, "ids": reversed })).await;
    assert_eq!(resp["reorderPhases"]["phases"][0]["name"], "Farewell");
    let list = phases(&app, &net).await;
    assert_eq!(names(&list)[0], "Farewell");
    assert_eq!(
        list.iter()
            .map(|p| p["position"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        (0..8).collect::<Vec<_>>()
    );
}

#[actix_web::test]
async fn bad_phase_changes_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_admin.token;
    let brand = net.brand_id.to_string();
    let before = phases(&app, &net).await;
    let ids: Vec<Value> = before.iter().map(|p| p["id"].clone()).collect();
    let reorder = "mutation($b: ID!, $ids: [ID!]!) { reorderPhases(input: {brandId: $b, phaseIds: $ids}) { phases { name } } }";
    let mut duplicate = ids.clone();
    duplicate[1] = ids[0].clone();
    let resp = app
        .gql(token, reorder, json!({ "b": brand, "ids": duplicate }))
        .await;
    assert_eq!(
        (error_code(&resp), error_field(&resp)),
        (Some("BAD_USER_INPUT"), Some("phaseIds.1")),
        "duplicate position"
    );
    let resp = app
        .gql(token, reorder, json!({ "b": brand, "ids": ids[..5] }))
        .await;
    assert_eq!(error_field(&resp), Some("phaseIds"), "a phase left out");
    let mut foreign = ids.clone();
    foreign[5] = json!(net.other_phases[0].to_string());
    let resp = app
        .gql(token, reorder, json!({ "b": brand, "ids": foreign }))
        .await;
    assert_eq!(
        error_field(&resp),
        Some("phaseIds.5"),
        "a phase of another brand"
    );
    let resp = app.gql(token, "mutation($b: ID!) { createPhase(input: {brandId: $b, name: \"X\", position: 9}) { phase { id } } }", json!({ "b": brand })).await;
    assert_eq!(error_field(&resp), Some("position"));
    let resp = app
        .gql(
            token,
            "mutation($b: ID!) { createPhase(input: {brandId: $b, name: \" \"}) { phase { id } } }",
            json!({ "b": brand }),
        )
        .await;
    assert_eq!(error_field(&resp), Some("name"));
    let update = "mutation($id: ID!, $v: Int!, $m: String) { updatePhase(input: {id: $id, expectedVersion: $v, keyMetric: $m}) { phase { keyMetric version } } }";
    let resp = app
        .data(
            token,
            update,
            json!({ "id": ids[0], "v": 1, "m": "Recall" }),
        )
        .await;
    assert_eq!(
        resp["updatePhase"]["phase"],
        json!({ "keyMetric": "Recall", "version": 2 })
    );
    let resp = app
        .gql(token, update, json!({ "id": ids[0], "v": 1, "m": "Stale" }))
        .await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));
    let resp = app
        .gql(
            token,
            update,
            json!({ "id": net.other_phases[0].to_string(), "v": 1, "m": "x" }),
        )
        .await;
    assert_eq!(
        error_code(&resp),
        Some("NOT_FOUND"),
        "another brand's phase does not exist for us"
    );
    let after = phases(&app, &net).await;
    assert_eq!(names(&after), names(&before));
    assert_eq!(after[0]["keyMetric"], "Recall");
    // Clearing with null.
    let resp = app
        .data(token, update, json!({ "id": ids[0], "v": 2, "m": null }))
        .await;
    assert!(resp["updatePhase"]["phase"]["keyMetric"].is_null());
}

#[actix_web::test]
async fn principles_are_created_updated_and_archived() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_admin.token;
    let created = app
        .data(token, "mutation($b: ID!) { createPrinciple(input: {brandId: $b, name: \"Fast\", description: \"No waiting\"}) { principle { id version } } }", json!({ "b": net.brand_id.to_string() }))
        .await;
    let id = created["createPrinciple"]["principle"]["id"].clone();
    let update = "mutation($id: ID!, $v: Int!, $n: String, $d: String) { updatePrinciple(input: {id: $id, expectedVersion: $v, name: $n, description: $d}) { principle { name description version } } }";
    let resp = app
        .data(
            token,
            update,
            json!({ "id": id, "v": 1, "n": "Quick", "d": null }),
        )
        .await;
    assert_eq!(
        resp["updatePrinciple"]["principle"],
        json!({ "name": "Quick", "description": null, "version": 2 })
    );
    let resp = app
        .gql(token, update, json!({ "id": id, "v": 1, "n": "Stale" }))
        .await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));
    let resp = app
        .gql(token, update, json!({ "id": id, "v": 2, "n": "" }))
        .await;
    assert_eq!(error_field(&resp), Some("name"));
    app.data(
        token,
        "mutation($id: ID!) { archivePrinciple(input: {id: $id}) { principle { archivedAt } } }",
        json!({ "id": id }),
    )
    .await;
    let list = app
        .data(token, "query($b: ID!) { brand(id: $b) { active: principles { name } all: principles(includeArchived: true) { name } } }", json!({ "b": net.brand_id.to_string() }))
        .await;
    assert_eq!(list["brand"]["active"].as_array().unwrap().len(), 2);
    assert_eq!(list["brand"]["all"].as_array().unwrap().len(), 3);
}
