//! The GraphQL API: schema, types, inputs, loaders. It knows nothing of HTTP; the handlers
//! in `http/` attach the caller and the loaders to each request.
pub mod context;
pub mod errors;
pub mod ids;
pub mod inputs;
pub mod loaders;
pub mod mutations;
pub mod query;
pub mod scalars;
pub mod subscription;
pub mod types;

use async_graphql::{Schema, SchemaBuilder};

use crate::db::Db;
use mutations::MutationRoot;
use query::QueryRoot;
use subscription::SubscriptionRoot;

pub type RegistrySchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Options that shape the schema at start-up.
#[derive(Debug, Clone, Copy, Default)]
pub struct SchemaOptions {
    /// Production mode: no introspection, no field suggestions.
    pub production: bool,
}

fn builder() -> SchemaBuilder<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .extension(errors::ErrorCodes)
}

/// The schema served by `serve`, built once.
pub fn build_schema(db: Db, options: SchemaOptions) -> RegistrySchema {
    let mut builder = builder().data(db);
    if options.production {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The SDL, as `export-schema` prints it and `schema/schema.graphql` holds it.
pub fn sdl() -> String {
    builder().finish().sdl()
}
