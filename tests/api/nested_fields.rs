//! A touchpoint's owner, phase and alignment read the same on every path: loaded with its
//! page or its by-id look-up (the prefetch), or one by one through the DataLoaders (the
//! change feed's touchpoints).
use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::helpers::{create_touchpoint, minimal_input, spawn_app, Network, TestApp};

const FRAGMENT: &str = "fragment N on Touchpoint {
  id owner { id name } phase { id name }
  alignment { average ratings { score principle { name } } }
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
               alignment { average ratings { score principle { name } } }
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

    // One by one through the loaders: the change feed's touchpoints as they are now.
    let feed = app
        .data(
            token,
            &format!(
                "query($b: ID!) {{ touchpointChanges(brandId: $b, first: 50) {{ nodes {{ touchpoint {{ ...N }} }} }} }} {FRAGMENT}"
            ),
            vars.clone(),
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
                "query($id: ID!) { touchpoint(id: $id) { id alignment { average ratings { score principle { name } } } } }",
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
async fn a_page_loads_only_the_neighbours_its_selection_asks_for() {
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
    let owner = count("query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) { nodes { id owner { name } } } }").await;
    let all = count("query($b: ID!) { touchpoints(first: 50, filter: {brandId: $b}) { nodes { id owner { name } phase { name } alignment { average } } } }").await;
    assert_eq!(owner, bare + 1, "one statement for the page's owners");
    assert_eq!(all, bare + 3, "one each for owners, phases and ratings");
}
