//! Relay pagination over touchpoints.
use serde_json::{json, Value};

use crate::helpers::{
    assert_ok, create_touchpoint, error_code, error_field, minimal_input, spawn_app, Network,
};

const PAGE: &str = "query($first: Int, $after: String, $last: Int, $before: String, $order: TouchpointOrder, $f: TouchpointFilter) {
  touchpoints(first: $first, after: $after, last: $last, before: $before, orderBy: $order, filter: $f) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name priorityScore } }
  }
}";

fn names(resp: &Value) -> Vec<String> {
    resp["data"]["touchpoints"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn pages_walk_forward_and_backward_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    for i in 0..25 {
        let mut input = minimal_input(net.brand_id, net.phases[i % 6], &format!("tp-{i:02}"));
        if i % 5 != 0 {
            // Every fifth stays without a priority: those sort last either way.
            input["importance"] = json!(1 + (i % 5) as i64);
            input["urgency"] = json!(3);
            input["maturity"] = json!(3);
            input["effort"] = json!(2);
            input["benefit"] = json!(4);
        }
        create_touchpoint(&app, token, input).await;
    }
    for direction in ["ASC", "DESC"] {
        let order = json!({ "field": "PRIORITY", "direction": direction });
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let resp = app
                .gql(
                    token,
                    PAGE,
                    json!({ "first": 10, "after": after, "order": order }),
                )
                .await;
            assert_ok(&resp);
            seen.extend(names(&resp));
            let info = &resp["data"]["touchpoints"]["pageInfo"];
            if !info["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = info["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen.len(), 25, "{direction}: {seen:?}");
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 25, "{direction}: no repeats");
        // The five without a priority come last.
        let tail: Vec<&String> = seen.iter().rev().take(5).collect();
        assert!(
            tail.iter()
                .all(|n| ["tp-00", "tp-05", "tp-10", "tp-15", "tp-20"].contains(&n.as_str())),
            "{direction}: {seen:?}"
        );

        // Backward from the end gives the same order.
        let mut back = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let resp = app
                .gql(
                    token,
                    PAGE,
                    json!({ "last": 10, "before": before, "order": order }),
                )
                .await;
            assert_ok(&resp);
            let mut page = names(&resp);
            page.extend(back);
            back = page;
            let info = &resp["data"]["touchpoints"]["pageInfo"];
            if !info["hasPreviousPage"].as_bool().unwrap() {
                break;
            }
            before = info["startCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(back, seen, "{direction}: backward walk matches forward");
    }
}

#[actix_web::test]
async fn the_default_order_is_most_recently_updated_first() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    for name in ["first", "second", "third"] {
        create_touchpoint(
            &app,
            token,
            minimal_input(net.brand_id, net.phases[0], name),
        )
        .await;
    }
    let resp = app.gql(token, PAGE, json!({})).await;
    assert_eq!(names(&resp), ["third", "second", "first"]);
    assert_eq!(resp["data"]["touchpoints"]["totalCount"], 3);
}

#[actix_web::test]
async fn page_size_and_cursors_are_checked() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    for i in 0..3 {
        create_touchpoint(
            &app,
            token,
            minimal_input(net.brand_id, net.phases[0], &format!("n{i}")),
        )
        .await;
    }
    let resp = app.gql(token, PAGE, json!({ "first": 101 })).await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&resp), Some("first"));
    let resp = app.gql(token, PAGE, json!({ "first": -1 })).await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    let resp = app.gql(token, PAGE, json!({ "first": 100 })).await;
    assert_ok(&resp);
    // A cursor from another ordering or filter, or a forged one, is refused.
    let by_name = app
        .gql(
            token,
            PAGE,
            json!({ "first": 1, "order": { "field": "NAME", "direction": "ASC" } }),
        )
        .await;
    let cursor = by_name["data"]["touchpoints"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app
        .gql(token, PAGE, json!({ "first": 1, "after": cursor }))
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    assert_eq!(error_field(&resp), Some("after"));
    let resp = app
        .gql(token, PAGE, json!({ "first": 1, "after": cursor, "order": { "field": "NAME", "direction": "ASC" }, "f": { "search": "n" } }))
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    let resp = app
        .gql(token, PAGE, json!({ "first": 1, "after": "garbage!" }))
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
}

#[actix_web::test]
async fn search_is_case_insensitive_on_name_and_description() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "Showroom Welcome"),
    )
    .await;
    let mut input = minimal_input(net.brand_id, net.phases[0], "Door");
    input["description"] = json!("The SHOWROOM door, 100% open");
    create_touchpoint(&app, token, input).await;
    create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "Unrelated"),
    )
    .await;
    let resp = app
        .gql(token, PAGE, json!({ "f": { "search": "showroom" } }))
        .await;
    assert_eq!(resp["data"]["touchpoints"]["totalCount"], 2);
    let resp = app
        .gql(token, PAGE, json!({ "f": { "search": "100%" } }))
        .await;
    assert_eq!(names(&resp), ["Door"], "wildcards are matched literally");
    let resp = app
        .gql(token, PAGE, json!({ "f": { "search": "%" } }))
        .await;
    assert_eq!(resp["data"]["touchpoints"]["totalCount"], 1);
}
