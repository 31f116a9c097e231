//! GraphQL input objects and their conversion into validated domain values.
pub mod touchpoint;
pub mod touchpoint_filter;
