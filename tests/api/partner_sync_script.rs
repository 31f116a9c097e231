//! The example integration script (`examples/partner-sync/sync.py`) run for real against a
//! live server: push a CSV twice (the second run changes nothing), then pull the feed.
use std::process::Command;

use serde_json::json;

use crate::helpers::{node_names, spawn_app, Network, TestApp};

fn script() -> String {
    format!(
        "{}/examples/partner-sync/sync.py",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn csv() -> String {
    format!(
        "{}/examples/partner-sync/touchpoints.csv",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// Runs the script with the client's credentials; returns (exit code, stdout, stderr).
/// It runs on a blocking thread: the test's own runtime drives database sockets the server
/// uses, and must keep running meanwhile.
async fn run(app: &TestApp, client: &(String, String), args: &[&str]) -> (i32, String, String) {
    let mut command = Command::new("python3");
    command
        .arg(script())
        .args(args)
        .env("REGISTRY_URL", &app.address)
        .env("REGISTRY_CLIENT_ID", &client.0)
        .env("REGISTRY_CLIENT_SECRET", &client.1);
    let out = actix_web::rt::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("python3 runs (CI installs it)");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[actix_web::test]
async fn the_example_script_syncs_a_csv_idempotently_and_pulls_the_feed() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let created = app
        .data(&net.a_admin.token, "mutation { createApiClient(input: {name: \"dms\", role: EDITOR}) { clientId clientSecret } }", json!({}))
        .await;
    let client = (
        created["createApiClient"]["clientId"]
            .as_str()
            .unwrap()
            .to_owned(),
        created["createApiClient"]["clientSecret"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let push = [
        "push",
        "--brand",
        "acme",
        "--csv",
        &csv(),
        "--batch-size",
        "3",
    ];

    let (code, out, err) = run(
        &app,
        &client,
        &["push", "--brand", "acme", "--csv", &csv(), "--dry-run"],
    )
    .await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("DRY RUN — would have: 7 created"), "{out}");
    let before = app
        .data(
            &net.a_viewer.token,
            "query($o: ID!) { organization(id: $o) { touchpoints { totalCount } } }",
            json!({ "o": net.dealer_a.to_string() }),
        )
        .await;
    assert_eq!(
        before["organization"]["touchpoints"]["totalCount"], 0,
        "the dry run wrote nothing"
    );

    let (code, out, err) = run(&app, &client, &push).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("7 created, 0 updated, 0 unchanged, 0 archived, 0 refused"),
        "{out}"
    );
    let state = app
        .data(&net.a_viewer.token, "query($o: ID!) { organization(id: $o) { touchpoints(first: 100, orderBy: {field: NAME, direction: ASC}) { nodes { name externalId phase { name } cost { amount currency } expressions visibility } } } }", json!({ "o": net.dealer_a.to_string() }))
        .await;
    let list = &state["organization"]["touchpoints"];
    assert_eq!(node_names(list).len(), 7);
    let showroom = list["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["externalId"] == "DMS-1001")
        .unwrap();
    assert_eq!(showroom["phase"]["name"], "Consideration");
    assert_eq!(
        showroom["cost"],
        json!({ "amount": "1200", "currency": "EUR" })
    );
    assert_eq!(showroom["expressions"], json!(["PERSONAL", "PHYSICAL"]));

    // The second run leaves the same state: every row unchanged.
    let (code, out, err) = run(&app, &client, &push).await;
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("0 created, 0 updated, 7 unchanged"), "{out}");
    let again = app
        .data(&net.a_viewer.token, "query($o: ID!) { organization(id: $o) { touchpoints(first: 100, orderBy: {field: NAME, direction: ASC}) { nodes { name externalId phase { name } cost { amount currency } expressions visibility } } } }", json!({ "o": net.dealer_a.to_string() }))
        .await;
    assert_eq!(again, state);

    // The feed shows the seven creations (once other tests' transactions let it: see
    // `data_until`).
    app.data_until(
        &net.a_viewer.token,
        "query($b: ID!) { touchpointChanges(brandId: $b, first: 100) { nodes { kind } } }",
        json!({ "b": net.brand_id.to_string() }),
        |feed| {
            feed["touchpointChanges"]["nodes"]
                .as_array()
                .map_or(0, Vec::len)
                >= 7
        },
    )
    .await;

    // Pull: the feed from the start, then nothing new from the saved cursor.
    let cursor = std::env::temp_dir().join(format!("cursor-{}", uuid::Uuid::new_v4()));
    let cursor_file = cursor.to_string_lossy().into_owned();
    let (code, out, err) = run(
        &app,
        &client,
        &[
            "pull",
            "--brand",
            "acme",
            "--cursor-file",
            &cursor_file,
            "--page-size",
            "4",
        ],
    )
    .await;
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 7, "{out}");
    assert!(lines
        .iter()
        .all(|l| l["kind"] == "CREATED" && l["owner"] == "dealer-a"));
    let (code, out, _) = run(
        &app,
        &client,
        &["pull", "--brand", "acme", "--cursor-file", &cursor_file],
    )
    .await;
    assert_eq!(code, 0);
    assert!(out.trim().is_empty(), "nothing new: {out}");
    let _ = std::fs::remove_file(cursor);
}

#[actix_web::test]
async fn the_script_reports_refused_rows_with_their_line_and_field() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let created = app
        .data(&net.a_admin.token, "mutation { createApiClient(input: {name: \"dms\", role: EDITOR}) { clientId clientSecret } }", json!({}))
        .await;
    let client = (
        created["createApiClient"]["clientId"]
            .as_str()
            .unwrap()
            .to_owned(),
        created["createApiClient"]["clientSecret"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let path = std::env::temp_dir().join(format!("bad-{}.csv", uuid::Uuid::new_v4()));
    std::fs::write(
        &path,
        "external_id,name,channel,expressions,phase,importance\nok-1,Fine,STORE,PHYSICAL,Awareness,3\nbad-1,Bad,STORE,PHYSICAL,Nowhere,3\nbad-2,Bad score,STORE,PHYSICAL,Awareness,9\n",
    )
    .unwrap();
    let (code, out, err) = run(
        &app,
        &client,
        &["push", "--brand", "acme", "--csv", &path.to_string_lossy()],
    )
    .await;
    let _ = std::fs::remove_file(&path);
    assert_eq!(code, 2, "{out}\n{err}");
    assert!(
        out.contains("1 created") && out.contains("2 refused"),
        "{out}"
    );
    assert!(
        out.contains("line 3 (bad-1): BAD_USER_INPUT [phaseId]"),
        "{out}"
    );
    assert!(
        out.contains("line 4 (bad-2): BAD_USER_INPUT [importance]"),
        "{out}"
    );
    // Wrong credentials fail the run.
    let (code, _, err) = run(
        &app,
        &(client.0.clone(), "tpr_wrong".into()),
        &["push", "--brand", "acme", "--csv", &csv()],
    )
    .await;
    assert_eq!(code, 1);
    assert!(err.contains("invalid_client"), "{err}");
}
