//! Journeys: steps in order, major flags, optimistic concurrency, and who may edit them.
use serde_json::json;

use crate::helpers::{
    create_touchpoint, error_code, error_field, minimal_input, spawn_app, Network,
};

#[actix_web::test]
async fn a_journey_is_mapped_edited_and_its_steps_replaced() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    let t1 = create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "Ad"),
    )
    .await;
    let t2 = create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[1], "Showroom"),
    )
    .await;
    let created = app
        .data(
            token,
            "mutation($b: ID!, $t1: ID!, $t2: ID!) { createJourney(input: {brandId: $b, name: \"First bike\", persona: \"Maya\", steps: [{touchpointId: $t1}, {touchpointId: $t2, major: true, note: \"The moment\"}]}) { journey { id version owner { slug } steps { position major note touchpoint { name } } } } }",
            json!({ "b": net.brand_id.to_string(), "t1": t1, "t2": t2 }),
        )
        .await;
    let journey = &created["createJourney"]["journey"];
    assert_eq!(journey["owner"]["slug"], "dealer-a");
    assert_eq!(
        journey["steps"][1],
        json!({ "position": 1, "major": true, "note": "The moment", "touchpoint": { "name": "Showroom" } })
    );
    let id = journey["id"].clone();

    let updated = app
        .data(token, "mutation($id: ID!) { updateJourney(input: {id: $id, expectedVersion: 1, name: \"First e-bike\", persona: null}) { journey { name persona version } } }", json!({ "id": id }))
        .await;
    assert_eq!(
        updated["updateJourney"]["journey"],
        json!({ "name": "First e-bike", "persona": null, "version": 2 })
    );
    let resp = app.gql(token, "mutation($id: ID!) { updateJourney(input: {id: $id, expectedVersion: 1, name: \"Stale\"}) { journey { id } } }", json!({ "id": id })).await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));

    let set = "mutation($id: ID!, $v: Int, $steps: [JourneyStepInput!]!) { setJourneySteps(input: {journeyId: $id, expectedVersion: $v, steps: $steps}) { journey { version steps { touchpoint { name } major } } } }";
    let resp = app
        .data(
            token,
            set,
            json!({ "id": id, "v": 2, "steps": [{ "touchpointId": t2, "major": true }] }),
        )
        .await;
    assert_eq!(
        resp["setJourneySteps"]["journey"]["steps"],
        json!([{ "touchpoint": { "name": "Showroom" }, "major": true }])
    );
    assert_eq!(resp["setJourneySteps"]["journey"]["version"], 3);
    let resp = app
        .gql(token, set, json!({ "id": id, "v": 2, "steps": [] }))
        .await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));

    // A step pointing outside the brand is refused and nothing changes.
    let foreign = create_touchpoint(
        &app,
        &net.other_admin.token,
        minimal_input(net.other_brand_id, net.other_phases[0], "Elsewhere"),
    )
    .await;
    let resp = app
        .gql(
            token,
            set,
            json!({ "id": id, "steps": [{ "touchpointId": t1 }, { "touchpointId": foreign }] }),
        )
        .await;
    assert_eq!(
        (error_code(&resp), error_field(&resp)),
        (Some("BAD_USER_INPUT"), Some("steps.1.touchpointId"))
    );
    let after = app
        .data(
            token,
            "query($id: ID!) { journey(id: $id) { version steps { touchpoint { name } } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(after["journey"]["version"], 3);
    assert_eq!(after["journey"]["steps"].as_array().unwrap().len(), 1);

    // The brand reads it; only the mapping organization edits it.
    let listed = app
        .data(
            &net.brand_viewer.token,
            "query($b: ID!) { brand(id: $b) { journeys { name } } }",
            json!({ "b": net.brand_id.to_string() }),
        )
        .await;
    assert_eq!(
        listed["brand"]["journeys"],
        json!([{ "name": "First e-bike" }])
    );
    let resp = app
        .gql(
            &net.brand_admin.token,
            set,
            json!({ "id": id, "steps": [] }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    let resp = app
        .gql(&net.a_viewer.token, set, json!({ "id": id, "steps": [] }))
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    // A brand outside the network does not see it at all.
    let resp = app
        .data(
            &net.other_admin.token,
            "query($id: ID!) { journey(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(resp["journey"].is_null());
    let resp = app
        .gql(
            &net.other_admin.token,
            set,
            json!({ "id": id, "steps": [] }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("NOT_FOUND"));
}
