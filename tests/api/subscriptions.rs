//! Live changes over graphql-transport-ws at /graphql/ws: each subscriber gets the changes
//! it may see and nothing else, loses them when it loses access, and — on PostgreSQL —
//! gets them from every server instance sharing the database.
use std::time::{Duration, Instant};

use awc::ws::{Frame, Message};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};

use crate::access_matrix::Ctx;
use crate::helpers::{create_touchpoint, minimal_input, start_instance};

pub type Socket = actix_codec::Framed<awc::BoxedSocket, awc::ws::Codec>;

const SUBSCRIBE: &str = "subscription($b: ID!) { touchpointChanged(brandId: $b) { kind actor touchpointId touchpoint { name visibility } } }";

/// A graphql-transport-ws connection to `base` (http://host:port), acknowledged for `token`.
pub async fn connect(base: &str, token: &str) -> Socket {
    let url = format!("{}/graphql/ws", base.replacen("http", "ws", 1));
    let (_, mut socket) = awc::Client::new()
        .ws(url)
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .expect("websocket opens");
    send(&mut socket, json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } })).await;
    let ack = next_json(&mut socket, Duration::from_secs(5))
        .await
        .expect("an answer to connection_init");
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

/// Opens a subscription at `base` (http://host:port) as `token`.
pub async fn subscribe(base: &str, token: &str, brand: &str) -> Socket {
    let mut socket = connect(base, token).await;
    send(&mut socket, json!({ "id": "1", "type": "subscribe", "payload": { "query": SUBSCRIBE, "variables": { "b": brand } } })).await;
    socket
}

pub async fn send(socket: &mut Socket, value: Value) {
    socket
        .send(Message::Text(value.to_string().into()))
        .await
        .unwrap();
}

/// The next JSON message (pings answered, other frames skipped), or None on close/timeout.
pub async fn next_json(socket: &mut Socket, wait: Duration) -> Option<Value> {
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        let frame = actix_web::rt::time::timeout(left, socket.next())
            .await
            .ok()??
            .ok()?;
        match frame {
            Frame::Text(bytes) => return serde_json::from_slice(&bytes).ok(),
            Frame::Ping(p) => socket.send(Message::Pong(p)).await.ok()?,
            Frame::Close(_) => return None,
            _ => {}
        }
    }
}

/// The next `next` payload's change.
async fn next_change(socket: &mut Socket) -> Option<Value> {
    loop {
        let msg = next_json(socket, Duration::from_secs(5)).await?;
        match msg["type"].as_str() {
            Some("next") => return Some(msg["payload"].clone()),
            Some("ping") => send(socket, json!({ "type": "pong" })).await,
            Some("complete") => return None,
            _ => {}
        }
    }
}

#[actix_web::test]
async fn a_subscriber_gets_the_changes_it_may_see_and_nothing_else() {
    let ctx = Ctx::new().await;
    let brand = ctx.net.brand_id.to_string();
    let mut socket = subscribe(&ctx.app.address, &ctx.net.a_viewer.token, &brand).await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;

    // Another partner's PRIVATE touchpoint: not for dealer A.
    create_touchpoint(
        &ctx.app,
        &ctx.net.b_editor.token,
        minimal_input(ctx.net.brand_id, ctx.net.phases[0], "B secret"),
    )
    .await;
    // The brand's (NETWORK) and A's own (PRIVATE): for dealer A.
    let started = Instant::now();
    create_touchpoint(
        &ctx.app,
        &ctx.net.brand_editor.token,
        minimal_input(ctx.net.brand_id, ctx.net.phases[0], "Brand news"),
    )
    .await;
    let first = next_change(&mut socket).await.expect("an event");
    eprintln!("write → subscription event: {:?}", started.elapsed());
    assert_eq!(
        first["data"]["touchpointChanged"]["touchpoint"]["name"], "Brand news",
        "{first}"
    );
    assert_eq!(first["data"]["touchpointChanged"]["kind"], "CREATED");
    create_touchpoint(
        &ctx.app,
        &ctx.net.a_editor.token,
        minimal_input(ctx.net.brand_id, ctx.net.phases[0], "A own"),
    )
    .await;
    let second = next_change(&mut socket).await.expect("an event");
    assert_eq!(
        second["data"]["touchpointChanged"]["touchpoint"]["name"],
        "A own"
    );
    // A review of B's NETWORK touchpoint is visible to A too.
    ctx.app
        .data(&ctx.net.brand_editor.token, "mutation($id: ID!) { reviewTouchpoint(input: {id: $id, decision: APPROVE}) { touchpoint { id } } }", json!({ "id": ctx.tps.b_network }))
        .await;
    let third = next_change(&mut socket).await.expect("an event");
    assert_eq!(third["data"]["touchpointChanged"]["kind"], "REVIEWED");
    assert_eq!(
        third["data"]["touchpointChanged"]["touchpointId"],
        ctx.tps.b_network.as_str()
    );
}

#[actix_web::test]
async fn a_subscription_needs_a_valid_token_and_ends_when_access_does() {
    let ctx = Ctx::new().await;
    let url = format!("{}/graphql/ws", ctx.app.address.replacen("http", "ws", 1));
    let (_, mut socket) = awc::Client::new()
        .ws(url)
        .protocols(["graphql-transport-ws"])
        .connect()
        .await
        .unwrap();
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "Authorization": "Bearer forged" } }),
    )
    .await;
    let answer = next_json(&mut socket, Duration::from_secs(5)).await;
    assert!(
        answer.is_none()
            || answer
                .as_ref()
                .is_some_and(|a| a["type"] != "connection_ack"),
        "{answer:?}"
    );

    let brand = ctx.net.brand_id.to_string();
    let mut socket = subscribe(&ctx.app.address, &ctx.net.b_editor.token, &brand).await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    // The brand suspends dealer B: its next event is an error, then the stream ends.
    let partners = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "query($b: ID!) { brand(id: $b) { partners { id partner { slug } } } }",
            json!({ "b": brand }),
        )
        .await;
    let id = partners["brand"]["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"]["slug"] == "dealer-b")
        .unwrap()["id"]
        .clone();
    ctx.app
        .data(&ctx.net.brand_admin.token, "mutation($p: ID!) { setPartnershipStatus(input: {partnershipId: $p, status: SUSPENDED}) { partnership { status } } }", json!({ "p": id }))
        .await;
    let mut input = minimal_input(ctx.net.brand_id, ctx.net.phases[0], "After the suspension");
    input["visibility"] = json!("NETWORK");
    create_touchpoint(&ctx.app, &ctx.net.brand_editor.token, input).await;
    // The setup's own writes may still be on their way to the bus (PostgreSQL delivers a
    // NOTIFY when it does) and are B's or were made before the suspension: not what this checks.
    let event = loop {
        let event = next_change(&mut socket).await;
        let change = event.as_ref().map(|e| &e["data"]["touchpointChanged"]);
        match change {
            Some(c) if !c.is_null() && c["touchpoint"]["name"] != "After the suspension" => {}
            _ => break event,
        }
    };
    assert!(
        event
            .as_ref()
            .is_none_or(|e| e["data"]["touchpointChanged"].is_null()),
        "a suspended partner no longer receives the network: {event:?}"
    );
}

#[actix_web::test]
async fn changes_made_through_one_instance_reach_subscribers_on_another() {
    let ctx = Ctx::new().await;
    let url = ctx.app.settings.database_url();
    if !url.starts_with("postgres") {
        eprintln!("skipped: several instances share a database on PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    let dir = ctx.app.settings.data_dir.clone();
    let one = start_instance(&url, &dir).await;
    let two = start_instance(&url, &dir).await;
    let brand = ctx.net.brand_id.to_string();
    let mut socket = subscribe(&one.base, &ctx.net.a_viewer.token, &brand).await;
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let mut input = minimal_input(
        ctx.net.brand_id,
        ctx.net.phases[0],
        "Written on instance two",
    );
    input["visibility"] = json!("NETWORK");
    let (status, body) = two
        .post_graphql(
            Some(&ctx.net.brand_editor.token),
            &json!({ "query": crate::helpers::CREATE_TOUCHPOINT, "variables": { "input": input } }),
        )
        .await;
    assert!(status == 200 && body.is_object(), "{status} {body}");
    assert!(body.get("errors").is_none(), "{body}");
    let event = next_change(&mut socket)
        .await
        .expect("the event crosses instances");
    eprintln!(
        "write on instance two → event on instance one: {:?}",
        started.elapsed()
    );
    assert_eq!(
        event["data"]["touchpointChanged"]["touchpoint"]["name"],
        "Written on instance two"
    );
}
