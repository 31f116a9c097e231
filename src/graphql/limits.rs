//! Request-shape limits (DESIGN §6), each refused with which limit, the measured value and
//! the limit (`extensions.limit`, `value`, `max`).
//!
//! Aliases, root fields, field selections, depth and directives are counted here on the
//! parsed document before anything executes (for a batch, over the whole batch). Complexity
//! needs the schema's costs, so async-graphql enforces it during validation; a refusal carries
//! no figure, so [`ComplexityProbe`] measures the refused document again with a schema that has
//! no limit and stops after validation. The probe runs only for refused documents: an
//! extension on the serving schema would send every field of every answer through
//! async-graphql's extension chain.
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, Request, ServerError, ValidationResult};

use super::mutations::MutationRoot;
use super::query::QueryRoot;
use super::subscription::SubscriptionRoot;
use crate::config::Limits;
use crate::error::{AppError, Limit, OverLimit};

/// What one document asks for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub aliases: usize,
    pub fields: usize,
    /// Root fields of the largest operation.
    pub root_fields: usize,
    /// Deepest field nesting (a root field is at depth 1), fragments counted where spread.
    pub depth: usize,
    /// Most directives on one field.
    pub directives: usize,
}

impl Shape {
    pub fn plus(self, other: Shape) -> Shape {
        Shape {
            aliases: self.aliases + other.aliases,
            fields: self.fields + other.fields,
            root_fields: self.root_fields.max(other.root_fields),
            depth: self.depth.max(other.depth),
            directives: self.directives.max(other.directives),
        }
    }

    /// LIMIT_EXCEEDED naming the first limit passed.
    pub fn check(&self, limits: &Limits) -> Result<(), AppError> {
        let checks = [
            (Limit::Depth, self.depth, limits.max_depth),
            (Limit::Aliases, self.aliases, limits.max_aliases),
            (Limit::RootFields, self.root_fields, limits.max_root_fields),
            (Limit::Directives, self.directives, limits.max_directives),
            (Limit::Fields, self.fields, limits.max_fields),
        ];
        match checks.into_iter().find(|(_, value, max)| value > max) {
            Some((limit, value, max)) => Err(AppError::OverLimit(OverLimit { limit, value, max })),
            None => Ok(()),
        }
    }
}

/// Fragment spreads are followed this deep (cycles are a validation error anyway).
const SPREAD_DEPTH: usize = 16;
/// Fields are not followed deeper than this: the document is over any depth limit already.
const DEPTH_CAP: usize = 64;

/// Counts a document's aliases and fields, expanding fragment spreads where they are used,
/// and stopping early once `cap` fields are seen (the count is then already over any limit).
pub fn shape_of(doc: &ExecutableDocument, cap: usize) -> Shape {
    let mut shape = Shape::default();
    for (_, operation) in doc.operations.iter() {
        let root = &operation.node.selection_set;
        let mut roots = 0;
        count_roots(doc, root, &mut roots, 0);
        shape.root_fields = shape.root_fields.max(roots);
        walk(doc, root, &mut shape, Level::default(), cap);
    }
    shape
}

/// Where a walk is: fragment spreads followed, and field nesting.
#[derive(Debug, Default, Clone, Copy)]
struct Level {
    spreads: usize,
    fields: usize,
}

fn walk(
    doc: &ExecutableDocument,
    set: &Positioned<SelectionSet>,
    shape: &mut Shape,
    level: Level,
    cap: usize,
) {
    for selection in &set.node.items {
        if shape.fields > cap {
            return;
        }
        match &selection.node {
            Selection::Field(field) => {
                shape.fields += 1;
                if field.node.alias.is_some() {
                    shape.aliases += 1;
                }
                shape.directives = shape.directives.max(field.node.directives.len());
                let nested = Level {
                    fields: level.fields + 1,
                    ..level
                };
                shape.depth = shape.depth.max(nested.fields);
                if nested.fields < DEPTH_CAP {
                    walk(doc, &field.node.selection_set, shape, nested, cap);
                }
            }
            Selection::InlineFragment(fragment) => {
                walk(doc, &fragment.node.selection_set, shape, level, cap)
            }
            Selection::FragmentSpread(spread) if level.spreads < SPREAD_DEPTH => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    let inner = Level {
                        spreads: level.spreads + 1,
                        ..level
                    };
                    walk(doc, &fragment.node.selection_set, shape, inner, cap);
                }
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

fn count_roots(
    doc: &ExecutableDocument,
    set: &Positioned<SelectionSet>,
    roots: &mut usize,
    depth: usize,
) {
    for selection in &set.node.items {
        match &selection.node {
            Selection::Field(_) => *roots += 1,
            Selection::InlineFragment(fragment) => {
                count_roots(doc, &fragment.node.selection_set, roots, depth)
            }
            Selection::FragmentSpread(spread) if depth < SPREAD_DEPTH => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    count_roots(doc, &fragment.node.selection_set, roots, depth + 1);
                }
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

type ProbeSchema = async_graphql::Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Measures the complexity of documents the serving schema refused during validation.
#[derive(Clone)]
pub struct ComplexityProbe {
    schema: ProbeSchema,
    max: usize,
}

/// What the probe's validation measured, carried out as the source of its one error.
struct Measured(ValidationResult);

/// Lets validation run, then stops the request with what it measured: nothing executes.
struct StopAfterValidation;

impl ExtensionFactory for StopAfterValidation {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(StopAfterValidation)
    }
}

#[async_trait::async_trait]
impl Extension for StopAfterValidation {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let measured = next.run(ctx).await?;
        let mut stop = ServerError::new("measured", None);
        stop.source = Some(Arc::new(Measured(measured)));
        Err(vec![stop])
    }
}

impl ComplexityProbe {
    /// A probe for the serving schema's complexity limit `max`.
    pub fn new(max: usize) -> Self {
        let schema = super::builder().extension(StopAfterValidation).finish();
        Self { schema, max }
    }

    /// The complexity limit `request` (the refused document, with its variables) passes, if
    /// it passes it; `None` when the refusal was for another reason (the document is invalid).
    pub async fn over_limit(&self, request: Request) -> Option<OverLimit> {
        let response = self.schema.execute(request).await;
        let measured = response.errors.first()?.source::<Measured>()?;
        (measured.0.complexity > self.max).then_some(OverLimit {
            limit: Limit::Complexity,
            value: measured.0.complexity,
            max: self.max,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(q: &str) -> Shape {
        let doc = async_graphql::parser::parse_query(q)
            .ok()
            .unwrap_or_else(|| panic!("parses: {q}"));
        shape_of(&doc, usize::MAX)
    }

    #[test]
    fn counts_aliases_roots_and_fields() {
        let s = shape("{ a: viewer { name } b: viewer { name } __typename }");
        assert_eq!(
            s,
            Shape {
                aliases: 2,
                fields: 5,
                root_fields: 3,
                depth: 2,
                directives: 0,
            }
        );
    }

    #[test]
    fn fragments_count_where_they_are_spread() {
        let s = shape("query { ...F ...F } fragment F on Query { x: __typename y: __typename }");
        assert_eq!(
            s,
            Shape {
                aliases: 4,
                fields: 4,
                root_fields: 4,
                depth: 1,
                directives: 0,
            }
        );
    }

    #[test]
    fn depth_counts_fields_through_fragments_and_directives_per_field() {
        let s = shape(
            "query { a { b { ...F } } } fragment F on X { c @skip(if: false) @include(if: true) { d } }",
        );
        assert_eq!(s.depth, 4);
        assert_eq!(s.directives, 2);
    }

    #[test]
    fn the_first_limit_passed_is_named_with_its_value_and_maximum() {
        let limits = Limits::default();
        let deep = Shape {
            depth: limits.max_depth + 2,
            ..Shape::default()
        };
        let Err(AppError::OverLimit(over)) = deep.check(&limits) else {
            panic!("over the depth limit");
        };
        assert_eq!(
            (over.limit, over.value, over.max),
            (Limit::Depth, limits.max_depth + 2, limits.max_depth)
        );
        assert!(Shape::default().check(&limits).is_ok());
    }
}
