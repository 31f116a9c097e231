//! The rules of the registry: its vocabulary, validated values and derived figures.
//! Nothing here touches the database or knows about GraphQL transport.
pub mod enums;
pub mod money;
pub mod priority;
pub mod text;
pub mod touchpoint;
pub mod touchpoint_fields;

pub use enums::*;
