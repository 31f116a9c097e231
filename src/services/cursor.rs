//! Opaque Relay cursors.
//!
//! A cursor carries the sort key and id of a row (for keyset pagination) plus a tag of the
//! query it came from (ordering and a hash of the filter), so a cursor handed to a different
//! query is refused instead of silently paging through the wrong list.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// Which query: ordering and filter hash.
    #[serde(rename = "q")]
    pub query: String,
    /// The row's sort key.
    #[serde(rename = "k")]
    pub key: serde_json::Value,
    #[serde(rename = "i")]
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// Decodes a cursor given in `field`, checking it belongs to `query`.
    pub fn decode(field: &str, text: &str, query: &str) -> AppResult<Self> {
        let invalid =
            || AppError::bad_input(field, format!("{field} is not a cursor of this query"));
        let bytes = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let cursor: Self = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
        if cursor.query != query {
            return Err(invalid());
        }
        Ok(cursor)
    }
}

/// The page size `first` asks for: `default` when absent, BAD_USER_INPUT (field `first`)
/// outside `0..=max`.
pub fn page_size(first: Option<i32>, default: u64, max: u64) -> AppResult<u64> {
    match first {
        None => Ok(default),
        Some(n) if n < 0 || n as u64 > max => Err(AppError::bad_input(
            "first",
            format!("first must be between 0 and {max}"),
        )),
        Some(n) => Ok(n as u64),
    }
}

/// A short, stable tag for a query's shape (ordering + filter), from its JSON form.
pub fn query_tag(shape: &impl Serialize) -> String {
    let json = serde_json::to_vec(shape).unwrap_or_default();
    let digest = Sha256::digest(&json);
    hex::encode(&digest[..8])
}
