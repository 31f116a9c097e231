//! Outbound webhooks: an organization's endpoints ([`endpoints`]) receive, signed
//! ([`signing`]), every touchpoint change of their brand's network that the organization may
//! see when it is delivered; the [`deliverer`] reads the changes from the ledger, so a write
//! never waits on a receiver. Targets are checked against the [`target`] policy when an endpoint
//! is saved and again when the [`client`] connects.
pub mod client;
pub mod deliverer;
pub mod endpoints;
pub mod payload;
pub mod signing;
pub mod target;

pub use deliverer::WebhookSettings;
pub use target::TargetPolicy;
