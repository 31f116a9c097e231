//! sea-orm entities, one per table of the `migration` crate, and nothing else.
//! Relations are left to the services and DataLoaders, which batch their own look-ups.
pub mod alignment;
pub mod api_client;
pub mod cell;
pub mod idempotency_record;
pub mod journey;
pub mod journey_step;
pub mod ledger_entry;
pub mod membership;
pub mod organization;
pub mod partnership;
pub mod phase;
pub mod principle;
pub mod string_list;
pub mod touchpoint;
pub mod user;
pub mod webhook_delivery;
pub mod webhook_endpoint;
