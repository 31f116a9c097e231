//! Optimistic concurrency on every versioned entity (DESIGN §3): of twelve writers sending one
//! `expectedVersion` at once, exactly one succeeds and the others get CONFLICT with nothing
//! written — the stored row is the winner's, its version moved by one, and the ledger holds
//! exactly one entry for it. On PostgreSQL (READ COMMITTED) this is the race a version compared
//! in Rust loses; on SQLite the write lock serialises it.
use futures_util::future::join_all;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{json, Value};
use touchpoint_registry::entities::ledger_entry;
use uuid::Uuid;

use crate::helpers::{error_code, spawn_app, Network, TestApp, Touchpoints};

const WRITERS: usize = 12;

/// One entity's write, raced.
struct Race<'a> {
    token: &'a str,
    /// A mutation taking `$id: ID!`, `$v: Int!` and `$x`, the writer's own value.
    mutation: &'a str,
    /// The payload's path: mutation field, then object (`["updatePhase", "phase"]`).
    payload: [&'a str; 2],
    id: String,
    version: i64,
    /// Writer `i`'s value for `$x`.
    value: fn(usize) -> Value,
}

/// Sends the race's writers at once; asserts one success and CONFLICT for the rest; returns
/// the winner's number and the object it got back.
async fn run(app: &TestApp, race: &Race<'_>) -> (usize, Value) {
    let answers = join_all((0..WRITERS).map(|i| {
        app.gql(
            race.token,
            race.mutation,
            json!({ "id": race.id, "v": race.version, "x": (race.value)(i) }),
        )
    }))
    .await;
    let mut winners = Vec::new();
    for (i, answer) in answers.iter().enumerate() {
        match answer.get("errors") {
            None => winners.push(i),
            Some(_) => assert_eq!(
                error_code(answer),
                Some("CONFLICT"),
                "writer {i} of {}: {answer}",
                race.payload[0]
            ),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "{}: exactly one writer wins: {answers:#?}",
        race.payload[0]
    );
    let winner = winners[0];
    let object = answers[winner]["data"][race.payload[0]][race.payload[1]].clone();
    assert_eq!(
        object["version"].as_i64(),
        Some(race.version + 1),
        "{}: the version moved by one",
        race.payload[0]
    );
    (winner, object)
}

/// Ledger entries of `entity` with `action`.
async fn entries(app: &TestApp, entity: &str, action: &str) -> u64 {
    ledger_entry::Entity::find()
        .filter(ledger_entry::Column::EntityId.eq(Uuid::parse_str(entity).unwrap()))
        .filter(ledger_entry::Column::Action.eq(action))
        .count(app.db.conn())
        .await
        .unwrap()
}

#[derive(Clone, Copy)]
/// What to read back after a race: a query taking `$id`, the path to the object in its
/// answer (a list is searched for the object with that id), and the field the writers set.
struct Stored<'a> {
    query: &'a str,
    path: &'a [&'a str],
    field: &'a str,
}

/// Runs the race, then checks the stored object is the winner's, at the next version, with
/// one ledger entry of `action`.
async fn race_and_check(app: &TestApp, race: Race<'_>, action: &str, stored: Stored<'_>) {
    let (winner, object) = run(app, &race).await;
    assert_eq!(
        object[stored.field],
        (race.value)(winner),
        "{action}: the answer carries the winner's change"
    );
    let read = app
        .data(race.token, stored.query, json!({ "id": race.id }))
        .await;
    let mut found = &read;
    for key in stored.path {
        found = &found[*key];
    }
    if let Some(list) = found.as_array() {
        found = list
            .iter()
            .find(|o| o["id"] == json!(race.id))
            .expect("the object is listed");
    }
    assert_eq!(
        found[stored.field], object[stored.field],
        "{action}: the stored value is the winner's (writer {winner})"
    );
    assert_eq!(found["version"], object["version"], "{action}");
    assert_eq!(
        entries(app, &race.id, action).await,
        1,
        "{action}: one ledger entry"
    );
}

/// The `id` of the first object in `list` that `matches`.
fn id_where(list: &Value, matches: impl Fn(&Value) -> bool) -> String {
    list.as_array()
        .and_then(|l| l.iter().find(|o| matches(o)))
        .and_then(|o| o["id"].as_str())
        .expect("listed")
        .to_owned()
}

fn name_of(i: usize) -> Value {
    json!(format!("Writer {i}"))
}

#[actix_web::test]
async fn of_concurrent_writers_with_one_version_exactly_one_wins_on_every_versioned_entity() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let admin = net.brand_admin.token.as_str();
    let tps = Touchpoints::build(&app, &net).await;
    let brand = net.brand_id.to_string();
    let touchpoint_read = Stored {
        query: "query($id: ID!) { touchpoint(id: $id) { id version name signature reviewStatus } }",
        path: &["touchpoint"],
        field: "name",
    };

    race_and_check(
        &app,
        Race {
            token: &net.a_editor.token,
            mutation: "mutation($id: ID!, $v: Int!, $x: String!) { updateTouchpoint(input: {id: $id, expectedVersion: $v, name: $x}) { touchpoint { version name } } }",
            payload: ["updateTouchpoint", "touchpoint"],
            id: tps.a_private.clone(),
            version: 1,
            value: name_of,
        },
        "touchpoint.update",
        touchpoint_read,
    )
    .await;

    race_and_check(
        &app,
        Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!, $x: String!) { updatePhase(input: {id: $id, expectedVersion: $v, name: $x}) { phase { version name } } }",
            payload: ["updatePhase", "phase"],
            id: net.phases[1].to_string(),
            version: 1,
            value: name_of,
        },
        "phase.update",
        Stored {
            query: "{ brand(slug: \"acme\") { phases { id version name } } }",
            path: &["brand", "phases"],
            field: "name",
        },
    )
    .await;

    let principles = Stored {
        query: "{ brand(slug: \"acme\") { principles(includeArchived: true) { id version name archivedAt } } }",
        path: &["brand", "principles"],
        field: "name",
    };
    race_and_check(
        &app,
        Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!, $x: String!) { updatePrinciple(input: {id: $id, expectedVersion: $v, name: $x}) { principle { version name } } }",
            payload: ["updatePrinciple", "principle"],
            id: net.principles[0].to_string(),
            version: 1,
            value: name_of,
        },
        "principle.update",
        principles,
    )
    .await;

    let journey = app
        .data(
            &net.brand_editor.token,
            "mutation($b: ID!) { createJourney(input: {brandId: $b, name: \"First visit\"}) { journey { id } } }",
            json!({ "b": brand }),
        )
        .await["createJourney"]["journey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let journey_read = Stored {
        query: "query($id: ID!) { journey(id: $id) { id version name steps { note } } }",
        path: &["journey"],
        field: "name",
    };
    race_and_check(
        &app,
        Race {
            token: &net.brand_editor.token,
            mutation: "mutation($id: ID!, $v: Int!, $x: String!) { updateJourney(input: {id: $id, expectedVersion: $v, name: $x}) { journey { version name } } }",
            payload: ["updateJourney", "journey"],
            id: journey.clone(),
            version: 1,
            value: name_of,
        },
        "journey.update",
        journey_read,
    )
    .await;

    // A journey's steps: each writer sets one step with its own note.
    let steps = format!(
        "mutation($id: ID!, $v: Int!, $x: String!) {{ setJourneySteps(input: {{journeyId: $id, expectedVersion: $v, steps: [{{touchpointId: \"{}\", major: true, note: $x}}]}}) {{ journey {{ version steps {{ note }} }} }} }}",
        tps.brand
    );
    let (winner, object) = run(
        &app,
        &Race {
            token: &net.brand_editor.token,
            mutation: &steps,
            payload: ["setJourneySteps", "journey"],
            id: journey.clone(),
            version: 2,
            value: name_of,
        },
    )
    .await;
    assert_eq!(object["steps"][0]["note"], name_of(winner));
    let stored = app
        .data(
            &net.brand_editor.token,
            journey_read.query,
            json!({ "id": journey }),
        )
        .await;
    assert_eq!(
        stored["journey"]["steps"],
        json!([{ "note": name_of(winner) }])
    );
    assert_eq!(entries(&app, &journey, "journey.set_steps").await, 1);

    race_and_check(
        &app,
        Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!, $x: Int!) { updateBrandSettings(input: {brandId: $id, expectedVersion: $v, maxMajorSteps: $x}) { brand { version maxMajorSteps } } }",
            payload: ["updateBrandSettings", "brand"],
            id: brand.clone(),
            version: 1,
            value: |i| json!(i + 1),
        },
        "brand.update_settings",
        Stored {
            query: "query($id: ID!) { brand(id: $id) { id version maxMajorSteps } }",
            path: &["brand"],
            field: "maxMajorSteps",
        },
    )
    .await;

    let partners = app
        .data(
            admin,
            "{ brand(slug: \"acme\") { partners { id partner { slug } } } }",
            json!({}),
        )
        .await;
    let partnership = id_where(&partners["brand"]["partners"], |p| {
        p["partner"]["slug"] == "dealer-b"
    });
    race_and_check(
        &app,
        Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!, $x: PartnershipStatus!) { setPartnershipStatus(input: {partnershipId: $id, expectedVersion: $v, status: $x}) { partnership { version status } } }",
            payload: ["setPartnershipStatus", "partnership"],
            id: partnership,
            version: 1,
            value: |i| json!(if i % 2 == 0 { "SUSPENDED" } else { "INVITED" }),
        },
        "partnership.set_status",
        Stored {
            query: "{ brand(slug: \"acme\") { partners { id version status } } }",
            path: &["brand", "partners"],
            field: "status",
        },
    )
    .await;

    let members = format!(
        "{{ organization(id: \"{brand}\") {{ members {{ id version role user {{ email }} }} }} }}"
    );
    let listed = app.data(admin, &members, json!({})).await;
    let editor = id_where(&listed["organization"]["members"], |m| {
        m["user"]["email"] == "editor@acme.test"
    });
    race_and_check(
        &app,
        Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!, $x: Role!) { updateMember(input: {membershipId: $id, expectedVersion: $v, role: $x}) { membership { version role } } }",
            payload: ["updateMember", "membership"],
            id: editor,
            version: 1,
            value: |i| json!(if i % 2 == 0 { "ADMIN" } else { "VIEWER" }),
        },
        "membership.update",
        Stored {
            query: &members,
            path: &["organization", "members"],
            field: "role",
        },
    )
    .await;

    let client = app
        .data(
            &net.a_admin.token,
            "mutation { createApiClient(input: {name: \"dms\", role: EDITOR}) { apiClient { id } } }",
            json!({}),
        )
        .await["createApiClient"]["apiClient"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let clients = format!(
        "{{ organization(id: \"{}\") {{ apiClients {{ id version name }} }} }}",
        net.dealer_a
    );
    let (_, object) = run(
        &app,
        &Race {
            token: &net.a_admin.token,
            mutation: "mutation($id: ID!, $v: Int!) { revokeApiClient(input: {id: $id, expectedVersion: $v}) { apiClient { version revokedAt } } }",
            payload: ["revokeApiClient", "apiClient"],
            id: client.clone(),
            version: 1,
            value: |_| Value::Null,
        },
    )
    .await;
    assert!(object["revokedAt"].is_string());
    let stored = app.data(&net.a_admin.token, &clients, json!({})).await;
    assert_eq!(stored["organization"]["apiClients"][0]["version"], 2);
    assert_eq!(entries(&app, &client, "api_client.revoke").await, 1);

    // The brand's review and signature of a partner's touchpoint (by the ADMIN: the editor's
    // role is whatever the membership race left).
    let (_, object) = run(
        &app,
        &Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!, $x: String!) { reviewTouchpoint(input: {id: $id, expectedVersion: $v, decision: REQUEST_CHANGES, comment: $x}) { touchpoint { version reviewStatus } } }",
            payload: ["reviewTouchpoint", "touchpoint"],
            id: tps.a_network.clone(),
            version: 1,
            value: name_of,
        },
    )
    .await;
    assert_eq!(object["reviewStatus"], "CHANGES_REQUESTED");
    assert_eq!(entries(&app, &tps.a_network, "touchpoint.review").await, 1);
    let (_, object) = run(
        &app,
        &Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!, $x: Boolean!) { setSignature(input: {id: $id, expectedVersion: $v, signature: $x}) { touchpoint { version signature } } }",
            payload: ["setSignature", "touchpoint"],
            id: tps.b_network.clone(),
            version: 1,
            value: |_| json!(true),
        },
    )
    .await;
    assert_eq!(object["signature"], true);
    assert_eq!(
        entries(&app, &tps.b_network, "touchpoint.set_signature").await,
        1
    );

    let principle = net.principles[1].to_string();
    let (_, object) = run(
        &app,
        &Race {
            token: admin,
            mutation: "mutation($id: ID!, $v: Int!) { archivePrinciple(input: {id: $id, expectedVersion: $v}) { principle { version archivedAt } } }",
            payload: ["archivePrinciple", "principle"],
            id: principle.clone(),
            version: 1,
            value: |_| Value::Null,
        },
    )
    .await;
    assert!(object["archivedAt"].is_string());
    assert_eq!(entries(&app, &principle, "principle.archive").await, 1);
}

const TOUCHPOINT: &str =
    "query($id: ID!) { touchpoint(id: $id) { version name description archivedAt } }";

#[actix_web::test]
async fn an_update_racing_an_archive_at_one_version_leaves_exactly_one_of_them() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = net.a_editor.token.as_str();
    for round in 0..5 {
        let id = crate::helpers::create_touchpoint(
            &app,
            token,
            crate::helpers::minimal_input(net.brand_id, net.phases[0], &format!("Round {round}")),
        )
        .await;
        let (update, archive) = futures_util::join!(
            app.gql(
                token,
                "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Renamed\"}) { touchpoint { version } } }",
                json!({ "id": id }),
            ),
            app.gql(
                token,
                "mutation($id: ID!) { archiveTouchpoint(input: {id: $id, expectedVersion: 1}) { touchpoint { version } } }",
                json!({ "id": id }),
            ),
        );
        let updated = update.get("errors").is_none();
        let archived = archive.get("errors").is_none();
        assert!(updated != archived, "exactly one wins: {update} {archive}");
        let loser = if updated { &archive } else { &update };
        assert_eq!(error_code(loser), Some("CONFLICT"), "{loser}");
        let stored = app.data(token, TOUCHPOINT, json!({ "id": id })).await["touchpoint"].clone();
        assert_eq!(stored["version"], 2);
        assert_eq!(stored["name"] == "Renamed", updated, "{stored}");
        assert_eq!(stored["archivedAt"].is_string(), archived, "{stored}");
        assert_eq!(
            entries(&app, &id, "touchpoint.update").await,
            u64::from(updated)
        );
        assert_eq!(
            entries(&app, &id, "touchpoint.archive").await,
            u64::from(archived)
        );
    }
}

#[actix_web::test]
async fn a_sync_batch_racing_an_update_of_the_same_touchpoint_loses_neither_change() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = net.a_editor.token.as_str();
    let tps = Touchpoints::build(&app, &net).await;
    let id = tps.a_private.as_str();
    for round in 0..5 {
        let version = app.data(token, TOUCHPOINT, json!({ "id": id })).await["touchpoint"]
            ["version"]
            .as_i64()
            .unwrap();
        let name = format!("Renamed {round}");
        let description = format!("Synced {round}");
        let (update, sync) = futures_util::join!(
            app.gql(
                token,
                "mutation($id: ID!, $v: Int!, $n: String!) { updateTouchpoint(input: {id: $id, expectedVersion: $v, name: $n}) { touchpoint { version } } }",
                json!({ "id": id, "v": version, "n": name }),
            ),
            app.gql(
                token,
                "mutation($b: ID!, $d: String!) { syncTouchpoints(input: {brandId: $b, items: [{externalId: \"ext-a-private\", description: $d}]}) { updated errors { message } } }",
                json!({ "b": net.brand_id.to_string(), "d": description }),
            ),
        );
        // The sync has no version to hold: it always applies, after or before the update.
        assert_eq!(sync["data"]["syncTouchpoints"]["updated"], 1, "{sync}");
        let updated = update.get("errors").is_none();
        if !updated {
            // The sync committed between the update's read and its write.
            assert_eq!(error_code(&update), Some("CONFLICT"), "{update}");
        }
        let stored = app.data(token, TOUCHPOINT, json!({ "id": id })).await["touchpoint"].clone();
        assert_eq!(
            stored["description"],
            json!(description),
            "the sync's change stays"
        );
        assert_eq!(
            stored["name"] == json!(name),
            updated,
            "the update's stays if it won"
        );
        assert_eq!(
            stored["version"].as_i64(),
            Some(version + 1 + i64::from(updated)),
            "one version per write that succeeded"
        );
    }
    let version = app.data(token, TOUCHPOINT, json!({ "id": id })).await["touchpoint"]["version"]
        .as_u64()
        .unwrap();
    assert_eq!(
        entries(&app, id, "touchpoint.update").await,
        version - 1,
        "one ledger entry per write after the create"
    );
}

#[actix_web::test]
async fn a_reorder_racing_a_phase_update_loses_neither_change() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let admin = net.brand_admin.token.as_str();
    let phases = "{ brand(slug: \"acme\") { phases { id name version } } }";
    for round in 0..5 {
        let before = app.data(admin, phases, json!({})).await["brand"]["phases"].clone();
        let before = before.as_array().unwrap();
        let first = &before[0];
        let mut reversed: Vec<Value> = before.iter().map(|p| p["id"].clone()).collect();
        reversed.reverse();
        let name = format!("Awareness {round}");
        let (update, reorder) = futures_util::join!(
            app.gql(
                admin,
                "mutation($id: ID!, $v: Int!, $n: String!) { updatePhase(input: {id: $id, expectedVersion: $v, name: $n}) { phase { version } } }",
                json!({ "id": first["id"], "v": first["version"], "n": name }),
            ),
            app.gql(
                admin,
                "mutation($b: ID!, $ids: [ID!]!) { reorderPhases(input: {brandId: $b, phaseIds: $ids}) { phases { id } } }",
                json!({ "b": net.brand_id.to_string(), "ids": reversed }),
            ),
        );
        let updated = update.get("errors").is_none();
        let reordered = reorder.get("errors").is_none();
        for (ok, answer) in [(updated, &update), (reordered, &reorder)] {
            if !ok {
                assert_eq!(error_code(answer), Some("CONFLICT"), "{answer}");
            }
        }
        assert!(updated || reordered, "one of them goes through");
        let after = app.data(admin, phases, json!({})).await["brand"]["phases"].clone();
        let order: Vec<Value> = after
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].clone())
            .collect();
        assert_eq!(
            order == reversed,
            reordered,
            "the order is the reorder's if it won"
        );
        let phase = after
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["id"] == first["id"])
            .unwrap();
        assert_eq!(phase["name"] == json!(name), updated, "{phase}");
        assert_eq!(
            phase["version"].as_i64().unwrap(),
            first["version"].as_i64().unwrap() + i64::from(updated) + i64::from(reordered),
            "one version per write that changed it"
        );
    }
}

#[actix_web::test]
async fn writers_on_two_instances_of_one_database_still_let_exactly_one_win() {
    let app = spawn_app().await;
    let url = app.settings.database_url();
    if !url.starts_with("postgres") {
        eprintln!("skipped: several instances share a database on PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    let net = Network::build(&app).await;
    let one = crate::helpers::start_instance(&url, &app.settings.data_dir).await;
    let two = crate::helpers::start_instance(&url, &app.settings.data_dir).await;
    let phase = net.phases[2].to_string();
    let answers = join_all((0..WRITERS).map(|i| {
        let instance = if i % 2 == 0 { &one } else { &two };
        let body = json!({
            "query": "mutation($id: ID!, $n: String!) { updatePhase(input: {id: $id, expectedVersion: 1, name: $n}) { phase { version name } } }",
            "variables": { "id": phase, "n": name_of(i) },
        });
        let token = net.brand_admin.token.clone();
        async move { instance.post_graphql(Some(&token), &body).await.1 }
    }))
    .await;
    let winners: Vec<&Value> = answers
        .iter()
        .filter(|a| a.get("errors").is_none())
        .collect();
    assert_eq!(winners.len(), 1, "{answers:#?}");
    for answer in answers.iter().filter(|a| a.get("errors").is_some()) {
        assert_eq!(error_code(answer), Some("CONFLICT"), "{answer}");
    }
    let stored = app
        .data(
            &net.brand_admin.token,
            "{ brand(slug: \"acme\") { phases { id version name } } }",
            json!({}),
        )
        .await;
    let stored = stored["brand"]["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == json!(phase))
        .unwrap()
        .clone();
    assert_eq!(
        stored["name"],
        winners[0]["data"]["updatePhase"]["phase"]["name"]
    );
    assert_eq!(stored["version"], 2);
    assert_eq!(entries(&app, &phase, "phase.update").await, 1);
}
