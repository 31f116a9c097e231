//! Building the application: database, keys, schema, HTTP server bound to its port.
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};

use crate::auth::TokenService;
use crate::config::PersistedMode;
use crate::config::Settings;
use crate::graphql::limits::ComplexityProbe;
use crate::graphql::persisted::{ManifestError, PersistedOperations};
use crate::graphql::{build_schema, SchemaOptions};
use crate::http::rate_limit::RateLimiter;
use crate::http::{routes, AppState};
use crate::metrics::Metrics;
use crate::services::webhooks::{TargetPolicy, WebhookSettings};
use crate::store::db::Db;

/// SIGTERM or SIGINT (Ctrl-C).
async fn termination() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = interrupt => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("signing key: {0}")]
    Key(#[from] crate::auth::keys::KeyError),
    #[error("trusted documents: {0}")]
    TrustedDocuments(#[from] ManifestError),
    #[error(
        "PERSISTED_OPERATIONS=required needs the trusted documents (PERSISTED_OPERATIONS_MANIFEST)"
    )]
    NoTrustedDocuments,
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
}

/// The token service the settings describe (keys are read, or the secret created, once).
pub fn token_service(settings: &Settings) -> Result<TokenService, StartupError> {
    Ok(TokenService::from_settings(settings)?)
}

/// How webhook deliveries are made, as configured.
fn webhook_settings(settings: &Settings) -> WebhookSettings {
    let w = &settings.webhooks;
    WebhookSettings {
        policy: TargetPolicy {
            allow_private: w.webhook_allow_private,
        },
        timeout: w.webhook_timeout,
        retry_for: w.webhook_retry_for,
        retry_base: w.webhook_retry_base,
        keep_delivered: w.webhook_keep_delivered,
    }
}

/// The persisted operations the settings describe; the trusted documents are read again on
/// SIGHUP, so an operator rolls out a new manifest without a restart.
fn persisted_operations(settings: &Settings) -> Result<Arc<PersistedOperations>, StartupError> {
    let p = &settings.persisted;
    if p.persisted_operations == PersistedMode::Required
        && p.persisted_operations_manifest.is_none()
    {
        return Err(StartupError::NoTrustedDocuments);
    }
    let persisted = Arc::new(PersistedOperations::new(
        p.persisted_operations,
        p.apq_cache_size,
        p.persisted_operations_manifest.clone(),
    )?);
    #[cfg(unix)]
    if p.persisted_operations_manifest.is_some() {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut hangups) = signal(SignalKind::hangup()) {
            let persisted = Arc::clone(&persisted);
            tokio::spawn(async move {
                while hangups.recv().await.is_some() {
                    match persisted.reload() {
                        Ok(count) => tracing::info!(count, "trusted documents reloaded"),
                        Err(err) => tracing::error!(
                            error = %err,
                            "trusted documents not reloaded; the ones loaded before stay"
                        ),
                    }
                }
            });
        }
    }
    Ok(persisted)
}

/// A built server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
    shutdown: tokio::sync::watch::Sender<bool>,
}

impl Application {
    /// Connects and migrates the database, then binds the listen address (port 0 picks a
    /// free port; [`Application::port`] tells which).
    pub async fn build(settings: &Settings) -> Result<Self, StartupError> {
        let db = Db::connect(settings).await?;
        db.migrate().await?;
        Self::build_with_db(settings, db)
    }

    pub fn build_with_db(settings: &Settings, db: Db) -> Result<Self, StartupError> {
        if db.backend() == sea_orm::DbBackend::Postgres {
            let pool = db.conn().get_postgres_connection_pool().clone();
            tokio::spawn(crate::store::events::listen_postgres(
                pool,
                db.events().clone(),
                db.caches().clone(),
            ));
        }
        let tokens = Arc::new(token_service(settings)?);
        let production = settings.is_production();
        let limits = settings.limits.clone();
        let (shutdown_tx, shutdown_rx) = tokio::sync::watch::channel(false);
        let webhooks = webhook_settings(settings);
        let metrics = Arc::new(Metrics::new(&db));
        let persisted = persisted_operations(settings)?;
        if settings.webhooks.webhook_deliverer {
            tokio::spawn(crate::services::webhooks::deliverer::run(
                db.clone(),
                webhooks.clone(),
                Arc::clone(&metrics),
                shutdown_rx.clone(),
            ));
        }
        let state = web::Data::new(AppState {
            schema: build_schema(
                db.clone(),
                Arc::clone(&tokens),
                SchemaOptions {
                    production,
                    limits: limits.clone(),
                    public_url: settings.public_url(),
                    webhook_targets: webhooks.policy,
                },
            ),
            documents: Default::default(),
            persisted,
            complexity: ComplexityProbe::new(limits.max_complexity),
            in_flight: Arc::new(tokio::sync::Semaphore::new(settings.in_flight())),
            db: db.clone(),
            tokens,
            production,
            api_limiter: RateLimiter::new(limits.rate_limit_per_second, limits.rate_limit_burst),
            token_limiter: RateLimiter::per_minute(limits.token_rate_limit_per_minute),
            metrics,
            shutdown: shutdown_rx,
            limits,
        });
        let listen_error = |source| StartupError::Listen {
            addr: settings.listen_addr.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.listen_addr).map_err(listen_error)?;
        let port = listener.local_addr().map_err(listen_error)?.port();
        let server = HttpServer::new(move || App::new().app_data(state.clone()).configure(routes))
            // Signals are ours (see `run_until_stopped`): subscriptions get a close frame
            // before the server stops.
            .disable_signals()
            .shutdown_timeout(settings.limits.shutdown_timeout.as_secs())
            .workers(settings.http_workers());
        let server = server.listen(listener).map_err(listen_error)?.run();
        Ok(Self {
            port,
            server,
            db,
            shutdown: shutdown_tx,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: stops accepting, closes
    /// subscriptions with a "going away" frame, lets in-flight requests finish within the
    /// grace period, and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let shutdown = self.shutdown;
        let server = self.server;
        tokio::pin!(server);
        tokio::select! {
            result = &mut server => return result,
            _ = termination() => {}
        }
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = shutdown.send(true);
        // The server acts on the stop command only while it is polled: drive both.
        let ((), result) = tokio::join!(handle.stop(true), &mut server);
        result
    }
}
