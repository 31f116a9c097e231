//! The experience map (SVG, signed links, the HTML page), the scorecard and the CSV export,
//! each under the permission rules.
use chrono::Utc;
use jsonwebtoken::{encode, EncodingKey, Header};
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{json, Value};

use crate::access_matrix::Ctx;
use crate::helpers::JWT_SECRET;

/// Parses the SVG strictly (panics if it is not well-formed XML) and counts the groups of
/// each class: (cards, lanes, phases, journey steps).
fn counts(svg: &str) -> (usize, usize, usize, usize) {
    let mut reader = Reader::from_str(svg);
    let (mut cards, mut lanes, mut phases, mut steps) = (0, 0, 0, 0);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if e.name().as_ref() == b"g" => {
                for attr in e.attributes() {
                    let attr = attr.expect("well-formed attribute");
                    if attr.key.as_ref() == b"class" {
                        match attr.value.as_ref() {
                            b"card" => cards += 1,
                            b"lane" => lanes += 1,
                            b"phase" => phases += 1,
                            b"step" => steps += 1,
                            _ => {}
                        }
                    }
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(err) => panic!("not well-formed XML: {err}"),
        }
    }
    (cards, lanes, phases, steps)
}

async fn map_via_graphql(ctx: &Ctx, token: &str) -> String {
    ctx.app
        .data(
            token,
            "query($b: ID!) { brand(id: $b) { experienceMap { svg } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await["brand"]["experienceMap"]["svg"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn the_map_draws_exactly_what_each_viewer_may_see() {
    let ctx = Ctx::new().await;
    // The brand: its lane, both dealers, third parties; all five touchpoints; six phases.
    let brand_svg = map_via_graphql(&ctx, &ctx.net.brand_viewer.token).await;
    assert_eq!(counts(&brand_svg), (5, 4, 6, 0));
    assert!(brand_svg.contains("B private"));
    // Dealer A: the same lanes, but not dealer B's private touchpoint.
    let partner_svg = map_via_graphql(&ctx, &ctx.net.a_viewer.token).await;
    assert_eq!(counts(&partner_svg), (4, 4, 6, 0));
    assert!(
        !partner_svg.contains("B private"),
        "another partner's PRIVATE touchpoint never shows"
    );
    // Over plain HTTP with the bearer token: the same drawing.
    let (status, content_type, body) = ctx
        .app
        .raw(
            "GET",
            "/brands/acme/map.svg",
            &[(
                "Authorization",
                &format!("Bearer {}", ctx.net.a_viewer.token),
            )],
            vec![],
        )
        .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("image/svg+xml"));
    assert_eq!(counts(&body).0, 4);
    // Without a token, or outside the network, there is no map.
    let (status, _, _) = ctx
        .app
        .raw("GET", "/brands/acme/map.svg", &[], vec![])
        .await;
    assert_eq!(status, 401);
    let (status, _, _) = ctx
        .app
        .raw(
            "GET",
            "/brands/acme/map.svg",
            &[(
                "Authorization",
                &format!("Bearer {}", ctx.net.other_admin.token),
            )],
            vec![],
        )
        .await;
    assert_eq!(status, 404);
}

#[actix_web::test]
async fn a_journey_map_numbers_the_steps_and_hides_what_the_viewer_may_not_see() {
    let ctx = Ctx::new().await;
    let journey = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "mutation($b: ID!, $s: [JourneyStepInput!]!) { createJourney(input: {brandId: $b, name: \"Path\", steps: $s}) { journey { id } } }",
            json!({ "b": ctx.net.brand_id.to_string(), "s": [
                { "touchpointId": ctx.tps.brand, "major": true },
                { "touchpointId": ctx.tps.b_private },
                { "touchpointId": ctx.tps.a_network, "major": true },
            ] }),
        )
        .await["createJourney"]["journey"]["id"]
        .clone();
    let query =
        "query($b: ID!, $j: ID!) { brand(id: $b) { experienceMap(journeyId: $j) { svg } } }";
    let vars = json!({ "b": ctx.net.brand_id.to_string(), "j": journey });
    let svg_of = |data: Value| {
        data["brand"]["experienceMap"]["svg"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let brand = svg_of(
        ctx.app
            .data(&ctx.net.brand_viewer.token, query, vars.clone())
            .await,
    );
    assert_eq!(counts(&brand).3, 3, "three numbered steps");
    let partner = svg_of(ctx.app.data(&ctx.net.a_viewer.token, query, vars).await);
    assert_eq!(
        counts(&partner).3,
        2,
        "the step on B's private touchpoint is not drawn"
    );
    assert!(
        partner.contains("data-step=\"1\"")
            && partner.contains("data-step=\"3\"")
            && !partner.contains("data-step=\"2\"")
    );
}

fn link_token(url: &str) -> String {
    url.split("token=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_signed_link_works_without_a_header_and_refuses_tampering_and_expiry() {
    let ctx = Ctx::new().await;
    let link = ctx
        .app
        .data(
            &ctx.net.a_viewer.token,
            "query($b: ID!) { brand(id: $b) { mapLink { svgUrl htmlUrl expiresAt } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await["brand"]["mapLink"]
        .clone();
    let expires =
        chrono::DateTime::parse_from_rfc3339(link["expiresAt"].as_str().unwrap()).unwrap();
    let minutes = (expires.with_timezone(&Utc) - Utc::now()).num_minutes();
    assert!((14..=15).contains(&minutes), "valid 15 minutes");
    let path = |url: &Value| {
        url.as_str()
            .unwrap()
            .split_once("/brands")
            .map(|(_, p)| format!("/brands{p}"))
            .unwrap()
    };
    let (status, content_type, svg) = ctx
        .app
        .raw("GET", &path(&link["svgUrl"]), &[], vec![])
        .await;
    assert_eq!(
        (status, content_type.starts_with("image/svg+xml")),
        (200, true)
    );
    assert_eq!(
        counts(&svg).0,
        4,
        "the link shows the map as its holder sees it"
    );
    let (status, content_type, html) = ctx
        .app
        .raw("GET", &path(&link["htmlUrl"]), &[], vec![])
        .await;
    assert_eq!((status, content_type.starts_with("text/html")), (200, true));
    assert!(html.contains("Acme") && html.contains("id=\"insights\"") && html.contains("<svg"));

    // Tampered: a changed signature, or claims edited to another brand's map.
    let token = link_token(link["svgUrl"].as_str().unwrap());
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let (status, _, _) = ctx
        .app
        .raw(
            "GET",
            &format!("/brands/acme/map.svg?token={forged}"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _, _) = ctx
        .app
        .raw(
            "GET",
            &format!("/brands/globex/map.svg?token={token}"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(status, 403, "a link for another map");
    // An access token is not a link, and a link is not an access token.
    let (status, _, _) = ctx
        .app
        .raw(
            "GET",
            &format!("/brands/acme/map.svg?token={}", ctx.net.a_viewer.token),
            &[],
            vec![],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = ctx
        .app
        .post_graphql(Some(&token), &json!({ "query": "{ viewer { name } }" }))
        .await;
    assert_eq!(status, 401);

    // Expired (beyond the clock-skew leeway).
    let claims = json!({
        "sub": link_sub(&token), "org": ctx.net.dealer_a.to_string(), "brand": ctx.net.brand_id.to_string(),
        "iss": "touchpoint-registry", "aud": "touchpoint-registry#map-link",
        "iat": Utc::now().timestamp() - 1000, "exp": Utc::now().timestamp() - 120,
    });
    let expired = encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let (status, _, _) = ctx
        .app
        .raw(
            "GET",
            &format!("/brands/acme/map.svg?token={expired}"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(status, 403);
    let mut fresh = claims.clone();
    fresh["exp"] = json!(Utc::now().timestamp() + 60);
    let valid = encode(
        &Header::default(),
        &fresh,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    let (status, _, _) = ctx
        .app
        .raw(
            "GET",
            &format!("/brands/acme/map.svg?token={valid}"),
            &[],
            vec![],
        )
        .await;
    assert_eq!(
        status, 200,
        "the same claims, unexpired, work (so expiry is what was refused)"
    );
}

fn link_sub(token: &str) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    claims["sub"].as_str().unwrap().to_owned()
}

#[actix_web::test]
async fn the_scorecard_rolls_up_what_the_caller_may_see() {
    let ctx = Ctx::new().await;
    // Give the brand's touchpoint scores and a signature, and rate it.
    ctx.app
        .data(&ctx.net.brand_editor.token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, importance: 5, urgency: 5, maturity: 5, effort: 1, benefit: 5, expressions: [DIGITAL, PERSONAL]}) { touchpoint { id } } }", json!({ "id": ctx.tps.brand }))
        .await;
    ctx.app.data(&ctx.net.brand_editor.token, "mutation($id: ID!) { setSignature(input: {id: $id, signature: true}) { touchpoint { id } } }", json!({ "id": ctx.tps.brand })).await;
    ctx.app
        .data(&ctx.net.brand_editor.token, "mutation($t: ID!, $p: ID!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: 2}) { touchpoint { id } } }", json!({ "t": ctx.tps.brand, "p": ctx.net.principles[0].to_string() }))
        .await;
    let query = "query($b: ID!) { brand(id: $b) { scorecard {
        total { touchpoints active signatures pendingReviews digital personal multiAccess alignmentAverage medianPriority }
        byPhase { phase { name } figures { touchpoints } }
        byOwner { owner { slug } figures { touchpoints pendingReviews } }
        byChannel { channel figures { touchpoints } }
        byOwnerAndPhase { owner { slug } phase { name } figures { touchpoints } }
    } } }";
    let brand = ctx
        .app
        .data(
            &ctx.net.brand_viewer.token,
            query,
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await;
    let card = &brand["brand"]["scorecard"];
    assert_eq!(
        card["total"],
        json!({ "touchpoints": 5, "active": 5, "signatures": 1, "pendingReviews": 4, "digital": 5, "personal": 1,
                "multiAccess": 1, "alignmentAverage": 2.0, "medianPriority": 25.0 })
    );
    assert_eq!(
        card["byPhase"].as_array().unwrap().len(),
        6,
        "every phase, even empty"
    );
    assert_eq!(
        card["byPhase"][0],
        json!({ "phase": { "name": "Awareness" }, "figures": { "touchpoints": 5 } })
    );
    let owners: Vec<(&str, u64)> = card["byOwner"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["owner"]["slug"].as_str().unwrap(),
                o["figures"]["touchpoints"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(owners.len(), 3);
    assert!(owners.contains(&("dealer-b", 2)) && owners.contains(&("acme", 1)));
    assert_eq!(
        card["byChannel"],
        json!([{ "channel": "WEBSITE", "figures": { "touchpoints": 5 } }])
    );
    assert_eq!(card["byOwnerAndPhase"].as_array().unwrap().len(), 3);
    // Dealer A's scorecard does not count B's private touchpoint.
    let partner = ctx
        .app
        .data(
            &ctx.net.a_viewer.token,
            query,
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await;
    assert_eq!(partner["brand"]["scorecard"]["total"]["touchpoints"], 4);
}

#[actix_web::test]
async fn the_csv_round_trips_through_a_csv_parser_with_the_apis_values() {
    let ctx = Ctx::new().await;
    // Awkward text: commas, quotes, line breaks, non-ASCII.
    ctx.app
        .data(
            &ctx.net.a_editor.token,
            "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, description: \"Line one, \\\"quoted\\\"\\nline two — ünïcode\", tags: [\"a,b\", \"c\"], cost: {amount: \"12.50\", currency: \"EUR\"}, importance: 3, urgency: 2, maturity: 1, effort: 3, benefit: 2}) { touchpoint { id } } }",
            json!({ "id": ctx.tps.a_network }),
        )
        .await;
    let (status, content_type, body) = ctx
        .app
        .raw(
            "GET",
            "/brands/acme/touchpoints.csv",
            &[(
                "Authorization",
                &format!("Bearer {}", ctx.net.a_viewer.token),
            )],
            vec![],
        )
        .await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/csv"));
    assert!(body.contains("\r\n"), "CRLF line ends");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        rows.len(),
        4,
        "what dealer A may see: not B's private touchpoint"
    );
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let api = ctx
        .app
        .data(&ctx.net.a_viewer.token, "{ touchpoints(first: 100) { nodes { id name description channel expressions tags priorityScore visibility cost { amount currency } owner { name } phase { name } version } } }", json!({}))
        .await;
    for node in api["touchpoints"]["nodes"].as_array().unwrap() {
        let row = rows
            .iter()
            .find(|r| r[col("id")] == *node["id"].as_str().unwrap())
            .expect("every visible touchpoint has a row");
        assert_eq!(&row[col("name")], node["name"].as_str().unwrap());
        assert_eq!(
            &row[col("description")],
            node["description"].as_str().unwrap_or("")
        );
        assert_eq!(&row[col("channel")], node["channel"].as_str().unwrap());
        assert_eq!(
            &row[col("visibility")],
            node["visibility"].as_str().unwrap()
        );
        assert_eq!(&row[col("owner")], node["owner"]["name"].as_str().unwrap());
        assert_eq!(&row[col("phase")], node["phase"]["name"].as_str().unwrap());
        assert_eq!(
            row[col("version")].parse::<i64>().unwrap(),
            node["version"].as_i64().unwrap()
        );
        let expressions: Vec<&str> = node["expressions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert_eq!(&row[col("expressions")], expressions.join(";"));
        let tags: Vec<&str> = node["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e.as_str().unwrap())
            .collect();
        assert_eq!(&row[col("tags")], tags.join(";"));
        match node["priorityScore"].as_f64() {
            Some(p) => {
                assert!((row[col("priority_score")].parse::<f64>().unwrap() - p).abs() < 1e-9)
            }
            None => assert_eq!(&row[col("priority_score")], ""),
        }
        assert_eq!(
            &row[col("cost_amount")],
            node["cost"]["amount"].as_str().unwrap_or("")
        );
    }
    let awkward = rows
        .iter()
        .find(|r| r[col("id")] == *ctx.tps.a_network)
        .unwrap();
    assert_eq!(
        &awkward[col("description")],
        "Line one, \"quoted\"\nline two — ünïcode"
    );
    let (status, _, _) = ctx
        .app
        .raw("GET", "/brands/acme/touchpoints.csv", &[], vec![])
        .await;
    assert_eq!(status, 401);
}

#[actix_web::test]
async fn csv_cells_a_spreadsheet_would_run_are_escaped_unless_raw_is_asked_for() {
    let ctx = Ctx::new().await;
    let formula = "=HYPERLINK(\"http://attacker.test\",\"Open\")";
    ctx.app
        .data(
            &ctx.net.a_editor.token,
            "mutation($id: ID!, $n: String!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: $n, description: \"@SUM(A1:A9)\", tags: [\"+cmd\"]}) { touchpoint { id } } }",
            json!({ "id": ctx.tps.a_network, "n": formula }),
        )
        .await;
    ctx.app
        .data(
            &ctx.net.a_editor.token,
            "mutation($t: ID!, $p: ID!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: -2}) { touchpoint { id } } }",
            json!({ "t": ctx.tps.a_network, "p": ctx.net.principles[0].to_string() }),
        )
        .await;
    let (name, description, tags, average) = download(&ctx, "/brands/acme/touchpoints.csv").await;
    assert_eq!(name, format!("'{formula}"));
    assert_eq!(description, "'@SUM(A1:A9)");
    assert!(tags.starts_with("'+cmd"), "{tags}");
    assert_eq!(
        average, "-2.0000",
        "a negative number is a number, not a formula"
    );
    let (name, description, tags, _) =
        download(&ctx, "/brands/acme/touchpoints.csv?raw=true").await;
    assert_eq!(name, formula);
    assert_eq!(description, "@SUM(A1:A9)");
    assert!(tags.starts_with("+cmd"), "{tags}");
}

/// The brand admin's download of `path`: dealer A's network touchpoint's name, description,
/// tags and alignment average cells.
async fn download(ctx: &Ctx, path: &str) -> (String, String, String, String) {
    let token = format!("Bearer {}", ctx.net.brand_admin.token);
    let (status, _, body) = ctx
        .app
        .raw("GET", path, &[("Authorization", &token)], vec![])
        .await;
    assert_eq!(status, 200, "{body}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let row = reader
        .records()
        .map(|r| r.unwrap())
        .find(|r| r[col("id")] == *ctx.tps.a_network)
        .unwrap();
    (
        row[col("name")].to_owned(),
        row[col("description")].to_owned(),
        row[col("tags")].to_owned(),
        row[col("alignment_average")].to_owned(),
    )
}
