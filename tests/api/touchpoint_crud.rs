use serde_json::{json, Value};

use crate::helpers::{assert_ok, create_touchpoint, error_code, minimal_input, spawn_app, Network};

const FIELDS: &str = "id brandId externalId name description channel expressions multiAccess
  ownership phase { id } targetExperience keyMetric tags cost { amount currency } resources
  media launchDate timing location importance urgency maturity effort benefit priorityScore
  signature visibility status horizon reviewStatus version createdAt updatedAt archivedAt
  owner { id }";

async fn read(app: &crate::helpers::TestApp, token: &str, id: &str) -> Value {
    let resp = app
        .gql(
            token,
            &format!("query($id: ID!) {{ touchpoint(id: $id) {{ {FIELDS} }} }}"),
            json!({ "id": id }),
        )
        .await;
    assert_ok(&resp);
    resp["data"]["touchpoint"].clone()
}

#[actix_web::test]
async fn create_read_update_archive_restore_round_trips_every_field() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    let input = json!({
        "brandId": net.brand_id.to_string(),
        "externalId": "dms-42",
        "name": "Showroom welcome",
        "description": "Greeting at the door.\nWith coffee.",
        "channel": "SHOWROOM",
        "expressions": ["PHYSICAL", "PERSONAL"],
        "ownership": "PARTNER",
        "phaseId": net.phases[1].to_string(),
        "targetExperience": "Feel expected, not processed",
        "keyMetric": "Test rides booked",
        "tags": ["showroom", "welcome"],
        "cost": { "amount": "1250.50", "currency": "eur" },
        "resources": "Two hosts on Saturdays",
        "media": ["https://example.com/welcome.jpg"],
        "launchDate": "2027-03-01",
        "timing": "Saturdays 10-16",
        "location": "Harbor Street 1",
        "importance": 5, "urgency": 4, "maturity": 2, "effort": 3, "benefit": 4,
        "visibility": "NETWORK",
        "status": "PLANNED",
        "horizon": "NEXT_QUARTER"
    });
    let id = create_touchpoint(&app, token, input).await;
    let t = read(&app, token, &id).await;
    assert_eq!(t["brandId"], net.brand_id.to_string());
    assert_eq!(t["owner"]["id"], net.dealer_a.to_string());
    assert_eq!(t["externalId"], "dms-42");
    assert_eq!(t["name"], "Showroom welcome");
    assert_eq!(t["description"], "Greeting at the door.\nWith coffee.");
    assert_eq!(t["channel"], "SHOWROOM");
    assert_eq!(t["expressions"], json!(["PERSONAL", "PHYSICAL"]));
    assert_eq!(t["multiAccess"], true);
    assert_eq!(t["ownership"], "PARTNER");
    assert_eq!(t["phase"]["id"], net.phases[1].to_string());
    assert_eq!(t["targetExperience"], "Feel expected, not processed");
    assert_eq!(t["keyMetric"], "Test rides booked");
    assert_eq!(t["tags"], json!(["showroom", "welcome"]));
    assert_eq!(t["cost"], json!({ "amount": "1250.5", "currency": "EUR" }));
    assert_eq!(t["resources"], "Two hosts on Saturdays");
    assert_eq!(t["media"], json!(["https://example.com/welcome.jpg"]));
    assert_eq!(t["launchDate"], "2027-03-01");
    assert_eq!(t["timing"], "Saturdays 10-16");
    assert_eq!(t["location"], "Harbor Street 1");
    assert_eq!(
        [
            &t["importance"],
            &t["urgency"],
            &t["maturity"],
            &t["effort"],
            &t["benefit"]
        ],
        [&json!(5), &json!(4), &json!(2), &json!(3), &json!(4)]
    );
    // ((2·5 + 4 + 2) / 4) · (4 / 3) = 5.333… → 5.33
    assert_eq!(t["priorityScore"], 5.33);
    assert_eq!(t["signature"], false);
    assert_eq!(t["visibility"], "NETWORK");
    assert_eq!(t["status"], "PLANNED");
    assert_eq!(t["horizon"], "NEXT_QUARTER");
    assert_eq!(
        t["reviewStatus"], "PENDING",
        "a partner's touchpoint waits for review"
    );
    assert_eq!(t["version"], 1);
    assert!(t["archivedAt"].is_null());

    // Update: change some fields, clear others, leave the rest.
    let resp = app
        .gql(
            token,
            &format!("mutation($input: UpdateTouchpointInput!) {{ updateTouchpoint(input: $input) {{ touchpoint {{ {FIELDS} }} }} }}"),
            json!({ "input": {
                "id": id, "expectedVersion": 1,
                "name": "Showroom welcome, v2",
                "description": null,
                "cost": null,
                "effort": 1,
                "benefit": null,
                "expressions": ["PERSONAL"],
                "tags": [],
                "horizon": null,
                "status": "ACTIVE",
            }}),
        )
        .await;
    assert_ok(&resp);
    let u = read(&app, token, &id).await;
    assert_eq!(u["name"], "Showroom welcome, v2");
    assert!(u["description"].is_null());
    assert!(u["cost"].is_null());
    assert_eq!(u["effort"], 1);
    assert!(u["benefit"].is_null());
    assert!(
        u["priorityScore"].is_null(),
        "a null input makes the priority null"
    );
    assert_eq!(u["expressions"], json!(["PERSONAL"]));
    assert_eq!(u["multiAccess"], false);
    assert_eq!(u["tags"], json!([]));
    assert!(u["horizon"].is_null());
    assert_eq!(u["status"], "ACTIVE");
    assert_eq!(u["version"], 2);
    // Untouched fields keep their values.
    assert_eq!(u["location"], "Harbor Street 1");
    assert_eq!(u["launchDate"], "2027-03-01");
    assert_eq!(u["media"], t["media"]);
    assert_eq!(u["createdAt"], t["createdAt"]);
    assert_ne!(u["updatedAt"], t["updatedAt"]);

    // Archive: gone from lists, still readable by id, restorable.
    let resp = app
        .gql(token, "mutation($id: ID!) { archiveTouchpoint(input: {id: $id}) { touchpoint { archivedAt version } } }", json!({ "id": id }))
        .await;
    assert_ok(&resp);
    assert!(resp["data"]["archiveTouchpoint"]["touchpoint"]["archivedAt"].is_string());
    let list = app
        .gql(token, "{ touchpoints { totalCount } }", json!({}))
        .await;
    assert_eq!(list["data"]["touchpoints"]["totalCount"], 0);
    let list = app
        .gql(
            token,
            "{ touchpoints(filter: {includeArchived: true}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(list["data"]["touchpoints"]["totalCount"], 1);
    let archived = read(&app, token, &id).await;
    assert!(archived["archivedAt"].is_string());
    assert_eq!(archived["version"], 3);

    let resp = app
        .gql(token, "mutation($id: ID!) { restoreTouchpoint(input: {id: $id}) { touchpoint { archivedAt version name } } }", json!({ "id": id }))
        .await;
    assert_ok(&resp);
    let restored = &resp["data"]["restoreTouchpoint"]["touchpoint"];
    assert!(restored["archivedAt"].is_null());
    assert_eq!(restored["version"], 4);
    assert_eq!(restored["name"], "Showroom welcome, v2");
}

#[actix_web::test]
async fn the_brands_own_touchpoints_are_approved_and_shared_by_default() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let resp = app
        .gql(
            &net.brand_editor.token,
            crate::helpers::CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(net.brand_id, net.phases[0], "Brand site") }),
        )
        .await;
    assert_ok(&resp);
    let t = &resp["data"]["createTouchpoint"]["touchpoint"];
    assert_eq!(t["reviewStatus"], "APPROVED");
    assert_eq!(t["visibility"], "NETWORK");
    assert_eq!(t["ownership"], "OWN");

    let resp = app
        .gql(
            &net.a_editor.token,
            crate::helpers::CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(net.brand_id, net.phases[0], "Dealer site") }),
        )
        .await;
    let t = &resp["data"]["createTouchpoint"]["touchpoint"];
    assert_eq!(t["reviewStatus"], "PENDING");
    assert_eq!(
        t["visibility"], "PRIVATE",
        "a partner's data is private until shared"
    );
    assert_eq!(t["ownership"], "PARTNER");
}

#[actix_web::test]
async fn an_update_that_changes_nothing_keeps_the_version() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    let id = create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "Site"),
    )
    .await;
    let resp = app
        .gql(
            token,
            "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Site\"}) { touchpoint { version } } }",
            json!({ "id": id }),
        )
        .await;
    assert_ok(&resp);
    assert_eq!(resp["data"]["updateTouchpoint"]["touchpoint"]["version"], 1);
}

#[actix_web::test]
async fn a_stale_expected_version_is_a_conflict_and_changes_nothing() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    let id = create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "Site"),
    )
    .await;
    let update = "mutation($id: ID!, $v: Int!, $name: String!) { updateTouchpoint(input: {id: $id, expectedVersion: $v, name: $name}) { touchpoint { version } } }";
    let resp = app
        .gql(token, update, json!({ "id": id, "v": 1, "name": "First" }))
        .await;
    assert_ok(&resp);
    let resp = app
        .gql(token, update, json!({ "id": id, "v": 1, "name": "Second" }))
        .await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));
    let t = read(&app, token, &id).await;
    assert_eq!(t["name"], "First");
    assert_eq!(t["version"], 2);
}

/// Lists and look-ups decode touchpoint rows by column position (`ByPosition`); the field
/// order must be the derived, by-name decoding's. Every field distinct, so that a swap of
/// two fields of one type shows.
#[actix_web::test]
async fn decoding_by_position_reads_every_field_as_decoding_by_name_does() {
    use sea_orm::EntityTrait;
    use touchpoint_registry::entities::touchpoint;
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.a_editor.token;
    create_touchpoint(
        &app,
        token,
        json!({
            "brandId": net.brand_id.to_string(), "externalId": "ext-1", "name": "Name",
            "description": "Description", "channel": "SHOWROOM", "expressions": ["PHYSICAL"],
            "ownership": "PARTNER", "phaseId": net.phases[1].to_string(),
            "targetExperience": "Target", "keyMetric": "Metric", "tags": ["tag"],
            "cost": { "amount": "1.50", "currency": "eur" }, "resources": "Resources",
            "media": ["https://example.com/m.jpg"], "launchDate": "2027-03-01",
            "timing": "Timing", "location": "Location",
            "importance": 5, "urgency": 4, "maturity": 3, "effort": 2, "benefit": 1,
            "visibility": "NETWORK", "status": "PLANNED", "horizon": "NEXT_QUARTER"
        }),
    )
    .await;
    create_touchpoint(
        &app,
        token,
        minimal_input(net.brand_id, net.phases[0], "minimal"),
    )
    .await;
    let by_name = touchpoint::Entity::find().all(app.db.conn()).await.unwrap();
    let by_position: Vec<touchpoint::Model> = touchpoint::Entity::find()
        .into_model::<touchpoint::ByPosition>()
        .all(app.db.conn())
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.0)
        .collect();
    assert_eq!(by_name.len(), 2);
    assert_eq!(by_position, by_name);
}
