//! A touchpoint's owner, phase and alignment read the same on every path: loaded with its
//! page or its by-id look-up (the prefetch), or one by one through the DataLoaders (the
//! change feed's touchpoints).
use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::helpers::{create_touchpoint, minimal_input, spawn_app, Network, TestApp};

const FRAGMENT: &str = "fragment N on Touchpoint {
  id owner { id name } phase { id name }
  alignment { average ratings { id score note ratedBy ratedAt principle { id name version } } }
}";

/// Touchpoint id → what the fragment shows of it.
fn by_id<'a>(nodes: impl IntoIterator<Item = &'a Value>) -> BTreeMap<String, Value> {
    nodes
        .into_iter()
        .map(|n| (n["id"].as_str().unwrap().to_owned(), n.clone()))
        .collect()
}

async fn seeded() -> (TestApp, Network) {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    for i in 0..6 {
        let token = if i % 2 == 0 {
            &net.brand_editor.token
        } else {
            &net.a_editor.token
        };
        let mut input = minimal_input(net.brand_id, net.phases[i % 3], &format!("tp-{i}"));
        input["visibility"] = json!("NETWORK");
        let id = create_touchpoint(&app, token, input).await;
        for (k, principle) in net.principles.iter().enumerate().take(i % 3) {
            app.data(
                &net.brand_editor.token,
                "mutation($t: ID!, $p: ID!, $s: Int!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: $s}) { touchpoint { id } } }",
                json!({ "t": id, "p": principle.to_string(), "s": (k as i32) - 1 }),
            )
            .await;
        }
    }
    (app, net)
}

#[actix_web::test]
async fn owner_phase_and_alignment_are_the_same_loaded_with_the_page_or_one_by_one() {
    let (app, net) = seeded().await;
    let token = &net.brand_viewer.token;
    let vars = json!({ "b": net.brand_id.to_string() });

    // The page's nodes, through a fragment spread.
    let nodes = app
        .data(
            token,
            &format!(
                "query($b: ID!) {{ touchpoints(first: 50, filter: {{brandId: $b}}) {{ nodes {{ ...N }} }} }} {FRAGMENT}"
            ),
            vars.clone(),
        )
        .await;
    let from_nodes = by_id(nodes["touchpoints"]["nodes"].as_array().unwrap());
    assert_eq!(from_nodes.len(), 6);
    let rated = from_nodes
        .values()
        .filter(|n| !n["alignment"]["ratings"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(rated, 4, "the seed rates four of the six: {from_nodes:?}");
    // The seed's k-th rating of a touchpoint is principle k's, scored k - 1, by the editor.
    for node in from_nodes.values() {
        for (k, rating) in node["alignment"]["ratings"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
        {
            assert_eq!(
                rating["principle"]["id"],
                net.principles[k].to_string(),
                "{node}"
            );
            assert_eq!(rating["score"], k as i64 - 1, "{node}");
            assert_eq!(rating["ratedBy"], "editor@acme.test", "{node}");
        }
    }
    let owners: std::collections::BTreeSet<&str> = from_nodes
        .values()
        .map(|n| n["owner"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(owners.len(), 2, "the brand's and dealer A's");

    // The same through edges, an inline fragment and an alias.
    let edges = app
        .data(
            token,
            "query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) { edges { node {
               id ... on Touchpoint { o: owner { id name } } phase { id name }
               alignment { average ratings { id score note ratedBy ratedAt principle { id name version } } }
             } } } }",
            vars.clone(),
        )
        .await;
    let from_edges = by_id(
        edges["touchpoints"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| &e["node"]),
    );
    for (id, node) in &from_edges {
        let mut renamed = node.clone();
        let owner = renamed.as_object_mut().unwrap().remove("o").unwrap();
        renamed["owner"] = owner;
        assert_eq!(&renamed, &from_nodes[id], "edges vs nodes for {id}");
    }

    // One by one through the loaders: the change feed's touchpoints as they are now, once
    // the feed shows all six creations (see `data_until`).
    let feed = app
        .data_until(
            token,
            &format!(
                "query($b: ID!) {{ touchpointChanges(brandId: $b, first: 50) {{ nodes {{ kind touchpoint {{ ...N }} }} }} }} {FRAGMENT}"
            ),
            vars.clone(),
            |feed| {
                feed["touchpointChanges"]["nodes"]
                    .as_array()
                    .is_some_and(|n| n.iter().filter(|c| c["kind"] == "CREATED").count() == 6)
            },
        )
        .await;
    let from_loaders = by_id(
        feed["touchpointChanges"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| &c["touchpoint"]),
    );
    assert_eq!(from_loaders, from_nodes);

    // By id, with only some of the three asked for.
    for (id, expected) in &from_nodes {
        let one = app
            .data(
                token,
                "query($id: ID!) { touchpoint(id: $id) { id alignment { average ratings { id score note ratedBy ratedAt principle { id name version } } } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(one["touchpoint"]["alignment"], expected["alignment"]);
        let full = app
            .data(
                token,
                &format!("query($id: ID!) {{ touchpoint(id: $id) {{ ...N }} }} {FRAGMENT}"),
                json!({ "id": id }),
            )
            .await;
        assert_eq!(&full["touchpoint"], expected);
    }
}

#[actix_web::test]
async fn a_page_loads_only_the_neighbours_its_selection_asks_for_and_keeps_the_shared_ones() {
    let (app, net) = seeded().await;
    let token = &net.brand_viewer.token;
    let vars = json!({ "b": net.brand_id.to_string() });
    // Warm the caller (principal cache) so that each count is the list's own statements.
    app.data(token, "{ viewer { name } }", json!({})).await;
    let count = |query: &'static str| {
        let app = &app;
        let vars = vars.clone();
        async move {
            let before = app.db.statements_executed();
            let data = app.data(token, query, vars).await;
            assert_eq!(data["touchpoints"]["nodes"].as_array().unwrap().len(), 6);
            app.db.statements_executed() - before
        }
    };
    let bare =
        count("query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) { nodes { id } } }")
            .await;
    let owners = "query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) { nodes { id owner { name } } } }";
    assert_eq!(
        count(owners).await,
        bare + 1,
        "one statement for the page's owners"
    );
    assert_eq!(count(owners).await, bare, "then kept (CACHE_TTL)");
    let all = "query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) { nodes { id owner { name } phase { name } alignment { average } } } }";
    assert_eq!(
        count(all).await,
        bare + 3,
        "one each for the phases, the ratings and their principles; owners kept"
    );
    assert_eq!(
        count(all).await,
        bare + 1,
        "then only the ratings: phases and principles kept"
    );
}

const PHASE_NAMES: &str = "query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) {
  nodes { phase { id name version } }
} }";

/// Phase id → name, as a page of touchpoints shows it.
fn phase_names(data: &Value) -> BTreeMap<String, String> {
    data["touchpoints"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["phase"]["id"].as_str().unwrap().to_owned(),
                n["phase"]["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const RENAME_PHASE: &str = "mutation($id: ID!, $v: Int!, $name: String!) {
  updatePhase(input: {id: $id, expectedVersion: $v, name: $name}) { phase { name } }
}";

/// Phases are cached (`CACHE_TTL`): a rename through the API shows on the next request.
#[actix_web::test]
async fn a_phase_renamed_through_the_api_shows_at_once_in_lists() {
    let (app, net) = seeded().await;
    let vars = json!({ "b": net.brand_id.to_string() });
    let before = app
        .data(&net.brand_viewer.token, PHASE_NAMES, vars.clone())
        .await;
    let node = &before["touchpoints"]["nodes"][0]["phase"];
    let id = node["id"].as_str().unwrap().to_owned();
    app.data(
        &net.brand_admin.token,
        RENAME_PHASE,
        json!({ "id": id, "v": node["version"], "name": "Renamed phase" }),
    )
    .await;
    let after = app.data(&net.brand_viewer.token, PHASE_NAMES, vars).await;
    assert_eq!(phase_names(&after)[&id], "Renamed phase");
    assert_ne!(phase_names(&before)[&id], "Renamed phase");
}

/// The principle names of every rating on the brand's first page, by principle id.
fn rated_principles(data: &Value) -> BTreeMap<String, String> {
    data["touchpoints"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["alignment"]["ratings"].as_array().unwrap())
        .map(|r| {
            let p = &r["principle"];
            (
                p["id"].as_str().unwrap().to_owned(),
                p["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Principles are cached as phases are: a rename or an archive through the API shows in the
/// ratings of the next page.
#[actix_web::test]
async fn a_principle_renamed_or_archived_through_the_api_shows_at_once_in_lists() {
    let (app, net) = seeded().await;
    let page = || {
        app.data(
            &net.brand_viewer.token,
            "query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) { nodes { alignment { ratings { principle { id name } } } } } }",
            json!({ "b": net.brand_id.to_string() }),
        )
    };
    let id = net.principles[0].to_string();
    assert!(
        rated_principles(&page().await).contains_key(&id),
        "rated, and now cached"
    );

    app.data(
        &net.brand_admin.token,
        "mutation($id: ID!) { updatePrinciple(input: {id: $id, expectedVersion: 1, name: \"Renamed principle\"}) { principle { name } } }",
        json!({ "id": id }),
    )
    .await;
    assert_eq!(rated_principles(&page().await)[&id], "Renamed principle");

    app.data(
        &net.brand_admin.token,
        "mutation($id: ID!) { archivePrinciple(input: {id: $id}) { principle { archivedAt } } }",
        json!({ "id": id }),
    )
    .await;
    let after = rated_principles(&page().await);
    assert!(!after.contains_key(&id), "archived: its ratings left out");
    assert!(!after.is_empty(), "the other principle's ratings stay");
}

/// Several instances on one PostgreSQL database: a rename through one empties the other's
/// cache through its notification, long before the time to live.
#[actix_web::test]
async fn a_phase_renamed_on_one_instance_shows_on_another_that_cached_it() {
    let (app, net) = seeded().await;
    let url = app.settings.database_url();
    if !url.starts_with("postgres") {
        eprintln!("skipped: several instances share a database on PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    let env = [("CACHE_TTL", "600s")];
    let dir = app.settings.data_dir.clone();
    let one = crate::helpers::start_instance_with_env(&url, &dir, &env).await;
    let two = crate::helpers::start_instance_with_env(&url, &dir, &env).await;
    let list = json!({ "query": PHASE_NAMES, "variables": { "b": net.brand_id.to_string() } });
    let names_on_two = || async {
        let (status, body) = two.post_graphql(Some(&net.brand_viewer.token), &list).await;
        assert_eq!(status, 200, "{body}");
        phase_names(&body["data"])
    };
    let cached = app
        .data(
            &net.brand_viewer.token,
            PHASE_NAMES,
            json!({ "b": net.brand_id.to_string() }),
        )
        .await;
    let node = &cached["touchpoints"]["nodes"][0]["phase"];
    let id = node["id"].as_str().unwrap().to_owned();
    assert_eq!(
        names_on_two().await[&id],
        node["name"].as_str().unwrap(),
        "cached on two"
    );

    let rename = json!({
        "query": RENAME_PHASE,
        "variables": { "id": id, "v": node["version"], "name": "Renamed on one" },
    });
    let (status, body) = one
        .post_graphql(Some(&net.brand_admin.token), &rename)
        .await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");

    let renamed = std::time::Instant::now();
    while names_on_two().await[&id] != "Renamed on one" {
        assert!(
            renamed.elapsed() < std::time::Duration::from_secs(3),
            "instance two still shows the old name"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
