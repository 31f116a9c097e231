//! GraphQL object types: thin views over entities, their nested fields served by services
//! and DataLoaders.
//!
//! Types that a response holds many of (a page's touchpoints and what each shows: owner,
//! phase, alignment, ratings, principles) resolve their fields one after another
//! (`#[Object(serial)]`). By default async-graphql runs an object's fields as a concurrent
//! set of futures, one task each; for fields that only read memory that machinery was most
//! of the server's CPU on a page of touchpoints (`prefetch` keeps a page's look-ups
//! concurrent).
//!
//! Every selected field of an object is boxed at the size of the object's largest field
//! future, so resolvers that run a service's statements box that future themselves
//! (`Box::pin`): a page's cheap fields do not each pay for the rare expensive one.
pub mod alignment;
pub mod api_client;
pub mod audit;
pub mod brand;
pub mod change;
pub mod connection;
pub mod field_change;
pub mod insight;
pub mod journey;
pub mod map;
pub mod member;
pub mod organization;
pub mod partnership;
pub mod phase;
pub mod principle;
pub mod scorecard;
pub mod touchpoint;
pub mod viewer;
pub mod webhook;
