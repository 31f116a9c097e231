//! Removing a membership, suspending a partnership or demoting a member takes effect on the
//! next request — on every instance, although each keeps resolved callers for a few seconds
//! (the change empties their principal caches). An organization never loses its last ADMIN.
use serde_json::{json, Value};

use crate::access_matrix::Ctx;
use crate::helpers::{
    error_code, minimal_input, node_names, start_instance_with_env, Instance, CREATE_TOUCHPOINT,
};

async fn membership_id(ctx: &Ctx, admin_token: &str, org: uuid::Uuid, email: &str) -> String {
    let resp = ctx
        .app
        .data(
            admin_token,
            "query($o: ID!) { organization(id: $o) { members { id role user { email } } } }",
            json!({ "o": org.to_string() }),
        )
        .await;
    resp["organization"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["user"]["email"] == email)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn a_removed_member_loses_access_on_the_next_request() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.a_editor.token;
    ctx.app.data(token, "{ viewer { name } }", json!({})).await;
    let id = membership_id(
        &ctx,
        &ctx.net.a_admin.token,
        ctx.net.dealer_a,
        "editor@dealer-a.test",
    )
    .await;
    let resp = ctx
        .app
        .data(
            &ctx.net.a_admin.token,
            "mutation($m: ID!) { removeMember(input: {membershipId: $m}) { removedMembershipId } }",
            json!({ "m": id }),
        )
        .await;
    assert_eq!(resp["removeMember"]["removedMembershipId"], id);
    let (status, body) = ctx
        .app
        .post_graphql(Some(token), &json!({ "query": "{ viewer { name } }" }))
        .await;
    assert_eq!((status, error_code(&body)), (401, Some("UNAUTHENTICATED")));
}

#[actix_web::test]
async fn a_demoted_member_loses_the_role_on_the_next_request() {
    let ctx = Ctx::new().await;
    let id = membership_id(
        &ctx,
        &ctx.net.a_admin.token,
        ctx.net.dealer_a,
        "editor@dealer-a.test",
    )
    .await;
    ctx.app
        .data(&ctx.net.a_admin.token, "mutation($m: ID!) { updateMember(input: {membershipId: $m, role: VIEWER}) { membership { role } } }", json!({ "m": id }))
        .await;
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_editor.token,
            CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(ctx.net.brand_id, ctx.net.phases[0], "Too late") }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
}

#[actix_web::test]
async fn the_last_admin_cannot_be_removed_or_demoted() {
    let ctx = Ctx::new().await;
    let admin = &ctx.net.a_admin.token;
    let id = membership_id(&ctx, admin, ctx.net.dealer_a, "admin@dealer-a.test").await;
    let resp = ctx.app.gql(admin, "mutation($m: ID!) { updateMember(input: {membershipId: $m, role: EDITOR}) { membership { role } } }", json!({ "m": id })).await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));
    let resp = ctx
        .app
        .gql(
            admin,
            "mutation($m: ID!) { removeMember(input: {membershipId: $m}) { removedMembershipId } }",
            json!({ "m": id }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));
    // With a second ADMIN, the first may step down.
    let editor = membership_id(&ctx, admin, ctx.net.dealer_a, "editor@dealer-a.test").await;
    ctx.app.data(admin, "mutation($m: ID!) { updateMember(input: {membershipId: $m, role: ADMIN}) { membership { role } } }", json!({ "m": editor })).await;
    ctx.app.data(admin, "mutation($m: ID!) { updateMember(input: {membershipId: $m, role: EDITOR}) { membership { role } } }", json!({ "m": id })).await;
    let resp = ctx.app.gql(admin, "{ viewer { role } }", json!({})).await;
    assert_eq!(resp["data"]["viewer"]["role"], "EDITOR");
}

#[actix_web::test]
async fn memberships_of_another_organization_do_not_exist_for_an_admin() {
    let ctx = Ctx::new().await;
    let b_member = membership_id(
        &ctx,
        &ctx.net.b_admin.token,
        ctx.net.dealer_b,
        "editor@dealer-b.test",
    )
    .await;
    for query in [
        "mutation($m: ID!) { updateMember(input: {membershipId: $m, role: VIEWER}) { membership { role } } }",
        "mutation($m: ID!) { removeMember(input: {membershipId: $m}) { removedMembershipId } }",
    ] {
        let resp = ctx.app.gql(&ctx.net.a_admin.token, query, json!({ "m": b_member })).await;
        assert_eq!(error_code(&resp), Some("NOT_FOUND"));
    }
    let resp = ctx
        .app
        .gql(
            &ctx.net.a_admin.token,
            "query($o: ID!) { organization(id: $o) { members { id } } }",
            json!({ "o": ctx.net.dealer_b.to_string() }),
        )
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
}

async fn suspend(ctx: &Ctx, slug: &str, status: &str) {
    let partners = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "query($b: ID!) { brand(id: $b) { partners { id partner { slug } } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await;
    let id = partners["brand"]["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"]["slug"] == slug)
        .unwrap()["id"]
        .clone();
    let resp = ctx
        .app
        .data(&ctx.net.brand_admin.token, "mutation($p: ID!, $s: PartnershipStatus!) { setPartnershipStatus(input: {partnershipId: $p, status: $s}) { partnership { status } } }", json!({ "p": id, "s": status }))
        .await;
    assert_eq!(
        resp["setPartnershipStatus"]["partnership"]["status"],
        status
    );
}

fn names(resp: &Value) -> Vec<String> {
    node_names(&resp["touchpoints"])
}

#[actix_web::test]
async fn a_suspended_partner_keeps_its_own_data_but_loses_the_network_and_all_writes() {
    let ctx = Ctx::new().await;
    suspend(&ctx, "dealer-a", "SUSPENDED").await;
    let token = &ctx.net.a_editor.token;
    let list = ctx
        .app
        .data(
            token,
            "{ touchpoints(first: 100) { nodes { name } } }",
            json!({}),
        )
        .await;
    let mut seen = names(&list);
    seen.sort();
    assert_eq!(seen, ["A network", "A private"], "only its own data");
    for id in [&ctx.tps.brand, &ctx.tps.b_network] {
        let resp = ctx
            .app
            .data(
                token,
                "query($id: ID!) { touchpoint(id: $id) { name } }",
                json!({ "id": id }),
            )
            .await;
        assert!(resp["touchpoint"].is_null());
    }
    let resp = ctx
        .app
        .gql(token, CREATE_TOUCHPOINT, json!({ "input": minimal_input(ctx.net.brand_id, ctx.net.phases[0], "While suspended") }))
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    let resp = ctx
        .app
        .gql(token, "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"x\"}) { touchpoint { id } } }", json!({ "id": ctx.tps.a_network }))
        .await;
    assert_eq!(error_code(&resp), Some("FORBIDDEN"));
    // Its NETWORK touchpoint stays in the brand's view; other partners still see the
    // network as before.
    let brand = ctx
        .app
        .data(
            &ctx.net.brand_viewer.token,
            "{ touchpoints(first: 100) { nodes { name } } }",
            json!({}),
        )
        .await;
    assert!(names(&brand).contains(&"A private".to_owned()));
    // Reactivated, it reads and writes again on its next request.
    suspend(&ctx, "dealer-a", "ACTIVE").await;
    let resp = ctx
        .app
        .gql(
            token,
            CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(ctx.net.brand_id, ctx.net.phases[0], "Back") }),
        )
        .await;
    assert!(resp.get("errors").is_none(), "{resp}");
    let resp = ctx
        .app
        .data(
            token,
            "query($id: ID!) { touchpoint(id: $id) { name } }",
            json!({ "id": ctx.tps.brand }),
        )
        .await;
    assert_eq!(resp["touchpoint"]["name"], "Brand site");
}

#[actix_web::test]
async fn creating_a_partner_links_existing_organizations_by_slug() {
    let ctx = Ctx::new().await;
    let token = &ctx.net.other_admin.token;
    // Globex brings dealer A into its own network: A now works with two brands.
    let resp = ctx
        .app
        .data(token, "mutation($b: ID!) { createPartner(input: {brandId: $b, slug: \"dealer-a\", tier: \"bronze\"}) { partnership { status tier partner { slug } } } }", json!({ "b": ctx.net.other_brand_id.to_string() }))
        .await;
    assert_eq!(resp["createPartner"]["partnership"]["status"], "ACTIVE");
    assert_eq!(
        resp["createPartner"]["partnership"]["partner"]["slug"],
        "dealer-a"
    );
    let resp = ctx
        .app
        .gql(token, "mutation($b: ID!) { createPartner(input: {brandId: $b, slug: \"dealer-a\"}) { partnership { id } } }", json!({ "b": ctx.net.other_brand_id.to_string() }))
        .await;
    assert_eq!(error_code(&resp), Some("CONFLICT"));
    let brands = ctx
        .app
        .data(
            &ctx.net.a_viewer.token,
            "{ viewer { brands { slug } } }",
            json!({}),
        )
        .await;
    let mut slugs: Vec<&str> = brands["viewer"]["brands"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["slug"].as_str().unwrap())
        .collect();
    slugs.sort_unstable();
    assert_eq!(slugs, ["acme", "globex"]);
    // A new organization needs its first admin.
    let resp = ctx
        .app
        .gql(token, "mutation($b: ID!) { createPartner(input: {brandId: $b, slug: \"fresh\", name: \"Fresh\", kind: RETAILER}) { partnership { id } } }", json!({ "b": ctx.net.other_brand_id.to_string() }))
        .await;
    assert_eq!(error_code(&resp), Some("BAD_USER_INPUT"));
    assert_eq!(resp["errors"][0]["extensions"]["field"], "adminEmail");
}

/// A `{ viewer { name } }` request to a `serve` process: the HTTP status.
async fn viewer_status(instance: &Instance, token: &str) -> u16 {
    instance
        .post_graphql(Some(token), &json!({ "query": "{ viewer { name } }" }))
        .await
        .0
}

#[actix_web::test]
async fn a_member_removed_on_one_instance_is_refused_by_another_that_cached_it() {
    let ctx = Ctx::new().await;
    let url = ctx.app.settings.database_url();
    if !url.starts_with("postgres") {
        eprintln!("skipped: several instances share a database on PostgreSQL only (set TEST_DATABASE_URL)");
        return;
    }
    // A time to live far longer than the test: only the change's notification can make the
    // second instance forget the member.
    let env = [("CACHE_TTL", "600s")];
    let dir = ctx.app.settings.data_dir.clone();
    let one = start_instance_with_env(&url, &dir, &env).await;
    let two = start_instance_with_env(&url, &dir, &env).await;
    let token = &ctx.net.a_editor.token;
    assert_eq!(viewer_status(&two, token).await, 200, "cached on two");

    let id = membership_id(
        &ctx,
        &ctx.net.a_admin.token,
        ctx.net.dealer_a,
        "editor@dealer-a.test",
    )
    .await;
    let (status, _) = one
        .post_graphql(
            Some(&ctx.net.a_admin.token),
            &json!({
                "query": "mutation($m: ID!) { removeMember(input: {membershipId: $m}) { removedMembershipId } }",
                "variables": { "m": id },
            }),
        )
        .await;
    assert_eq!(status, 200);

    // The notification travels asynchronously: allow it a moment, far below the TTL.
    let removed = std::time::Instant::now();
    while viewer_status(&two, token).await != 401 {
        assert!(
            removed.elapsed() < std::time::Duration::from_secs(3),
            "instance two still accepts the removed member"
        );
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
