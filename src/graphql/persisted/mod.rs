//! Persisted operations: Apollo's automatic persisted queries (a client sends a document's
//! SHA-256 instead of its text once the server has seen the text) and trusted documents (an
//! allow-list, which `PERSISTED_OPERATIONS=required` makes the only documents that run).
//!
//! Done here, before the document is parsed, rather than with async-graphql's
//! `ApolloPersistedQueries` extension: that runs inside execution, after this server has
//! parsed and measured the document (`document_cache`, `limits`), and any extension sends
//! every field of every answer through async-graphql's extension chain.
mod apq;
mod manifest;

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use async_graphql::Request;
use sha2::{Digest, Sha256};

use crate::config::PersistedMode;
use crate::error::AppError;
use apq::ApqCache;
pub use manifest::{Manifest, ManifestError};

/// Where the text a request runs came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Sent as text (with or without its hash).
    FreeForm,
    /// An automatic persisted query this server had kept.
    Apq,
    /// A trusted document.
    Trusted,
}

impl Source {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FreeForm => "free_form",
            Self::Apq => "apq",
            Self::Trusted => "trusted",
        }
    }
}

pub struct PersistedOperations {
    mode: PersistedMode,
    apq: ApqCache,
    manifest: RwLock<Arc<Manifest>>,
    /// Where the trusted documents are read from, again on [`reload`](Self::reload).
    manifest_path: Option<PathBuf>,
}

/// `sha256Hash` is the hex SHA-256 of the document's text.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn bad_extension(message: &str) -> AppError {
    AppError::bad_input("extensions.persistedQuery", message)
}

/// The hash of `extensions.persistedQuery` (`{"version": 1, "sha256Hash": "…"}`), taken out of
/// the request.
fn take_hash(request: &mut Request) -> Result<Option<String>, AppError> {
    let Some(value) = request.extensions.remove("persistedQuery") else {
        return Ok(None);
    };
    let value = value
        .into_json()
        .map_err(|_| bad_extension("persistedQuery is not an object"))?;
    if value.get("version").and_then(|v| v.as_i64()) != Some(1) {
        return Err(bad_extension("only persistedQuery version 1 is supported"));
    }
    let hash = value
        .get("sha256Hash")
        .and_then(|h| h.as_str())
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| bad_extension("sha256Hash must be 64 hexadecimal digits"))?;
    Ok(Some(hash.to_ascii_lowercase()))
}

impl PersistedOperations {
    /// Loads the trusted documents at `manifest_path`, if any; `required` needs them.
    pub fn new(
        mode: PersistedMode,
        apq_cache_size: NonZeroUsize,
        manifest_path: Option<PathBuf>,
    ) -> Result<Self, ManifestError> {
        let manifest = match &manifest_path {
            Some(path) => Manifest::load(path)?,
            None => Manifest::default(),
        };
        Ok(Self {
            mode,
            apq: ApqCache::new(apq_cache_size),
            manifest: RwLock::new(Arc::new(manifest)),
            manifest_path,
        })
    }

    /// Reads the trusted documents again (on SIGHUP); on an error the ones loaded stay.
    /// Returns how many are loaded now.
    pub fn reload(&self) -> Result<usize, ManifestError> {
        let Some(path) = &self.manifest_path else {
            return Ok(0);
        };
        let manifest = Arc::new(Manifest::load(path)?);
        let count = manifest.len();
        *self
            .manifest
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = manifest;
        Ok(count)
    }

    fn manifest(&self) -> Arc<Manifest> {
        Arc::clone(
            &self
                .manifest
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Puts the text to run in `request.query` (from a trusted document or a persisted
    /// query), or refuses it. `free_form` says whether this caller may send documents that
    /// are not trusted when the server requires trusted documents.
    pub fn resolve(&self, request: &mut Request, free_form: bool) -> Result<Source, AppError> {
        let hash = take_hash(request)?;
        let trusted_only = self.mode == PersistedMode::Required && !free_form;
        let Some(hash) = hash else {
            if trusted_only && !self.manifest().holds_text(&sha256_hex(&request.query)) {
                return Err(AppError::NotTrusted(
                    "only trusted documents run on this server: send the document's hash in \
                     extensions.persistedQuery, or use an API client allowed free-form documents"
                        .into(),
                ));
            }
            return Ok(if trusted_only {
                Source::Trusted
            } else {
                Source::FreeForm
            });
        };
        if let Some(document) = self.manifest().get(&hash) {
            if !request.query.is_empty() && request.query != **document {
                return Err(bad_extension(
                    "the text sent is not the trusted document with this hash",
                ));
            }
            request.query = document.to_string();
            return Ok(Source::Trusted);
        }
        if trusted_only {
            return Err(AppError::NotTrusted(format!(
                "operation {hash} is not among the trusted documents"
            )));
        }
        if request.query.is_empty() {
            let text = self
                .apq
                .get(&hash)
                .ok_or(AppError::PersistedQueryNotFound)?;
            request.query = text.to_string();
            return Ok(Source::Apq);
        }
        if sha256_hex(&request.query) != hash {
            return Err(AppError::bad_input(
                "extensions.persistedQuery.sha256Hash",
                "provided sha does not match query",
            ));
        }
        self.apq.put(hash, &request.query);
        Ok(Source::FreeForm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn with_extension(query: &str, extension: serde_json::Value) -> serde_json::Result<Request> {
        let mut request = Request::new(query);
        request.extensions.insert(
            "persistedQuery".into(),
            async_graphql::Value::from_json(extension)?,
        );
        Ok(request)
    }

    fn with_hash(query: &str, hash: &str) -> serde_json::Result<Request> {
        with_extension(query, serde_json::json!({"version": 1, "sha256Hash": hash}))
    }

    fn apq() -> Result<PersistedOperations, ManifestError> {
        PersistedOperations::new(PersistedMode::Allowed, NonZeroUsize::MIN, None)
    }

    #[test]
    fn an_unknown_hash_is_not_found_until_its_text_is_sent_with_it() -> TestResult {
        let ops = apq()?;
        let text = "{ viewer { name } }";
        let hash = sha256_hex(text);
        let mut first = with_hash("", &hash)?;
        assert!(matches!(
            ops.resolve(&mut first, false),
            Err(AppError::PersistedQueryNotFound)
        ));
        let mut register = with_hash(text, &hash)?;
        assert_eq!(
            ops.resolve(&mut register, false).ok(),
            Some(Source::FreeForm)
        );
        let mut again = with_hash("", &hash.to_ascii_uppercase())?;
        assert_eq!(ops.resolve(&mut again, false).ok(), Some(Source::Apq));
        assert_eq!(again.query, text);
        assert!(again.extensions.is_empty(), "the extension is consumed");
        Ok(())
    }

    #[test]
    fn a_hash_that_is_not_the_texts_is_refused_and_nothing_is_kept() -> TestResult {
        let ops = apq()?;
        let wrong = sha256_hex("{ other }");
        let mut request = with_hash("{ viewer { name } }", &wrong)?;
        assert!(matches!(
            ops.resolve(&mut request, false),
            Err(AppError::BadInput { .. })
        ));
        assert!(matches!(
            ops.resolve(&mut with_hash("", &wrong)?, false),
            Err(AppError::PersistedQueryNotFound)
        ));
        for bad in [
            serde_json::json!({"version": 2, "sha256Hash": wrong}),
            serde_json::json!({"version": 1, "sha256Hash": "xyz"}),
            serde_json::json!("nope"),
        ] {
            let mut request = with_extension("", bad)?;
            assert!(matches!(
                ops.resolve(&mut request, false),
                Err(AppError::BadInput { .. })
            ));
        }
        Ok(())
    }
}
