use serde_json::json;

use crate::helpers::{error_code, spawn_app};

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    let (status, body) = app.get("/healthz").await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 200, "{body}");
}

#[actix_web::test]
async fn graphiql_is_served_to_a_browser() {
    let app = spawn_app().await;
    let (status, body) = app
        .get_accepting("/graphql", "text/html,application/xhtml+xml,*/*;q=0.8")
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("graphiql"), "{body}");
}

#[actix_web::test]
async fn introspection_needs_no_token_outside_production() {
    let app = spawn_app().await;
    let (status, resp) = app
        .post_graphql(
            None,
            &json!({ "query": "{ __schema { queryType { name } } }" }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(resp["data"]["__schema"]["queryType"]["name"], "Query");
}

#[actix_web::test]
async fn every_operation_needs_a_token() {
    let app = spawn_app().await;
    let (status, resp) = app
        .post_graphql(None, &json!({ "query": "{ viewer { name } }" }))
        .await;
    assert_eq!(status, 200);
    assert_eq!(error_code(&resp), Some("UNAUTHENTICATED"));
    assert!(resp["data"].is_null());
}

#[actix_web::test]
async fn a_garbage_token_is_refused_with_401() {
    let app = spawn_app().await;
    let (status, resp) = app
        .post_graphql(
            Some("not-a-jwt"),
            &json!({ "query": "{ viewer { name } }" }),
        )
        .await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&resp), Some("UNAUTHENTICATED"));
}

#[actix_web::test]
async fn a_token_signed_with_another_secret_is_refused() {
    use std::time::Duration;
    use touchpoint_registry::auth::TokenService;
    use touchpoint_registry::config::Secret;
    let app = spawn_app().await;
    let forger = TokenService::hs256(
        &Secret::new("another-secret-another-secret-another"),
        "touchpoint-registry",
        "touchpoint-registry",
        Duration::from_secs(60),
    );
    let token = forger.issue(uuid::Uuid::new_v4(), None, None).unwrap();
    let (status, resp) = app
        .post_graphql(Some(&token), &json!({ "query": "{ viewer { name } }" }))
        .await;
    assert_eq!(status, 401);
    assert_eq!(error_code(&resp), Some("UNAUTHENTICATED"));
}

#[actix_web::test]
async fn parse_and_validation_failures_carry_apollo_codes() {
    let app = spawn_app().await;
    let (_, resp) = app
        .post_graphql(None, &json!({ "query": "{ viewer " }))
        .await;
    assert_eq!(error_code(&resp), Some("GRAPHQL_PARSE_FAILED"));
    let (_, resp) = app
        .post_graphql(None, &json!({ "query": "{ nothingHere }" }))
        .await;
    assert_eq!(error_code(&resp), Some("GRAPHQL_VALIDATION_FAILED"));
}
