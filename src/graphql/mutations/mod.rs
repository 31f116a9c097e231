//! The root Mutation type: each mutation takes one `input` and returns a payload object.
mod brand;
mod journeys;
mod members;
mod partners;
mod phases;
mod principles;
mod reviews;
mod sync;
mod touchpoints;
mod webhooks;

use async_graphql::MergedObject;

#[derive(MergedObject, Default)]
#[graphql(name = "Mutation")]
pub struct MutationRoot(
    touchpoints::TouchpointMutation,
    reviews::ReviewMutation,
    phases::PhaseMutation,
    principles::PrincipleMutation,
    journeys::JourneyMutation,
    brand::BrandMutation,
    partners::PartnerMutation,
    members::MemberMutation,
    sync::SyncMutation,
    webhooks::WebhookMutation,
);
