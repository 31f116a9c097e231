//! GraphQL object types: thin views over entities, their nested fields served by services
//! and DataLoaders.
pub mod alignment;
pub mod brand;
pub mod connection;
pub mod organization;
pub mod partnership;
pub mod phase;
pub mod principle;
pub mod touchpoint;
pub mod viewer;
