//! GraphQL object types: thin views over entities, their nested fields served by services
//! and DataLoaders.
pub mod alignment;
pub mod api_client;
pub mod audit;
pub mod brand;
pub mod change;
pub mod connection;
pub mod insight;
pub mod journey;
pub mod member;
pub mod organization;
pub mod partnership;
pub mod phase;
pub mod principle;
pub mod touchpoint;
pub mod viewer;
