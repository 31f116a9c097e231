//! What each subcommand does.
use std::fmt;

use super::{Cli, Command};
use crate::config::Settings;
use crate::demo;
use crate::error::AppError;
use crate::services::ledger::AuditActor;
use crate::services::network::bootstrap::{self, NewBrand};
use crate::services::network::principals;
use crate::startup::{token_service, Application, StartupError};
use crate::store::db::Db;

/// A command's failure, printed to stderr; unlike an API error it shows the cause, because
/// the operator running the command is the one who needs it.
#[derive(Debug)]
pub enum CommandError {
    Startup(StartupError),
    App(AppError),
    Io(std::io::Error),
    Usage(String),
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Startup(e) => write!(f, "{e}"),
            Self::App(AppError::Internal(cause)) => write!(f, "{cause}"),
            Self::App(e) => write!(f, "{e}"),
            Self::Io(e) => write!(f, "{e}"),
            Self::Usage(m) => f.write_str(m),
        }
    }
}

impl From<StartupError> for CommandError {
    fn from(e: StartupError) -> Self {
        Self::Startup(e)
    }
}

impl From<AppError> for CommandError {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

impl From<sea_orm::DbErr> for CommandError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Startup(StartupError::Database(e))
    }
}

impl From<std::io::Error> for CommandError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

async fn migrated_db(settings: &Settings) -> Result<Db, CommandError> {
    let db = Db::connect(settings).await?;
    db.migrate().await?;
    Ok(db)
}

pub async fn run(cli: Cli) -> Result<(), CommandError> {
    let settings = cli.settings;
    match cli.command {
        Command::Serve { demo } => serve(&settings, demo).await,
        Command::Migrate => {
            migrated_db(&settings).await?;
            println!(
                "database migrated: {}",
                redact_url(&settings.database_url())
            );
            Ok(())
        }
        Command::SeedDemo => {
            let db = migrated_db(&settings).await?;
            seed_and_print(&settings, &db).await
        }
        Command::Token { email, org, ttl } => {
            let db = Db::connect(&settings).await?;
            let token = mint_token(&settings, &db, &email, org.as_deref(), ttl).await?;
            println!("{token}");
            Ok(())
        }
        Command::CreateBrand {
            name,
            slug,
            admin_email,
            admin_name,
        } => {
            let db = migrated_db(&settings).await?;
            let (brand, admin) = bootstrap::create_brand(
                &db,
                &AuditActor::system("create-brand"),
                NewBrand {
                    name: &name,
                    slug: &slug,
                    admin_email: &admin_email,
                    admin_name: admin_name.as_deref(),
                },
            )
            .await?;
            println!(
                "created brand {} ({}) with admin {}",
                brand.name, brand.id, admin.email
            );
            println!("mint the admin a token with:");
            println!("  touchpoint-registry token --email {}", admin.email);
            Ok(())
        }
        #[cfg(feature = "bench")]
        Command::SeedBench { touchpoints } => {
            let db = migrated_db(&settings).await?;
            let started = std::time::Instant::now();
            crate::bench_data::seed(&db, touchpoints).await?;
            println!(
                "seeded the benchmark dataset: {touchpoints} touchpoints in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::ExportSchema => {
            print!("{}", crate::graphql::sdl());
            Ok(())
        }
    }
}

async fn serve(settings: &Settings, with_demo: bool) -> Result<(), CommandError> {
    let db = migrated_db(settings).await?;
    if with_demo {
        seed_and_print(settings, &db).await?;
    }
    let app = Application::build_with_db(settings, db)?;
    tracing::info!(
        port = app.port(),
        database = %redact_url(&settings.database_url()),
        production = settings.is_production(),
        "touchpoint registry listening on {}",
        settings.listen_addr
    );
    app.run_until_stopped().await?;
    Ok(())
}

async fn seed_and_print(settings: &Settings, db: &Db) -> Result<(), CommandError> {
    let created = demo::seed(db).await?;
    let tokens = token_service(settings)?;
    let lines = demo::tokens(db, &tokens).await?;
    println!("{}", demo::banner(created, &lines, &settings.listen_addr));
    Ok(())
}

/// A token for an existing user; `org` (a slug) picks the organization when the user
/// belongs to several.
pub async fn mint_token(
    settings: &Settings,
    db: &Db,
    email: &str,
    org: Option<&str>,
    ttl: Option<std::time::Duration>,
) -> Result<String, CommandError> {
    let (user_id, org_id) =
        principals::token_subject(db, email, org)
            .await
            .map_err(|e| match e {
                principals::TokenSubjectError::Database(e) => CommandError::App(e),
                refused => CommandError::Usage(refused.to_string()),
            })?;
    let tokens = token_service(settings)?;
    Ok(tokens.issue(user_id, Some(org_id), ttl)?)
}

/// The URL without its password, for logs.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
