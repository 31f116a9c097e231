//! Generated input thrown at the touchpoint and sync mutations: every answer is a success or
//! an error with a code (never INTERNAL, never a crash), and the database stays consistent.
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use sea_orm::EntityTrait;
use serde_json::{json, Map, Value};
use touchpoint_registry::domain::priority::Scores;
use touchpoint_registry::entities::{ledger_entry, touchpoint};

use crate::helpers::{spawn_app, Network, TestApp, CREATE_TOUCHPOINT};

const CODES: [&str; 6] = [
    "BAD_USER_INPUT",
    "NOT_FOUND",
    "FORBIDDEN",
    "CONFLICT",
    "LIMIT_EXCEEDED",
    "GRAPHQL_VALIDATION_FAILED",
];

fn text() -> impl Strategy<Value = Value> {
    prop_oneof![
        14 => "[a-zA-Z][a-zA-Z0-9 ]{0,40}".prop_map(Value::from),
        2 => any::<String>().prop_map(Value::from),
        1 => proptest::collection::vec(any::<char>(), 190..260).prop_map(|c| Value::from(c.into_iter().collect::<String>())),
        1 => Just(Value::Null),
        1 => any::<i32>().prop_map(Value::from),
    ]
}

fn enum_of(values: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        14 => proptest::sample::select(values).prop_map(Value::from),
        1 => "[A-Z_]{1,12}".prop_map(Value::from),
        1 => Just(Value::Null),
    ]
}

fn score() -> impl Strategy<Value = Value> {
    prop_oneof![14 => (1..=5i64).prop_map(Value::from), 2 => (-10..20i64).prop_map(Value::from), 1 => Just(Value::Null), 1 => "x".prop_map(Value::from)]
}

/// A touchpoint input with a random subset of fields, mostly plausible, sometimes hostile.
fn fields(phase_ids: Vec<String>) -> impl Strategy<Value = Map<String, Value>> {
    let phase = prop_oneof![
        16 => proptest::sample::select(phase_ids).prop_map(Value::from),
        1 => Just(Value::from("00000000-0000-4000-8000-000000000000")),
        1 => text(),
    ];
    let channel = enum_of(&["WEBSITE", "STORE", "PHONE", "EVENT", "REVIEW_SITE"]);
    let expressions = prop_oneof![
        12 => proptest::sample::subsequence(vec!["PERSONAL", "PHYSICAL", "DIGITAL"], 1..=3).prop_map(|v| json!(v)),
        1 => Just(json!([])),
        1 => Just(json!(["TELEPATHIC"])),
        1 => Just(Value::Null),
    ];
    let cost = prop_oneof![
        6 => ("[0-9]{1,6}(\\.[0-9]{1,2})?", proptest::sample::select(vec!["EUR", "usd", "JPY"])).prop_map(|(a, c)| json!({ "amount": a, "currency": c })),
        2 => ("-?[0-9]{1,8}(\\.[0-9]{1,6})?", "[A-Za-z]{3}").prop_map(|(a, c)| json!({ "amount": a, "currency": c })),
        1 => Just(Value::Null),
    ];
    (
        text(),
        text(),
        channel,
        expressions,
        phase,
        (score(), score(), score(), score(), score()),
        cost,
        enum_of(&["PRIVATE", "NETWORK"]),
        proptest::collection::vec("[a-z]{0,8}", 0..5),
        any::<u8>(),
    )
        .prop_map(
            |(
                name,
                description,
                channel,
                expressions,
                phase,
                (i, u, m, e, b),
                cost,
                visibility,
                tags,
                mask,
            )| {
                let mut map = Map::new();
                // The fields a create needs come together most of the time.
                let required = mask & 0x0e != 0;
                let mut put = |bit: u8, key: &str, value: Value| {
                    if key == "name" || (bit == 2 && required) || mask & bit != 0 {
                        map.insert(key.to_owned(), value);
                    }
                };
                put(0xff, "name", name);
                put(1, "description", description);
                put(2, "channel", channel);
                put(2, "expressions", expressions);
                put(2, "phaseId", phase);
                put(4, "importance", i);
                put(4, "urgency", u);
                put(8, "maturity", m);
                put(8, "effort", e);
                put(8, "benefit", b);
                put(16, "cost", cost);
                put(32, "visibility", visibility);
                put(64, "tags", json!(tags));
                map
            },
        )
}

fn samples<S: Strategy>(strategy: S, n: usize, seed: u8) -> Vec<S::Value> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    );
    (0..n)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// Success, or an error whose code a client can act on.
fn assert_answer(resp: &Value, what: &str) -> bool {
    if resp.get("errors").is_none() {
        return true;
    }
    let code = resp["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("none");
    assert!(
        CODES.contains(&code),
        "{what}: unexpected code {code}: {resp}"
    );
    false
}

async fn check_consistency(app: &TestApp) -> usize {
    let all = touchpoint::Entity::find().all(app.db.conn()).await.unwrap();
    let audits = ledger_entry::Entity::find()
        .all(app.db.conn())
        .await
        .unwrap();
    for t in &all {
        let expected =
            Scores::from_options(t.importance, t.urgency, t.maturity, t.effort, t.benefit)
                .map(|s| s.priority_hundredths());
        assert_eq!(t.priority_score, expected, "{t:?}");
        assert!(
            !t.name.trim().is_empty() && t.name.chars().count() <= 200,
            "{t:?}"
        );
        assert!(
            t.expr_personal || t.expr_physical || t.expr_digital,
            "{t:?}"
        );
        for s in [t.importance, t.urgency, t.maturity, t.effort, t.benefit]
            .into_iter()
            .flatten()
        {
            assert!((1..=5).contains(&s));
        }
        assert!(t.version >= 1);
        assert!(
            audits
                .iter()
                .any(|a| a.entity_id == t.id && a.action == "touchpoint.create"),
            "every touchpoint has its creation audited"
        );
    }
    all.len()
}

#[actix_web::test]
async fn generated_touchpoint_inputs_get_an_answer_and_leave_the_data_consistent() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let phases: Vec<String> = net.phases.iter().map(|p| p.to_string()).collect();
    let mut created = 0;
    let mut ids = Vec::new();
    for (i, mut input) in samples(fields(phases.clone()), 80, 7)
        .into_iter()
        .enumerate()
    {
        input.insert("brandId".into(), json!(net.brand_id.to_string()));
        let resp = app
            .gql(
                &net.a_editor.token,
                CREATE_TOUCHPOINT,
                json!({ "input": input }),
            )
            .await;
        if assert_answer(&resp, &format!("create #{i}")) {
            created += 1;
            ids.push(
                resp["data"]["createTouchpoint"]["touchpoint"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    eprintln!("{created} of 80 generated creates were valid");
    assert!(
        created > 5,
        "the generator also makes valid inputs ({created})"
    );
    for (i, mut patch) in samples(fields(phases.clone()), 60, 11)
        .into_iter()
        .enumerate()
    {
        let id = &ids[i % ids.len()];
        let version = app
            .data(
                &net.a_editor.token,
                "query($id: ID!) { touchpoint(id: $id) { version } }",
                json!({ "id": id }),
            )
            .await["touchpoint"]["version"]
            .clone();
        patch.insert("id".into(), json!(id));
        patch.insert("expectedVersion".into(), version);
        let resp = app
            .gql(&net.a_editor.token, "mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { touchpoint { id } } }", json!({ "input": patch }))
            .await;
        assert_answer(&resp, &format!("update #{i}"));
    }
    assert_eq!(check_consistency(&app).await, created);
    assert!(app.healthy(&net.a_editor.token).await);
}

#[actix_web::test]
async fn generated_sync_batches_get_an_answer_per_item_and_leave_the_data_consistent() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let phases: Vec<String> = net.phases.iter().map(|p| p.to_string()).collect();
    let keys = prop_oneof![5 => "k[0-9]{1,2}".prop_map(Value::from), 1 => text()];
    let item = (keys, fields(phases)).prop_map(|(key, mut map)| {
        map.insert("externalId".into(), key);
        Value::Object(map)
    });
    let batches = samples(proptest::collection::vec(item, 0..12), 25, 3);
    for (i, items) in batches.into_iter().enumerate() {
        let mode = if i % 5 == 4 { "MIRROR" } else { "UPSERT" };
        let resp = app
            .gql(
                &net.a_editor.token,
                "mutation($input: SyncTouchpointsInput!) { syncTouchpoints(input: $input) { created updated unchanged archived items { outcome } errors { index code field } } }",
                json!({ "input": { "brandId": net.brand_id.to_string(), "mode": mode, "items": items } }),
            )
            .await;
        if assert_answer(&resp, &format!("sync #{i}")) {
            let payload = &resp["data"]["syncTouchpoints"];
            assert_eq!(
                payload["items"].as_array().unwrap().len(),
                items.len(),
                "one outcome per item"
            );
            for e in payload["errors"].as_array().unwrap() {
                assert!(CODES.contains(&e["code"].as_str().unwrap()), "{e}");
            }
        }
    }
    check_consistency(&app).await;
    assert!(app.healthy(&net.a_editor.token).await);
}
