//! Every write leaves an audit entry: who (actor and organization), what (action, entity),
//! in which network, and the fields it changed, each before and after.
use serde_json::{json, Value};

use crate::helpers::{create_touchpoint, minimal_input, spawn_app, Network};

#[actix_web::test]
async fn every_write_is_audited_with_actor_entity_and_before_after() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Audited"),
    )
    .await;
    app.data(&net.a_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Audited v2\"}) { touchpoint { id } } }", json!({ "id": id }))
        .await;
    app.data(&net.brand_editor.token, "mutation($id: ID!) { reviewTouchpoint(input: {id: $id, decision: APPROVE}) { touchpoint { id } } }", json!({ "id": id }))
        .await;
    app.data(
        &net.brand_editor.token,
        "mutation($t: ID!, $p: ID!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: 2}) { touchpoint { id } } }",
        json!({ "t": id, "p": net.principles[0].to_string() }),
    )
    .await;
    app.data(
        &net.a_editor.token,
        "mutation($id: ID!) { archiveTouchpoint(input: {id: $id}) { touchpoint { id } } }",
        json!({ "id": id }),
    )
    .await;
    app.data(
        &net.a_admin.token,
        "mutation { createApiClient(input: {name: \"dms\", role: EDITOR}) { clientId } }",
        json!({}),
    )
    .await;

    let log = app
        .data(&net.brand_admin.token, "query($e: ID!) { auditLog(entityId: $e) { nodes { action actorKind actorLabel organization { slug } brandId entityType before after } } }", json!({ "e": id }))
        .await;
    let nodes = log["auditLog"]["nodes"].as_array().unwrap();
    let actions: Vec<&str> = nodes
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "touchpoint.archive",
            "alignment.rate",
            "touchpoint.review",
            "touchpoint.update",
            "touchpoint.create"
        ]
    );
    let update = &nodes[3];
    assert_eq!(update["actorKind"], "USER");
    assert_eq!(update["actorLabel"], "editor@dealer-a.test");
    assert_eq!(update["organization"]["slug"], "dealer-a");
    assert_eq!(update["brandId"], net.brand_id.to_string());
    assert_eq!(update["entityType"], "Touchpoint");
    assert_eq!(update["before"]["name"], "Audited");
    assert_eq!(update["after"]["name"], "Audited v2");
    assert!(nodes[4]["before"].is_null(), "a create has no before");
    assert_eq!(nodes[2]["organization"]["slug"], "acme");

    // Dealer A's admin reads its own organization's entries, including the API client.
    let own = app
        .data(
            &net.a_admin.token,
            "{ auditLog(first: 100) { nodes { action organization { slug } } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = own["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"api_client.create") && actions.contains(&"touchpoint.update"),
        "{actions:?}"
    );
    assert!(
        !actions.contains(&"touchpoint.review"),
        "the brand's review is the brand's entry"
    );
}

#[actix_web::test]
async fn the_audit_log_pages_newest_first() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    for i in 0..7 {
        create_touchpoint(
            &app,
            &net.brand_editor.token,
            minimal_input(net.brand_id, net.phases[0], &format!("t{i}")),
        )
        .await;
    }
    let mut seen: Vec<Value> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = app
            .data(&net.brand_admin.token, "query($a: String) { auditLog(first: 3, after: $a) { nodes { id at } pageInfo { hasNextPage endCursor } } }", json!({ "a": after }))
            .await;
        seen.extend(
            page["auditLog"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
        if !page["auditLog"]["pageInfo"]["hasNextPage"]
            .as_bool()
            .unwrap()
        {
            break;
        }
        after = page["auditLog"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
    let ids: std::collections::HashSet<&str> =
        seen.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), seen.len(), "no repeats");
    let times: Vec<&str> = seen.iter().map(|n| n["at"].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(times, sorted, "newest first");
    assert!(
        seen.len() >= 7 + 2,
        "the network's setup and the seven creates"
    );
}

/// The ledger keeps, per write, only the fields it changed with their values before and after,
/// the new version and the path it came by; the feed and the touchpoint's history read the same
/// entries.
#[actix_web::test]
async fn each_entry_lists_the_changed_fields_the_version_and_the_path() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.brand_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Ledgered"),
    )
    .await;
    app.data(
        &net.brand_editor.token,
        "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Ledgered v2\", importance: 3}) { touchpoint { id } } }",
        json!({ "id": id }),
    )
    .await;
    let history = app
        .data(
            &net.brand_admin.token,
            "query($id: ID!) { touchpoint(id: $id) { history { nodes {
               action version via actorLabel changes { field before after } before after
             } } } }",
            json!({ "id": id }),
        )
        .await;
    let nodes = &history["touchpoint"]["history"]["nodes"];
    assert_eq!(nodes[0]["action"], "touchpoint.update", "{history:#}");
    assert_eq!(nodes[0]["version"], 2);
    assert_eq!(nodes[0]["via"], "MUTATION");
    assert_eq!(nodes[0]["actorLabel"], "editor@acme.test");
    assert_eq!(
        nodes[0]["changes"],
        json!([
            { "field": "importance", "before": null, "after": 3 },
            { "field": "name", "before": "Ledgered", "after": "Ledgered v2" },
        ])
    );
    assert_eq!(
        nodes[0]["before"],
        json!({ "importance": null, "name": "Ledgered", "version": 1 })
    );
    assert_eq!(
        nodes[0]["after"],
        json!({ "importance": 3, "name": "Ledgered v2", "version": 2 })
    );
    let create = &nodes[1];
    assert_eq!(create["action"], "touchpoint.create");
    assert_eq!(create["version"], 1);
    assert!(create["before"].is_null(), "a create has no before");
    let set: Vec<&Value> = create["changes"].as_array().unwrap().iter().collect();
    assert!(set.contains(&&json!({ "field": "name", "before": null, "after": "Ledgered" })));
    assert!(
        set.iter()
            .all(|c| c["before"].is_null() && !c["after"].is_null()),
        "a create lists the fields it set: {set:?}"
    );

    // The feed reads the same entries.
    let feed = app
        .data_until(
            &net.brand_viewer.token,
            "query($b: ID!) { touchpointChanges(brandId: $b) { nodes { kind version changes { field after } } } }",
            json!({ "b": net.brand_id.to_string() }),
            |d| {
                d["touchpointChanges"]["nodes"]
                    .as_array()
                    .is_some_and(|n| n.len() >= 2)
            },
        )
        .await;
    let update = &feed["touchpointChanges"]["nodes"][1];
    assert_eq!(update["kind"], "UPDATED");
    assert_eq!(update["version"], 2);
    assert_eq!(
        update["changes"],
        json!([{ "field": "importance", "after": 3 }, { "field": "name", "after": "Ledgered v2" }])
    );
}
