//! Each request limit: one request just under it passes, one just over is LIMIT_EXCEEDED —
//! answered before any resolver runs.
use serde_json::json;

use crate::helpers::{error_code, spawn_app, spawn_app_with, Network};

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
        error_code(&app.gql(token, &aliases(31), json!({})).await),
        Some("LIMIT_EXCEEDED")
    );

    // Root fields (30), without aliases: repeated __typename is one field per selection.
    let roots = |n: usize| format!("{{ {} }}", "__typename ".repeat(n));
    assert!(ok(&app.gql(token, &roots(30), json!({})).await));
    assert_eq!(
        error_code(&app.gql(token, &roots(31), json!({})).await),
        Some("LIMIT_EXCEEDED")
    );

    // Field selections (1,000): repeated __typename counts every time.
    assert!(ok(&app.gql(token, &typenames(1000), json!({})).await));
    assert_eq!(
        error_code(&app.gql(token, &typenames(1001), json!({})).await),
        Some("LIMIT_EXCEEDED")
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
        error_code(&app.gql(token, &nest(3), json!({})).await),
        Some("LIMIT_EXCEEDED"),
        "depth 12"
    );

    // Complexity (20,000): page sizes multiply.
    let wide = |first: usize| {
        format!("{{ touchpoints(first: {first}) {{ nodes {{ owner {{ touchpoints(first: {first}) {{ nodes {{ id name }} }} }} }} }} }}")
    };
    assert!(
        ok(&app.gql(token, &wide(50), json!({})).await),
        "50 × 50 × 4"
    );
    assert_eq!(
        error_code(&app.gql(token, &wide(100), json!({})).await),
        Some("LIMIT_EXCEEDED"),
        "100 × 100 × 4"
    );

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
    assert_eq!(error_code(&two), Some("LIMIT_EXCEEDED"), "{two}");
}
