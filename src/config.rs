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

    /// Database connections in the pool.
    #[arg(long, env = "DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: u32,

    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "HTTP_WORKERS", global = true)]
    pub http_workers: Option<usize>,

    /// Production mode: introspection, field suggestions and GraphiQL off.
    /// Also switched on by `APP_ENV=production`.
    #[arg(long, global = true)]
    pub production: bool,

    /// `text` (default) or `json` log lines.
    #[arg(long, env = "LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: LogFormat,
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

    /// Production mode from the flag or from `APP_ENV=production`.
    pub fn is_production(&self) -> bool {
        self.production
            || std::env::var("APP_ENV").is_ok_and(|v| v.eq_ignore_ascii_case("production"))
    }
}

fn parse_secret(value: &str) -> Result<Secret, String> {
    if value.len() < 32 {
        return Err("JWT_SECRET must be at least 32 characters".into());
    }
    Ok(Secret::new(value))
}

/// Parses `90s`, `15m`, `1h`, `7d` (or a bare number of seconds).
pub fn parse_duration(value: &str) -> Result<Duration, String> {
    let value = value.trim();
    let split = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    let (number, unit) = value.split_at(split);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{value}` is not a duration like 90s, 15m, 1h or 7d"))?;
    let seconds = match unit {
        "" | "s" => number,
        "m" => number * 60,
        "h" => number * 3600,
        "d" => number * 86_400,
        _ => {
            return Err(format!(
                "`{value}` is not a duration like 90s, 15m, 1h or 7d"
            ))
        }
    };
    if seconds == 0 {
        return Err("a duration must be positive".into());
    }
    Ok(Duration::from_secs(seconds))
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
        assert!(parse_duration("1w").is_err());
        assert!(parse_duration("0").is_err());
    }

    #[test]
    fn secrets_do_not_print() {
        assert_eq!(
            format!("{:?}", Secret::new("hunter2")),
            "Secret([redacted])"
        );
    }
}
