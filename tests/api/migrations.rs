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
