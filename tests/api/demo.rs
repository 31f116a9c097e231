use serde_json::json;
use touchpoint_registry::demo;

use crate::helpers::{assert_ok, spawn_app};

#[actix_web::test]
async fn the_demo_seeds_once_and_its_printed_query_works_for_every_role() {
    let app = spawn_app().await;
    assert!(
        demo::seed(&app.db).await.unwrap(),
        "first seed creates the network"
    );
    assert!(
        !demo::seed(&app.db).await.unwrap(),
        "a second seed leaves it alone"
    );
    let tokens = demo::tokens(&app.db, &app.tokens).await.unwrap();
    assert_eq!(tokens.len(), 6);
    let mut totals = Vec::new();
    for (label, _, token) in &tokens {
        let resp = app.gql(token, demo::DEMO_QUERY, json!({})).await;
        assert_ok(&resp);
        let list = &resp["data"]["touchpoints"];
        assert_eq!(list["nodes"].as_array().unwrap().len(), 5, "{label}");
        totals.push(list["totalCount"].as_u64().unwrap());
    }
    // The brand sees its whole network (60+ touchpoints); a partner sees less (others'
    // PRIVATE touchpoints are hidden).
    assert!(totals[0] >= 60, "brand sees {}", totals[0]);
    assert!(
        totals[3] < totals[0],
        "partner sees {} of {}",
        totals[3],
        totals[0]
    );
    // The banner names a token per role and a curl line with the demo query.
    let banner = demo::banner(true, &tokens, "127.0.0.1:8080");
    assert!(banner.contains("curl") && banner.contains("partner VIEWER"));
}

#[actix_web::test]
async fn the_demo_has_partners_of_six_kinds_principles_and_journeys() {
    let app = spawn_app().await;
    demo::seed(&app.db).await.unwrap();
    let tokens = demo::tokens(&app.db, &app.tokens).await.unwrap();
    let resp = app
        .gql(
            &tokens[0].2,
            "{ brand(slug: \"northwind\") { phases { name keyMetric } principles { name } partners { partner { kind } } } }",
            json!({}),
        )
        .await;
    assert_ok(&resp);
    let brand = &resp["data"]["brand"];
    assert_eq!(brand["phases"].as_array().unwrap().len(), 6);
    assert!(brand["phases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["keyMetric"].is_string()));
    assert!(brand["principles"].as_array().unwrap().len() >= 5);
    let mut kinds: Vec<&str> = brand["partners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["partner"]["kind"].as_str().unwrap())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    assert!(kinds.len() >= 6, "{kinds:?}");
}

#[actix_web::test]
async fn the_demo_shows_at_least_three_kinds_of_insight() {
    let app = spawn_app().await;
    demo::seed(&app.db).await.unwrap();
    let tokens = demo::tokens(&app.db, &app.tokens).await.unwrap();
    let resp = app
        .gql(
            &tokens[0].2,
            "{ brand(slug: \"northwind\") { insights { code } } }",
            json!({}),
        )
        .await;
    assert_ok(&resp);
    let mut codes: Vec<&str> = resp["data"]["brand"]["insights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    assert!(codes.len() >= 3, "{codes:?}");
    // The demo's two look-alike touchpoints of different owners.
    assert!(codes.contains(&"DUPLICATE_CANDIDATE"), "{codes:?}");
}
