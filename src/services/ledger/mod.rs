//! The ledger: one append-only record of every write, one entry per changed entity, written
//! in the writing transaction. It is the audit log ([`log`]), the touchpoint change feed
//! ([`feed`]) and a touchpoint's history ([`log::touchpoint_history`]). [`append`] is its one writer (a sync batch on PostgreSQL writes the same rows
//! inside its single statement: `sync::write`).
pub mod actor;
pub mod append;
pub mod changes;
pub mod feed;
pub mod log;

pub use actor::{AuditActor, Via};
pub use append::{append, Entry};
pub use changes::Changes;
