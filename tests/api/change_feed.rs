//! The change feed: ordered, resumable, filtered by what the caller may see, and gap-free
//! while writers commit concurrently and out of order.
use std::collections::HashSet;

use serde_json::{json, Value};
use touchpoint_registry::domain::ChangeKind;
use touchpoint_registry::services::ledger::{self, AuditActor, Changes, Entry};

use crate::access_matrix::Ctx;
use crate::helpers::{error_code, minimal_input, TestApp};

const FEED: &str =
    "query($b: ID!, $a: String, $n: Int) { touchpointChanges(brandId: $b, after: $a, first: $n) {
  pageInfo { hasNextPage endCursor }
  nodes { kind actor touchpointId touchpoint { name } }
} }";

/// Reads the feed from `cursor` to its current end; returns the changes and the new cursor.
async fn drain(
    app: &TestApp,
    token: &str,
    brand: &str,
    mut cursor: Option<String>,
    page: i64,
) -> (Vec<Value>, Option<String>) {
    let mut all = Vec::new();
    loop {
        let data = app
            .data(token, FEED, json!({ "b": brand, "a": cursor, "n": page }))
            .await;
        let feed = &data["touchpointChanges"];
        all.extend(feed["nodes"].as_array().unwrap().iter().cloned());
        cursor = feed["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        if !feed["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return (all, cursor);
        }
    }
}

/// Drains until at least `n` changes arrived (or 10 s passed). On PostgreSQL a change is
/// held back while any earlier transaction of the database is still open — other tests' too
/// — so a fresh change may take a moment to appear; it is delayed, never skipped.
async fn drain_at_least(
    app: &TestApp,
    token: &str,
    brand: &str,
    mut cursor: Option<String>,
    page: i64,
    n: usize,
) -> (Vec<Value>, Option<String>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut all = Vec::new();
    loop {
        let (more, next) = drain(app, token, brand, cursor, page).await;
        all.extend(more);
        cursor = next;
        if all.len() >= n || std::time::Instant::now() > deadline {
            return (all, cursor);
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

fn kinds_of(changes: &[Value], id: &str) -> Vec<String> {
    changes
        .iter()
        .filter(|c| c["touchpointId"] == id)
        .map(|c| c["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[actix_web::test]
async fn the_feed_lists_every_kind_of_change_in_order_and_resumes_from_a_cursor() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let (start, cursor) =
        drain_at_least(&ctx.app, &ctx.net.a_viewer.token, &brand, None, 2, 4).await;
    assert_eq!(
        start.len(),
        4,
        "the fixture: brand site, A's two, B's network one"
    );
    let id = &ctx.tps.a_network;
    let app = &ctx.app;
    app.data(&ctx.net.a_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"A network v2\"}) { touchpoint { id } } }", json!({ "id": id })).await;
    app.data(&ctx.net.brand_editor.token, "mutation($id: ID!) { reviewTouchpoint(input: {id: $id, decision: APPROVE}) { touchpoint { id } } }", json!({ "id": id })).await;
    app.data(
        &ctx.net.a_editor.token,
        "mutation($id: ID!) { archiveTouchpoint(input: {id: $id}) { touchpoint { id } } }",
        json!({ "id": id }),
    )
    .await;
    app.data(
        &ctx.net.a_editor.token,
        "mutation($id: ID!) { restoreTouchpoint(input: {id: $id}) { touchpoint { id } } }",
        json!({ "id": id }),
    )
    .await;
    let (next, end) =
        drain_at_least(app, &ctx.net.a_viewer.token, &brand, cursor.clone(), 2, 4).await;
    assert_eq!(
        kinds_of(&next, id),
        ["UPDATED", "REVIEWED", "ARCHIVED", "RESTORED"]
    );
    assert_eq!(next[0]["actor"], "editor@dealer-a.test");
    assert_eq!(next[1]["actor"], "editor@acme.test");
    // Nothing new: an empty page keeps the cursor.
    let (none, same) = drain(app, &ctx.net.a_viewer.token, &brand, end.clone(), 2).await;
    assert!(none.is_empty());
    assert_eq!(same, end);
    // A cursor of another brand's feed, or garbage, is refused.
    let resp = app
        .gql(
            &ctx.net.other_admin.token,
            FEED,
            json!({ "b": ctx.net.other_brand_id.to_string(), "a": end }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    let resp = app
        .gql(
            &ctx.net.a_viewer.token,
            FEED,
            json!({ "b": brand, "a": "nonsense" }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    let resp = app
        .gql(
            &ctx.net.a_viewer.token,
            FEED,
            json!({ "b": brand, "n": 501 }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
}

#[actix_web::test]
async fn the_feed_shows_only_what_the_caller_may_see() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let (brand_view, _) =
        drain_at_least(&ctx.app, &ctx.net.brand_viewer.token, &brand, None, 100, 5).await;
    assert_eq!(brand_view.len(), 5);
    let (a_view, _) = drain(&ctx.app, &ctx.net.a_viewer.token, &brand, None, 100).await;
    let ids: HashSet<&str> = a_view
        .iter()
        .map(|c| c["touchpointId"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(ctx.tps.b_private.as_str()),
        "another partner's PRIVATE touchpoint"
    );
    assert!(ids.contains(ctx.tps.b_network.as_str()) && ids.contains(ctx.tps.a_private.as_str()));
    let resp = ctx
        .app
        .gql(&ctx.net.other_admin.token, FEED, json!({ "b": brand }))
        .await;
    assert_eq!(
        error_code(&resp),
        Some("NOT_FOUND"),
        "outside the network the feed does not exist"
    );
}

/// What a change set (`changes`) is for the touchpoint's owner and its brand, as its history
/// is: another partner reading the feed sees that a NETWORK touchpoint changed, not its earlier
/// values (they may date from when it was PRIVATE) nor the brand's review comments.
#[actix_web::test]
async fn only_the_owner_and_the_brand_read_what_a_change_set() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let id = &ctx.tps.a_network;
    ctx.app
        .data(
            &ctx.net.brand_editor.token,
            "mutation($id: ID!) { reviewTouchpoint(input: {id: $id, decision: REQUEST_CHANGES, comment: \"Our margin is 4%\"}) { touchpoint { id } } }",
            json!({ "id": id }),
        )
        .await;
    let changes = |token: String| {
        let ctx = &ctx;
        let brand = brand.clone();
        async move {
            let q = "query($b: ID!) { touchpointChanges(brandId: $b, first: 500) { nodes { kind touchpointId changes { field after } } } }";
            let d = ctx
                .app
                .data_until(&token, q, json!({ "b": brand }), |d| {
                    d["touchpointChanges"]["nodes"]
                        .as_array()
                        .is_some_and(|n| n.iter().any(|c| c["kind"] == "REVIEWED"))
                })
                .await;
            d["touchpointChanges"]["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["touchpointId"] == json!(id))
                .flat_map(|c| c["changes"].as_array().unwrap().clone())
                .collect::<Vec<Value>>()
        }
    };
    let comment = json!({ "field": "reviewComment", "after": "Our margin is 4%" });
    for reader in [&ctx.net.a_viewer, &ctx.net.brand_viewer] {
        let seen = changes(reader.token.clone()).await;
        assert!(seen.contains(&comment), "{seen:?}");
    }
    let seen = changes(ctx.net.b_editor.token.clone()).await;
    assert!(
        seen.is_empty(),
        "dealer B sees that it changed, not what: {seen:?}"
    );
}

#[actix_web::test]
async fn a_change_committed_late_never_lands_behind_the_readers_cursor() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let token = ctx.net.brand_viewer.token.clone();
    let (_, cursor) = drain_at_least(&ctx.app, &token, &brand, None, 100, 5).await;

    // T1 writes a change row and stays open…
    let t1 = ctx.app.db.begin_write().await.unwrap();
    let tp = uuid::Uuid::parse_str(&ctx.tps.brand).unwrap();
    ledger::append(
        &t1,
        &AuditActor::system("slow writer"),
        vec![Entry {
            action: "touchpoint.update",
            entity_type: "Touchpoint",
            entity_id: tp,
            brand_id: Some(ctx.net.brand_id),
            version: None,
            kind: Some(ChangeKind::Updated),
            changes: Changes::default(),
        }],
    )
    .await
    .unwrap();
    // …while T2 (another request) writes and commits. On SQLite T2 waits for T1's lock; on
    // PostgreSQL it commits first, with a later transaction id.
    let app = ctx.app.address.clone();
    let editor = ctx.net.brand_editor.token.clone();
    let input = minimal_input(ctx.net.brand_id, ctx.net.phases[0], "Committed second");
    let t2 = actix_web::rt::spawn(async move {
        let client = awc::Client::default();
        let mut resp = client
            .post(format!("{app}/graphql"))
            .insert_header(("Authorization", format!("Bearer {editor}")))
            .send_json(&json!({ "query": crate::helpers::CREATE_TOUCHPOINT, "variables": { "input": input } }))
            .await
            .unwrap();
        resp.json::<Value>().await.unwrap()
    });
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;

    // The reader reads now: it must not move past T1's change.
    let (early, cursor) = drain(&ctx.app, &token, &brand, cursor, 100).await;
    assert!(
        early.is_empty(),
        "nothing is handed out while an earlier writer is open: {early:?}"
    );

    t1.commit().await.unwrap();
    let created = t2.await.unwrap();
    assert!(created.get("errors").is_none(), "{created}");
    let (late, _) = drain_at_least(&ctx.app, &token, &brand, cursor, 100, 2).await;
    let names: Vec<&str> = late
        .iter()
        .map(|c| c["touchpoint"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Brand site", "Committed second"],
        "both, in commit-safe order"
    );
}

#[actix_web::test]
async fn a_reader_racing_concurrent_writers_sees_every_change_exactly_once() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let reader = ctx.net.brand_viewer.token.clone();
    let (_, mut cursor) = drain_at_least(&ctx.app, &reader, &brand, None, 100, 5).await;
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let app = ctx.app.address.clone();
            let token = if w % 2 == 0 { ctx.net.brand_editor.token.clone() } else { ctx.net.a_editor.token.clone() };
            let brand_id = ctx.net.brand_id;
            let phase = ctx.net.phases[w % 6];
            actix_web::rt::spawn(async move {
                let client = awc::Client::default();
                for i in 0..15 {
                    let mut input = minimal_input(brand_id, phase, &format!("w{w}-{i}"));
                    input["visibility"] = json!("NETWORK");
                    let mut resp = client
                        .post(format!("{app}/graphql"))
                        .insert_header(("Authorization", format!("Bearer {token}")))
                        .send_json(&json!({ "query": crate::helpers::CREATE_TOUCHPOINT, "variables": { "input": input } }))
                        .await
                        .unwrap();
                    let body = resp.json::<Value>().await.unwrap();
                    assert!(body.get("errors").is_none(), "{body}");
                }
            })
        })
        .collect();
    let mut seen: Vec<String> = Vec::new();
    let mut done = false;
    while !done {
        done = writers.iter().all(|w| w.is_finished());
        let (page, next) = drain(&ctx.app, &reader, &brand, cursor.clone(), 7).await;
        seen.extend(
            page.iter()
                .map(|c| c["touchpoint"]["name"].as_str().unwrap().to_owned()),
        );
        cursor = next;
        actix_web::rt::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    for w in writers {
        w.await.unwrap();
    }
    // Every writer has committed; the feed may still hold the last changes back while some
    // other transaction of the database is open (delayed, never gapped), so poll briefly.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while seen.len() < 60 && std::time::Instant::now() < deadline {
        let (rest, next) = drain(&ctx.app, &reader, &brand, cursor.clone(), 7).await;
        seen.extend(
            rest.iter()
                .map(|c| c["touchpoint"]["name"].as_str().unwrap().to_owned()),
        );
        cursor = next;
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "no change twice");
    assert_eq!(seen.len(), 60, "every change once");
}
