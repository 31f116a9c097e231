//! The one layer that reads and writes the registry, always scoped by the caller.
//!
//! Every path — GraphQL queries, nested fields, mutations, sync, the change feed,
//! subscriptions, the CLI — goes through these functions, and the permission rules of
//! DESIGN.md §2 are checked here, not in resolvers.
pub mod access;
pub mod cursor;
pub mod ledger;
pub mod lookups;
pub mod network;
pub mod planning;
pub mod sync;
pub mod touchpoints;
pub mod webhooks;
pub mod write;
