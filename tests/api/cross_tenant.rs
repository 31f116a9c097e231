//! Cross-tenant probes: a partner trying to reach another partner's PRIVATE data, and a
//! brand outside the network trying to reach anything of it, through every path.
use serde_json::json;

use crate::access_matrix::Ctx;
use crate::helpers::{error_code, node_names};

/// Every filter of `TouchpointFilter`, each set so that it would select the target.
fn filters_selecting_b_private(ctx: &Ctx) -> Vec<serde_json::Value> {
    vec![
        json!({}),
        json!({ "brandId": ctx.net.brand_id.to_string() }),
        json!({ "ownerId": ctx.net.dealer_b.to_string() }),
        json!({ "phaseId": ctx.net.phases[0].to_string() }),
        json!({ "ownership": "PARTNER" }),
        json!({ "channel": "WEBSITE" }),
        json!({ "expression": "DIGITAL" }),
        json!({ "signature": false }),
        json!({ "status": "ACTIVE" }),
        json!({ "reviewStatus": "PENDING" }),
        json!({ "visibility": "PRIVATE" }),
        json!({ "search": "B private" }),
        json!({ "updatedSince": "2000-01-01T00:00:00Z" }),
        json!({ "includeArchived": true }),
    ]
}

#[actix_web::test]
async fn no_filter_or_ordering_reveals_another_partners_private_touchpoint() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.a_admin.token;
    for filter in filters_selecting_b_private(&ctx) {
        for field in ["PRIORITY", "NAME", "UPDATED_AT", "CREATED_AT"] {
            for direction in ["ASC", "DESC"] {
                let resp = ctx
                    .app
                    .data(
                        token,
                        "query($f: TouchpointFilter, $o: TouchpointOrder) { touchpoints(filter: $f, orderBy: $o, first: 100) { totalCount nodes { name } } }",
                        json!({ "f": filter, "o": { "field": field, "direction": direction } }),
                    )
                    .await;
                let names = node_names(&resp["touchpoints"]);
                assert!(
                    !names.contains(&"B private".to_owned()),
                    "{filter} {field} {direction}"
                );
                assert_eq!(
                    resp["touchpoints"]["totalCount"].as_u64().unwrap() as usize,
                    names.len(),
                    "totalCount counts only what is visible"
                );
            }
        }
    }
}

#[actix_web::test]
async fn nested_paths_do_not_reveal_it_either() {
    let ctx = Ctx::new().await;
    // The brand puts B's private touchpoint in a journey; partner A reads the journey.
    let journey = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "mutation($b: ID!, $t1: ID!, $t2: ID!) { createJourney(input: {brandId: $b, name: \"J\", steps: [{touchpointId: $t1, major: true}, {touchpointId: $t2}]}) { journey { id } } }",
            json!({ "b": ctx.net.brand_id.to_string(), "t1": ctx.tps.b_private, "t2": ctx.tps.brand }),
        )
        .await["createJourney"]["journey"]["id"]
        .clone();
    let seen = ctx
        .app
        .data(
            &ctx.net.a_viewer.token,
            "query($j: ID!) { journey(id: $j) { steps { position major touchpoint { id name } } } }",
            json!({ "j": journey }),
        )
        .await;
    let steps = seen["journey"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "the step keeps its place");
    assert!(
        steps[0]["touchpoint"].is_null(),
        "but shows no touchpoint: {seen}"
    );
    assert_eq!(steps[1]["touchpoint"]["name"], "Brand site");
    // The brand sees both.
    let brand_view = ctx
        .app
        .data(
            &ctx.net.brand_viewer.token,
            "query($j: ID!) { journey(id: $j) { steps { touchpoint { name } } } }",
            json!({ "j": journey }),
        )
        .await;
    assert_eq!(
        brand_view["journey"]["steps"][0]["touchpoint"]["name"],
        "B private"
    );

    // Through the owner organization's nested list.
    let nested = ctx
        .app
        .data(
            &ctx.net.a_admin.token,
            "query($o: ID!) { organization(id: $o) { touchpoints(filter: {includeArchived: true}) { totalCount nodes { name } } } }",
            json!({ "o": ctx.net.dealer_b.to_string() }),
        )
        .await;
    assert_eq!(
        node_names(&nested["organization"]["touchpoints"]),
        ["B network"]
    );
    // A partner cannot use another organization's nested list to widen its own view.
    let own = ctx
        .app
        .data(
            &ctx.net.a_admin.token,
            "query($o: ID!, $b: ID!) { organization(id: $o) { touchpoints(filter: {ownerId: $b}) { nodes { name } } } }",
            json!({ "o": ctx.net.dealer_a.to_string(), "b": ctx.net.dealer_b.to_string() }),
        )
        .await;
    assert!(!node_names(&own["organization"]["touchpoints"]).contains(&"B private".to_owned()));
}

#[actix_web::test]
async fn every_mutation_on_an_invisible_touchpoint_is_not_found() {
    let ctx = Ctx::new().await;
    let id = &ctx.tps.b_private;
    let principle = ctx.net.principles[0].to_string();
    let probes = [
        ("mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"x\"}) { touchpoint { id } } }", json!({ "id": id })),
        ("mutation($id: ID!) { archiveTouchpoint(input: {id: $id}) { touchpoint { id } } }", json!({ "id": id })),
        ("mutation($id: ID!) { restoreTouchpoint(input: {id: $id}) { touchpoint { id } } }", json!({ "id": id })),
        ("mutation($id: ID!) { reviewTouchpoint(input: {id: $id, decision: APPROVE}) { touchpoint { id } } }", json!({ "id": id })),
        ("mutation($id: ID!) { setSignature(input: {id: $id, signature: true}) { touchpoint { id } } }", json!({ "id": id })),
        ("mutation($id: ID!, $p: ID!) { rateAlignment(input: {touchpointId: $id, principleId: $p, score: 1}) { touchpoint { id } } }", json!({ "id": id, "p": principle })),
    ];
    for who in [&ctx.net.a_admin, &ctx.net.a_editor, &ctx.net.other_admin] {
        for (query, vars) in &probes {
            let resp = ctx.app.gql(&who.token, query, vars.clone()).await;
            assert_eq!(
                error_code(&resp),
                Some("NOT_FOUND"),
                "{} {query}: {resp}",
                who.email
            );
        }
    }
    // Putting it in one's own journey is refused as unknown, not forbidden.
    let journey = ctx
        .app
        .data(&ctx.net.a_editor.token, "mutation($b: ID!) { createJourney(input: {brandId: $b, name: \"A's\"}) { journey { id } } }", json!({ "b": ctx.net.brand_id.to_string() }))
        .await["createJourney"]["journey"]["id"]
        .clone();
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_editor.token,
            "mutation($j: ID!, $t: ID!) { setJourneySteps(input: {journeyId: $j, steps: [{touchpointId: $t}]}) { journey { id } } }",
            json!({ "j": journey, "t": id }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    assert_eq!(
        resp["errors"][0]["extensions"]["field"],
        "steps.0.touchpointId"
    );
}

#[actix_web::test]
async fn a_partner_rates_only_its_own_touchpoints() {
    let ctx = Ctx::new().await;
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_editor.token,
            "mutation($t: ID!, $p: ID!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: -2}) { touchpoint { id } } }",
            json!({ "t": ctx.tps.b_network, "p": ctx.net.principles[0].to_string() }),
        )
        .await;
    assert_eq!(
        error_code(&resp),
        Some("FORBIDDEN"),
        "visible, so FORBIDDEN: {resp}"
    );
    let ratings = ctx
        .app
        .data(
            &ctx.net.b_editor.token,
            "query($t: ID!) { touchpoint(id: $t) { alignment { ratings { score } } } }",
            json!({ "t": ctx.tps.b_network }),
        )
        .await;
    assert_eq!(ratings["touchpoint"]["alignment"]["ratings"], json!([]));
}

#[actix_web::test]
async fn a_brand_outside_the_network_sees_nothing_of_it() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.other_admin.token;
    let resp = ctx
        .app
        .data(
            token,
            "query($b: ID!, $a: ID!) { brand(id: $b) { name } organization(id: $a) { name } touchpoints(first: 100) { totalCount } }",
            json!({ "b": ctx.net.brand_id.to_string(), "a": ctx.net.dealer_a.to_string() }),
        )
        .await;
    assert!(resp["brand"].is_null());
    assert!(resp["organization"].is_null());
    assert_eq!(resp["touchpoints"]["totalCount"], 0);
    for id in [&ctx.tps.brand, &ctx.tps.a_network, &ctx.tps.b_private] {
        let resp = ctx
            .app
            .data(
                token,
                "query($id: ID!) { touchpoint(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert!(resp["touchpoint"].is_null());
    }
    let resp = ctx
        .app
        .gql(
            token,
            "mutation($b: ID!) { createPhase(input: {brandId: $b, name: \"x\"}) { phase { id } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("NOT_FOUND"));
    // Its audit log holds nothing of the other network.
    let log = ctx
        .app
        .data(
            token,
            "{ auditLog(first: 100) { nodes { brandId } } }",
            json!({}),
        )
        .await;
    let other = ctx.net.other_brand_id.to_string();
    assert!(log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["brandId"].is_null() || n["brandId"] == other.as_str()));
}

#[actix_web::test]
async fn the_audit_log_and_history_do_not_leak_across_partners() {
    let ctx = Ctx::new().await;
    let resp = ctx
        .app
        .data(
            &ctx.net.a_admin.token,
            "query($e: ID!) { auditLog(entityId: $e) { nodes { action } } }",
            json!({ "e": ctx.tps.b_private }),
        )
        .await;
    assert_eq!(resp["auditLog"]["nodes"], json!([]));
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_admin.token,
            "query($o: ID!) { auditLog(organizationId: $o) { nodes { action } } }",
            json!({ "o": ctx.net.dealer_b.to_string() }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    // B's NETWORK touchpoint is visible to A, but its history is B's and the brand's.
    let resp = ctx
        .app
        .data(
            &ctx.net.a_admin.token,
            "query($t: ID!) { touchpoint(id: $t) { history { nodes { action actorLabel } } } }",
            json!({ "t": ctx.tps.b_network }),
        )
        .await;
    assert_eq!(resp["touchpoint"]["history"]["nodes"], json!([]));
    let resp = ctx
        .app
        .data(
            &ctx.net.b_editor.token,
            "query($t: ID!) { touchpoint(id: $t) { history { nodes { action actorLabel } } } }",
            json!({ "t": ctx.tps.b_network }),
        )
        .await;
    assert_eq!(
        resp["touchpoint"]["history"]["nodes"][0]["action"],
        "touchpoint.create"
    );
}
