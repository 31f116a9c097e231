//! The journey linter: each finding appears when its situation is built and disappears when
//! it is fixed.
use serde_json::{json, Value};

use crate::helpers::{
    backdate_touchpoint, create_touchpoint, minimal_input, spawn_app, Network, TestApp,
};

async fn insights(app: &TestApp, token: &str, net: &Network) -> Vec<Value> {
    app.data(
        token,
        "query($b: ID!) { brand(id: $b) { insights { code severity message subjectIds } } }",
        json!({ "b": net.brand_id.to_string() }),
    )
    .await["brand"]["insights"]
        .as_array()
        .unwrap()
        .clone()
}

/// Findings of `code` about `subject`.
async fn about(app: &TestApp, token: &str, net: &Network, code: &str, subject: &str) -> usize {
    insights(app, token, net)
        .await
        .iter()
        .filter(|i| {
            i["code"] == code
                && i["subjectIds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s == subject)
        })
        .count()
}

async fn rate(app: &TestApp, net: &Network, id: &str, score: i32) {
    app.data(
        &net.brand_editor.token,
        "mutation($t: ID!, $p: ID!, $s: Int!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: $s}) { touchpoint { id } } }",
        json!({ "t": id, "p": net.principles[0].to_string(), "s": score }),
    )
    .await;
}

async fn sign(app: &TestApp, net: &Network, id: &str, on: bool) {
    app.data(&net.brand_editor.token, "mutation($id: ID!, $s: Boolean!) { setSignature(input: {id: $id, signature: $s}) { touchpoint { id } } }", json!({ "id": id, "s": on }))
        .await;
}

#[actix_web::test]
async fn too_many_major_steps_in_a_journey() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    let mut steps = Vec::new();
    for i in 0..11 {
        let id = create_touchpoint(
            &app,
            token,
            minimal_input(net.brand_id, net.phases[i % 6], &format!("Step {i}")),
        )
        .await;
        steps.push(json!({ "touchpointId": id, "major": true }));
    }
    let journey = app
        .data(token, "mutation($b: ID!, $s: [JourneyStepInput!]!) { createJourney(input: {brandId: $b, name: \"Process map\", steps: $s}) { journey { id } } }", json!({ "b": net.brand_id.to_string(), "s": steps }))
        .await["createJourney"]["journey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        about(&app, token, &net, "TOO_MANY_TOUCHPOINTS", &journey).await,
        1
    );
    // The threshold is the brand's: raising it clears the finding.
    app.data(&net.brand_admin.token, "mutation($b: ID!) { updateBrandSettings(input: {brandId: $b, maxMajorSteps: 11}) { brand { maxMajorSteps } } }", json!({ "b": net.brand_id.to_string() }))
        .await;
    assert_eq!(
        about(&app, token, &net, "TOO_MANY_TOUCHPOINTS", &journey).await,
        0
    );
    app.data(&net.brand_admin.token, "mutation($b: ID!) { updateBrandSettings(input: {brandId: $b, maxMajorSteps: 10}) { brand { maxMajorSteps } } }", json!({ "b": net.brand_id.to_string() }))
        .await;
    assert_eq!(
        about(&app, token, &net, "TOO_MANY_TOUCHPOINTS", &journey).await,
        1
    );
    // So does making one step minor.
    steps[0]["major"] = json!(false);
    app.data(token, "mutation($j: ID!, $s: [JourneyStepInput!]!) { setJourneySteps(input: {journeyId: $j, steps: $s}) { journey { id } } }", json!({ "j": journey, "s": steps }))
        .await;
    assert_eq!(
        about(&app, token, &net, "TOO_MANY_TOUCHPOINTS", &journey).await,
        0
    );
}

#[actix_web::test]
async fn phases_without_touchpoints_and_without_signatures() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    let phase = net.phases[2].to_string();
    assert_eq!(
        about(&app, token, &net, "PHASE_WITHOUT_TOUCHPOINTS", &phase).await,
        1
    );
    assert_eq!(
        about(&app, token, &net, "PHASE_WITHOUT_SIGNATURE", &phase).await,
        1
    );
    // A PLANNED touchpoint is not active yet.
    let mut planned = minimal_input(net.brand_id, net.phases[2], "Planned");
    planned["status"] = json!("PLANNED");
    create_touchpoint(&app, token, planned).await;
    assert_eq!(
        about(&app, token, &net, "PHASE_WITHOUT_TOUCHPOINTS", &phase).await,
        1
    );
    let ids: Vec<String> = {
        let mut v = Vec::new();
        for i in 0..3 {
            v.push(
                create_touchpoint(
                    &app,
                    token,
                    minimal_input(net.brand_id, net.phases[2], &format!("Signature {i}")),
                )
                .await,
            );
        }
        v
    };
    assert_eq!(
        about(&app, token, &net, "PHASE_WITHOUT_TOUCHPOINTS", &phase).await,
        0
    );
    sign(&app, &net, &ids[0], true).await;
    assert_eq!(
        about(&app, token, &net, "PHASE_WITHOUT_SIGNATURE", &phase).await,
        0
    );
    sign(&app, &net, &ids[1], true).await;
    assert_eq!(
        about(&app, token, &net, "TOO_MANY_SIGNATURES", &phase).await,
        0,
        "two is fine"
    );
    sign(&app, &net, &ids[2], true).await;
    assert_eq!(
        about(&app, token, &net, "TOO_MANY_SIGNATURES", &phase).await,
        1
    );
    sign(&app, &net, &ids[2], false).await;
    assert_eq!(
        about(&app, token, &net, "TOO_MANY_SIGNATURES", &phase).await,
        0
    );
}

#[actix_web::test]
async fn unrated_and_misaligned_touchpoints() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    let id = create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "Call centre"),
    )
    .await;
    assert_eq!(about(&app, token, &net, "UNRATED_TOUCHPOINT", &id).await, 1);
    rate(&app, &net, &id, -2).await;
    assert_eq!(about(&app, token, &net, "UNRATED_TOUCHPOINT", &id).await, 0);
    assert_eq!(
        about(&app, token, &net, "MISALIGNED_TOUCHPOINT", &id).await,
        1
    );
    rate(&app, &net, &id, 1).await;
    assert_eq!(
        about(&app, token, &net, "MISALIGNED_TOUCHPOINT", &id).await,
        0
    );
}

#[actix_web::test]
async fn a_review_waiting_more_than_fourteen_days_is_stale() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Dealer event"),
    )
    .await;
    let token = &net.brand_editor.token;
    backdate_touchpoint(&app, &id, 13).await;
    assert_eq!(about(&app, token, &net, "STALE_REVIEW", &id).await, 0);
    backdate_touchpoint(&app, &id, 15).await;
    assert_eq!(about(&app, token, &net, "STALE_REVIEW", &id).await, 1);
    app.data(token, "mutation($id: ID!) { reviewTouchpoint(input: {id: $id, decision: APPROVE}) { touchpoint { id } } }", json!({ "id": id }))
        .await;
    assert_eq!(about(&app, token, &net, "STALE_REVIEW", &id).await, 0);
}

#[actix_web::test]
async fn near_identical_touchpoints_of_different_owners_are_duplicate_candidates() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let mut a = minimal_input(net.brand_id, net.phases[1], "Test-ride weekend");
    a["channel"] = json!("EVENT");
    a["visibility"] = json!("NETWORK");
    let a = create_touchpoint(&app, &net.a_editor.token, a).await;
    let mut b = minimal_input(net.brand_id, net.phases[1], "Test ride Weekend");
    b["channel"] = json!("EVENT");
    let b = create_touchpoint(&app, &net.b_editor.token, b).await;
    // The same owner twice is not a duplicate across organizations.
    let mut same_owner = minimal_input(net.brand_id, net.phases[1], "Test ride weekend");
    same_owner["channel"] = json!("EVENT");
    create_touchpoint(&app, &net.a_editor.token, same_owner).await;
    let token = &net.brand_editor.token;
    assert_eq!(
        about(&app, token, &net, "DUPLICATE_CANDIDATE", &b).await,
        2,
        "B's matches both of A's"
    );
    assert!(about(&app, token, &net, "DUPLICATE_CANDIDATE", &a).await >= 1);
    // Partner A does not see B's private one, so its view has no such finding.
    assert_eq!(
        about(&app, &net.a_editor.token, &net, "DUPLICATE_CANDIDATE", &a).await,
        0
    );
    app.data(&net.b_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Night ride\"}) { touchpoint { id } } }", json!({ "id": b }))
        .await;
    assert_eq!(about(&app, token, &net, "DUPLICATE_CANDIDATE", &b).await, 0);
}
