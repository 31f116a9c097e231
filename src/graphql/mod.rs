//! The GraphQL API: schema, types, inputs, loaders. It knows nothing of HTTP; the handlers
//! in `http/` attach the caller and the loaders to each request.
pub mod context;
pub mod document_cache;
pub mod errors;
pub mod ids;
pub mod inputs;
pub mod limits;
pub mod loaders;
pub mod mutations;
pub mod persisted;
pub mod prefetch;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;

use async_graphql::{Schema, SchemaBuilder};

use crate::config::Limits;
use crate::store::db::Db;
use mutations::MutationRoot;
use query::QueryRoot;
use subscription::SubscriptionRoot;

pub type RegistrySchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// What an unpaginated list is assumed to hold, for the complexity limit.
pub const LIST_COST: usize = 10;

/// The complexity of a paginated list: its page size times what each item costs, so
/// `touchpoints(first: 100) { nodes { owner { … } } }` costs a hundred owners.
pub fn page_cost(page: Option<i32>, default: usize, child: usize) -> usize {
    let size = page.map_or(default, |n| usize::try_from(n).unwrap_or(0).max(1));
    size.saturating_mul(child.max(1))
}

/// Options that shape the schema at start-up.
#[derive(Debug, Clone, Default)]
pub struct SchemaOptions {
    /// Production mode: no introspection, no field suggestions.
    pub production: bool,
    pub limits: Limits,
    /// Where clients reach the server, for the links it hands out.
    pub public_url: String,
    /// Where webhook endpoints may point.
    pub webhook_targets: crate::services::webhooks::TargetPolicy,
}

/// What resolvers need to hand out signed map links.
pub struct LinkSigner {
    pub tokens: std::sync::Arc<crate::auth::TokenService>,
    pub public_url: String,
}

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
}

/// The schema served by `serve`, built once.
pub fn build_schema(
    db: Db,
    tokens: std::sync::Arc<crate::auth::TokenService>,
    options: SchemaOptions,
) -> RegistrySchema {
    let mut builder = builder()
        .data(db)
        .data(LinkSigner {
            tokens,
            public_url: options.public_url.clone(),
        })
        .data(options.webhook_targets)
        // Depth, directives and the other shape limits are counted before execution
        // (`limits`), with their figures; complexity needs the schema's costs.
        .limit_complexity(options.limits.max_complexity);
    if options.production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL, as `export-schema` prints it and `schema/schema.graphql` holds it.
pub fn sdl() -> String {
    builder().finish().sdl()
}

#[cfg(test)]
mod tests {
    use crate::domain::touchpoint_fields::FIELD_NAMES;

    /// The body of `type <name> { … }` or `input <name> { … }` in the SDL.
    fn type_body(sdl: &str, name: &str) -> String {
        let start = sdl
            .find(&format!("type {name} {{"))
            .or_else(|| sdl.find(&format!("input {name} {{")))
            .unwrap_or_else(|| panic!("no type {name}"));
        let rest = &sdl[start..];
        rest[..rest.find("\n}").unwrap_or(rest.len())].to_string()
    }

    #[test]
    fn every_written_field_is_in_the_api() {
        let sdl = super::sdl();
        for name in ["Touchpoint", "CreateTouchpointInput"] {
            let body = type_body(&sdl, name);
            for &field in FIELD_NAMES {
                // The output type shows the phase itself where the input takes its id.
                let shown = match (name, field) {
                    ("Touchpoint", "phaseId") => "phase",
                    _ => field,
                };
                assert!(
                    body.contains(&format!("\t{shown}:")),
                    "{name} lacks {shown}"
                );
            }
        }
    }
}
