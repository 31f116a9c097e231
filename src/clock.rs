//! The registry's notion of "now".
use chrono::{DateTime, SubsecRound, Utc};

/// The current time at microsecond precision: what PostgreSQL stores, so a value read back
/// equals the value written, and keyset cursors on timestamps compare exactly on both
/// databases.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
