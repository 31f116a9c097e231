//! Spawning the real application for a test, and talking to it over real HTTP.
use std::path::PathBuf;
use std::time::Duration;

use serde_json::{json, Value};
use touchpoint_registry::auth::TokenService;
use touchpoint_registry::config::{Secret, Settings, Webhooks};
use touchpoint_registry::domain::{OrganizationKind, Role};
use touchpoint_registry::services::ledger::AuditActor;
use touchpoint_registry::services::network::bootstrap::{self, NewBrand};
use touchpoint_registry::services::network::partners::{self, NewPartner};
use touchpoint_registry::services::network::principals::resolve_subject;
use touchpoint_registry::services::{network::brands, network::members, planning::principles};
use touchpoint_registry::startup::{token_service, Application};
use touchpoint_registry::store::db::Db;
use uuid::Uuid;

pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";

pub struct TestApp {
    pub address: String,
    pub db: Db,
    pub tokens: TokenService,
    pub settings: Settings,
    pub client: awc::Client,
    /// Removed when the test ends (SQLite only).
    data_dir: Option<PathBuf>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(dir) = &self.data_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// The database of one test: a fresh SQLite file, or a fresh schema in the PostgreSQL
/// database named by `TEST_DATABASE_URL`.
async fn fresh_database(id: &str, data_dir: &std::path::Path) -> String {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let admin = sea_orm::Database::connect(&base)
                .await
                .expect("TEST_DATABASE_URL is reachable");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("CREATE SCHEMA \"t_{id}\""))
                .await
                .expect("create test schema");
            let _ = admin.close().await;
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}options=-c%20search_path%3Dt_{id}")
        }
        _ => format!(
            "sqlite://{}?mode=rwc",
            data_dir.join("registry.db").display()
        ),
    }
}

pub fn test_settings(database_url: String, data_dir: PathBuf) -> Settings {
    Settings {
        database_url: Some(database_url),
        data_dir,
        listen_addr: "127.0.0.1:0".into(),
        jwt_secret: Some(Secret::new(JWT_SECRET)),
        db_pool_size: Some(4),
        // The production default of `CACHE_TTL` stays: changes through the API must show on
        // the next request with the cache on.
        http_workers: Some(1),
        // Receivers in tests listen on loopback; retries come quickly. The deliverer runs in
        // the webhook tests only: its polls would count in other tests' statement counts.
        webhooks: Webhooks {
            webhook_allow_private: true,
            webhook_timeout: Duration::from_secs(2),
            webhook_retry_for: Duration::from_secs(3600),
            webhook_retry_base: Duration::from_millis(200),
            webhook_deliverer: false,
            ..Webhooks::default()
        },
        ..Settings::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Spawns the application with settings adjusted by `adjust`.
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let id = Uuid::new_v4().simple().to_string();
    let data_dir = std::env::temp_dir().join(format!("touchpoint-test-{id}"));
    std::fs::create_dir_all(&data_dir).unwrap();
    let url = fresh_database(&id, &data_dir).await;
    let mut settings = test_settings(url, data_dir.clone());
    adjust(&mut settings);
    let app = Application::build(&settings)
        .await
        .expect("application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let db = app.db().clone();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        address,
        db,
        tokens: token_service(&settings).unwrap(),
        settings,
        client: awc::Client::builder()
            .timeout(Duration::from_secs(30))
            .finish(),
        data_dir: Some(data_dir),
    }
}

impl TestApp {
    /// POSTs a GraphQL request with an optional bearer token; returns status and JSON body.
    pub async fn post_graphql(&self, token: Option<&str>, body: &Value) -> (u16, Value) {
        post_graphql_to(&self.client, &self.address, token, body).await
    }

    /// A GraphQL request as `token`; returns the response body.
    pub async fn gql(&self, token: &str, query: &str, variables: Value) -> Value {
        self.post_graphql(
            Some(token),
            &json!({ "query": query, "variables": variables }),
        )
        .await
        .1
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        self.get_accepting(path, "application/json").await
    }

    /// A GET with this `Accept` header; returns the status and the body.
    pub async fn get_accepting(&self, path: &str, accept: &str) -> (u16, String) {
        let mut resp = self
            .client
            .get(format!("{}{path}", self.address))
            .insert_header(("Accept", accept))
            .send()
            .await
            .expect("request sent");
        let body = resp.body().await.unwrap_or_default();
        (
            resp.status().as_u16(),
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    /// A raw request: method, path, headers and body as given; returns status, the
    /// response's content type and its body.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> (u16, String, String) {
        let method = awc::http::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.address));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        let mut resp = req.send_body(body).await.expect("request sent");
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = resp
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .unwrap_or_default();
        (
            resp.status().as_u16(),
            content_type,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    /// Whether the server still answers a plain query.
    pub async fn healthy(&self, token: &str) -> bool {
        let resp = self.gql(token, "{ viewer { name } }", json!({})).await;
        resp["data"]["viewer"]["name"].is_string()
    }

    /// A GraphQL request that must succeed; returns `data`.
    pub async fn data(&self, token: &str, query: &str, variables: Value) -> Value {
        let resp = self.gql(token, query, variables).await;
        assert_ok(&resp);
        resp["data"].clone()
    }

    /// [`Self::data`], repeated until `settled` holds for its answer (or 20 s pass, which
    /// fails the test). For the change feed on PostgreSQL: it serves a change only once no
    /// older transaction of the database can still commit before it (gap-free), and on a
    /// cluster shared with other tests one of theirs may hold it back for a moment.
    pub async fn data_until(
        &self,
        token: &str,
        query: &str,
        variables: Value,
        settled: impl Fn(&Value) -> bool,
    ) -> Value {
        let started = std::time::Instant::now();
        loop {
            let data = self.data(token, query, variables.clone()).await;
            if settled(&data) {
                return data;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "still not settled after 20 s: {data}"
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A token for the user with this e-mail, acting in `org_id`.
    pub async fn token_for(&self, email: &str, org_id: Uuid) -> String {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
        use touchpoint_registry::entities::user;
        let found = user::Entity::find()
            .filter(user::Column::Email.eq(email))
            .one(self.db.conn())
            .await
            .unwrap()
            .expect("user exists");
        self.tokens.issue(found.id, Some(org_id), None).unwrap()
    }
}

/// A person of the test network and their token.
#[derive(Clone)]
pub struct Person {
    pub email: String,
    pub token: String,
}

/// A small network: brand `acme` with an admin, editor and viewer; two dealers, `dealer-a`
/// (admin, editor, viewer) and `dealer-b` (admin, editor); and a second brand `globex` that
/// shares nobody with acme.
pub struct Network {
    pub brand_id: Uuid,
    /// Two principles of the brand, for ratings.
    pub principles: Vec<Uuid>,
    pub dealer_a: Uuid,
    pub dealer_b: Uuid,
    pub other_brand_id: Uuid,
    pub phases: Vec<Uuid>,
    pub other_phases: Vec<Uuid>,
    pub brand_admin: Person,
    pub brand_editor: Person,
    pub brand_viewer: Person,
    pub a_admin: Person,
    pub a_editor: Person,
    pub a_viewer: Person,
    pub b_admin: Person,
    pub b_editor: Person,
    pub other_admin: Person,
}

impl Network {
    pub async fn build(app: &TestApp) -> Self {
        let db = &app.db;
        let system = AuditActor::system("test");
        let (brand, admin_user) = bootstrap::create_brand(
            db,
            &system,
            NewBrand {
                name: "Acme",
                slug: "acme",
                admin_email: "admin@acme.test",
                admin_name: Some("Ada Admin"),
            },
        )
        .await
        .unwrap();
        let admin = resolve_subject(db, admin_user.id, Some(brand.id))
            .await
            .unwrap();
        members::add_member(db, &admin, "editor@acme.test", "Ed Editor", Role::Editor)
            .await
            .unwrap();
        members::add_member(db, &admin, "viewer@acme.test", "Vi Viewer", Role::Viewer)
            .await
            .unwrap();
        let mut dealers = Vec::new();
        for slug in ["dealer-a", "dealer-b"] {
            let ps = partners::create_partner(
                db,
                &admin,
                brand.id,
                NewPartner {
                    slug: slug.into(),
                    name: Some(format!("Dealer {slug}")),
                    kind: Some(OrganizationKind::Dealer),
                    tier: Some("gold".into()),
                    admin_email: Some(format!("admin@{slug}.test")),
                    admin_name: Some(format!("Admin {slug}")),
                },
            )
            .await
            .unwrap();
            dealers.push(ps.partner_id);
        }
        let a_admin = resolve_subject(
            db,
            user_id(app, "admin@dealer-a.test").await,
            Some(dealers[0]),
        )
        .await
        .unwrap();
        members::add_member(
            db,
            &a_admin,
            "editor@dealer-a.test",
            "Ann Editor",
            Role::Editor,
        )
        .await
        .unwrap();
        members::add_member(
            db,
            &a_admin,
            "viewer@dealer-a.test",
            "Al Viewer",
            Role::Viewer,
        )
        .await
        .unwrap();
        let b_admin = resolve_subject(
            db,
            user_id(app, "admin@dealer-b.test").await,
            Some(dealers[1]),
        )
        .await
        .unwrap();
        members::add_member(
            db,
            &b_admin,
            "editor@dealer-b.test",
            "Bo Editor",
            Role::Editor,
        )
        .await
        .unwrap();
        let (other, _) = bootstrap::create_brand(
            db,
            &system,
            NewBrand {
                name: "Globex",
                slug: "globex",
                admin_email: "admin@globex.test",
                admin_name: None,
            },
        )
        .await
        .unwrap();
        let phases = brands::phases(db, &admin, brand.id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let mut principle_ids = Vec::new();
        for name in ["Personal", "Effortless"] {
            let created = principles::create(db, &admin, brand.id, name, None)
                .await
                .unwrap();
            principle_ids.push(created.id);
        }
        let other_admin_p =
            resolve_subject(db, user_id(app, "admin@globex.test").await, Some(other.id))
                .await
                .unwrap();
        let other_phases = brands::phases(db, &other_admin_p, other.id)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.id)
            .collect();
        let person = |email: &str, org: Uuid| {
            let email = email.to_owned();
            async move {
                let token = app.token_for(&email, org).await;
                Person { email, token }
            }
        };
        Self {
            brand_id: brand.id,
            principles: principle_ids,
            dealer_a: dealers[0],
            dealer_b: dealers[1],
            other_brand_id: other.id,
            phases,
            other_phases,
            brand_admin: person("admin@acme.test", brand.id).await,
            brand_editor: person("editor@acme.test", brand.id).await,
            brand_viewer: person("viewer@acme.test", brand.id).await,
            a_admin: person("admin@dealer-a.test", dealers[0]).await,
            a_editor: person("editor@dealer-a.test", dealers[0]).await,
            a_viewer: person("viewer@dealer-a.test", dealers[0]).await,
            b_admin: person("admin@dealer-b.test", dealers[1]).await,
            b_editor: person("editor@dealer-b.test", dealers[1]).await,
            other_admin: person("admin@globex.test", other.id).await,
        }
    }
}

async fn user_id(app: &TestApp, email: &str) -> Uuid {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use touchpoint_registry::entities::user;
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(app.db.conn())
        .await
        .unwrap()
        .unwrap()
        .id
}

/// The first error's `extensions.code`.
pub fn error_code(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["code"].as_str()
}

/// The first error's `extensions.field`.
pub fn error_field(resp: &Value) -> Option<&str> {
    resp["errors"][0]["extensions"]["field"].as_str()
}

/// Panics with the response when it carries errors.
pub fn assert_ok(resp: &Value) {
    assert!(resp.get("errors").is_none(), "unexpected errors: {resp:#}");
}

pub const CREATE_TOUCHPOINT: &str = "mutation($input: CreateTouchpointInput!) {
  createTouchpoint(input: $input) { touchpoint { id version reviewStatus visibility ownership } }
}";

/// Creates a touchpoint as `token` and returns its id (panics on error).
pub async fn create_touchpoint(app: &TestApp, token: &str, input: Value) -> String {
    let resp = app
        .gql(token, CREATE_TOUCHPOINT, json!({ "input": input }))
        .await;
    assert_ok(&resp);
    resp["data"]["createTouchpoint"]["touchpoint"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A minimal valid create input.
pub fn minimal_input(brand_id: Uuid, phase_id: Uuid, name: &str) -> Value {
    json!({
        "brandId": brand_id.to_string(),
        "name": name,
        "channel": "WEBSITE",
        "expressions": ["DIGITAL"],
        "phaseId": phase_id.to_string(),
    })
}

/// Touchpoints across the network: the brand's own, and each dealer's PRIVATE and NETWORK
/// one.
pub struct Touchpoints {
    pub brand: String,
    pub a_private: String,
    pub a_network: String,
    pub b_private: String,
    pub b_network: String,
}

impl Touchpoints {
    pub async fn build(app: &TestApp, net: &Network) -> Self {
        let make = |token: &str, name: &str, visibility: &str| {
            let mut input = minimal_input(net.brand_id, net.phases[0], name);
            input["visibility"] = json!(visibility);
            input["externalId"] = json!(format!("ext-{}", name.to_lowercase().replace(' ', "-")));
            let token = token.to_owned();
            async move { create_touchpoint(app, &token, input).await }
        };
        Self {
            brand: make(&net.brand_editor.token, "Brand site", "NETWORK").await,
            a_private: make(&net.a_editor.token, "A private", "PRIVATE").await,
            a_network: make(&net.a_editor.token, "A network", "NETWORK").await,
            b_private: make(&net.b_editor.token, "B private", "PRIVATE").await,
            b_network: make(&net.b_editor.token, "B network", "NETWORK").await,
        }
    }
}

/// The names in a `touchpoints { nodes { name } }` answer under `path`.
pub fn node_names(list: &Value) -> Vec<String> {
    list["nodes"]
        .as_array()
        .map(|nodes| {
            nodes
                .iter()
                .filter_map(|n| n["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Moves a touchpoint's `updatedAt` back, as if it had not changed for `days` days.
pub async fn backdate_touchpoint(app: &TestApp, id: &str, days: i64) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use touchpoint_registry::entities::touchpoint;
    let at = touchpoint_registry::clock::now() - chrono::Duration::days(days);
    touchpoint::Entity::update_many()
        .col_expr(touchpoint::Column::UpdatedAt, Expr::value(at))
        .filter(touchpoint::Column::Id.eq(Uuid::parse_str(id).unwrap()))
        .exec(app.db.conn())
        .await
        .unwrap();
}

/// Marks a user deactivated (an operator's action the API has no verb for).
pub async fn deactivate_user(app: &TestApp, email: &str) {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use touchpoint_registry::entities::user;
    user::Entity::update_many()
        .col_expr(
            user::Column::DeactivatedAt,
            Expr::value(touchpoint_registry::clock::now()),
        )
        .filter(user::Column::Email.eq(email))
        .exec(app.db.conn())
        .await
        .unwrap();
}

/// POSTs a GraphQL request to the server at `base`; returns status and JSON body (`null`
/// when the body is not JSON).
async fn post_graphql_to(
    client: &awc::Client,
    base: &str,
    token: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut req = client.post(format!("{base}/graphql"));
    if let Some(token) = token {
        req = req.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let mut resp = req.send_json(body).await.expect("request sent");
    let status = resp.status().as_u16();
    let json = resp
        .json::<Value>()
        .limit(16 * 1024 * 1024)
        .await
        .unwrap_or(Value::Null);
    (status, json)
}

/// A `serve` process of the real binary on `url`, listening on a free port.
pub struct Instance {
    pub child: std::process::Child,
    pub base: String,
}

impl Instance {
    /// [`TestApp::post_graphql`] against this process.
    pub async fn post_graphql(&self, token: Option<&str>, body: &Value) -> (u16, Value) {
        post_graphql_to(&awc::Client::default(), &self.base, token, body).await
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn start_instance(database_url: &str, data_dir: &std::path::Path) -> Instance {
    start_instance_with_env(database_url, data_dir, &[]).await
}

/// [`start_instance`] with extra environment variables (settings) for the process.
pub async fn start_instance_with_env(
    database_url: &str,
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
) -> Instance {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint-registry"))
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", data_dir)
        .env("LISTEN_ADDR", format!("127.0.0.1:{port}"))
        .env("JWT_SECRET", JWT_SECRET)
        .env("HTTP_WORKERS", "1")
        .env("RUST_LOG", "warn")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("the binary starts");
    // Owned from here on: dropping the instance kills and reaps the process.
    let instance = Instance {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = awc::Client::default();
    for _ in 0..100 {
        if let Ok(resp) = client.get(format!("{}/readyz", instance.base)).send().await {
            if resp.status().is_success() {
                return instance;
            }
        }
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("instance on {} did not become ready", instance.base);
}

/// `text` percent-encoded for a URL's query string.
pub fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Runs the real binary with `args` on the database at `database_url`.
pub fn run_binary(
    database_url: &str,
    dir: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint-registry"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("DATA_DIR", dir)
        .env("JWT_SECRET", JWT_SECRET)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the binary runs")
}
