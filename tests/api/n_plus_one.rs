//! Nested fields are batched by DataLoaders: a page of 100 touchpoints with owner, phase and
//! alignments runs the same handful of statements as a page of 10.
use serde_json::json;

use crate::helpers::{create_touchpoint, minimal_input, spawn_app_with, Network};

const PAGE: &str = "query($n: Int!) { touchpoints(first: $n) { nodes {
  name owner { name } phase { name }
  alignment { average ratings { score principle { name } } }
} } }";

#[actix_web::test]
async fn listing_100_touchpoints_costs_the_same_statements_as_listing_10() {
    // Without the caches, so that both pages look up their owners and phases (CACHE_TTL
    // would keep the first page's for the second).
    let app = spawn_app_with(|s| s.cache_ttl = std::time::Duration::ZERO).await;
    let net = Network::build(&app).await;
    for i in 0..100 {
        let token = if i % 2 == 0 {
            &net.brand_editor.token
        } else {
            &net.a_editor.token
        };
        let mut input = minimal_input(net.brand_id, net.phases[i % 6], &format!("tp-{i}"));
        input["visibility"] = json!("NETWORK");
        let id = create_touchpoint(&app, token, input).await;
        if i % 3 == 0 {
            app.data(
                &net.brand_editor.token,
                "mutation($t: ID!, $p: ID!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: 1}) { touchpoint { id } } }",
                json!({ "t": id, "p": net.principles[i % 2].to_string() }),
            )
            .await;
        }
    }
    let mut counts = Vec::new();
    for n in [10, 100] {
        let before = app.db.statements_executed();
        let data = app
            .data(&net.brand_viewer.token, PAGE, json!({ "n": n }))
            .await;
        counts.push(app.db.statements_executed() - before);
        assert_eq!(data["touchpoints"]["nodes"].as_array().unwrap().len(), n);
    }
    eprintln!(
        "statements per request: 10 touchpoints → {}, 100 touchpoints → {}",
        counts[0], counts[1]
    );
    assert_eq!(counts[0], counts[1], "no N+1");
    assert!(counts[1] <= 8, "a handful of statements, got {}", counts[1]);
}
