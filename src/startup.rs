//! Building the application: database, keys, schema, HTTP server bound to its port.
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{web, App, HttpServer};

use crate::auth::TokenService;
use crate::config::Settings;
use crate::db::Db;
use crate::graphql::{build_schema, SchemaOptions};
use crate::http::{routes, AppState};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("signing key: {0}")]
    Key(#[from] crate::auth::keys::KeyError),
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

/// A built server, bound and ready to run.
pub struct Application {
    port: u16,
    server: Server,
    db: Db,
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
            tokio::spawn(crate::events::listen_postgres(pool, db.events().clone()));
        }
        let tokens = Arc::new(token_service(settings)?);
        let production = settings.is_production();
        let state = web::Data::new(AppState {
            schema: build_schema(db.clone(), SchemaOptions { production }),
            db: db.clone(),
            tokens,
            production,
        });
        let listen_error = |source| StartupError::Listen {
            addr: settings.listen_addr.clone(),
            source,
        };
        let listener = TcpListener::bind(&settings.listen_addr).map_err(listen_error)?;
        let port = listener.local_addr().map_err(listen_error)?.port();
        let mut server =
            HttpServer::new(move || App::new().app_data(state.clone()).configure(routes));
        if let Some(workers) = settings.http_workers {
            server = server.workers(workers.max(1));
        }
        let server = server.listen(listener).map_err(listen_error)?.run();
        Ok(Self { port, server, db })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Serves until the server stops (SIGINT/SIGTERM stop it gracefully).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
