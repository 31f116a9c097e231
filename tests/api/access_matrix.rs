//! DESIGN.md §2, cell by cell: every action of the permission matrix tried by every role
//! (a brand's ADMIN, EDITOR, VIEWER and a partner's ADMIN, EDITOR, VIEWER). A denied write
//! must also leave the data as it was.
use serde_json::{json, Value};

use crate::helpers::{
    error_code, minimal_input, node_names, spawn_app, Network, Person, TestApp, Touchpoints,
    CREATE_TOUCHPOINT,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    BrandAdmin,
    BrandEditor,
    BrandViewer,
    PartnerAdmin,
    PartnerEditor,
    PartnerViewer,
}

impl Who {
    fn is_brand(self) -> bool {
        matches!(self, Who::BrandAdmin | Who::BrandEditor | Who::BrandViewer)
    }
}

/// What the caller got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    /// Refused with this `extensions.code`.
    Denied(&'static str),
    /// The thing does not exist for the caller (null, absent from lists).
    Hidden,
}

use Outcome::{Allowed, Denied, Hidden};

pub struct Ctx {
    pub app: TestApp,
    pub net: Network,
    pub tps: Touchpoints,
}

impl Ctx {
    pub async fn new() -> Self {
        let app = spawn_app().await;
        let net = Network::build(&app).await;
        let tps = Touchpoints::build(&app, &net).await;
        Self { app, net, tps }
    }

    /// The partner roles are dealer A's people.
    fn person(&self, who: Who) -> &Person {
        match who {
            Who::BrandAdmin => &self.net.brand_admin,
            Who::BrandEditor => &self.net.brand_editor,
            Who::BrandViewer => &self.net.brand_viewer,
            Who::PartnerAdmin => &self.net.a_admin,
            Who::PartnerEditor => &self.net.a_editor,
            Who::PartnerViewer => &self.net.a_viewer,
        }
    }

    async fn gql(&self, who: Who, query: &str, vars: Value) -> Value {
        self.app.gql(&self.person(who).token, query, vars).await
    }

    /// A touchpoint as the brand's admin sees it (to check denied writes changed nothing).
    async fn snapshot(&self, id: &str) -> Value {
        self.app
            .data(
                &self.net.brand_admin.token,
                "query($id: ID!) { touchpoint(id: $id) { name version signature reviewStatus archivedAt alignment { ratings { score } } } }",
                json!({ "id": id }),
            )
            .await["touchpoint"]
            .clone()
    }
}

/// Allowed when the response has no error; Denied with its code otherwise.
fn outcome(resp: &Value) -> Outcome {
    match error_code(resp) {
        None => Allowed,
        Some("FORBIDDEN") => Denied("FORBIDDEN"),
        Some("NOT_FOUND") => Denied("NOT_FOUND"),
        Some("UNAUTHENTICATED") => Denied("UNAUTHENTICATED"),
        Some(other) => panic!("unexpected code {other}: {resp}"),
    }
}

/// All steps must agree.
fn agree(outcomes: &[Outcome]) -> Outcome {
    let first = outcomes[0].clone();
    assert!(
        outcomes.iter().all(|o| *o == first),
        "steps disagree: {outcomes:?}"
    );
    first
}

const BY_ID: &str = "query($id: ID!) { touchpoint(id: $id) { name } }";
const LIST: &str = "{ touchpoints(first: 100) { nodes { name } } }";

async fn visible(ctx: &Ctx, who: Who, id: &str, name: &str) -> Outcome {
    let by_id = ctx.gql(who, BY_ID, json!({ "id": id })).await;
    assert!(by_id.get("errors").is_none(), "{by_id}");
    let list = ctx.gql(who, LIST, json!({})).await;
    let in_list = node_names(&list["data"]["touchpoints"]).contains(&name.to_owned());
    let found = !by_id["data"]["touchpoint"].is_null();
    assert_eq!(found, in_list, "by id and in lists must agree for {name}");
    if found {
        Allowed
    } else {
        Hidden
    }
}

/// Row 1: read the brand's and NETWORK touchpoints.
pub async fn read_network(ctx: &Ctx, who: Who) -> Outcome {
    agree(&[
        visible(ctx, who, &ctx.tps.brand, "Brand site").await,
        visible(ctx, who, &ctx.tps.b_network, "B network").await,
    ])
}

/// Row 2: read another partner's PRIVATE touchpoint — by id, in lists, and nested under
/// its owner.
pub async fn read_other_private(ctx: &Ctx, who: Who) -> Outcome {
    let direct = visible(ctx, who, &ctx.tps.b_private, "B private").await;
    let nested = ctx
        .gql(
            who,
            "query($o: ID!) { organization(id: $o) { touchpoints { nodes { name } } } }",
            json!({ "o": ctx.net.dealer_b.to_string() }),
        )
        .await;
    let nested_names = node_names(&nested["data"]["organization"]["touchpoints"]);
    assert_eq!(
        nested_names.contains(&"B private".to_owned()),
        direct == Allowed,
        "nested list agrees: {nested}"
    );
    direct
}

/// Row 3: create, edit and archive the caller's own organization's touchpoints.
pub async fn write_own(ctx: &Ctx, who: Who) -> Outcome {
    let create = ctx
        .gql(
            who,
            CREATE_TOUCHPOINT,
            json!({ "input": minimal_input(ctx.net.brand_id, ctx.net.phases[1], "Mine") }),
        )
        .await;
    let own = if who.is_brand() {
        &ctx.tps.brand
    } else {
        &ctx.tps.a_network
    };
    let before = ctx.snapshot(own).await;
    let update = ctx
        .gql(
            who,
            "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Renamed\"}) { touchpoint { name } } }",
            json!({ "id": own }),
        )
        .await;
    let archive = ctx
        .gql(who, "mutation($id: ID!) { archiveTouchpoint(input: {id: $id}) { touchpoint { archivedAt } } }", json!({ "id": own }))
        .await;
    let result = agree(&[outcome(&create), outcome(&update), outcome(&archive)]);
    if result != Allowed {
        assert_eq!(
            ctx.snapshot(own).await,
            before,
            "a denied write changes nothing"
        );
    }
    result
}

/// Row 4: edit a partner's touchpoint (for a partner: another partner's NETWORK one).
pub async fn edit_partners_touchpoint(ctx: &Ctx, who: Who) -> Outcome {
    let target = if who.is_brand() {
        &ctx.tps.a_network
    } else {
        &ctx.tps.b_network
    };
    let before = ctx.snapshot(target).await;
    let update = ctx
        .gql(
            who,
            "mutation($id: ID!) { updateTouchpoint(input: {id: $id, expectedVersion: 1, name: \"Hijacked\"}) { touchpoint { name } } }",
            json!({ "id": target }),
        )
        .await;
    let archive = ctx
        .gql(who, "mutation($id: ID!) { archiveTouchpoint(input: {id: $id}) { touchpoint { archivedAt } } }", json!({ "id": target }))
        .await;
    let result = agree(&[outcome(&update), outcome(&archive)]);
    if result != Allowed {
        assert_eq!(ctx.snapshot(target).await, before);
    }
    result
}

/// Row 5: review (approve / request changes) and set the signature.
pub async fn review_and_sign(ctx: &Ctx, who: Who) -> Outcome {
    let target = &ctx.tps.a_network;
    let before = ctx.snapshot(target).await;
    let review = ctx
        .gql(who, "mutation($id: ID!) { reviewTouchpoint(input: {id: $id, decision: APPROVE}) { touchpoint { reviewStatus } } }", json!({ "id": target }))
        .await;
    let sign = ctx
        .gql(who, "mutation($id: ID!) { setSignature(input: {id: $id, signature: true}) { touchpoint { signature } } }", json!({ "id": target }))
        .await;
    let result = agree(&[outcome(&review), outcome(&sign)]);
    if result == Allowed {
        let after = ctx.snapshot(target).await;
        assert_eq!(after["reviewStatus"], "APPROVED");
        assert_eq!(after["signature"], true);
    } else {
        assert_eq!(ctx.snapshot(target).await, before);
    }
    result
}

/// Row 6: rate alignment (the brand: a partner's touchpoint; a partner: its own).
pub async fn rate(ctx: &Ctx, who: Who) -> Outcome {
    let target = &ctx.tps.a_network;
    let before = ctx.snapshot(target).await;
    let resp = ctx
        .gql(
            who,
            "mutation($t: ID!, $p: ID!) { rateAlignment(input: {touchpointId: $t, principleId: $p, score: 2}) { touchpoint { alignment { average } } } }",
            json!({ "t": target, "p": ctx.net.principles[0].to_string() }),
        )
        .await;
    let result = outcome(&resp);
    if result == Allowed {
        assert_eq!(
            resp["data"]["rateAlignment"]["touchpoint"]["alignment"]["average"],
            2.0
        );
    } else {
        assert_eq!(ctx.snapshot(target).await, before);
    }
    result
}

async fn brand_shape(ctx: &Ctx) -> Value {
    ctx.app
        .data(
            &ctx.net.brand_admin.token,
            "query($b: ID!) { brand(id: $b) { maxMajorSteps phases { name } principles { name } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await
}

/// Row 7: phases, principles and insight thresholds.
pub async fn configure_brand(ctx: &Ctx, who: Who) -> Outcome {
    let before = brand_shape(ctx).await;
    let brand = ctx.net.brand_id.to_string();
    let phase = ctx
        .gql(who, "mutation($b: ID!) { createPhase(input: {brandId: $b, name: \"Repair\"}) { phase { id } } }", json!({ "b": brand }))
        .await;
    let principle = ctx
        .gql(who, "mutation($b: ID!) { createPrinciple(input: {brandId: $b, name: \"Fast\"}) { principle { id } } }", json!({ "b": brand }))
        .await;
    let settings = ctx
        .gql(who, "mutation($b: ID!) { updateBrandSettings(input: {brandId: $b, maxMajorSteps: 7}) { brand { maxMajorSteps } } }", json!({ "b": brand }))
        .await;
    let result = agree(&[outcome(&phase), outcome(&principle), outcome(&settings)]);
    if result != Allowed {
        assert_eq!(brand_shape(ctx).await, before);
    }
    result
}

/// Row 8: invite and suspend partners.
pub async fn manage_partners(ctx: &Ctx, who: Who) -> Outcome {
    let partners = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "query($b: ID!) { brand(id: $b) { partners { id status partner { slug } } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await;
    let b_partnership = partners["brand"]["partners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"]["slug"] == "dealer-b")
        .unwrap()["id"]
        .clone();
    let invite = ctx
        .gql(
            who,
            "mutation($b: ID!) { createPartner(input: {brandId: $b, slug: \"new-dealer\", name: \"New Dealer\", kind: DEALER, adminEmail: \"boss@new.test\", adminName: \"Boss\"}) { partnership { status } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await;
    let suspend = ctx
        .gql(who, "mutation($p: ID!) { setPartnershipStatus(input: {partnershipId: $p, status: SUSPENDED}) { partnership { status } } }", json!({ "p": b_partnership }))
        .await;
    let result = agree(&[outcome(&invite), outcome(&suspend)]);
    let after = ctx
        .app
        .data(
            &ctx.net.brand_admin.token,
            "query($b: ID!) { brand(id: $b) { partners { status partner { slug } } } }",
            json!({ "b": ctx.net.brand_id.to_string() }),
        )
        .await;
    let count = after["brand"]["partners"].as_array().unwrap().len();
    if result == Allowed {
        assert_eq!(count, 3);
    } else {
        assert_eq!(count, 2, "no partner was added");
        assert!(after["brand"]["partners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] == "ACTIVE"));
    }
    result
}

/// Row 9: members and API clients of the caller's own organization.
pub async fn manage_own_org(ctx: &Ctx, who: Who) -> Outcome {
    let add = ctx
        .gql(who, "mutation { addMember(input: {email: \"new@person.test\", name: \"New\", role: VIEWER}) { membership { role } } }", json!({}))
        .await;
    let client = ctx
        .gql(
            who,
            "mutation { createApiClient(input: {name: \"sync\", role: EDITOR}) { clientSecret } }",
            json!({}),
        )
        .await;
    let org = if who.is_brand() {
        ctx.net.brand_id
    } else {
        ctx.net.dealer_a
    };
    let list = ctx
        .gql(
            who,
            "query($o: ID!) { organization(id: $o) { members { role } apiClients { name } } }",
            json!({ "o": org.to_string() }),
        )
        .await;
    agree(&[outcome(&add), outcome(&client), outcome(&list)])
}

/// Row 10: the audit log — a brand ADMIN reads its whole network, a partner ADMIN its own
/// organization's entries only.
pub async fn read_audit_log(ctx: &Ctx, who: Who) -> Outcome {
    let resp = ctx
        .gql(
            who,
            "{ auditLog(first: 100) { nodes { action organization { id } brandId } } }",
            json!({}),
        )
        .await;
    let result = outcome(&resp);
    if result == Allowed {
        let orgs: Vec<String> = resp["data"]["auditLog"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["organization"]["id"].as_str().map(str::to_owned))
            .collect();
        let dealer_a = ctx.net.dealer_a.to_string();
        let dealer_b = ctx.net.dealer_b.to_string();
        assert!(
            orgs.contains(&dealer_a),
            "entries by dealer A are in the log"
        );
        if who.is_brand() {
            assert!(
                orgs.contains(&dealer_b),
                "the brand reads its whole network"
            );
        } else {
            assert!(
                orgs.iter().all(|o| *o == dealer_a),
                "a partner reads its own entries only: {orgs:?}"
            );
        }
    }
    result
}

/// One test per cell: `cells!(row => who: expected, …)`.
macro_rules! cells {
    ($($row:ident => { $($who:ident: $expect:expr),+ $(,)? })+) => {
        $(
            mod $row {
                #[allow(unused_imports)]
                use super::Outcome::{Allowed, Denied, Hidden};
                $(
                    #[actix_web::test]
                    #[allow(non_snake_case)]
                    async fn $who() {
                        let ctx = super::Ctx::new().await;
                        let got = super::$row(&ctx, super::Who::$who).await;
                        assert_eq!(got, $expect, "{} as {}", stringify!($row), stringify!($who));
                    }
                )+
            }
        )+
    };
}

cells! {
    read_network => {
        BrandAdmin: Allowed, BrandEditor: Allowed, BrandViewer: Allowed,
        PartnerAdmin: Allowed, PartnerEditor: Allowed, PartnerViewer: Allowed,
    }
    read_other_private => {
        BrandAdmin: Allowed, BrandEditor: Allowed, BrandViewer: Allowed,
        PartnerAdmin: Hidden, PartnerEditor: Hidden, PartnerViewer: Hidden,
    }
    write_own => {
        BrandAdmin: Allowed, BrandEditor: Allowed, BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Allowed, PartnerEditor: Allowed, PartnerViewer: Denied("FORBIDDEN"),
    }
    edit_partners_touchpoint => {
        BrandAdmin: Denied("FORBIDDEN"), BrandEditor: Denied("FORBIDDEN"), BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Denied("FORBIDDEN"), PartnerEditor: Denied("FORBIDDEN"), PartnerViewer: Denied("FORBIDDEN"),
    }
    review_and_sign => {
        BrandAdmin: Allowed, BrandEditor: Allowed, BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Denied("FORBIDDEN"), PartnerEditor: Denied("FORBIDDEN"), PartnerViewer: Denied("FORBIDDEN"),
    }
    rate => {
        BrandAdmin: Allowed, BrandEditor: Allowed, BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Allowed, PartnerEditor: Allowed, PartnerViewer: Denied("FORBIDDEN"),
    }
    configure_brand => {
        BrandAdmin: Allowed, BrandEditor: Denied("FORBIDDEN"), BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Denied("FORBIDDEN"), PartnerEditor: Denied("FORBIDDEN"), PartnerViewer: Denied("FORBIDDEN"),
    }
    manage_partners => {
        BrandAdmin: Allowed, BrandEditor: Denied("FORBIDDEN"), BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Denied("FORBIDDEN"), PartnerEditor: Denied("FORBIDDEN"), PartnerViewer: Denied("FORBIDDEN"),
    }
    manage_own_org => {
        BrandAdmin: Allowed, BrandEditor: Denied("FORBIDDEN"), BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Allowed, PartnerEditor: Denied("FORBIDDEN"), PartnerViewer: Denied("FORBIDDEN"),
    }
    read_audit_log => {
        BrandAdmin: Allowed, BrandEditor: Denied("FORBIDDEN"), BrandViewer: Denied("FORBIDDEN"),
        PartnerAdmin: Allowed, PartnerEditor: Denied("FORBIDDEN"), PartnerViewer: Denied("FORBIDDEN"),
    }
}
