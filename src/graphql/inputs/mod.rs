//! GraphQL input objects and their conversion into validated domain values.
pub mod sync;
pub mod touchpoint;
pub mod touchpoint_filter;
