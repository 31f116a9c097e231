//! One typed configuration, read from flags and environment variables (DESIGN.md §4).
//!
//! Every setting has a default that runs the embedded server with no configuration at all;
//! the README lists them. Secrets are wrapped so they never reach a log line.
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// A value that must not be printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Settings shared by every subcommand.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database URL: `sqlite://path?mode=rwc` or `postgres://user:pass@host/db`.
    /// Default: SQLite in `<data-dir>/registry.db`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,

    /// Where the embedded database and the generated signing secret live.
    #[arg(long, env = "DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    /// Address the HTTP server listens on (port 0 picks a free port).
    #[arg(
        long,
        env = "LISTEN_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen_addr: String,

    /// The address clients reach this server at, for links it hands out (map links).
    /// Default: `http://<LISTEN_ADDR>`.
    #[arg(long, env = "PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// HS256 signing secret for access tokens. Default: a random secret generated once and
    /// kept in `<data-dir>/jwt-secret`.
    #[arg(long, env = "JWT_SECRET", global = true, hide_env_values = true, value_parser = parse_secret)]
    pub jwt_secret: Option<Secret>,

    /// Asymmetric signing key for issued tokens, as `KID=PATH` to a PEM private key
    /// (Ed25519 → EdDSA, RSA → RS256). Needs JWT_PUBLIC_KEYS; turns HS256 off.
    #[arg(long, env = "JWT_PRIVATE_KEY", global = true)]
    pub jwt_private_key: Option<String>,

    /// Public keys accepted on verification, as `KID=PATH[,KID=PATH…]` (PEM). Tokens are
    /// matched to a key by their `kid` header, so keys rotate by listing old and new.
    #[arg(long, env = "JWT_PUBLIC_KEYS", global = true)]
    pub jwt_public_keys: Option<String>,

    /// `iss` of issued tokens, required on verified ones.
    #[arg(
        long,
        env = "JWT_ISSUER",
        default_value = "touchpoint-registry",
        global = true
    )]
    pub jwt_issuer: String,

    /// `aud` of issued tokens, required on verified ones.
    #[arg(
        long,
        env = "JWT_AUDIENCE",
        default_value = "touchpoint-registry",
        global = true
    )]
    pub jwt_audience: String,

    /// Lifetime of issued access tokens (`90s`, `15m`, `1h`, `7d`).
    #[arg(long, env = "TOKEN_TTL", default_value = "1h", global = true, value_parser = parse_duration)]
    pub token_ttl: Duration,

    /// Database connections in the pool (default: 16 on PostgreSQL, 4 on SQLite).
    #[arg(long, env = "DB_POOL_SIZE", global = true)]
    pub db_pool_size: Option<u32>,

    /// SQLite: how much of the database file each connection reads through a memory map
    /// rather than with a `read` call per page the page cache misses (`0`: none). Faster
    /// reads, but the mapped pages count in the process's RSS once per connection
    /// (bench/README.md, "Measured defaults").
    #[arg(long, env = "SQLITE_MMAP_BYTES", default_value_t = 0, global = true)]
    pub sqlite_mmap_bytes: u64,

    /// SQLite: the page cache of each pooled connection, in KiB. Pages it holds are read
    /// without a `read` call; it is heap, so RSS grows by up to this times the pool size. The
    /// default holds the hot pages of the portal list.
    #[arg(long, env = "SQLITE_CACHE_KIB", default_value_t = 4096, global = true)]
    pub sqlite_cache_kib: u32,

    /// GraphQL operations executing at once (default: the pool size); more wait their turn,
    /// first come first served, without holding memory for a half-built answer.
    #[arg(long, env = "MAX_IN_FLIGHT", global = true)]
    pub max_in_flight: Option<usize>,

    /// How long a resolved caller (organization, role, networks), an organization or a phase
    /// may be reused before it is read again; changes made through the API take effect at
    /// once regardless. `0` reads them on every request.
    #[arg(long, env = "CACHE_TTL", default_value = "5s", global = true, value_parser = parse_ttl)]
    pub cache_ttl: Duration,

    /// HTTP worker threads (default: one per CPU core; on SQLite two, see `Settings::http_workers`).
    #[arg(long, env = "HTTP_WORKERS", global = true)]
    pub http_workers: Option<usize>,

    /// Production mode: introspection, field suggestions and GraphiQL off.
    /// Also switched on by `APP_ENV=production`.
    #[arg(long, global = true)]
    pub production: bool,

    #[command(flatten)]
    pub limits: Limits,

    #[command(flatten)]
    pub webhooks: Webhooks,

    #[command(flatten)]
    pub persisted: Persisted,

    /// `text` (default) or `json` log lines.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
}

/// Limits on what one request may ask (DESIGN.md §6); each is answered before any resolver
/// runs.
#[derive(Debug, Clone, Args)]
pub struct Limits {
    /// Largest request body in bytes (413 beyond).
    #[arg(long, env = "MAX_BODY_BYTES", default_value_t = 1024 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Deepest field nesting of a query.
    #[arg(long, env = "MAX_DEPTH", default_value_t = 10, global = true)]
    pub max_depth: usize,
    /// Largest query complexity; a list field costs its page size times its children.
    #[arg(long, env = "MAX_COMPLEXITY", default_value_t = 20_000, global = true)]
    pub max_complexity: usize,
    /// Most aliases in one request.
    #[arg(long, env = "MAX_ALIASES", default_value_t = 30, global = true)]
    pub max_aliases: usize,
    /// Most root fields in one operation.
    #[arg(long, env = "MAX_ROOT_FIELDS", default_value_t = 30, global = true)]
    pub max_root_fields: usize,
    /// Most directives on one field.
    #[arg(long, env = "MAX_DIRECTIVES", default_value_t = 5, global = true)]
    pub max_directives: usize,
    /// Most field selections in one request's documents (`__typename` counts).
    #[arg(long, env = "MAX_FIELDS", default_value_t = 1_000, global = true)]
    pub max_fields: usize,
    /// Allow batched requests (a JSON array of operations).
    #[arg(long, env = "BATCHING", default_value_t = false, global = true)]
    pub batching: bool,
    /// Most operations in one batch, when batching is on.
    #[arg(long, env = "MAX_BATCH", default_value_t = 10, global = true)]
    pub max_batch: usize,
    /// Longest a request may run before it is cancelled.
    #[arg(long, env = "REQUEST_TIMEOUT", default_value = "10s", global = true, value_parser = parse_duration)]
    pub request_timeout: Duration,
    /// Requests per second per caller (token bucket; 0 turns rate limiting off).
    #[arg(
        long,
        env = "RATE_LIMIT_PER_SECOND",
        default_value_t = 100,
        global = true
    )]
    pub rate_limit_per_second: u32,
    /// Burst a caller may send above its rate.
    #[arg(long, env = "RATE_LIMIT_BURST", default_value_t = 200, global = true)]
    pub rate_limit_burst: u32,
    /// Token requests per minute per client id and per IP address (`POST /auth/token`).
    #[arg(
        long,
        env = "TOKEN_RATE_LIMIT_PER_MINUTE",
        default_value_t = 30,
        global = true
    )]
    pub token_rate_limit_per_minute: u32,
    /// How long a request waits for a database connection before it is told the server is
    /// busy.
    #[arg(long, env = "DB_ACQUIRE_TIMEOUT", default_value = "5s", global = true, value_parser = parse_duration)]
    pub db_acquire_timeout: Duration,
    /// Grace period for in-flight requests on SIGTERM.
    #[arg(long, env = "SHUTDOWN_TIMEOUT", default_value = "30s", global = true, value_parser = parse_duration)]
    pub shutdown_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        defaults()
    }
}

impl Default for Limits {
    fn default() -> Self {
        defaults()
    }
}

/// Outbound webhooks (DESIGN §3).
#[derive(Debug, Clone, Args)]
pub struct Webhooks {
    /// Let webhook endpoints target private, loopback and link-local addresses, and use plain
    /// `http://` (receivers on a private network; local use and tests).
    #[arg(long, env = "WEBHOOK_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub webhook_allow_private: bool,
    /// How long a receiver has to answer a delivery.
    #[arg(long, env = "WEBHOOK_TIMEOUT", default_value = "10s", global = true, value_parser = parse_duration)]
    pub webhook_timeout: Duration,
    /// How long a failing delivery is retried (and an endpoint may fail) before it is given up.
    #[arg(long, env = "WEBHOOK_RETRY_FOR", default_value = "24h", global = true, value_parser = parse_duration)]
    pub webhook_retry_for: Duration,
    /// The wait before a delivery's second attempt; it doubles with each attempt after.
    #[arg(long, env = "WEBHOOK_RETRY_BASE", default_value = "10s", global = true, value_parser = parse_duration)]
    pub webhook_retry_base: Duration,
    /// How long a DELIVERED or SKIPPED delivery is kept (to be listed with its endpoint); dead
    /// ones stay until redelivered. A replay reads the ledger, not these rows.
    #[arg(long, env = "WEBHOOK_KEEP_DELIVERED", default_value = "7d", global = true, value_parser = parse_duration)]
    pub webhook_keep_delivered: Duration,
    /// Whether this instance delivers webhooks (every instance may: each delivery is claimed
    /// by one); `false` leaves delivery to the others.
    #[arg(long, env = "WEBHOOK_DELIVERER", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub webhook_deliverer: bool,
}

impl Default for Webhooks {
    fn default() -> Self {
        defaults()
    }
}

/// Persisted operations: automatic persisted queries and trusted documents.
#[derive(Debug, Clone, Args)]
pub struct Persisted {
    /// `allowed` runs free-form documents, automatic persisted queries and trusted documents;
    /// `required` runs only trusted documents, except for API clients allowed free-form ones.
    #[arg(
        long,
        env = "PERSISTED_OPERATIONS",
        default_value = "allowed",
        global = true
    )]
    pub persisted_operations: PersistedMode,
    /// The trusted documents: a JSON manifest (id → document, or Apollo's persisted query
    /// manifest) or a directory of `.graphql` files. Read at start and on SIGHUP.
    #[arg(long, env = "PERSISTED_OPERATIONS_MANIFEST", global = true)]
    pub persisted_operations_manifest: Option<PathBuf>,
    /// Automatic persisted queries kept in memory; the least recently used go first.
    #[arg(long, env = "APQ_CACHE_SIZE", default_value = "1000", global = true)]
    pub apq_cache_size: std::num::NonZeroUsize,
}

impl Default for Persisted {
    fn default() -> Self {
        defaults()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PersistedMode {
    Allowed,
    Required,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// The database URL in effect: the configured one, or the embedded SQLite file.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("registry.db").display()
            ),
        }
    }

    /// Whether the database is the embedded SQLite one.
    pub fn is_sqlite(&self) -> bool {
        self.database_url().starts_with("sqlite:")
    }

    /// Connections to pool. SQLite runs every statement on its connection's own thread with
    /// its own page cache, and has one writer at a time: beyond a few connections more only
    /// cost memory.
    pub fn pool_size(&self) -> u32 {
        let default = if self.is_sqlite() { 4 } else { 16 };
        self.db_pool_size.unwrap_or(default).max(1)
    }

    /// HTTP worker threads. On SQLite two per core: its statements run on the connections' own
    /// threads in this process, and an HTTP worker whose operations all wait on them sleeps, so
    /// with one per core a core idles while the other is busy. On PostgreSQL more measured no
    /// faster.
    pub fn http_workers(&self) -> usize {
        let per_core = if self.is_sqlite() { 2 } else { 1 };
        self.http_workers.unwrap_or(cores() * per_core).max(1)
    }

    /// Operations executing at once: beyond the connections the pool holds, more would only
    /// wait for one with their half-built answers in memory.
    pub fn in_flight(&self) -> usize {
        self.max_in_flight
            .unwrap_or(self.pool_size() as usize)
            .max(1)
    }

    /// The public base URL, without a trailing slash.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen_addr))
            .trim_end_matches('/')
            .to_owned()
    }

    /// Production mode from the flag or from `APP_ENV=production`.
    pub fn is_production(&self) -> bool {
        self.production
            || std::env::var("APP_ENV").is_ok_and(|v| v.eq_ignore_ascii_case("production"))
    }
}

/// A group of settings at the defaults its `#[arg]`s declare (environment variables ignored),
/// so each default is written once.
fn defaults<T: Args + clap::FromArgMatches>() -> T {
    let command = T::augment_args(clap::Command::new("defaults")).mut_args(|a| a.env(None));
    command
        .try_get_matches_from(["defaults"])
        .and_then(|matches| T::from_arg_matches(&matches))
        .unwrap_or_else(|e| panic!("a default in `config` does not parse: {e}"))
}

/// The CPU cores this process may use (1 when the system cannot tell).
fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

fn parse_secret(value: &str) -> Result<Secret, String> {
    if value.len() < 32 {
        return Err("JWT_SECRET must be at least 32 characters".into());
    }
    Ok(Secret::new(value))
}

/// A duration as humantime reads it (`250ms`, `90s`, `15m`, `1h 30m`, `7d`), or a bare number
/// of seconds.
fn duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    humantime::parse_duration(value)
        .map_err(|e| format!("`{value}` is not a duration like 250ms, 90s, 15m, 1h or 7d ({e})"))
}

/// A duration that may be zero (off): `0`, `250ms`, `5s`.
pub fn parse_ttl(value: &str) -> Result<Duration, String> {
    duration(value)
}

/// A positive duration: `90s`, `15m`, `1h`, `7d`.
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    match duration(value)? {
        d if d.is_zero() => Err("a duration must be positive".into()),
        d => Ok(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("15m"), Ok(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
        assert!(parse_duration("1x").is_err());
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("0s").is_err());
        assert_eq!(parse_ttl("0"), Ok(Duration::ZERO));
        assert_eq!(parse_ttl("250ms"), Ok(Duration::from_millis(250)));
    }

    #[test]
    fn each_group_defaults_to_what_its_flags_declare() {
        let limits = Limits::default();
        assert_eq!((limits.max_depth, limits.max_batch), (10, 10));
        assert_eq!(limits.request_timeout, Duration::from_secs(10));
        let webhooks = Webhooks::default();
        assert_eq!(webhooks.webhook_retry_for, Duration::from_secs(24 * 3600));
        assert!(webhooks.webhook_deliverer && !webhooks.webhook_allow_private);
        let persisted = Persisted::default();
        assert_eq!(persisted.persisted_operations, PersistedMode::Allowed);
        assert_eq!(persisted.apq_cache_size.get(), 1000);
    }

    #[test]
    fn defaults_admit_the_pool_and_map_no_file() {
        #[derive(clap::Parser)]
        struct Cli {
            #[command(flatten)]
            settings: Settings,
        }
        let mut s = <Cli as clap::Parser>::parse_from(["registry"]).settings;
        (s.db_pool_size, s.max_in_flight, s.http_workers) = (None, None, None);
        let cores = cores();
        if std::env::var_os("SQLITE_MMAP_BYTES").is_none() {
            assert_eq!(s.sqlite_mmap_bytes, 0, "no memory map unless asked for");
        }
        if std::env::var_os("SQLITE_CACHE_KIB").is_none() {
            assert_eq!(
                s.sqlite_cache_kib, 4096,
                "4 MiB of page cache per connection"
            );
        }
        s.database_url = Some("sqlite://./data/registry.db?mode=rwc".into());
        assert_eq!((s.pool_size(), s.in_flight()), (4, 4));
        assert_eq!(s.http_workers(), 2 * cores);
        s.database_url = Some("postgres://u:p@localhost/db".into());
        assert_eq!((s.pool_size(), s.in_flight()), (16, 16));
        assert_eq!(s.http_workers(), cores);
        s.max_in_flight = Some(3);
        assert_eq!(s.in_flight(), 3);
        s.http_workers = Some(3);
        assert_eq!(s.http_workers(), 3);
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2")),
            "Secret([redacted])"
        );
    }
}
