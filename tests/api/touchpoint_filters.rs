//! Every field of `TouchpointFilter` and every ordering.
use serde_json::{json, Value};

use crate::helpers::{create_touchpoint, minimal_input, node_names, spawn_app, Network, TestApp};

async fn names(app: &TestApp, token: &str, filter: Value, order: Value) -> Vec<String> {
    let data = app
        .data(
            token,
            "query($f: TouchpointFilter, $o: TouchpointOrder) { touchpoints(filter: $f, orderBy: $o, first: 100) { totalCount nodes { name } } }",
            json!({ "f": filter, "o": order }),
        )
        .await;
    let list = node_names(&data["touchpoints"]);
    assert_eq!(
        data["touchpoints"]["totalCount"].as_u64().unwrap() as usize,
        list.len()
    );
    list
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[actix_web::test]
async fn each_filter_selects_exactly_its_touchpoints() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let brand = &net.brand_editor.token;
    let mut alpha = minimal_input(net.brand_id, net.phases[0], "Alpha");
    alpha["channel"] = json!("STORE");
    alpha["expressions"] = json!(["PERSONAL", "PHYSICAL"]);
    alpha["status"] = json!("PLANNED");
    alpha["horizon"] = json!("NEXT_YEAR");
    alpha["description"] = json!("The flagship STORE on Main street");
    let alpha = create_touchpoint(&app, brand, alpha).await;
    let mut beta = minimal_input(net.brand_id, net.phases[1], "Beta");
    beta["ownership"] = json!("THIRD_PARTY");
    beta["visibility"] = json!("PRIVATE");
    beta["horizon"] = json!("NOW");
    create_touchpoint(&app, brand, beta).await;
    let mut gamma = minimal_input(net.brand_id, net.phases[1], "Gamma");
    gamma["visibility"] = json!("NETWORK");
    let gamma = create_touchpoint(&app, &net.a_editor.token, gamma).await;
    app.data(brand, "mutation($id: ID!) { setSignature(input: {id: $id, signature: true}) { touchpoint { id } } }", json!({ "id": alpha })).await;
    app.data(
        &net.a_editor.token,
        "mutation($id: ID!) { archiveTouchpoint(input: {id: $id}) { touchpoint { id } } }",
        json!({ "id": gamma }),
    )
    .await;
    let mut delta = minimal_input(net.brand_id, net.phases[2], "Delta");
    delta["visibility"] = json!("NETWORK");
    create_touchpoint(&app, &net.a_editor.token, delta).await;

    let cases = vec![
        (json!({}), vec!["Alpha", "Beta", "Delta"]),
        (
            json!({ "brandId": net.brand_id.to_string() }),
            vec!["Alpha", "Beta", "Delta"],
        ),
        (json!({ "brandId": net.other_brand_id.to_string() }), vec![]),
        (
            json!({ "ownerId": net.dealer_a.to_string() }),
            vec!["Delta"],
        ),
        (
            json!({ "phaseId": net.phases[1].to_string() }),
            vec!["Beta"],
        ),
        (json!({ "ownership": "THIRD_PARTY" }), vec!["Beta"]),
        (json!({ "ownership": "PARTNER" }), vec!["Delta"]),
        (json!({ "channel": "STORE" }), vec!["Alpha"]),
        (json!({ "expression": "PHYSICAL" }), vec!["Alpha"]),
        (json!({ "expression": "DIGITAL" }), vec!["Beta", "Delta"]),
        (json!({ "signature": true }), vec!["Alpha"]),
        (json!({ "signature": false }), vec!["Beta", "Delta"]),
        (json!({ "status": "PLANNED" }), vec!["Alpha"]),
        (json!({ "reviewStatus": "PENDING" }), vec!["Delta"]),
        (json!({ "reviewStatus": "APPROVED" }), vec!["Alpha", "Beta"]),
        (json!({ "visibility": "PRIVATE" }), vec!["Beta"]),
        (json!({ "horizon": "NOW" }), vec!["Beta"]),
        (json!({ "search": "main STREET" }), vec!["Alpha"]),
        (json!({ "search": "ta" }), vec!["Beta", "Delta"]),
        (
            json!({ "updatedSince": "2000-01-01T00:00:00Z" }),
            vec!["Alpha", "Beta", "Delta"],
        ),
        (json!({ "updatedSince": "2999-01-01T00:00:00Z" }), vec![]),
        (
            json!({ "includeArchived": true }),
            vec!["Alpha", "Beta", "Delta", "Gamma"],
        ),
        (
            json!({ "includeArchived": true, "phaseId": net.phases[1].to_string(), "ownerId": net.dealer_a.to_string() }),
            vec!["Gamma"],
        ),
    ];
    for (filter, expected) in cases {
        let got = sorted(names(&app, brand, filter.clone(), Value::Null).await);
        assert_eq!(got, expected, "{filter}");
    }
}

#[actix_web::test]
async fn each_ordering_sorts_and_breaks_ties_by_id() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    // name, priority inputs (importance, urgency, maturity, effort, benefit) or none
    let specs: [(&str, Option<[i64; 5]>); 5] = [
        ("charlie", Some([5, 5, 5, 1, 5])),
        ("alpha", Some([1, 1, 1, 5, 1])),
        ("echo", None),
        ("bravo", Some([3, 3, 3, 3, 3])),
        ("delta", Some([3, 3, 3, 3, 3])),
    ];
    for (name, scores) in specs {
        let mut input = minimal_input(net.brand_id, net.phases[0], name);
        if let Some(s) = scores {
            for (field, value) in ["importance", "urgency", "maturity", "effort", "benefit"]
                .iter()
                .zip(s)
            {
                input[*field] = json!(value);
            }
        }
        create_touchpoint(&app, token, input).await;
    }
    let order = |field: &str, direction: &str| json!({ "field": field, "direction": direction });
    assert_eq!(
        names(&app, token, json!({}), order("NAME", "ASC")).await,
        ["alpha", "bravo", "charlie", "delta", "echo"]
    );
    assert_eq!(
        names(&app, token, json!({}), order("NAME", "DESC")).await,
        ["echo", "delta", "charlie", "bravo", "alpha"]
    );
    assert_eq!(
        names(&app, token, json!({}), order("CREATED_AT", "ASC")).await,
        ["charlie", "alpha", "echo", "bravo", "delta"]
    );
    assert_eq!(
        names(&app, token, json!({}), order("CREATED_AT", "DESC")).await,
        ["delta", "bravo", "echo", "alpha", "charlie"]
    );
    assert_eq!(
        names(&app, token, json!({}), order("UPDATED_AT", "DESC")).await,
        ["delta", "bravo", "echo", "alpha", "charlie"]
    );
    // bravo and delta tie on priority: the id (creation order, v7) breaks the tie in the
    // direction of the sort; echo has no priority and comes last either way.
    assert_eq!(
        names(&app, token, json!({}), order("PRIORITY", "DESC")).await,
        ["charlie", "delta", "bravo", "alpha", "echo"]
    );
    assert_eq!(
        names(&app, token, json!({}), order("PRIORITY", "ASC")).await,
        ["alpha", "bravo", "delta", "charlie", "echo"]
    );
    let scores = app
        .data(token, "{ touchpoints(orderBy: {field: PRIORITY, direction: DESC}) { nodes { priorityScore } } }", json!({}))
        .await;
    let values: Vec<Value> = scores["touchpoints"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["priorityScore"].clone())
        .collect();
    // 25.00, 3.00, 3.00, 0.20, null
    assert_eq!(
        values,
        [json!(25.0), json!(3.0), json!(3.0), json!(0.2), Value::Null]
    );
}

#[actix_web::test]
async fn priority_rounds_half_away_from_zero() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let token = &net.brand_editor.token;
    // ((2·2 + 1 + 2) / 4) · (1 / 2) = 0.875 → 0.88 ; ((2·1 + 1 + 1) / 4) · (1 / 3) = 0.333… → 0.33
    for (name, s, expected) in [
        ("half", [2, 1, 2, 2, 1], 0.88),
        ("third", [1, 1, 1, 3, 1], 0.33),
        ("two-thirds", [1, 1, 2, 3, 2], 0.83),
    ] {
        let mut input = minimal_input(net.brand_id, net.phases[0], name);
        for (field, value) in ["importance", "urgency", "maturity", "effort", "benefit"]
            .iter()
            .zip(s)
        {
            input[*field] = json!(value);
        }
        let id = create_touchpoint(&app, token, input).await;
        let got = app
            .data(
                token,
                "query($id: ID!) { touchpoint(id: $id) { priorityScore } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            got["touchpoint"]["priorityScore"],
            json!(expected),
            "{name}"
        );
    }
}
