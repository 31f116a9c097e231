//! Each request limit: one request just under it passes, one just over is LIMIT_EXCEEDED —
//! answered before any resolver runs.
use serde_json::json;

use crate::helpers::{error_code, spawn_app, spawn_app_with, urlencode, Network};

/// The limit a refusal names, with the request's value and the maximum, from `extensions`;
/// the message says the same.
fn limit_of(resp: &serde_json::Value) -> (String, u64, u64) {
    assert_eq!(error_code(resp), Some("LIMIT_EXCEEDED"), "{resp}");
    let error = &resp["errors"][0];
    let ext = &error["extensions"];
    let (limit, value, max) = (
        ext["limit"].as_str().expect("extensions.limit").to_owned(),
        ext["value"].as_u64().expect("extensions.value"),
        ext["max"].as_u64().expect("extensions.max"),
    );
    let message = error["message"].as_str().unwrap_or_default();
    let grouped = |n: u64| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    assert!(
        message.ends_with(&format!(
            "{} exceeds the limit of {}",
            grouped(value),
            grouped(max)
        )),
        "{message}"
    );
    (limit, value, max)
}

fn aliases(n: usize) -> String {
    let fields: Vec<String> = (0..n).map(|i| format!("a{i}: __typename")).collect();
    format!("{{ {} }}", fields.join(" "))
}

fn typenames(n: usize) -> String {
    format!("{{ viewer {{ {} }} }}", "__typename ".repeat(n - 1))
}

#[actix_web::test]
async fn each_limit_passes_just_under_and_refuses_just_over() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    let ok = |resp: &serde_json::Value| resp.get("errors").is_none();

    // Aliases (30) — also 30 root fields.
    assert!(ok(&app.gql(token, &aliases(30), json!({})).await));
    assert_eq!(
        limit_of(&app.gql(token, &aliases(31), json!({})).await),
        ("aliases".into(), 31, 30)
    );

    // Root fields (30), without aliases: repeated __typename is one field per selection.
    let roots = |n: usize| format!("{{ {} }}", "__typename ".repeat(n));
    assert!(ok(&app.gql(token, &roots(30), json!({})).await));
    assert_eq!(
        limit_of(&app.gql(token, &roots(31), json!({})).await),
        ("rootFields".into(), 31, 30)
    );

    // Field selections (1,000): repeated __typename counts every time.
    assert!(ok(&app.gql(token, &typenames(1000), json!({})).await));
    assert_eq!(
        limit_of(&app.gql(token, &typenames(1001), json!({})).await),
        ("fields".into(), 1001, 1000)
    );

    // Depth (10): viewer > organization > touchpoints > nodes > owner > touchpoints > …
    let nest = |levels: usize| {
        let mut q = String::from("name");
        for _ in 0..levels {
            q = format!("touchpoints(first: 1) {{ nodes {{ owner {{ {q} }} }} }}");
        }
        format!("{{ viewer {{ organization {{ {q} }} }} }}")
    };
    assert!(ok(&app.gql(token, &nest(2), json!({})).await), "depth 9");
    assert_eq!(
        limit_of(&app.gql(token, &nest(3), json!({})).await),
        ("depth".into(), 12, 10)
    );

    // Complexity (20,000): page sizes multiply.
    let wide = |first: usize| {
        format!("{{ touchpoints(first: {first}) {{ nodes {{ owner {{ touchpoints(first: {first}) {{ nodes {{ id name }} }} }} }} }} }}")
    };
    assert!(
        ok(&app.gql(token, &wide(50), json!({})).await),
        "50 × 50 × 4"
    );
    let (limit, value, max) = limit_of(&app.gql(token, &wide(100), json!({})).await);
    assert_eq!(
        (limit.as_str(), max),
        ("complexity", 20_000),
        "100 × 100 × 4"
    );
    assert!(value > 20_000, "{value}");
    // Page sizes given by variables are measured with their values (the request is read
    // again for the figure; a batch's or a GET's the same way).
    let by_variable = "query($n: Int!) { touchpoints(first: $n) { nodes { owner { touchpoints(first: $n) { nodes { id name } } } } } }";
    assert!(ok(&app.gql(token, by_variable, json!({"n": 50})).await));
    assert_eq!(
        limit_of(&app.gql(token, by_variable, json!({"n": 100})).await),
        ("complexity".into(), value, 20_000),
        "the same figure as with literals"
    );
    let path = format!(
        "/graphql?query={}&variables={}",
        urlencode(by_variable),
        urlencode(r#"{"n": 100}"#)
    );
    let bearer = format!("Bearer {token}");
    let (_, _, by_get) = app
        .raw("GET", &path, &[("authorization", bearer.as_str())], vec![])
        .await;
    let by_get: serde_json::Value = serde_json::from_str(&by_get).unwrap_or_default();
    assert_eq!(limit_of(&by_get), ("complexity".into(), value, 20_000));

    assert!(app.healthy(token).await);
}

#[actix_web::test]
async fn limits_are_configurable() {
    let app = spawn_app_with(|s| {
        s.limits.max_aliases = 2;
        s.limits.max_depth = 3;
        s.limits.max_directives = 1;
    })
    .await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    assert!(app
        .gql(token, &aliases(2), json!({}))
        .await
        .get("errors")
        .is_none());
    assert_eq!(
        error_code(&app.gql(token, &aliases(3), json!({})).await),
        Some("LIMIT_EXCEEDED")
    );
    assert_eq!(
        error_code(
            &app.gql(
                token,
                "{ viewer { organization { touchpoints { totalCount } } } }",
                json!({})
            )
            .await
        ),
        Some("LIMIT_EXCEEDED")
    );
    // Directives per field (only @include and @skip exist, and each may appear once, so
    // the boundary is tested at 1).
    assert!(app
        .gql(token, "{ viewer { name @include(if: true) } }", json!({}))
        .await
        .get("errors")
        .is_none());
    let two = app
        .gql(
            token,
            "{ viewer { name @include(if: true) @skip(if: false) } }",
            json!({}),
        )
        .await;
    assert_eq!(limit_of(&two), ("directives".into(), 2, 1));
}
