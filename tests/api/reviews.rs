//! The review workflow: a partner's touchpoint waits for the brand's review, goes back to
//! PENDING on every partner edit, and the brand's comments stay in its history.
use serde_json::json;

use crate::helpers::{
    create_touchpoint, error_code, error_field, minimal_input, spawn_app, Network,
};

const REVIEW: &str = "mutation($id: ID!, $d: ReviewDecision!, $c: String, $v: Int) {
  reviewTouchpoint(input: {id: $id, decision: $d, comment: $c, expectedVersion: $v}) { touchpoint { reviewStatus version } }
}";

#[actix_web::test]
async fn a_partner_touchpoint_is_reviewed_and_every_partner_edit_sends_it_back() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[2], "Showroom"),
    )
    .await;
    let reviewed = app
        .data(
            &net.brand_editor.token,
            REVIEW,
            json!({ "id": id, "d": "APPROVE" }),
        )
        .await;
    assert_eq!(
        reviewed["reviewTouchpoint"]["touchpoint"],
        json!({ "reviewStatus": "APPROVED", "version": 2 })
    );

    let edited = app
        .data(&net.a_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 2, name: \"Showroom v2\"}) { touchpoint { reviewStatus version } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        edited["updateTouchpoint"]["touchpoint"],
        json!({ "reviewStatus": "PENDING", "version": 3 })
    );

    let resp = app
        .gql(
            &net.brand_editor.token,
            REVIEW,
            json!({ "id": id, "d": "REQUEST_CHANGES" }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&resp), Some("comment"));
    let resp = app
        .gql(
            &net.brand_editor.token,
            REVIEW,
            json!({ "id": id, "d": "APPROVE", "v": 2 }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("CONFLICT"), "a stale version");

    let changes = app
        .data(
            &net.brand_editor.token,
            REVIEW,
            json!({ "id": id, "d": "REQUEST_CHANGES", "c": "Add opening hours.", "v": 3 }),
        )
        .await;
    assert_eq!(
        changes["reviewTouchpoint"]["touchpoint"]["reviewStatus"],
        "CHANGES_REQUESTED"
    );

    // The owner reads the comment in the history.
    let history = app
        .data(&net.a_viewer.token, "query($id: ID!) { touchpoint(id: $id) { history { nodes { action actorLabel after } } } }", json!({ "id": id }))
        .await;
    let nodes = history["touchpoint"]["history"]["nodes"]
        .as_array()
        .unwrap();
    let actions: Vec<&str> = nodes
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "touchpoint.review",
            "touchpoint.update",
            "touchpoint.review",
            "touchpoint.create"
        ],
        "newest first"
    );
    assert_eq!(nodes[0]["after"]["reviewComment"], "Add opening hours.");
    assert_eq!(nodes[0]["actorLabel"], "editor@acme.test");
}

#[actix_web::test]
async fn only_the_brand_sets_the_signature() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Handover"),
    )
    .await;
    let resp = app.gql(&net.a_admin.token, "mutation($id: ID!) { setSignature(input: {id: $id, signature: true}) { touchpoint { signature } } }", json!({ "id": id })).await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    let signed = app
        .data(&net.brand_admin.token, "mutation($id: ID!) { setSignature(input: {id: $id, signature: true}) { touchpoint { signature version } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        signed["setSignature"]["touchpoint"],
        json!({ "signature": true, "version": 2 })
    );
    // The partner cannot clear it through an update either: signature is not an input.
    let resp = app
        .gql(&net.a_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 2, signature: false}) { touchpoint { id } } }", json!({ "id": id }))
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&resp), Some("input.signature"));
}
