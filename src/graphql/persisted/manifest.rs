//! Trusted documents: the operations a portal team built into its portal, by id, loaded from
//! a file or a directory at start and again on SIGHUP.
//!
//! Accepted sources:
//! - a JSON object of id → document (GraphQL Code Generator's `persisted-documents.json`);
//! - Apollo's persisted query manifest (`{"format": "apollo-persisted-query-manifest",
//!   "operations": [{"id", "body", …}]}`, from `@apollo/generate-persisted-query-manifest`);
//! - a directory of `.graphql` files, one document each, whose id is the SHA-256 of the
//!   file's text.
//!
//! Every document must parse, or the manifest is refused as a whole.
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::sha256_hex;

#[derive(Debug, Default)]
pub struct Manifest {
    by_id: HashMap<String, Arc<str>>,
    /// SHA-256 of every document's text: a client may send a trusted document's text itself.
    text_hashes: HashSet<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    #[error("cannot read the trusted documents at {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a JSON manifest of trusted documents: {reason}")]
    Format { path: PathBuf, reason: String },
    #[error("trusted document {id} does not parse: {reason}")]
    Unparsable { id: String, reason: String },
    #[error("{path} holds no trusted documents")]
    Empty { path: PathBuf },
}

/// Apollo's manifest format.
#[derive(Deserialize)]
struct ApolloManifest {
    operations: Vec<ApolloOperation>,
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| ManifestError::Read {
                path: p.to_owned(),
                source,
            })
        };
        let mut documents = Vec::new();
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|source| ManifestError::Read {
                path: path.to_owned(),
                source,
            })?;
            for entry in entries {
                let file = entry
                    .map_err(|source| ManifestError::Read {
                        path: path.to_owned(),
                        source,
                    })?
                    .path();
                if file.extension().is_some_and(|e| e == "graphql") {
                    let text = read(&file)?;
                    documents.push((sha256_hex(&text), text));
                }
            }
        } else {
            documents = from_json(path, &read(path)?)?;
        }
        if documents.is_empty() {
            return Err(ManifestError::Empty {
                path: path.to_owned(),
            });
        }
        Self::of(documents)
    }

    fn of(documents: Vec<(String, String)>) -> Result<Self, ManifestError> {
        let mut manifest = Self::default();
        for (id, text) in documents {
            if let Err(err) = async_graphql::parser::parse_query(&text) {
                return Err(ManifestError::Unparsable {
                    id,
                    reason: err.to_string(),
                });
            }
            manifest.text_hashes.insert(sha256_hex(&text));
            manifest.by_id.insert(id, Arc::from(text));
        }
        Ok(manifest)
    }

    pub fn get(&self, id: &str) -> Option<&Arc<str>> {
        self.by_id.get(id)
    }

    /// Whether a document with this text's SHA-256 is trusted.
    pub fn holds_text(&self, text_hash: &str) -> bool {
        self.text_hashes.contains(text_hash)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

fn from_json(path: &Path, text: &str) -> Result<Vec<(String, String)>, ManifestError> {
    let format = |reason: String| ManifestError::Format {
        path: path.to_owned(),
        reason,
    };
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| format(e.to_string()))?;
    let is_apollo =
        value.get("format").and_then(|f| f.as_str()) == Some("apollo-persisted-query-manifest");
    if is_apollo {
        let manifest: ApolloManifest =
            serde_json::from_value(value).map_err(|e| format(e.to_string()))?;
        return Ok(manifest
            .operations
            .into_iter()
            .map(|op| (op.id, op.body))
            .collect());
    }
    let map: HashMap<String, String> = serde_json::from_value(value).map_err(|_| {
        format("expected an object of id → document, or Apollo's persisted query manifest".into())
    })?;
    Ok(map.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn write(dir: &Path, name: &str, text: &str) -> std::io::Result<PathBuf> {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        Ok(path)
    }

    fn temp_dir(name: &str) -> std::io::Result<PathBuf> {
        let dir = std::env::temp_dir().join(format!("manifest-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        Ok(dir)
    }

    #[test]
    fn reads_each_of_the_three_sources() -> TestResult {
        let dir = temp_dir("sources")?;
        let codegen = write(
            &dir,
            "codegen.json",
            r#"{"abc": "query A { viewer { name } }"}"#,
        )?;
        let loaded = Manifest::load(&codegen)?;
        assert_eq!(
            loaded.get("abc").map(|d| &**d),
            Some("query A { viewer { name } }")
        );
        assert!(loaded.holds_text(&sha256_hex("query A { viewer { name } }")));

        let apollo = write(
            &dir,
            "apollo.json",
            r#"{"format": "apollo-persisted-query-manifest", "version": 1,
                "operations": [{"id": "h1", "name": "B", "type": "query", "body": "query B { viewer { id } }"}]}"#,
        )?;
        assert_eq!(Manifest::load(&apollo)?.len(), 1);

        let docs = temp_dir("docs")?;
        write(&docs, "a.graphql", "query C { viewer { id } }")?;
        write(&docs, "notes.txt", "not a document")?;
        let from_dir = Manifest::load(&docs)?;
        assert_eq!(from_dir.len(), 1);
        assert!(from_dir
            .get(&sha256_hex("query C { viewer { id } }"))
            .is_some());
        Ok(())
    }

    #[test]
    fn refuses_a_manifest_with_a_document_that_does_not_parse_or_with_none() -> TestResult {
        let dir = temp_dir("bad")?;
        let bad = write(&dir, "bad.json", r#"{"x": "query { viewer { "}"#)?;
        assert!(matches!(
            Manifest::load(&bad),
            Err(ManifestError::Unparsable { id, .. }) if id == "x"
        ));
        let empty = write(&dir, "empty.json", "{}")?;
        assert!(matches!(
            Manifest::load(&empty),
            Err(ManifestError::Empty { .. })
        ));
        let list = write(&dir, "list.json", "[1, 2]")?;
        assert!(matches!(
            Manifest::load(&list),
            Err(ManifestError::Format { .. })
        ));
        Ok(())
    }
}
