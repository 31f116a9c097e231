//! Touchpoint Registry: a GraphQL API where a brand and its partners register, align and
//! plan every customer touchpoint. See `DESIGN.md` for the product contract.
pub mod auth;
#[cfg(feature = "bench")]
pub mod bench_data;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod entities;
pub mod error;
pub mod graphql;
pub mod http;
pub mod map;
pub mod metrics;
pub mod services;
pub mod startup;
pub mod store;
pub mod telemetry;
