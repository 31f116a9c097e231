//! The command line of the `touchpoint-registry` binary (DESIGN.md §4).
pub mod commands;

use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::config::{parse_duration, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "touchpoint-registry",
    version,
    about = "A GraphQL registry of customer touchpoints for a brand and its partners"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API.
    Serve {
        /// Seed the demo network first (if absent) and print a token per demo user.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Seed the demo network (if absent) and print a token per demo user.
    SeedDemo,
    /// Print a signed access token for an existing user.
    Token {
        #[arg(long)]
        email: String,
        /// The organization to act in, when the user belongs to several.
        #[arg(long)]
        org: Option<String>,
        /// Lifetime (`15m`, `1h`, `7d`); default TOKEN_TTL.
        #[arg(long, value_parser = parse_duration)]
        ttl: Option<Duration>,
    },
    /// Create a brand, its default phases and its first admin (a new install's first step).
    CreateBrand {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        #[arg(long)]
        admin_email: String,
        #[arg(long)]
        admin_name: Option<String>,
    },
    /// Seed the benchmark's reference dataset (the PostGraphile peer's rows) into an empty
    /// database (built with `--features bench`).
    #[cfg(feature = "bench")]
    SeedBench {
        /// Touchpoints to create (a multiple of 40): 20000, or 200000 for the large variant.
        #[arg(long, default_value_t = 20_000)]
        touchpoints: u32,
    },
    /// Print the GraphQL schema (SDL).
    ExportSchema,
}
