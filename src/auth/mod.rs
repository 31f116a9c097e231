//! Who is calling: access tokens, their keys, and the [`Principal`] a token resolves to.
//!
//! A token only proves identity (`sub`). What the caller may do — its organization, role and
//! networks — is read from the database by `services::network::principals`, and kept for a few
//! seconds at most: revoking a membership, an API client or a partnership through the API
//! empties that memory on every instance, so it takes effect on the next request.
pub mod keys;
pub mod principal;
pub mod tokens;

pub use principal::{Actor, NetworkRelation, Principal};
pub use tokens::{Claims, LinkClaims, TokenService};
