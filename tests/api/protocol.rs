//! GraphQL over HTTP as its spec says, and hostile requests answered with the right status
//! and code, nothing written, the server unharmed.
use serde_json::{json, Value};

use crate::helpers::{
    create_touchpoint, minimal_input, spawn_app, spawn_app_with, Network, TestApp,
    CREATE_TOUCHPOINT,
};

fn code_of(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    v["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_owned)
}

async fn count(app: &TestApp, net: &Network) -> u64 {
    app.data(
        &net.brand_admin.token,
        "{ touchpoints(filter: {includeArchived: true}) { totalCount } }",
        json!({}),
    )
    .await["touchpoints"]["totalCount"]
        .as_u64()
        .unwrap()
}

#[actix_web::test]
async fn only_json_posts_are_executed() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let auth = format!("Bearer {}", net.a_editor.token);
    let mutation = json!({ "query": CREATE_TOUCHPOINT, "variables": { "input": minimal_input(net.brand_id, net.phases[0], "CSRF") } }).to_string();
    // A browser sends these cross-site without a preflight: they must not execute.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, _, body) = app
            .raw(
                "POST",
                "/graphql",
                &[("Content-Type", content_type), ("Authorization", &auth)],
                mutation.clone().into_bytes(),
            )
            .await;
        assert_eq!(status, 415, "{content_type}: {body}");
    }
    let (status, _, _) = app
        .raw(
            "POST",
            "/graphql",
            &[("Authorization", &auth)],
            mutation.clone().into_bytes(),
        )
        .await;
    assert_eq!(status, 415, "no content type");
    assert_eq!(count(&app, &net).await, 0);
    let (status, content_type, _) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json; charset=utf-8"),
                ("Authorization", &auth),
            ],
            mutation.into_bytes(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/json"));
    assert_eq!(count(&app, &net).await, 1);
}

#[actix_web::test]
async fn get_runs_queries_only() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let auth = format!("Bearer {}", net.a_editor.token);
    let query = serde_urlencoded::to_string([("query", "{ viewer { name } }")]).unwrap();
    let (status, _, body) = app
        .raw(
            "GET",
            &format!("/graphql?{query}"),
            &[("Authorization", &auth)],
            vec![],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Ann Editor"));
    let mutation = serde_urlencoded::to_string([
        ("query", "mutation($i: CreateTouchpointInput!) { createTouchpoint(input: $i) { touchpoint { id } } }"),
        ("variables", &json!({ "i": minimal_input(net.brand_id, net.phases[0], "By GET") }).to_string()),
    ])
    .unwrap();
    let (status, _, body) = app
        .raw(
            "GET",
            &format!("/graphql?{mutation}"),
            &[("Authorization", &auth)],
            vec![],
        )
        .await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(count(&app, &net).await, 0);
}

#[actix_web::test]
async fn graphql_response_json_is_served_when_asked_for() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let auth = format!("Bearer {}", net.a_editor.token);
    let accept = "application/graphql-response+json, application/json;q=0.9";
    let ok = json!({ "query": "{ viewer { name } }" }).to_string();
    let (status, content_type, _) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Accept", accept),
                ("Authorization", &auth),
            ],
            ok.into_bytes(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        content_type.starts_with("application/graphql-response+json"),
        "{content_type}"
    );
    // A request error (the document does not parse) is 400 with this media type…
    let broken = json!({ "query": "{ viewer " }).to_string();
    let (status, _, body) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Accept", accept),
                ("Authorization", &auth),
            ],
            broken.clone().into_bytes(),
        )
        .await;
    assert_eq!(
        (status, code_of(&body).as_deref()),
        (400, Some("GRAPHQL_PARSE_FAILED"))
    );
    // …and 200 with the legacy application/json.
    let (status, _, body) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
            ],
            broken.into_bytes(),
        )
        .await;
    assert_eq!(
        (status, code_of(&body).as_deref()),
        (200, Some("GRAPHQL_PARSE_FAILED"))
    );
    let (status, _, _) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Accept", "text/csv"),
                ("Authorization", &auth),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(status, 406);
}

#[actix_web::test]
async fn oversized_bodies_are_refused_while_they_stream() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let auth = format!("Bearer {}", net.a_editor.token);
    for mib in [1usize, 8, 32] {
        let padding = "x".repeat(mib * 1024 * 1024);
        let body =
            json!({ "query": "{ viewer { name } }", "extensions": { "pad": padding } }).to_string();
        let started = std::time::Instant::now();
        let (status, _, reply) = app
            .raw(
                "POST",
                "/graphql",
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", &auth),
                ],
                body.into_bytes(),
            )
            .await;
        assert_eq!(
            (status, code_of(&reply).as_deref()),
            (413, Some("LIMIT_EXCEEDED")),
            "{mib} MiB"
        );
        assert!(started.elapsed().as_secs() < 10, "refused promptly");
    }
    // Just under the limit is fine.
    let body = json!({ "query": "{ viewer { name } }", "extensions": { "pad": "x".repeat(1024 * 1024 - 200) } }).to_string();
    let (status, _, _) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
            ],
            body.into_bytes(),
        )
        .await;
    assert_eq!(status, 200);
    assert!(app.healthy(&net.a_editor.token).await);
}

#[actix_web::test]
async fn malformed_bodies_get_a_coded_error_and_write_nothing() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let auth = format!("Bearer {}", net.a_editor.token);
    // Not JSON at all: 400.
    let not_json: [(&str, Vec<u8>); 2] = [
        ("not JSON", b"{query: nope".to_vec()),
        (
            "invalid UTF-8",
            vec![b'{', b'"', b'q', 0xff, 0xfe, b'"', b'}'],
        ),
    ];
    for (case, body) in not_json {
        let (status, _, reply) = app
            .raw(
                "POST",
                "/graphql",
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", &auth),
                ],
                body,
            )
            .await;
        assert_eq!(
            (status, code_of(&reply).as_deref()),
            (400, Some("BAD_USER_INPUT")),
            "{case}: {reply}"
        );
    }
    // JSON of the wrong shape: a request error, 200 under application/json.
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("no query", b"{\"variables\": {}}".to_vec()),
        ("query not a string", b"{\"query\": 42}".to_vec()),
        (
            "variables not an object",
            b"{\"query\": \"{ viewer { name } }\", \"variables\": \"x\"}".to_vec(),
        ),
        (
            "a batch while batching is off",
            b"[{\"query\": \"{ viewer { name } }\"}]".to_vec(),
        ),
    ];
    for (case, body) in cases {
        let (status, _, reply) = app
            .raw(
                "POST",
                "/graphql",
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", &auth),
                ],
                body,
            )
            .await;
        assert_eq!(status, 200, "{case}: {reply}");
        assert_eq!(
            code_of(&reply).as_deref(),
            Some("BAD_USER_INPUT"),
            "{case}: {reply}"
        );
    }
    assert_eq!(count(&app, &net).await, 0);
    assert!(app.healthy(&net.a_editor.token).await);
}

#[actix_web::test]
async fn a_ten_thousand_character_string_in_every_text_input_is_refused() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let long = "ŧ".repeat(10_000);
    let fields = [
        "name",
        "description",
        "externalId",
        "targetExperience",
        "keyMetric",
        "resources",
        "timing",
        "location",
    ];
    for field in fields {
        let mut input = minimal_input(net.brand_id, net.phases[0], "Long");
        input[field] = json!(long);
        let resp = app
            .gql(
                &net.a_editor.token,
                CREATE_TOUCHPOINT,
                json!({ "input": input }),
            )
            .await;
        assert_eq!(
            resp["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{field}"
        );
        assert_eq!(resp["errors"][0]["extensions"]["field"], field);
    }
    for field in ["tags", "media"] {
        let mut input = minimal_input(net.brand_id, net.phases[0], "Long");
        input[field] = json!([long]);
        let resp = app
            .gql(
                &net.a_editor.token,
                CREATE_TOUCHPOINT,
                json!({ "input": input }),
            )
            .await;
        assert_eq!(resp["errors"][0]["extensions"]["field"], field, "{resp}");
    }
    let mut input = minimal_input(net.brand_id, net.phases[0], "Long");
    input["cost"] = json!({ "amount": "1".repeat(10_000), "currency": long });
    let resp = app
        .gql(
            &net.a_editor.token,
            CREATE_TOUCHPOINT,
            json!({ "input": input }),
        )
        .await;
    assert_eq!(resp["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Short"),
    )
    .await;
    for (query, vars) in [
        ("mutation($id: ID!, $s: String!) { reviewTouchpoint(input: {id: $id, decision: REQUEST_CHANGES, comment: $s}) { touchpoint { id } } }", json!({ "id": id, "s": long })),
        ("mutation($b: ID!, $s: String!) { createPrinciple(input: {brandId: $b, name: $s}) { principle { id } } }", json!({ "b": net.brand_id.to_string(), "s": long })),
        ("mutation($b: ID!, $s: String!) { createJourney(input: {brandId: $b, name: \"J\", persona: $s}) { journey { id } } }", json!({ "b": net.brand_id.to_string(), "s": long })),
        ("mutation($s: String!) { addMember(input: {email: $s, name: \"x\", role: VIEWER}) { membership { id } } }", json!({ "s": long })),
        ("query($s: String!) { touchpoints(filter: {search: $s}) { totalCount } }", json!({ "s": long })),
    ] {
        let token = if query.contains("reviewTouchpoint") || query.contains("createPrinciple") { &net.brand_admin.token } else { &net.a_admin.token };
        let resp = app.gql(token, query, vars).await;
        assert_eq!(resp["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{query}: {resp}");
    }
    assert_eq!(count(&app, &net).await, 1);
    assert!(app.healthy(&net.a_editor.token).await);
}

#[actix_web::test]
async fn batches_are_off_by_default_and_bounded_when_on() {
    let app = spawn_app_with(|s| s.limits.batching = true).await;
    let net = Network::build(&app).await;
    let auth = format!("Bearer {}", net.a_editor.token);
    let one = json!({ "query": "{ viewer { name } }" });
    let batch = |n: usize| serde_json::to_vec(&vec![one.clone(); n]).unwrap();
    let (status, _, body) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
            ],
            batch(10),
        )
        .await;
    assert_eq!(status, 200);
    let replies: Vec<Value> = serde_json::from_str(&body).unwrap();
    assert_eq!(replies.len(), 10);
    assert!(replies
        .iter()
        .all(|r| r["data"]["viewer"]["name"] == "Ann Editor"));
    let (_, _, body) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
            ],
            batch(11),
        )
        .await;
    assert_eq!(code_of(&body).as_deref(), Some("LIMIT_EXCEEDED"));
    // Limits count over the batch: 10 operations of 4 aliases each pass the 30-alias limit.
    let aliased = json!({ "query": "{ a: viewer { name } b: viewer { name } c: viewer { name } d: viewer { name } }" });
    let body = serde_json::to_vec(&vec![aliased; 10]).unwrap();
    let (_, _, body) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
            ],
            body,
        )
        .await;
    assert_eq!(code_of(&body).as_deref(), Some("LIMIT_EXCEEDED"), "{body}");
}
