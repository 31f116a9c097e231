//! Token attacks (RFC 8725): every way a forged, stale or misdirected token could get in
//! is refused with UNAUTHENTICATED, on HS256 and on EdDSA/RS256 key sets.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{
    deactivate_user, error_code, spawn_app, spawn_app_with, Network, TestApp, JWT_SECRET,
};

const VIEWER: &str = "{ viewer { name organization { slug } } }";

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"))
}

async fn user_id(app: &TestApp, email: &str) -> String {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use touchpoint_registry::entities::user;
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string()
}

fn claims(sub: &str, org: Option<uuid::Uuid>) -> Value {
    let now = Utc::now().timestamp();
    let mut c = json!({
        "sub": sub, "iss": "touchpoint-registry", "aud": "touchpoint-registry",
        "iat": now, "exp": now + 600,
    });
    if let Some(org) = org {
        c["org"] = json!(org.to_string());
    }
    c
}

fn sign(header: Header, claims: &Value, key: &EncodingKey) -> String {
    encode(&header, claims, key).unwrap()
}

fn hs256(claims: &Value) -> String {
    sign(
        Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
}

async fn status_of(app: &TestApp, token: &str) -> (u16, Option<String>) {
    let (status, body) = app
        .post_graphql(Some(token), &json!({ "query": VIEWER }))
        .await;
    (status, error_code(&body).map(str::to_owned))
}

async fn assert_refused(app: &TestApp, token: &str, case: &str) {
    let (status, code) = status_of(app, token).await;
    assert_eq!(
        (status, code.as_deref()),
        (401, Some("UNAUTHENTICATED")),
        "{case}"
    );
}

async fn assert_accepted(app: &TestApp, token: &str, case: &str) {
    let (status, body) = app
        .post_graphql(Some(token), &json!({ "query": VIEWER }))
        .await;
    assert_eq!(status, 200, "{case}: {body}");
    assert!(body["data"]["viewer"]["name"].is_string(), "{case}: {body}");
}

#[actix_web::test]
async fn hs256_tokens_that_are_forged_stale_or_misdirected_are_refused() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    let sub = user_id(&app, "editor@dealer-a.test").await;
    let good = claims(&sub, Some(net.dealer_a));
    assert_accepted(&app, &hs256(&good), "a well-formed token").await;

    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(good.to_string());
    assert_refused(&app, &format!("{none_header}.{payload}."), "alg none").await;

    let token = hs256(&good);
    let mut tampered_sig = token.clone();
    let last = tampered_sig.pop().unwrap();
    tampered_sig.push(if last == 'A' { 'B' } else { 'A' });
    assert_refused(&app, &tampered_sig, "tampered signature").await;

    let parts: Vec<&str> = token.split('.').collect();
    let mut other = good.clone();
    other["sub"] = json!(user_id(&app, "admin@acme.test").await);
    let forged_payload = URL_SAFE_NO_PAD.encode(other.to_string());
    assert_refused(
        &app,
        &format!("{}.{}.{}", parts[0], forged_payload, parts[2]),
        "tampered payload",
    )
    .await;

    let mut expired = good.clone();
    expired["exp"] = json!(Utc::now().timestamp() - 120);
    assert_refused(&app, &hs256(&expired), "expired beyond the leeway").await;
    let mut just_expired = good.clone();
    just_expired["exp"] = json!(Utc::now().timestamp() - 10);
    assert_accepted(
        &app,
        &hs256(&just_expired),
        "expired within the 30 s leeway",
    )
    .await;

    let mut early = good.clone();
    early["nbf"] = json!(Utc::now().timestamp() + 600);
    assert_refused(&app, &hs256(&early), "not valid yet (nbf)").await;

    for claim in ["exp", "iss", "aud", "sub"] {
        let mut missing = good.clone();
        missing.as_object_mut().unwrap().remove(claim);
        assert_refused(&app, &hs256(&missing), &format!("no {claim}")).await;
    }
    let mut wrong_aud = good.clone();
    wrong_aud["aud"] = json!("another-api");
    assert_refused(&app, &hs256(&wrong_aud), "another audience").await;
    let mut wrong_iss = good.clone();
    wrong_iss["iss"] = json!("someone-else");
    assert_refused(&app, &hs256(&wrong_iss), "another issuer").await;

    let hs512 = sign(
        Header::new(Algorithm::HS512),
        &good,
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    );
    assert_refused(&app, &hs512, "an algorithm not configured (HS512)").await;
    let other_secret = sign(
        Header::new(Algorithm::HS256),
        &good,
        &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
    );
    assert_refused(&app, &other_secret, "signed with another secret").await;

    let mut unknown_sub = good.clone();
    unknown_sub["sub"] = json!(uuid::Uuid::new_v4().to_string());
    assert_refused(&app, &hs256(&unknown_sub), "a subject that does not exist").await;
    let mut not_uuid = good.clone();
    not_uuid["sub"] = json!("admin");
    assert_refused(&app, &hs256(&not_uuid), "a subject that is not an id").await;

    // The user exists, but not in the organization the token names.
    let wrong_org = claims(&sub, Some(net.dealer_b));
    assert_refused(
        &app,
        &hs256(&wrong_org),
        "a subject of another organization only",
    )
    .await;
}

/// An operator deactivates a user in the database, behind the API's back: no instance hears
/// of it, so the principal cache may answer for the user until its time to live runs out —
/// and never after.
#[actix_web::test]
async fn a_user_deactivated_outside_the_api_is_refused_within_the_cache_time_to_live() {
    let ttl = std::time::Duration::from_millis(700);
    let app = spawn_app_with(|s| s.cache_ttl = ttl).await;
    let net = Network::build(&app).await;
    let sub = user_id(&app, "editor@dealer-a.test").await;
    let good = hs256(&claims(&sub, Some(net.dealer_a)));
    assert_accepted(&app, &good, "before deactivation (now cached)").await;

    deactivate_user(&app, "editor@dealer-a.test").await;
    let deactivated = std::time::Instant::now();
    loop {
        let (status, _) = status_of(&app, &good).await;
        if status == 401 {
            break;
        }
        assert!(
            deactivated.elapsed() < ttl + std::time::Duration::from_millis(300),
            "still accepted {:?} after deactivation",
            deactivated.elapsed()
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_refused(&app, &good, "a deactivated user").await;

    // With the cache off, the next request already sees it.
    let app = spawn_app_with(|s| s.cache_ttl = std::time::Duration::ZERO).await;
    let net = Network::build(&app).await;
    let sub = user_id(&app, "editor@dealer-a.test").await;
    let good = hs256(&claims(&sub, Some(net.dealer_a)));
    assert_accepted(&app, &good, "before deactivation").await;
    deactivate_user(&app, "editor@dealer-a.test").await;
    assert_refused(&app, &good, "a deactivated user, no cache").await;
}

fn key_settings(s: &mut touchpoint_registry::config::Settings) {
    s.jwt_secret = None;
    s.jwt_public_keys = Some(format!(
        "current={},old={}",
        fixture("ed25519-a.pub.pem"),
        fixture("rsa.pub.pem")
    ));
    s.jwt_private_key = Some(format!("current={}", fixture("ed25519-a.pem")));
}

fn with_kid(alg: Algorithm, kid: Option<&str>) -> Header {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_owned);
    h
}

#[actix_web::test]
async fn asymmetric_keys_rotate_by_kid_and_refuse_confusion() {
    let app = spawn_app_with(key_settings).await;
    let net = Network::build(&app).await;
    let sub = user_id(&app, "viewer@acme.test").await;
    let good = claims(&sub, Some(net.brand_id));

    // Tokens the server issues (EdDSA, kid "current") work.
    assert_accepted(&app, &net.brand_viewer.token, "issued by the server").await;
    let ed_a = EncodingKey::from_ed_pem(&std::fs::read(fixture("ed25519-a.pem")).unwrap()).unwrap();
    assert_accepted(
        &app,
        &sign(with_kid(Algorithm::EdDSA, Some("current")), &good, &ed_a),
        "EdDSA, current key",
    )
    .await;
    // The old RSA key still verifies while it is listed.
    let rsa = EncodingKey::from_rsa_pem(&std::fs::read(fixture("rsa.pem")).unwrap()).unwrap();
    assert_accepted(
        &app,
        &sign(with_kid(Algorithm::RS256, Some("old")), &good, &rsa),
        "RS256, old key",
    )
    .await;

    assert_refused(
        &app,
        &sign(with_kid(Algorithm::EdDSA, Some("retired")), &good, &ed_a),
        "an unknown kid",
    )
    .await;
    assert_refused(
        &app,
        &sign(with_kid(Algorithm::EdDSA, None), &good, &ed_a),
        "no kid with several keys",
    )
    .await;
    let ed_b = EncodingKey::from_ed_pem(&std::fs::read(fixture("ed25519-b.pem")).unwrap()).unwrap();
    assert_refused(
        &app,
        &sign(with_kid(Algorithm::EdDSA, Some("current")), &good, &ed_b),
        "signed by a key not configured",
    )
    .await;
    assert_refused(
        &app,
        &sign(with_kid(Algorithm::RS256, Some("current")), &good, &rsa),
        "the algorithm of another key",
    )
    .await;
    // Key confusion: the public key used as an HMAC secret.
    let public_pem = std::fs::read(fixture("ed25519-a.pub.pem")).unwrap();
    let confused = sign(
        with_kid(Algorithm::HS256, Some("current")),
        &good,
        &EncodingKey::from_secret(&public_pem),
    );
    assert_refused(&app, &confused, "HS256 with the public key as secret").await;
    let confused_rsa = sign(
        with_kid(Algorithm::HS256, Some("old")),
        &good,
        &EncodingKey::from_secret(&std::fs::read(fixture("rsa.pub.pem")).unwrap()),
    );
    assert_refused(
        &app,
        &confused_rsa,
        "HS256 with the RSA public key as secret",
    )
    .await;
    // And the test suite's HS256 secret means nothing here.
    assert_refused(
        &app,
        &hs256(&good),
        "HS256 when only asymmetric keys are configured",
    )
    .await;
}

#[actix_web::test]
async fn a_user_in_several_organizations_acts_in_the_one_the_token_names() {
    let app = spawn_app().await;
    let net = Network::build(&app).await;
    // The brand admin also joins dealer A as a viewer.
    app.data(&net.a_admin.token, "mutation { addMember(input: {email: \"admin@acme.test\", name: \"Ada\", role: VIEWER}) { membership { id } } }", json!({}))
        .await;
    let sub = user_id(&app, "admin@acme.test").await;
    let as_dealer = hs256(&claims(&sub, Some(net.dealer_a)));
    let resp = app
        .data(
            &as_dealer,
            "{ viewer { role organization { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(resp["viewer"]["organization"]["slug"], "dealer-a");
    assert_eq!(resp["viewer"]["role"], "VIEWER");
    let as_brand = hs256(&claims(&sub, Some(net.brand_id)));
    let resp = app
        .data(
            &as_brand,
            "{ viewer { role organization { slug } } }",
            json!({}),
        )
        .await;
    assert_eq!(resp["viewer"]["role"], "ADMIN");
    // Without a choice there is no way to tell which role applies.
    assert_refused(
        &app,
        &hs256(&claims(&sub, None)),
        "several memberships, no org claim",
    )
    .await;
}

#[actix_web::test]
async fn the_token_command_says_whom_it_cannot_mint_for() {
    let dir = std::env::temp_dir().join(format!("token-cmd-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("registry.db").display());
    let run = |args: &[&str]| crate::helpers::run_binary(&url, &dir, args);
    assert!(run(&["migrate"]).status.success());
    let created = run(&[
        "create-brand",
        "--name",
        "Acme",
        "--slug",
        "acme",
        "--admin-email",
        "admin@acme.test",
    ]);
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    for (args, refusal) in [
        (
            vec!["--email", "nobody@acme.test"],
            "no user with e-mail nobody@acme.test",
        ),
        (
            vec!["--email", "admin@acme.test", "--org", "globex"],
            "admin@acme.test is not a member of globex",
        ),
    ] {
        let out = run(&[&["token"], args.as_slice()].concat());
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(refusal), "{args:?}: {stderr}");
    }
    let out = run(&["token", "--email", " Admin@Acme.test ", "--org", "acme"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8_lossy(&out.stdout);
    assert_eq!(token.trim().split('.').count(), 3, "a JWT: {token}");
}
