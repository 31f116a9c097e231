//! The foundation's visibility rules; the access-control suite covers the full matrix.
use serde_json::json;

use crate::helpers::{assert_ok, create_touchpoint, error_code, minimal_input, spawn_app, Network};

const BY_ID: &str = "query($id: ID!) { touchpoint(id: $id) { id name } }";
const BY_ID_RATED: &str =
    "query($id: ID!) { touchpoint(id: $id) { id alignment { ratings { score } } } }";

#[actix_web::test]
async fn a_partner_cannot_see_another_partners_private_touchpoint() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let private = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "A private"),
    )
    .await;
    let mut shared_input = minimal_input(net.brand_id, net.phases[0], "A shared");
    shared_input["visibility"] = json!("NETWORK");
    let shared = create_touchpoint(&app, &net.a_editor.token, shared_input).await;

    // By id: null for the other dealer, visible to the owner and the brand.
    let resp = app
        .gql(&net.b_editor.token, BY_ID, json!({ "id": private }))
        .await;
    assert_ok(&resp);
    assert!(resp["data"]["touchpoint"].is_null());
    // Also when the touchpoint is read with its ratings (one joined statement).
    let resp = app
        .gql(&net.b_editor.token, BY_ID_RATED, json!({ "id": private }))
        .await;
    assert_ok(&resp);
    assert!(resp["data"]["touchpoint"].is_null(), "{resp}");
    let resp = app
        .gql(&net.a_viewer.token, BY_ID_RATED, json!({ "id": private }))
        .await;
    assert_eq!(
        resp["data"]["touchpoint"]["alignment"]["ratings"],
        json!([])
    );
    for token in [&net.a_viewer.token, &net.brand_viewer.token] {
        let resp = app.gql(token, BY_ID, json!({ "id": private })).await;
        assert_eq!(resp["data"]["touchpoint"]["name"], "A private");
    }
    let resp = app
        .gql(&net.b_editor.token, BY_ID, json!({ "id": shared }))
        .await;
    assert_eq!(resp["data"]["touchpoint"]["name"], "A shared");

    // In lists, with and without filters that would select it.
    for filter in [
        json!({}),
        json!({ "ownerId": net.dealer_a.to_string() }),
        json!({ "brandId": net.brand_id.to_string(), "visibility": "PRIVATE" }),
        json!({ "search": "private" }),
    ] {
        let resp = app
            .gql(&net.b_editor.token, "query($f: TouchpointFilter) { touchpoints(filter: $f) { totalCount nodes { name } } }", json!({ "f": filter }))
            .await;
        assert_ok(&resp);
        let names: Vec<&str> = resp["data"]["touchpoints"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["name"].as_str().unwrap())
            .collect();
        assert!(!names.contains(&"A private"), "{filter}: {names:?}");
    }
    // A brand outside the network sees nothing of it.
    let resp = app
        .gql(&net.other_admin.token, BY_ID, json!({ "id": shared }))
        .await;
    assert!(resp["data"]["touchpoint"].is_null());
}

#[actix_web::test]
async fn writing_an_invisible_touchpoint_is_not_found_and_a_visible_one_forbidden() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let private = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "A private"),
    )
    .await;
    let update = "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"hijack\"}) { touchpoint { id } } }";
    let resp = app
        .gql(&net.b_editor.token, update, json!({ "id": private }))
        .await;
    assert_eq!(error_code(&resp), Some("NOT_FOUND"));
    // The brand sees it but edits only by review.
    let resp = app
        .gql(&net.brand_editor.token, update, json!({ "id": private }))
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    // A viewer of the owner may not edit.
    let resp = app
        .gql(&net.a_viewer.token, update, json!({ "id": private }))
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    let resp = app
        .gql(&net.a_viewer.token, BY_ID, json!({ "id": private }))
        .await;
    assert_eq!(resp["data"]["touchpoint"]["name"], "A private");
}

#[actix_web::test]
async fn creating_in_a_brand_outside_the_network_is_not_found() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let resp = app
        .gql(
            &net.a_editor.token,
            crate::helpers::CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(net.other_brand_id, net.other_phases[0], "Sneak") }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("NOT_FOUND"));
    let resp = app
        .gql(
            &net.a_viewer.token,
            crate::helpers::CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(net.brand_id, net.phases[0], "Viewer") }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
}
