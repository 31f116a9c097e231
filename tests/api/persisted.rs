//! Persisted operations over real HTTP: Apollo's automatic persisted queries (POST and GET
//! by hash), and trusted documents required of portals while an API client marked so may
//! still send its own — over HTTP and WebSocket, reloaded on SIGHUP.
use std::time::Duration;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{error_code, spawn_app, spawn_app_with, urlencode, Network, TestApp};
use crate::subscriptions::{connect, next_json, send};
use touchpoint_registry::config::{Persisted, PersistedMode};

const VIEWER: &str = "query Viewer { viewer { name organization { slug } } }";
const CREATE_CLIENT: &str = "mutation($f: Boolean!) { createApiClient(input: {name: \"dms\", role: EDITOR, freeFormDocuments: $f}) { clientId clientSecret apiClient { freeFormDocuments } } }";
const UPDATE_CLIENT: &str = "mutation($id: ID!, $v: Int, $f: Boolean) { updateApiClient(input: {id: $id, expectedVersion: $v, freeFormDocuments: $f}) { apiClient { freeFormDocuments version } } }";
const CREATE_PHASE: &str =
    "mutation($b: ID!) { createPhase(input: {brandId: $b, name: \"Persisted\"}) { phase { id } } }";

fn sha256(text: &str) -> String {
    hex_of(&Sha256::digest(text.as_bytes()))
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn by_hash(hash: &str) -> Value {
    json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } } })
}

fn with_text(query: &str, hash: &str) -> Value {
    let mut body = by_hash(hash);
    body["query"] = json!(query);
    body
}

/// A GET by hash only: status, ETag and body.
async fn get_by_hash(
    app: &TestApp,
    token: &str,
    hash: &str,
    if_none_match: Option<&str>,
) -> (u16, Option<String>, Value) {
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    let path = format!("/graphql?extensions={}", urlencode(&extensions.to_string()));
    let mut req = app
        .client
        .get(format!("{}{path}", app.address))
        .insert_header(("authorization", format!("Bearer {token}")));
    if let Some(tag) = if_none_match {
        req = req.insert_header(("if-none-match", tag));
    }
    let mut resp = req.send().await.expect("sent");
    let etag = resp
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp.body().await.unwrap_or_default();
    (
        resp.status().as_u16(),
        etag,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

#[actix_web::test]
async fn a_query_is_sent_by_its_hash_once_the_server_has_seen_its_text() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = net.a_editor.token.as_str();
    let hash = sha256(VIEWER);

    let (_, unknown) = app.post_graphql(Some(token), &by_hash(&hash)).await;
    assert_eq!(error_code(&unknown), Some("PERSISTED_QUERY_NOT_FOUND"));
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");

    let (_, registered) = app
        .post_graphql(Some(token), &with_text(VIEWER, &hash))
        .await;
    assert_eq!(
        registered["data"]["viewer"]["organization"]["slug"],
        "dealer-a"
    );
    let (_, again) = app.post_graphql(Some(token), &by_hash(&hash)).await;
    assert_eq!(again["data"], registered["data"], "{again}");

    // Another caller uses the same hash: the cache holds documents, not answers.
    let (_, other) = app
        .post_graphql(Some(&net.brand_admin.token), &by_hash(&hash))
        .await;
    assert_eq!(other["data"]["viewer"]["organization"]["slug"], "acme");

    // GET by hash only: cacheable by the caller's browser, revalidated by its ETag.
    let (status, etag, body) = get_by_hash(&app, token, &hash, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"], registered["data"]);
    let etag = etag.expect("an ETag");
    let (status, _, _) = get_by_hash(&app, token, &hash, Some(&etag)).await;
    assert_eq!(status, 304, "unchanged: no body again");
    let (status, _, body) = get_by_hash(&app, &net.brand_admin.token, &hash, Some(&etag)).await;
    assert_eq!(
        status, 200,
        "another caller's answer differs, so does its ETag"
    );
    assert_eq!(body["data"]["viewer"]["organization"]["slug"], "acme");

    // A mutation's hash by GET is refused: a GET must be safe to repeat.
    let mutation_hash = sha256(CREATE_PHASE);
    let body = json!({"query": CREATE_PHASE, "variables": {"b": net.brand_id}, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": mutation_hash}}});
    let (_, created) = app.post_graphql(Some(&net.brand_admin.token), &body).await;
    assert!(
        created["data"]["createPhase"]["phase"]["id"].is_string(),
        "{created}"
    );
    let (status, _, _) = get_by_hash(&app, &net.brand_admin.token, &mutation_hash, None).await;
    assert_eq!(status, 405);
}

#[actix_web::test]
async fn a_hash_that_is_not_the_texts_is_refused_and_nothing_is_kept() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = net.a_editor.token.as_str();
    let wrong = sha256("{ viewer { id } }");
    let (_, refused) = app
        .post_graphql(Some(token), &with_text(VIEWER, &wrong))
        .await;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    assert!(refused.get("data").is_none() || refused["data"].is_null());
    let (_, after) = app.post_graphql(Some(token), &by_hash(&wrong)).await;
    assert_eq!(error_code(&after), Some("PERSISTED_QUERY_NOT_FOUND"));
    for bad in [
        json!({"extensions": {"persistedQuery": {"version": 2, "sha256Hash": wrong}}}),
        json!({"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}),
        json!({"extensions": {"persistedQuery": "yes"}}),
    ] {
        let (_, resp) = app.post_graphql(Some(token), &bad).await;
        assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"), "{bad}: {resp}");
    }
    assert!(app.healthy(token).await);
}

fn manifest_with(dir: &std::path::Path, documents: &[&str]) -> std::path::PathBuf {
    let map: serde_json::Map<String, Value> =
        documents.iter().map(|d| (sha256(d), json!(d))).collect();
    let path = dir.join("persisted-documents.json");
    std::fs::write(&path, Value::Object(map).to_string()).expect("writes the manifest");
    path
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trusted-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("creates");
    dir
}

/// An API client of dealer-a's, created by its ADMIN; returns its id and a token for it.
async fn api_client(app: &TestApp, admin: &str, free_form: bool) -> (String, String) {
    let created = app
        .data(admin, CREATE_CLIENT, json!({ "f": free_form }))
        .await;
    let p = &created["createApiClient"];
    assert_eq!(p["apiClient"]["freeFormDocuments"], free_form);
    let id = p["clientId"].as_str().expect("id").to_owned();
    let mut resp = app
        .client
        .post(format!("{}/auth/token", app.address))
        .send_json(&json!({"grant_type": "client_credentials", "client_id": id, "client_secret": p["clientSecret"]}))
        .await
        .expect("sent");
    let token: Value = resp.json().await.expect("json");
    (
        id,
        token["access_token"].as_str().expect("a token").to_owned(),
    )
}

#[actix_web::test]
async fn only_trusted_documents_run_for_portals_when_they_are_required() {
    let dir = temp_dir();
    // The portal's documents, its ADMIN's among them.
    let manifest = manifest_with(&dir, &[VIEWER, CREATE_CLIENT, UPDATE_CLIENT]);
    let app = spawn_app_with(|s| {
        s.persisted = Persisted {
            persisted_operations: PersistedMode::Required,
            persisted_operations_manifest: Some(manifest),
            ..Persisted::default()
        }
    })
    .await;
    let net = Network::build(&app).await;
    let user = net.a_editor.token.as_str();

    // A trusted document runs by its hash, or by its very text.
    let (_, by_id) = app
        .post_graphql(Some(user), &by_hash(&sha256(VIEWER)))
        .await;
    assert_eq!(
        by_id["data"]["viewer"]["organization"]["slug"], "dealer-a",
        "{by_id}"
    );
    let (_, by_text) = app
        .post_graphql(Some(user), &json!({"query": VIEWER}))
        .await;
    assert_eq!(by_text["data"], by_id["data"]);

    // Anything else is refused before it is parsed — a free-form document, an unknown hash,
    // an attempt to register one, even a document that does not parse.
    let refusals = [
        json!({"query": "{ viewer { name } }"}),
        by_hash(&sha256("{ viewer { name } }")),
        with_text("{ viewer { name } }", &sha256("{ viewer { name } }")),
        json!({"query": "{ viewer { "}),
    ];
    for body in &refusals {
        let (_, resp) = app.post_graphql(Some(user), body).await;
        assert_eq!(
            error_code(&resp),
            Some("PERSISTED_QUERY_NOT_IN_LIST"),
            "{body}: {resp}"
        );
    }
    // A trusted hash with another text is not that document.
    let (_, swapped) = app
        .post_graphql(Some(user), &with_text("{ viewer { id } }", &sha256(VIEWER)))
        .await;
    assert_eq!(error_code(&swapped), Some("BAD_USER_INPUT"), "{swapped}");

    // An API client marked for free-form documents sends its own; unmarked, it may not; the
    // mark changes with the next request.
    let admin = net.a_admin.token.as_str();
    let (_, script) = api_client(&app, admin, true).await;
    let free = json!({"query": "{ viewer { name } }"});
    let (_, ran) = app.post_graphql(Some(&script), &free).await;
    assert!(ran["data"]["viewer"]["name"].is_string(), "{ran}");
    let (portal_id, portal) = api_client(&app, admin, false).await;
    let (_, refused) = app.post_graphql(Some(&portal), &free).await;
    assert_eq!(error_code(&refused), Some("PERSISTED_QUERY_NOT_IN_LIST"));
    let marked = app
        .data(
            admin,
            UPDATE_CLIENT,
            json!({ "id": portal_id, "v": 1, "f": true }),
        )
        .await;
    assert_eq!(marked["updateApiClient"]["apiClient"]["version"], 2);
    let (_, now_runs) = app.post_graphql(Some(&portal), &free).await;
    assert!(now_runs["data"]["viewer"]["name"].is_string(), "{now_runs}");
    // Only the organization's ADMIN marks its clients.
    let by_editor = app
        .gql(
            &net.a_editor.token,
            UPDATE_CLIENT,
            json!({ "id": portal_id, "f": false }),
        )
        .await;
    assert_eq!(error_code(&by_editor), Some("FORBIDDEN"), "{by_editor}");
    let by_other = app
        .gql(
            &net.b_admin.token,
            UPDATE_CLIENT,
            json!({ "id": portal_id, "f": false }),
        )
        .await;
    assert_eq!(error_code(&by_other), Some("NOT_FOUND"), "{by_other}");

    // Over WebSocket the same rule holds.
    let mut socket = connect(&app.address, user).await;
    send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": "{ viewer { name } }"}}),
    )
    .await;
    let answer = next_json(&mut socket, Duration::from_secs(5))
        .await
        .expect("an answer");
    let errors = &answer["payload"];
    let code = errors[0]["extensions"]["code"]
        .as_str()
        .or_else(|| errors["errors"][0]["extensions"]["code"].as_str());
    assert_eq!(code, Some("PERSISTED_QUERY_NOT_IN_LIST"), "{answer}");
    send(
        &mut socket,
        json!({"id": "2", "type": "subscribe", "payload": {"query": VIEWER}}),
    )
    .await;
    let mut answer = Value::Null;
    while answer["id"] != "2" {
        answer = next_json(&mut socket, Duration::from_secs(5))
            .await
            .expect("an answer");
    }
    assert_eq!(
        answer["payload"]["data"]["viewer"]["organization"]["slug"], "dealer-a",
        "{answer}"
    );
}

#[actix_web::test]
async fn requiring_trusted_documents_without_any_is_refused_at_start() {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let dir = temp_dir();
    let mut settings = crate::helpers::test_settings(
        format!(
            "sqlite://{}?mode=rwc",
            dir.join(format!("{id}.db")).display()
        ),
        dir.clone(),
    );
    settings.persisted.persisted_operations = PersistedMode::Required;
    let refused = touchpoint_registry::startup::Application::build(&settings).await;
    assert!(
        refused
            .as_ref()
            .err()
            .is_some_and(|e| e.to_string().contains("PERSISTED_OPERATIONS_MANIFEST")),
        "{:?}",
        refused.err()
    );
    settings.persisted.persisted_operations_manifest = Some(dir.join("missing.json"));
    assert!(touchpoint_registry::startup::Application::build(&settings)
        .await
        .is_err());
}

/// Runs a subcommand of the real binary on `database_url`; returns its standard output.
fn command(database_url: &str, dir: &std::path::Path, args: &[&str]) -> String {
    let out = crate::helpers::run_binary(database_url, dir, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[actix_web::test]
async fn a_new_manifest_is_rolled_out_with_sighup_and_a_broken_one_changes_nothing() {
    let dir = temp_dir();
    let url = format!("sqlite://{}?mode=rwc", dir.join("registry.db").display());
    command(&url, &dir, &["migrate"]);
    command(
        &url,
        &dir,
        &[
            "create-brand",
            "--name",
            "Hup",
            "--slug",
            "hup",
            "--admin-email",
            "admin@hup.test",
        ],
    );
    let token = command(&url, &dir, &["token", "--email", "admin@hup.test"]);
    let second = "query Second { viewer { email } }";
    let manifest = manifest_with(&dir, &[VIEWER]);
    let manifest_text = manifest.display().to_string();
    let instance = crate::helpers::start_instance_with_env(
        &url,
        &dir,
        &[
            ("PERSISTED_OPERATIONS", "required"),
            ("PERSISTED_OPERATIONS_MANIFEST", manifest_text.as_str()),
        ],
    )
    .await;
    let run = |query: &'static str| {
        let body = by_hash(&sha256(query));
        let instance = &instance;
        let token = token.clone();
        async move { instance.post_graphql(Some(&token), &body).await.1 }
    };
    assert_eq!(
        run(VIEWER).await["data"]["viewer"]["organization"]["slug"],
        "hup"
    );
    assert_eq!(
        error_code(&run(second).await),
        Some("PERSISTED_QUERY_NOT_IN_LIST")
    );

    let hangup = |pid: u32| {
        let status = std::process::Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    };
    manifest_with(&dir, &[VIEWER, second]);
    hangup(instance.child.id());
    let mut reloaded = Value::Null;
    for _ in 0..50 {
        reloaded = run(second).await;
        if reloaded["data"]["viewer"]["email"].is_string() {
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        reloaded["data"]["viewer"]["email"], "admin@hup.test",
        "{reloaded}"
    );

    std::fs::write(&manifest, "{ not json").expect("writes");
    hangup(instance.child.id());
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert!(
        run(second).await["data"]["viewer"]["email"].is_string(),
        "the loaded documents stay"
    );
    assert!(run(VIEWER).await["data"]["viewer"]["name"].is_string());
}
