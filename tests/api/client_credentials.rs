//! `POST /auth/token` (OAuth 2.0 client credentials) and what an API client may do.
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};

use crate::helpers::{error_code, minimal_input, spawn_app, Network, TestApp, CREATE_TOUCHPOINT};

async fn create_client(app: &TestApp, admin_token: &str, role: &str) -> (String, String) {
    let resp = app
        .data(
            admin_token,
            "mutation($r: Role!) { createApiClient(input: {name: \"dms-sync\", role: $r}) { clientId clientSecret apiClient { id role } } }",
            json!({ "r": role }),
        )
        .await;
    let p = &resp["createApiClient"];
    assert_eq!(p["clientId"], p["apiClient"]["id"]);
    (
        p["clientId"].as_str().unwrap().to_owned(),
        p["clientSecret"].as_str().unwrap().to_owned(),
    )
}

async fn post_token(
    app: &TestApp,
    content_type: &str,
    body: String,
    basic: Option<(&str, &str)>,
) -> (u16, Value, bool) {
    let client = awc::Client::default();
    let mut req = client
        .post(format!("{}/auth/token", app.address))
        .insert_header(("Content-Type", content_type));
    if let Some((id, secret)) = basic {
        req = req.insert_header((
            "Authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        ));
    }
    let mut resp = req.send_body(body).await.unwrap();
    let no_store = resp
        .headers()
        .get("cache-control")
        .is_some_and(|v| v == "no-store");
    let json = resp.json::<Value>().await.unwrap_or(Value::Null);
    (resp.status().as_u16(), json, no_store)
}

fn form(grant: &str, id: &str, secret: &str) -> String {
    serde_urlencoded::to_string([
        ("grant_type", grant),
        ("client_id", id),
        ("client_secret", secret),
    ])
    .unwrap()
}

#[actix_web::test]
async fn a_client_gets_a_token_by_form_json_or_basic_and_acts_with_its_role() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let (id, secret) = create_client(&app, &net.a_admin.token, "EDITOR").await;

    let (status, body, no_store) = post_token(
        &app,
        "application/x-www-form-urlencoded",
        form("client_credentials", &id, &secret),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(no_store, "token responses are not cached");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let token = body["access_token"].as_str().unwrap().to_owned();

    let (status, body, _) = post_token(
        &app,
        "application/json",
        json!({"grant_type": "client_credentials", "client_id": id, "client_secret": secret})
            .to_string(),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body, _) = post_token(
        &app,
        "application/x-www-form-urlencoded",
        "grant_type=client_credentials".into(),
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let viewer = app
        .data(
            &token,
            "{ viewer { kind role name email organization { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        viewer["viewer"],
        json!({ "kind": "API_CLIENT", "role": "EDITOR", "name": "dms-sync", "email": null, "organization": { "slug": "dealer-a" } })
    );
    // It writes as its organization.
    let created = app
        .data(
            &token,
            CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(net.brand_id, net.phases[0], "From the DMS") }),
        )
        .await;
    assert_eq!(
        created["createTouchpoint"]["touchpoint"]["reviewStatus"],
        "PENDING"
    );
    // It never exceeds its role: an EDITOR client cannot manage the organization.
    let resp = app
        .gql(
            &token,
            "mutation { createApiClient(input: {name: \"x\", role: ADMIN}) { clientSecret } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
}

#[actix_web::test]
async fn bad_requests_get_the_standard_oauth_errors() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let (id, secret) = create_client(&app, &net.a_admin.token, "VIEWER").await;
    let cases: Vec<(&str, String, u16, &str)> = vec![
        (
            "application/x-www-form-urlencoded",
            form("client_credentials", &id, "tpr_wrong"),
            401,
            "invalid_client",
        ),
        (
            "application/x-www-form-urlencoded",
            form(
                "client_credentials",
                &uuid::Uuid::new_v4().to_string(),
                &secret,
            ),
            401,
            "invalid_client",
        ),
        (
            "application/x-www-form-urlencoded",
            form("client_credentials", "not-an-id", &secret),
            401,
            "invalid_client",
        ),
        (
            "application/x-www-form-urlencoded",
            form("password", &id, &secret),
            400,
            "unsupported_grant_type",
        ),
        (
            "application/x-www-form-urlencoded",
            format!("client_id={id}&client_secret={secret}"),
            400,
            "invalid_request",
        ),
        (
            "application/x-www-form-urlencoded",
            "grant_type=client_credentials".into(),
            400,
            "invalid_request",
        ),
        (
            "application/x-www-form-urlencoded",
            format!(
                "{}&grant_type=client_credentials",
                form("client_credentials", &id, &secret)
            ),
            400,
            "invalid_request",
        ),
        (
            "text/plain",
            form("client_credentials", &id, &secret),
            400,
            "invalid_request",
        ),
        (
            "application/json",
            "{not json".into(),
            400,
            "invalid_request",
        ),
    ];
    for (content_type, body, status, error) in cases {
        let (got, json, no_store) = post_token(&app, content_type, body.clone(), None).await;
        assert_eq!(
            (got, json["error"].as_str()),
            (status, Some(error)),
            "{content_type} {body}: {json}"
        );
        assert!(no_store);
    }
}

#[actix_web::test]
async fn revoking_a_client_stops_its_tokens_on_the_next_request() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let (id, secret) = create_client(&app, &net.a_admin.token, "VIEWER").await;
    let (_, body, _) = post_token(
        &app,
        "application/x-www-form-urlencoded",
        form("client_credentials", &id, &secret),
        None,
    )
    .await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    app.data(&token, "{ viewer { name } }", json!({})).await;

    // Another organization's admin cannot revoke it: it does not exist for them.
    let resp = app
        .gql(
            &net.b_admin.token,
            "mutation($id: ID!) { revokeApiClient(input: {id: $id}) { apiClient { revokedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("NOT_FOUND"));
    let revoked = app
        .data(
            &net.a_admin.token,
            "mutation($id: ID!) { revokeApiClient(input: {id: $id}) { apiClient { revokedAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(revoked["revokeApiClient"]["apiClient"]["revokedAt"].is_string());

    let (status, body) = app
        .post_graphql(Some(&token), &json!({ "query": "{ viewer { name } }" }))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (401, Some("UNAUTHENTICATED")),
        "the issued token is dead"
    );
    let (status, body, _) = post_token(
        &app,
        "application/x-www-form-urlencoded",
        form("client_credentials", &id, &secret),
        None,
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
}

#[actix_web::test]
async fn the_secret_is_shown_once_and_stored_only_as_a_hash() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let (id, secret) = create_client(&app, &net.a_admin.token, "VIEWER").await;
    assert!(
        secret.starts_with("tpr_") && secret.len() >= 40,
        "high-entropy: {secret}"
    );
    use sea_orm::EntityTrait;
    use touchpoint_registry::entities::api_client;
    let stored = api_client::Entity::find_by_id(uuid::Uuid::parse_str(&id).unwrap())
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(stored.secret_hash, secret);
    assert!(!stored.secret_hash.contains(&secret[4..]));
    let listed = app
        .data(
            &net.a_admin.token,
            "query($o: ID!) { organization(id: $o) { apiClients { id name role revokedAt } } }",
            json!({ "o": net.dealer_a.to_string() }),
        )
        .await;
    assert!(
        !listed.to_string().contains(&secret),
        "listing never shows the secret"
    );
}
