//! Every migration's `down` undoes its `up`: the schema goes all the way down and up again,
//! and the registry works on it.
use migration::{Migrator, MigratorTrait};
use serde_json::json;

use crate::helpers::{create_touchpoint, minimal_input, spawn_app, Network};

#[actix_web::test]
async fn the_schema_goes_down_and_up_again_and_works() {
    let app = spawn_app().await;
    let conn = app.db.conn();
    Migrator::down(conn, None).await.expect("every down runs");
    assert!(
        Migrator::get_applied_migrations(conn)
            .await
            .unwrap()
            .is_empty(),
        "all undone"
    );
    Migrator::up(conn, None).await.expect("every up runs again");
    let net = Network::build(&app).await;
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "After the round trip"),
    )
    .await;
    let feed = app
        .data_until(
            &net.a_viewer.token,
            "query($b: ID!) { touchpointChanges(brandId: $b) { nodes { touchpointId } } }",
            json!({ "b": net.brand_id.to_string() }),
            |d| {
                d["touchpointChanges"]["nodes"]
                    .as_array()
                    .is_some_and(|n| !n.is_empty())
            },
        )
        .await;
    assert_eq!(feed["touchpointChanges"]["nodes"][0]["touchpointId"], id);
    let log = app
        .data(
            &net.brand_admin.token,
            "query($e: ID!) { auditLog(entityId: $e) { nodes { action } } }",
            json!({ "e": id }),
        )
        .await;
    assert_eq!(log["auditLog"]["nodes"][0]["action"], "touchpoint.create");
}

/// The ledger migration moves the audit trail and the change log into the ledger and, undone,
/// moves them back: nothing recorded is lost either way.
#[actix_web::test]
async fn the_ledger_migration_moves_what_was_recorded_both_ways() {
    use sea_orm::{ConnectionTrait, Statement};
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let conn = app.db.conn();
    let id = create_touchpoint(
        &app,
        &net.a_editor.token,
        minimal_input(net.brand_id, net.phases[0], "Kept"),
    )
    .await;
    app.data(
        &net.a_editor.token,
        "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Kept v2\"}) { touchpoint { id } } }",
        json!({ "id": id }),
    )
    .await;
    let count = |sql: &'static str| async move {
        let row = conn
            .query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index::<i64>(0).unwrap()
    };
    let entries = count("SELECT count(*) FROM ledger_entries").await;
    let feed = count("SELECT count(*) FROM ledger_entries WHERE kind IS NOT NULL").await;

    // Every migration after the ledger's, then the ledger's.
    let from_ledger = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261203_000008_one_ledger")
        .expect("the ledger's migration")
        + 1;
    Migrator::down(conn, Some(from_ledger as u32))
        .await
        .expect("the ledger's down runs");
    assert_eq!(count("SELECT count(*) FROM audit_entries").await, entries);
    assert_eq!(count("SELECT count(*) FROM touchpoint_changes").await, feed);
    let after: String = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT CAST(after AS TEXT) FROM audit_entries WHERE action = 'touchpoint.update'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index(0)
        .unwrap();
    let after: serde_json::Value = serde_json::from_str(&after).unwrap();
    assert_eq!(after, json!({ "name": "Kept v2", "version": 2 }));

    // A feed cursor a client kept from before: just past the create.
    let first = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT tx_id, id FROM touchpoint_changes ORDER BY tx_id, id LIMIT 1",
        ))
        .await
        .unwrap()
        .unwrap();
    let kept = {
        use base64::Engine;
        let position = json!({
            "b": net.brand_id,
            "x": first.try_get_by_index::<i64>(0).unwrap(),
            "i": first.try_get_by_index::<i64>(1).unwrap(),
        });
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(position.to_string())
    };

    Migrator::up(conn, None).await.expect("and up again");
    assert_eq!(count("SELECT count(*) FROM ledger_entries").await, entries);
    let log = app
        .data(
            &net.brand_admin.token,
            "query($e: ID!) { auditLog(entityId: $e) { nodes { action version changes { field before after } } } }",
            json!({ "e": id }),
        )
        .await;
    assert_eq!(
        log["auditLog"]["nodes"][0],
        json!({
            "action": "touchpoint.update",
            "version": 2,
            "changes": [{ "field": "name", "before": "Kept", "after": "Kept v2" }],
        })
    );
    let feed = app
        .data(
            &net.a_viewer.token,
            "query($b: ID!) { touchpointChanges(brandId: $b) { nodes { kind touchpointId } } }",
            json!({ "b": net.brand_id.to_string() }),
        )
        .await;
    assert_eq!(
        feed["touchpointChanges"]["nodes"],
        json!([
            { "kind": "CREATED", "touchpointId": id },
            { "kind": "UPDATED", "touchpointId": id },
        ])
    );
    // The kept cursor resumes without a gap: the update is still ahead of it.
    let resumed = app
        .data(
            &net.a_viewer.token,
            "query($b: ID!, $a: String) { touchpointChanges(brandId: $b, after: $a) { nodes { kind } } }",
            json!({ "b": net.brand_id.to_string(), "a": kept }),
        )
        .await;
    let kinds = resumed["touchpointChanges"]["nodes"].as_array().unwrap();
    assert!(
        kinds.contains(&json!({ "kind": "UPDATED" })),
        "no change is skipped: {resumed}"
    );
}
