//! The brand's network and who acts in it: organizations, the brand's partnerships, members
//! and API clients, resolving a caller, and a new install's first brand.
pub mod api_clients;
pub mod bootstrap;
pub mod brands;
pub mod members;
pub mod organizations;
pub mod partners;
pub mod principals;
