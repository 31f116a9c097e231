//! Request-shape limits that async-graphql does not enforce itself: aliases, root fields and
//! the total number of field selections (every `__typename` counts). Checked on the parsed
//! document before anything executes; for a batch, counted over the whole batch.
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::Positioned;

use crate::config::Limits;
use crate::error::AppError;

/// What one document asks for.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub aliases: usize,
    pub fields: usize,
    /// Root fields of the largest operation.
    pub root_fields: usize,
}

impl Shape {
    pub fn plus(self, other: Shape) -> Shape {
        Shape {
            aliases: self.aliases + other.aliases,
            fields: self.fields + other.fields,
            root_fields: self.root_fields.max(other.root_fields),
        }
    }

    /// LIMIT_EXCEEDED naming the first limit passed.
    pub fn check(&self, limits: &Limits) -> Result<(), AppError> {
        let over = |what: &str, n: usize, max: usize| {
            AppError::LimitExceeded(format!(
                "the request has {n} {what}; at most {max} are allowed"
            ))
        };
        if self.aliases > limits.max_aliases {
            return Err(over("aliases", self.aliases, limits.max_aliases));
        }
        if self.root_fields > limits.max_root_fields {
            return Err(over(
                "root fields",
                self.root_fields,
                limits.max_root_fields,
            ));
        }
        if self.fields > limits.max_fields {
            return Err(over("field selections", self.fields, limits.max_fields));
        }
        Ok(())
    }
}

/// Fragment spreads are followed this deep (cycles are a validation error anyway).
const SPREAD_DEPTH: usize = 16;

/// Counts a document's aliases and fields, expanding fragment spreads where they are used,
/// and stopping early once `cap` fields are seen (the count is then already over any limit).
pub fn shape_of(doc: &ExecutableDocument, cap: usize) -> Shape {
    let mut shape = Shape::default();
    for (_, operation) in doc.operations.iter() {
        let root = &operation.node.selection_set;
        let mut roots = 0;
        count_roots(doc, root, &mut roots, 0);
        shape.root_fields = shape.root_fields.max(roots);
        walk(doc, root, &mut shape, 0, cap);
    }
    shape
}

fn walk(
    doc: &ExecutableDocument,
    set: &Positioned<SelectionSet>,
    shape: &mut Shape,
    depth: usize,
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
                walk(doc, &field.node.selection_set, shape, depth, cap);
            }
            Selection::InlineFragment(fragment) => {
                walk(doc, &fragment.node.selection_set, shape, depth, cap)
            }
            Selection::FragmentSpread(spread) if depth < SPREAD_DEPTH => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    walk(doc, &fragment.node.selection_set, shape, depth + 1, cap);
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
                root_fields: 3
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
                root_fields: 4
            }
        );
    }
}
