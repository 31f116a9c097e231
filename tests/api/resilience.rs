//! Overload and faults inside one process: rate limits, slow requests, an exhausted pool, a
//! failing statement — each answered with a coded error, then full service again.
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;

use crate::helpers::{
    create_touchpoint, error_code, minimal_input, spawn_app, spawn_app_with, Network,
};

#[actix_web::test]
async fn a_caller_over_its_rate_is_told_to_wait_and_others_are_not() {
    let app = spawn_app_with(|s| {
        s.limits.rate_limit_per_second = 1;
        s.limits.rate_limit_burst = 3;
    })
    .await;
    let net = Network::build(&app).await;
    let body = json!({ "query": "{ viewer { name } }" }).to_string();
    let auth = format!("Bearer {}", net.a_viewer.token);
    for _ in 0..3 {
        let (status, _, _) = app
            .raw(
                "POST",
                "/graphql",
                &[
                    ("Content-Type", "application/json"),
                    ("Authorization", &auth),
                ],
                body.clone().into_bytes(),
            )
            .await;
        assert_eq!(status, 200);
    }
    let (status, _, reply) = app
        .raw(
            "POST",
            "/graphql",
            &[
                ("Content-Type", "application/json"),
                ("Authorization", &auth),
            ],
            body.clone().into_bytes(),
        )
        .await;
    assert_eq!(status, 429, "{reply}");
    assert!(reply.contains("LIMIT_EXCEEDED"));
    // Another caller has its own bucket.
    assert!(app.healthy(&net.b_editor.token).await);
}

#[actix_web::test]
async fn the_token_endpoint_limits_guessing_per_client_and_per_address() {
    let app = spawn_app_with(|s| s.limits.token_rate_limit_per_minute = 3).await;
    let mut statuses = Vec::new();
    for _ in 0..5 {
        let body = "grant_type=client_credentials&client_id=00000000-0000-4000-8000-000000000001&client_secret=guess";
        let (status, _, _) = app
            .raw(
                "POST",
                "/auth/token",
                &[("Content-Type", "application/x-www-form-urlencoded")],
                body.as_bytes().to_vec(),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(&statuses[..3], &[401, 401, 401]);
    assert_eq!(statuses[4], 429, "{statuses:?}");
}

#[actix_web::test]
async fn a_request_running_too_long_is_cancelled_and_the_server_carries_on() {
    let app = spawn_app_with(|s| s.limits.request_timeout = Duration::from_secs(1)).await;
    let net = Network::build(&app).await;
    let (id, blocker) = locked_touchpoint(&app, &net).await;
    let started = Instant::now();
    let resp = app
        .gql(&net.a_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Waiting\"}) { touchpoint { name } } }", json!({ "id": id }))
        .await;
    let waited = started.elapsed();
    assert_eq!(error_code(&resp), Some("LIMIT_EXCEEDED"), "{resp}");
    assert!(resp["errors"][0]["extensions"]["requestId"].is_string());
    assert!(
        waited < Duration::from_secs(5),
        "cancelled after about a second, not {waited:?}"
    );
    blocker.rollback().await.unwrap();
    // Nothing was half-written, and the server serves again.
    let after = app
        .data(
            &net.a_editor.token,
            "query($id: ID!) { touchpoint(id: $id) { name version } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        after["touchpoint"],
        json!({ "name": "Locked", "version": 1 })
    );
}

#[actix_web::test]
async fn operations_beyond_max_in_flight_wait_their_turn_within_the_time_limit() {
    let app = spawn_app_with(|s| {
        s.max_in_flight = Some(1);
        s.limits.request_timeout = Duration::from_secs(1);
    })
    .await;
    let net = Network::build(&app).await;
    // One turn, many callers at once: each waits, none is refused.
    let token = net.a_viewer.token.clone();
    let all = futures_util::future::join_all(
        (0..8).map(|_| app.data(&token, "{ viewer { name } }", json!({}))),
    )
    .await;
    assert!(all.iter().all(|d| d["viewer"]["name"].is_string()));

    // The only turn is taken by an update stuck behind a lock until its time is up; the next
    // caller waits for the turn, within its own time limit, and is then served.
    let (id, blocker) = locked_touchpoint(&app, &net).await;
    let stuck = app.gql(&net.a_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Waiting\"}) { touchpoint { name } } }", json!({ "id": id }));
    let waiting = async {
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        let resp = app
            .gql(&net.a_viewer.token, "{ viewer { name } }", json!({}))
            .await;
        (resp, started.elapsed())
    };
    let (stuck, (waiting, waited)) = futures_util::future::join(stuck, waiting).await;
    assert_eq!(error_code(&stuck), Some("LIMIT_EXCEEDED"), "{stuck}");
    assert!(waiting["data"]["viewer"]["name"].is_string(), "{waiting}");
    assert!(
        waited >= Duration::from_millis(500) && waited < Duration::from_secs(2),
        "waited for the turn ({waited:?})"
    );
    blocker.rollback().await.unwrap();
}

#[actix_web::test]
async fn an_exhausted_pool_answers_busy_and_recovers() {
    let app = spawn_app_with(|s| {
        s.db_pool_size = Some(3);
        s.limits.db_acquire_timeout = Duration::from_millis(500);
    })
    .await;
    let net = Network::build(&app).await;
    // Hold every connection the pool can give (on PostgreSQL one already serves LISTEN).
    let mut held = Vec::new();
    while let Ok(Ok(tx)) =
        actix_web::rt::time::timeout(Duration::from_millis(800), app.db.conn().begin()).await
    {
        held.push(tx);
        if held.len() > 3 {
            break;
        }
    }
    let started = Instant::now();
    let (status, body) = app
        .post_graphql(
            Some(&net.a_viewer.token),
            &json!({ "query": "{ touchpoints { totalCount } }" }),
        )
        .await;
    assert!(started.elapsed() < Duration::from_secs(5), "no hang");
    assert!(
        status == 503 || error_code(&body) == Some("LIMIT_EXCEEDED"),
        "a clear busy answer: {status} {body}"
    );
    drop(held);
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    assert!(app.healthy(&net.a_viewer.token).await, "recovered");
}

#[actix_web::test]
async fn a_failing_statement_is_internal_with_a_request_id_and_no_sql() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Rated"),
    )
    .await;
    // Break the database under the running server.
    app.db
        .conn()
        .execute_unprepared("DROP TABLE alignments")
        .await
        .unwrap();
    let (status, body) = app
        .post_graphql(
            Some(&net.a_editor.token),
            &json!({ "query": "{ touchpoints { nodes { name alignment { average } } } }" }),
        )
        .await;
    assert_eq!(status, 200);
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["code"], "INTERNAL", "{body}");
    assert_eq!(error["message"], "internal error");
    assert!(error["extensions"]["requestId"]
        .as_str()
        .is_some_and(|id| id.len() >= 16));
    let text = body.to_string().to_lowercase();
    for leak in [
        "select",
        "alignments",
        "no such table",
        "relation",
        "sqlx",
        "sea_orm",
    ] {
        assert!(!text.contains(leak), "{leak} leaked: {body}");
    }
    assert!(
        app.healthy(&net.a_editor.token).await,
        "other requests still work"
    );
}

#[actix_web::test]
async fn production_mode_turns_off_introspection_suggestions_and_graphiql() {
    let app = spawn_app_with(|s| s.production = true).await;
    let net = Network::build(&app).await;
    let resp = app
        .gql(
            &net.a_viewer.token,
            "{ __schema { types { name } } }",
            json!({}),
        )
        .await;
    assert!(
        resp["data"].is_null() || resp["data"]["__schema"].is_null(),
        "{resp}"
    );
    let resp = app
        .gql(&net.a_viewer.token, "{ viewr { name } }", json!({}))
        .await;
    assert!(!resp.to_string().contains("Did you mean"), "{resp}");
    let (status, body) = app.get_accepting("/graphql", "text/html").await;
    assert!(!body.contains("graphiql"), "{status}");
    assert!(app.healthy(&net.a_viewer.token).await);
}

#[actix_web::test]
async fn metrics_report_requests_pool_and_subscriptions() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    app.post_graphql(
        Some(&net.a_viewer.token),
        &json!({ "query": "query Portal { viewer { name } }", "operationName": "Portal" }),
    )
    .await;
    app.post_graphql(
        Some(&net.a_viewer.token),
        &json!({ "query": "query Broken { nope }", "operationName": "Broken" }),
    )
    .await;
    let (status, text) = app.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        text.contains("registry_graphql_requests_total{operation=\"Portal\",outcome=\"ok\"} 1"),
        "{text}"
    );
    assert!(text.contains("registry_graphql_requests_total{operation=\"Broken\",outcome=\"GRAPHQL_VALIDATION_FAILED\"} 1"));
    assert!(text.contains(
        "registry_graphql_request_duration_seconds_bucket{operation=\"Portal\",le=\"+Inf\"} 1"
    ));
    assert!(text.contains("registry_db_pool_connections{state=\"idle\"}"));
    assert!(text.contains("registry_subscriptions_open 0"));
}

/// Pooled connections are not pinged each time they are handed out (sqlx's default): that is
/// one more round trip per statement. SQLite's are never pinged; PostgreSQL's only after they
/// sat idle (the next test).
#[actix_web::test]
async fn pooled_connections_are_not_pinged_on_every_hand_out() {
    let app = spawn_app().await;
    let conn = app.db.conn();
    let pinged = match app.db.backend() {
        sea_orm::DbBackend::Postgres => conn
            .get_postgres_connection_pool()
            .options()
            .get_test_before_acquire(),
        _ => conn
            .get_sqlite_connection_pool()
            .options()
            .get_test_before_acquire(),
    };
    assert!(!pinged);
}

/// A PostgreSQL connection the server closed while it sat idle in the pool (a restart, an idle
/// timeout, a proxy) is replaced before a request uses it: no request fails for it.
#[actix_web::test]
async fn a_postgres_connection_closed_while_idle_is_replaced_before_use() {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        return; // SQLite: an embedded connection has no server to close it.
    };
    // The application name tells this app's connections from the other tests'.
    let name = format!("idle_probe_{}", uuid::Uuid::new_v4().simple());
    let app = spawn_app_with(|s| {
        let url = s.database_url.take().unwrap();
        s.database_url = Some(format!("{url}&application_name={name}"));
    })
    .await;
    let net = Network::build(&app).await;
    let admin = sea_orm::Database::connect(admin_url).await.unwrap();
    let backends = |sql: &'static str| {
        let (admin, name) = (&admin, &name);
        async move {
            admin
                .query_all_raw(sea_orm::Statement::from_sql_and_values(
                    sea_orm::DbBackend::Postgres,
                    sql,
                    [name.clone().into()],
                ))
                .await
                .unwrap()
                .iter()
                .map(|row| row.try_get_by_index::<i32>(0).unwrap())
                .collect::<Vec<_>>()
        }
    };
    // The pool's connections, not the one listening for cache invalidations: that one would
    // reconnect through the pool and so find the closed ones out before any request could.
    // The CTE picks them first: in one WHERE, PostgreSQL may call pg_terminate_backend on rows
    // before it has checked their name.
    let closed = backends(
        "WITH ours AS MATERIALIZED (SELECT pid FROM pg_stat_activity \
         WHERE application_name = $1 AND query NOT LIKE 'LISTEN%') \
         SELECT pid FROM ours WHERE pg_terminate_backend(pid)",
    )
    .await;
    assert!(!closed.is_empty(), "the app's connections were found");
    // Idle for longer than the pool waits before it pings a connection again.
    actix_web::rt::time::sleep(Duration::from_millis(1500)).await;

    let data = app
        .data(
            &net.a_editor.token,
            "{ touchpoints(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["touchpoints"]["totalCount"], 0);
    let now = backends("SELECT pid FROM pg_stat_activity WHERE application_name = $1").await;
    assert!(now.iter().all(|pid| !closed.contains(pid)), "replaced");
    admin.close().await.ok();
}

#[actix_web::test]
async fn readiness_follows_the_database() {
    let app = spawn_app().await;
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, 200);
    app.db.conn().clone().close().await.ok();
    let (status, body) = app.get("/readyz").await;
    assert_eq!(status, 503, "{body}");
    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200, "the process is still up");
}

/// A touchpoint of dealer A named "Locked", held by another open transaction (SQLite: the
/// write lock; PostgreSQL: the row) until the returned transaction ends.
async fn locked_touchpoint(
    app: &crate::helpers::TestApp,
    net: &Network,
) -> (String, sea_orm::DatabaseTransaction) {
    let id = create_touchpoint(
        app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Locked"),
    )
    .await;
    let blocker = app.db.begin_write().await.unwrap();
    blocker
        .execute_unprepared(&format!(
            "UPDATE touchpoints SET name = name WHERE id = {}",
            if app.db.backend() == sea_orm::DbBackend::Postgres {
                format!("'{id}'")
            } else {
                format!("X'{}'", id.replace('-', ""))
            }
        ))
        .await
        .unwrap();
    (id, blocker)
}
