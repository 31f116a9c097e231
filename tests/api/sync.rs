//! `syncTouchpoints`: upsert and mirror by externalId, per-item errors, dry runs,
//! idempotency keys, batch limits — and nothing written when nothing should be.
use serde_json::{json, Value};

use crate::access_matrix::Ctx;
use crate::helpers::{error_code, node_names, TestApp};

const SYNC: &str = "mutation($input: SyncTouchpointsInput!) { syncTouchpoints(input: $input) {
  created updated unchanged archived dryRun replayed
  items { externalId outcome touchpoint { id name description importance priorityScore version reviewStatus archivedAt } }
  archivedItems { externalId outcome touchpoint { id archivedAt } }
  errors { index externalId code field message }
} }";

fn item(ctx: &Ctx, ext: &str, name: &str) -> Value {
    json!({ "externalId": ext, "name": name, "channel": "STORE", "expressions": ["PHYSICAL"], "phaseId": ctx.net.phases[1].to_string() })
}

async fn sync(app: &TestApp, token: &str, input: Value) -> Value {
    let resp = app.gql(token, SYNC, json!({ "input": input })).await;
    assert!(resp.get("errors").is_none(), "{resp:#}");
    resp["data"]["syncTouchpoints"].clone()
}

/// Everything a write would touch, as the brand's admin sees it.
async fn footprint(ctx: &Ctx) -> Value {
    let token = &ctx.net.brand_admin.token;
    let list = ctx
        .app
        .data(token, "{ touchpoints(first: 100, filter: {includeArchived: true}, orderBy: {field: NAME, direction: ASC}) { nodes { id name version archivedAt } } }", json!({}))
        .await;
    let log = ctx
        .app
        .data(
            token,
            "{ auditLog(first: 100) { nodes { id } } }",
            json!({}),
        )
        .await;
    json!({ "list": list, "log": log, "changes": change_rows(&ctx.app).await })
}

#[actix_web::test]
async fn upsert_creates_updates_keeps_omitted_fields_and_clears_nulls() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.a_editor.token;
    let brand = ctx.net.brand_id.to_string();
    let mut first = item(&ctx, "dms-1", "Showroom");
    first["description"] = json!("Main hall");
    first["importance"] = json!(4);
    let r = sync(
        &ctx.app,
        token,
        json!({ "brandId": brand, "items": [first, item(&ctx, "dms-2", "Workshop")] }),
    )
    .await;
    assert_eq!(
        (
            r["created"].clone(),
            r["updated"].clone(),
            r["unchanged"].clone()
        ),
        (json!(2), json!(0), json!(0))
    );
    assert_eq!(r["items"][0]["outcome"], "CREATED");
    assert_eq!(r["items"][0]["touchpoint"]["reviewStatus"], "PENDING");

    // Omitted fields keep their values, null clears, identical items are unchanged.
    let r = sync(
        &ctx.app,
        token,
        json!({ "brandId": brand, "items": [
            { "externalId": "dms-1", "name": "Showroom v2", "importance": null },
            item(&ctx, "dms-2", "Workshop"),
        ]}),
    )
    .await;
    assert_eq!(
        (r["updated"].clone(), r["unchanged"].clone()),
        (json!(1), json!(1))
    );
    let t = &r["items"][0]["touchpoint"];
    assert_eq!(t["name"], "Showroom v2");
    assert_eq!(t["description"], "Main hall", "omitted: kept");
    assert!(t["importance"].is_null(), "null: cleared");
    assert_eq!(t["version"], 2);
    assert_eq!(r["items"][1]["outcome"], "UNCHANGED");
    assert_eq!(r["items"][1]["touchpoint"]["version"], 1, "no new version");
    // An unchanged item leaves no audit entry and no change event.
    let id2 = r["items"][1]["touchpoint"]["id"].clone();
    let log = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "query($e: ID!) { auditLog(entityId: $e) { nodes { action } } }",
            json!({ "e": id2 }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["nodes"],
        json!([{ "action": "touchpoint.create" }])
    );
    // The updated item's entry: who, for which organization and network, what changed.
    let id1 = t["id"].clone();
    let log = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "query($e: ID!) { auditLog(entityId: $e) { nodes {
               action entityType entityId actorKind actorLabel organization { id } brandId before after
               via version changes { field before after }
             } } }",
            json!({ "e": id1 }),
        )
        .await;
    let update = &log["auditLog"]["nodes"][0];
    assert_eq!(update["action"], "touchpoint.update", "{log}");
    assert_eq!(update["entityType"], "Touchpoint");
    assert_eq!(update["entityId"], id1);
    assert_eq!(update["actorKind"], "USER");
    assert_eq!(update["actorLabel"], "editor@dealer-a.test");
    assert_eq!(update["organization"]["id"], ctx.net.dealer_a.to_string());
    assert_eq!(update["brandId"], brand);
    assert_eq!(update["before"]["name"], "Showroom");
    assert_eq!(update["after"]["name"], "Showroom v2");
    assert_eq!(update["before"]["importance"], 4);
    assert!(update["after"]["importance"].is_null());
    // The ledger keeps the fields the sync changed, and says the write came by sync.
    assert_eq!(update["via"], "SYNC");
    assert_eq!(update["version"], 2);
    let changes = update["changes"].as_array().unwrap();
    assert!(
        changes.contains(&json!({ "field": "name", "before": "Showroom", "after": "Showroom v2" })),
        "{changes:?}"
    );
    assert!(changes.contains(&json!({ "field": "importance", "before": 4, "after": null })));
    assert!(
        changes.iter().all(|c| c["before"] != c["after"]),
        "only changed fields: {changes:?}"
    );
    assert_eq!(log["auditLog"]["nodes"][1]["action"], "touchpoint.create");
    assert!(log["auditLog"]["nodes"][1]["before"].is_null());
    let feed = ctx
        .app
        .data_until(
            token,
            "query($b: ID!) { touchpointChanges(brandId: $b) { nodes { kind touchpointId } } }",
            json!({ "b": brand }),
            |feed| {
                feed["touchpointChanges"]["nodes"]
                    .as_array()
                    .is_some_and(|n| {
                        n.iter()
                            .any(|c| c["touchpointId"] == id1 && c["kind"] == "UPDATED")
                    })
            },
        )
        .await;
    let kinds_for_2: Vec<&Value> = feed["touchpointChanges"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["touchpointId"] == id2)
        .map(|n| &n["kind"])
        .collect();
    assert_eq!(kinds_for_2, [&json!("CREATED")]);
}

#[actix_web::test]
async fn mirror_archives_only_the_callers_absent_keyed_touchpoints_in_that_brand() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.a_editor.token;
    let brand = ctx.net.brand_id.to_string();
    sync(
        &ctx.app,
        token,
        json!({ "brandId": brand, "items": [item(&ctx, "m-1", "One"), item(&ctx, "m-2", "Two")] }),
    )
    .await;
    // Dealer A's touchpoints in another brand's network stay put: A partners Globex too.
    ctx.app
        .data(&ctx.net.other_admin.token, "mutation($b: ID!) { createPartner(input: {brandId: $b, slug: \"dealer-a\"}) { partnership { id } } }", json!({ "b": ctx.net.other_brand_id.to_string() }))
        .await;
    let elsewhere = sync(
        &ctx.app,
        token,
        json!({ "brandId": ctx.net.other_brand_id.to_string(), "items": [{ "externalId": "g-1", "name": "Globex corner", "channel": "STORE", "expressions": ["PHYSICAL"], "phaseId": ctx.net.other_phases[0].to_string() }] }),
    )
    .await;
    assert_eq!(elsewhere["created"], 1);

    let r = sync(
        &ctx.app,
        token,
        json!({ "brandId": brand, "mode": "MIRROR", "items": [item(&ctx, "m-2", "Two")] }),
    )
    .await;
    assert_eq!(
        r["archived"], 3,
        "m-1 and the fixture's two keyed touchpoints of dealer A"
    );
    let mut archived: Vec<&str> = r["archivedItems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["externalId"].as_str().unwrap())
        .collect();
    archived.sort_unstable();
    assert_eq!(archived, ["ext-a-network", "ext-a-private", "m-1"]);
    assert!(r["archivedItems"][0]["touchpoint"]["archivedAt"].is_string());
    // Other owners' and other brands' touchpoints are untouched.
    let list = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "{ touchpoints(first: 100) { nodes { name } } }",
            json!({}),
        )
        .await;
    let mut names = node_names(&list["touchpoints"]);
    names.sort();
    assert_eq!(names, ["B network", "B private", "Brand site", "Two"]);
    let globex = ctx
        .app
        .data(
            &ctx.net.other_admin.token,
            "{ touchpoints { nodes { name archivedAt } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        globex["touchpoints"]["nodes"],
        json!([{ "name": "Globex corner", "archivedAt": null }])
    );
    // Sending m-1 again restores it.
    let r = sync(
        &ctx.app,
        token,
        json!({ "brandId": brand, "items": [item(&ctx, "m-1", "One")] }),
    )
    .await;
    assert_eq!(r["items"][0]["outcome"], "UPDATED");
    assert!(r["items"][0]["touchpoint"]["archivedAt"].is_null());
}

#[actix_web::test]
async fn bad_items_are_reported_one_by_one_and_do_not_fail_the_others() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.a_editor.token;
    let mut bad_score = item(&ctx, "bad-score", "Bad score");
    bad_score["urgency"] = json!(9);
    let mut foreign_phase = item(&ctx, "foreign-phase", "Elsewhere");
    foreign_phase["phaseId"] = json!(ctx.net.other_phases[0].to_string());
    let mut unknown_phase = item(&ctx, "unknown-phase", "Nowhere");
    unknown_phase["phaseId"] = json!(uuid::Uuid::new_v4().to_string());
    let items = json!([
        item(&ctx, "ok-1", "Fine"),
        item(&ctx, "  ", "No key"),
        bad_score,
        foreign_phase,
        { "externalId": "incomplete", "name": "Missing channel" },
        item(&ctx, "dup", "Dup one"),
        item(&ctx, "dup", "Dup two"),
        unknown_phase,
        item(&ctx, "ok-2", "Also fine"),
    ]);
    let before = footprint(&ctx).await;
    let dry = sync(
        &ctx.app,
        token,
        json!({ "brandId": ctx.net.brand_id.to_string(), "items": items, "dryRun": true }),
    )
    .await;
    assert_eq!(footprint(&ctx).await, before, "a dry run writes nothing");
    let r = sync(
        &ctx.app,
        token,
        json!({ "brandId": ctx.net.brand_id.to_string(), "items": items }),
    )
    .await;
    assert_eq!(r["created"], 2);
    let errors: Vec<(i64, &str, &str)> = r["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["index"].as_i64().unwrap(),
                e["code"].as_str().unwrap(),
                e["field"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            (1, "BAD_USER_INPUT", "externalId"),
            (2, "BAD_USER_INPUT", "urgency"),
            (3, "BAD_USER_INPUT", "phaseId"),
            (4, "BAD_USER_INPUT", "channel"),
            (5, "BAD_USER_INPUT", "externalId"),
            (6, "BAD_USER_INPUT", "externalId"),
            (7, "BAD_USER_INPUT", "phaseId"),
        ]
    );
    let outcomes: Vec<&str> = r["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes,
        [
            "CREATED", "FAILED", "FAILED", "FAILED", "FAILED", "FAILED", "FAILED", "FAILED",
            "CREATED"
        ]
    );
    // The dry run answered exactly the same (created touchpoints aside, whose ids were provisional).
    let strip = |v: &Value| {
        let mut v = v.clone();
        for i in v["items"].as_array_mut().unwrap() {
            i["touchpoint"] = Value::Null;
        }
        v["dryRun"] = Value::Null;
        v
    };
    assert_eq!(strip(&dry), strip(&r));
    assert_eq!(dry["dryRun"], true);
}

#[actix_web::test]
async fn the_whole_batch_is_refused_for_a_brand_the_caller_cannot_write_in() {
    let ctx = Ctx::new().await;
    let items = json!([item(&ctx, "x-1", "X")]);
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_editor.token,
            SYNC,
            json!({ "input": { "brandId": ctx.net.other_brand_id.to_string(), "items": items } }),
        )
        .await;
    assert_eq!(
        error_code(&resp),
        Some("NOT_FOUND"),
        "not partnered: the brand does not exist for it"
    );
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_viewer.token,
            SYNC,
            json!({ "input": { "brandId": ctx.net.brand_id.to_string(), "items": items } }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    let too_many: Vec<Value> = (0..1001)
        .map(|i| item(&ctx, &format!("k{i}"), "Many"))
        .collect();
    let before = footprint(&ctx).await;
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_editor.token,
            SYNC,
            json!({ "input": { "brandId": ctx.net.brand_id.to_string(), "items": too_many } }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("LIMIT_EXCEEDED"));
    assert_eq!(footprint(&ctx).await, before);
}

#[actix_web::test]
async fn another_organizations_external_ids_only_ever_address_the_callers_own() {
    let ctx = Ctx::new().await;
    // The fixture gave dealer B a touchpoint keyed "ext-b-network"; dealer A syncs that key.
    let r = sync(&ctx.app, &ctx.net.a_editor.token, json!({ "brandId": ctx.net.brand_id.to_string(), "items": [item(&ctx, "ext-b-network", "A's own")] })).await;
    assert_eq!(
        r["items"][0]["outcome"], "CREATED",
        "a new touchpoint of dealer A"
    );
    let b = ctx
        .app
        .data(
            &ctx.net.b_editor.token,
            "query($id: ID!) { touchpoint(id: $id) { name version } }",
            json!({ "id": ctx.tps.b_network }),
        )
        .await;
    assert_eq!(
        b["touchpoint"],
        json!({ "name": "B network", "version": 1 })
    );
    // MIRROR by A never archives B's.
    sync(
        &ctx.app,
        &ctx.net.a_editor.token,
        json!({ "brandId": ctx.net.brand_id.to_string(), "mode": "MIRROR", "items": [] }),
    )
    .await;
    let b = ctx
        .app
        .data(
            &ctx.net.b_editor.token,
            "query($id: ID!) { touchpoint(id: $id) { archivedAt } }",
            json!({ "id": ctx.tps.b_private }),
        )
        .await;
    assert!(b["touchpoint"]["archivedAt"].is_null());
}

#[actix_web::test]
async fn an_idempotency_key_replays_the_first_result_and_refuses_a_different_request() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.a_editor.token;
    let brand = ctx.net.brand_id.to_string();
    let input = json!({ "brandId": brand, "idempotencyKey": "batch-7", "items": [item(&ctx, "i-1", "One")] });
    let first = sync(&ctx.app, token, input.clone()).await;
    assert_eq!(
        (first["created"].clone(), first["replayed"].clone()),
        (json!(1), json!(false))
    );
    let before = footprint(&ctx).await;
    // The same request, fields in another order: the first result, nothing written.
    let reordered = json!({ "items": [{ "phaseId": ctx.net.phases[1].to_string(), "expressions": ["PHYSICAL"], "channel": "STORE", "name": "One", "externalId": "i-1" }], "idempotencyKey": "batch-7", "brandId": brand });
    let again = sync(&ctx.app, token, reordered).await;
    assert_eq!(again["replayed"], true);
    assert_eq!(again["created"], 1, "the first result, not \"unchanged\"");
    assert_eq!(
        again["items"][0]["touchpoint"]["id"],
        first["items"][0]["touchpoint"]["id"]
    );
    assert_eq!(footprint(&ctx).await, before);
    // The same key with different items is a conflict.
    let resp = ctx.app.gql(token, SYNC, json!({ "input": { "brandId": brand, "idempotencyKey": "batch-7", "items": [item(&ctx, "i-2", "Two")] } })).await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));
    assert_eq!(footprint(&ctx).await, before);
    // Keys are the caller's: another caller's "batch-7" is its own.
    let other = sync(&ctx.app, &ctx.net.a_admin.token, json!({ "brandId": brand, "idempotencyKey": "batch-7", "items": [item(&ctx, "i-2", "Two")] })).await;
    assert_eq!(
        (other["created"].clone(), other["replayed"].clone()),
        (json!(1), json!(false))
    );
    // After 24 hours the key is forgotten.
    expire_keys(&ctx.app).await;
    let later = sync(&ctx.app, token, json!({ "brandId": brand, "idempotencyKey": "batch-7", "items": [item(&ctx, "i-3", "Three")] })).await;
    assert_eq!(
        (later["created"].clone(), later["replayed"].clone()),
        (json!(1), json!(false))
    );
}

async fn expire_keys(app: &TestApp) {
    use sea_orm::sea_query::Expr;
    use sea_orm::EntityTrait;
    use touchpoint_registry::entities::idempotency_record;
    let past = touchpoint_registry::clock::now() - chrono::Duration::hours(25);
    idempotency_record::Entity::update_many()
        .col_expr(idempotency_record::Column::ExpiresAt, Expr::value(past))
        .exec(app.db.conn())
        .await
        .unwrap();
}

/// The feed's entries as stored in the ledger (the feed itself may hold fresh rows back while
/// other transactions of a shared database are open).
async fn change_rows(app: &TestApp) -> Vec<(uuid::Uuid, String)> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    use touchpoint_registry::entities::ledger_entry;
    ledger_entry::Entity::find()
        .filter(ledger_entry::Column::Kind.is_not_null())
        .order_by_asc(ledger_entry::Column::Seq)
        .all(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| Some((e.entity_id, format!("{:?}", e.kind?))))
        .collect()
}

/// Four batches at once over the same externalIds, each naming every item after itself:
/// whatever the database, each batch applies whole and exactly once — new keys are created
/// once, and no update is lost or applied over one it did not see (on PostgreSQL a batch
/// that lost a race plans and writes again: `sync::write`).
#[actix_web::test]
async fn concurrent_batches_over_the_same_keys_each_apply_whole_and_once() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let batch = |round: usize| {
        let items: Vec<Value> = (0..20)
            .map(|i| item(&ctx, &format!("race-{i}"), &format!("round {round}")))
            .collect();
        json!({ "brandId": brand, "items": items })
    };
    let tokens = [
        &ctx.net.a_editor.token,
        &ctx.net.a_admin.token,
        &ctx.net.a_editor.token,
        &ctx.net.a_admin.token,
    ];
    // Twice: first every key is new (the batches race to create them), then every key
    // exists (they race to update them).
    for pass in 0..2 {
        let results = futures_util::future::join_all(
            tokens
                .iter()
                .enumerate()
                .map(|(round, token)| sync(&ctx.app, token, batch(pass * 4 + round))),
        )
        .await;
        let mut created = 0;
        for r in &results {
            assert_eq!(r["errors"], json!([]), "{r:#}");
            let (c, u) = (
                r["created"].as_i64().unwrap(),
                r["updated"].as_i64().unwrap(),
            );
            assert!((c, u) == (20, 0) || (c, u) == (0, 20), "{r:#}");
            created += c;
        }
        assert_eq!(created, if pass == 0 { 20 } else { 0 }, "{results:#?}");
    }
    let list = ctx
        .app
        .data(
            &ctx.net.a_viewer.token,
            "query($o: ID!) { organization(id: $o) { touchpoints(first: 100, filter: {search: \"round\"}) { nodes { id name version } } } }",
            json!({ "o": ctx.net.dealer_a.to_string() }),
        )
        .await;
    let nodes = list["organization"]["touchpoints"]["nodes"]
        .as_array()
        .unwrap();
    assert_eq!(nodes.len(), 20, "each key created once: {list}");
    // The last batch to commit named every item: batches apply whole.
    let names: std::collections::HashSet<&str> =
        nodes.iter().map(|n| n["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 1, "{names:?}");
    for node in nodes {
        assert_eq!(node["version"], 8, "one version per batch: {node}");
    }
    // Each update was made over the version before it: 1 → 2 → … → 8.
    let log = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "query($e: ID!) { auditLog(entityId: $e, first: 50) { nodes { action before after } } }",
            json!({ "e": nodes[0]["id"] }),
        )
        .await;
    let mut versions: Vec<(i64, i64)> = log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "touchpoint.update")
        .map(|e| {
            (
                e["before"]["version"].as_i64().unwrap(),
                e["after"]["version"].as_i64().unwrap(),
            )
        })
        .collect();
    versions.sort_unstable();
    assert_eq!(
        versions,
        (1..8).map(|v| (v, v + 1)).collect::<Vec<_>>(),
        "{log}"
    );
}

/// The same keyed request sent twice at once: one of them writes, the other answers with its
/// result — and the batch is written once.
#[actix_web::test]
async fn the_same_keyed_request_twice_at_once_is_written_once() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let token = &ctx.net.a_editor.token;
    let items: Vec<Value> = (0..10)
        .map(|i| item(&ctx, &format!("twice-{i}"), "Twice"))
        .collect();
    let input = json!({ "brandId": brand, "idempotencyKey": "night-run-1", "items": items });
    let (a, b) = futures_util::join!(
        sync(&ctx.app, token, input.clone()),
        sync(&ctx.app, token, input.clone())
    );
    let mut replayed = [
        a["replayed"].as_bool().unwrap(),
        b["replayed"].as_bool().unwrap(),
    ];
    replayed.sort_unstable();
    assert_eq!(replayed, [false, true], "{a:#}\n{b:#}");
    for r in [&a, &b] {
        assert_eq!(r["created"], 10, "{r:#}");
    }
    let ids = |r: &Value| -> Vec<Value> {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["touchpoint"]["id"].clone())
            .collect()
    };
    assert_eq!(ids(&a), ids(&b));
    // One change row per touchpoint of the batch, its creation.
    let batch: std::collections::HashSet<String> = ids(&a)
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    let rows: Vec<String> = change_rows(&ctx.app)
        .await
        .into_iter()
        .filter(|(id, _)| batch.contains(&id.to_string()))
        .map(|(_, kind)| kind)
        .collect();
    assert_eq!(rows, vec!["Created"; 10]);
    let list = ctx
        .app
        .data(
            token,
            "{ touchpoints(first: 100, filter: {search: \"twice\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["touchpoints"]["totalCount"], 10);
}

/// More batches at once than the pool has connections, with nothing cached: every read a
/// batch makes while it writes goes through its own transaction, so the batches queued behind
/// the writer (SQLite: each holding a connection while it waits for the write lock) never
/// starve it of a connection.
#[actix_web::test]
async fn batches_beyond_the_pool_with_nothing_cached_all_go_through() {
    let app = crate::helpers::spawn_app_with(|s| {
        s.db_pool_size = Some(2);
        s.cache_ttl = std::time::Duration::ZERO;
        s.limits.db_acquire_timeout = std::time::Duration::from_secs(2);
    })
    .await;
    let net = crate::helpers::Network::build(&app).await;
    let phase = net.phases[1].to_string();
    let batch = |n: usize| {
        let items: Vec<Value> = (0..10)
            .map(|i| json!({ "externalId": format!("pool-{n}-{i}"), "name": "Pooled", "channel": "STORE", "expressions": ["PHYSICAL"], "phaseId": phase }))
            .collect();
        json!({ "brandId": net.brand_id.to_string(), "items": items })
    };
    let results =
        futures_util::future::join_all((0..6).map(|n| sync(&app, &net.a_editor.token, batch(n))))
            .await;
    for r in &results {
        assert_eq!(
            (r["created"].clone(), r["errors"].clone()),
            (json!(10), json!([])),
            "{r:#}"
        );
    }
}
