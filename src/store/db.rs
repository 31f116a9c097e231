//! Connecting to the database, migrating it, and starting write transactions.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::Settings;
use crate::store::cache::{Caches, PrincipalCache};
use crate::store::events::{ChangeBus, ChangeEvent};

/// The database handle every service uses, with the change events its writes produce
/// (see `events`) and the rows recently read from it (see `cache`).
#[derive(Clone, Debug)]
pub struct Db {
    conn: DatabaseConnection,
    statements: Arc<AtomicU64>,
    events: ChangeBus,
    caches: Caches,
}

/// A statement slower than this is logged as a warning.
const SLOW_STATEMENT: Duration = Duration::from_millis(500);

/// A PostgreSQL connection idle in the pool this long is pinged before it is handed out, so
/// one that died meanwhile is replaced instead of failing a request. Not on every hand-out
/// (sqlx's default): that is one more round trip per statement, while sqlx already pings each
/// connection as it returns to the pool, so one in steady use is known to be alive.
const POSTGRES_PING_AFTER_IDLE: Duration = Duration::from_secs(1);

/// SQLite: rows a statement may run ahead of the task reading them. sqlx's default (50) is
/// less than a page of touchpoints (51 rows for 50) or its ratings (about 150), so the worker
/// thread stopped mid-statement and waited to be woken for the rest. Rows are buffered only
/// as far as the reader lags.
const SQLITE_ROW_BUFFER: usize = 512;

impl Db {
    /// Connects with the settings' URL; for SQLite it creates the data directory first and
    /// sets the pragmas the registry relies on (WAL, full sync, foreign keys, busy wait).
    pub async fn connect(settings: &Settings) -> Result<Self, DbErr> {
        let url = settings.database_url();
        let sqlite = settings.is_sqlite();
        if sqlite {
            if let Some(dir) = sqlite_parent_dir(&url) {
                std::fs::create_dir_all(&dir)
                    .map_err(|e| DbErr::Custom(format!("cannot create {}: {e}", dir.display())))?;
            }
        }
        let mmap_bytes = settings.sqlite_mmap_bytes;
        let cache_kib = settings.sqlite_cache_kib;
        let mut options = ConnectOptions::new(url);
        if sqlite {
            // An embedded connection has no other end that could go away.
            options.test_before_acquire(false);
        } else {
            options.test_before_acquire_if_idle_for(POSTGRES_PING_AFTER_IDLE);
        }
        options
            .max_connections(settings.pool_size())
            .min_connections(1)
            .acquire_timeout(settings.limits.db_acquire_timeout)
            .connect_timeout(Duration::from_secs(5))
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(move |opts| {
                use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
                // WAL lets readers run beside the one writer; FULL makes a commit durable
                // before it is acknowledged; the busy timeout queues writers instead of
                // failing them.
                // Each connection's page cache (`SQLITE_CACHE_KIB`) spares a `read` call
                // for each page it holds (a page of touchpoints with their ratings reads
                // several hundred); it is heap, once per pooled connection. With
                // `SQLITE_MMAP_BYTES` the pages it misses are read through a memory map of
                // the file instead: faster still, but RSS counts the mapped pages once per
                // connection, so it is off unless asked for.
                opts.pragma("cache_size", format!("-{cache_kib}"))
                    .pragma("mmap_size", mmap_bytes.to_string())
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Full)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .row_buffer_size(SQLITE_ROW_BUFFER)
            });
        let mut conn = sea_orm::Database::connect(options).await?;
        let statements = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&statements);
        conn.set_metric_callback(move |info| note_statement(&counter, info.elapsed, info.failed));
        Ok(Self {
            conn,
            statements,
            events: ChangeBus::default(),
            caches: Caches::new(settings.cache_ttl),
        })
    }

    pub fn conn(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Statements executed since start (a cheap counter: metrics, and the N+1 tests).
    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// The PostgreSQL pool itself, for the one statement sea-orm cannot bind (arrays with
    /// NULL elements: `sync::write`); `None` on SQLite. Report what runs on it with
    /// [`Self::statement_ran`].
    pub fn postgres_pool(&self) -> Option<&sea_orm::sqlx::PgPool> {
        (self.backend() == DbBackend::Postgres).then(|| self.conn.get_postgres_connection_pool())
    }

    /// Counts (and, when slow, logs) a statement run on [`Self::postgres_pool`].
    pub fn statement_ran(&self, elapsed: Duration, failed: bool) {
        note_statement(&self.statements, elapsed, failed);
    }

    pub fn backend(&self) -> DbBackend {
        self.conn.get_database_backend()
    }

    pub async fn migrate(&self) -> Result<(), DbErr> {
        Migrator::up(&self.conn, None).await
    }

    /// Begins a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes can fail with
    /// "database is locked" when another writer got in between, and the busy timeout cannot
    /// save it.
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        self.conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
    }

    pub fn events(&self) -> &ChangeBus {
        &self.events
    }

    /// Announces committed changes to live subscribers. On SQLite (one process) they go on
    /// this process's bus. On PostgreSQL they go out with one `NOTIFY` statement after the
    /// commit — not inside the writing transaction, where PostgreSQL's notification lock
    /// would make concurrent writers commit one at a time — and every instance's listener
    /// (this one's too) puts them on its bus. Announcing is best effort: a lost event is in
    /// the change feed.
    pub async fn announce(&self, events: Vec<ChangeEvent>) {
        if events.is_empty() {
            return;
        }
        if self.backend() != DbBackend::Postgres {
            for event in events {
                self.events.publish(event);
            }
            return;
        }
        let payloads = crate::store::events::payloads(&events);
        let notify = sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload",
            [crate::store::events::CHANNEL.into(), payloads.into()],
        );
        if let Err(err) = sea_orm::ConnectionTrait::execute_raw(&self.conn, notify).await {
            tracing::warn!(error = %err, "change events not announced");
        }
    }

    pub fn principals(&self) -> &PrincipalCache {
        &self.caches.principals
    }

    pub fn caches(&self) -> &Caches {
        &self.caches
    }

    /// Call after committing a change to what the caches hold (memberships, roles, users,
    /// API clients, partnerships, organizations, phases, principles): empties this instance's
    /// caches at once and, on PostgreSQL, every other instance's through their listeners.
    pub async fn caches_changed(&self) {
        self.caches.invalidate();
        if self.backend() != DbBackend::Postgres {
            return;
        }
        let notify = sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, '')",
            [crate::store::events::CACHES_CHANNEL.into()],
        );
        if let Err(err) = sea_orm::ConnectionTrait::execute_raw(&self.conn, notify).await {
            // The other instances see the change within their cache's time to live.
            tracing::warn!(error = %err, "cache invalidation not announced");
        }
    }

    /// Connections in the pool: (open, idle).
    pub fn pool_state(&self) -> (u32, usize) {
        match self.backend() {
            DbBackend::Postgres => {
                let pool = self.conn.get_postgres_connection_pool();
                (pool.size(), pool.num_idle())
            }
            DbBackend::Sqlite => {
                let pool = self.conn.get_sqlite_connection_pool();
                (pool.size(), pool.num_idle())
            }
            _ => (0, 0),
        }
    }

    /// Whether the database answers (for `/readyz`).
    pub async fn ping(&self) -> bool {
        self.conn.ping().await.is_ok()
    }
}

/// Counts a statement, and logs it when it was slow.
fn note_statement(counter: &AtomicU64, elapsed: Duration, failed: bool) {
    counter.fetch_add(1, Ordering::Relaxed);
    if elapsed > SLOW_STATEMENT {
        tracing::warn!(
            elapsed_ms = elapsed.as_millis() as u64,
            failed,
            "slow statement"
        );
    }
}

/// The directory of the SQLite file in a `sqlite://path?opts` URL, if it names one.
fn sqlite_parent_dir(url: &str) -> Option<std::path::PathBuf> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = path.split('?').next().unwrap_or(path);
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    std::path::Path::new(path)
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| p.to_path_buf())
}
