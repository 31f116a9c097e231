//! Parsed queries by their text. Portals and integration scripts send the same few query
//! texts over and over (with different variables); parsing one is a good part of a small
//! request's CPU, and copying the parsed document is a fraction of that.
//!
//! Only documents that parsed are kept, with their [`Shape`]; validation still runs on every
//! request (it depends on the variables).
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::parser::types::ExecutableDocument;

use super::limits::{shape_of, Shape};

/// Distinct query texts kept; beyond that the cache starts over (a client generating query
/// texts must not grow memory).
const MAX_DOCUMENTS: usize = 256;
/// Longer query texts are parsed every time: they are rare and would weigh on memory.
const MAX_QUERY_BYTES: usize = 16 * 1024;

#[derive(Clone, Default)]
pub struct DocumentCache {
    documents: Arc<Mutex<HashMap<Box<str>, Arc<Parsed>>>>,
}

pub struct Parsed {
    pub document: ExecutableDocument,
    pub shape: Shape,
}

impl DocumentCache {
    /// The parsed `query` and its shape (fields counted up to `max_fields`), from memory or
    /// parsed now.
    pub fn parse(
        &self,
        query: &str,
        max_fields: usize,
    ) -> Result<Arc<Parsed>, async_graphql::parser::Error> {
        if let Some(found) = self.lock().get(query) {
            return Ok(Arc::clone(found));
        }
        let document = async_graphql::parser::parse_query(query)?;
        let parsed = Arc::new(Parsed {
            shape: shape_of(&document, max_fields),
            document,
        });
        if query.len() <= MAX_QUERY_BYTES {
            let mut documents = self.lock();
            if documents.len() >= MAX_DOCUMENTS {
                documents.clear();
            }
            documents.insert(query.into(), Arc::clone(&parsed));
        }
        Ok(parsed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Arc<Parsed>>> {
        // A map left by a panicking holder is still a valid map.
        self.documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_once_and_keeps_failures_out() {
        let cache = DocumentCache::default();
        let (Ok(a), Ok(b)) = (
            cache.parse("{ viewer { name } }", 1000),
            cache.parse("{ viewer { name } }", 1000),
        ) else {
            panic!("a valid query parses");
        };
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(a.shape.fields, 2);
        assert!(cache.parse("{ viewer { ", 1000).is_err());
        assert_eq!(cache.lock().len(), 1);
    }

    #[test]
    fn stays_bounded() {
        let cache = DocumentCache::default();
        for i in 0..MAX_DOCUMENTS + 3 {
            assert!(cache
                .parse(&format!("{{ a{i}: __typename }}"), 1000)
                .is_ok());
        }
        assert!(cache.lock().len() <= MAX_DOCUMENTS);
    }
}
