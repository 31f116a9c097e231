//! Every GraphQL error leaves with `extensions.code` (DESIGN.md §3).
//!
//! Resolvers return [`AppError`]s (async-graphql keeps them as the error's source); parse
//! and validation failures are tagged by the [`ErrorCodes`] extension; [`finalize`] gives
//! every remaining error its code and strips internal detail, logging it with the request id
//! instead.
use std::sync::Arc;

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextValidation,
};
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};

use crate::error::{AppError, ErrorCode};

/// Tags parse and validation failures with the codes Apollo clients know.
pub struct ErrorCodes;

impl ExtensionFactory for ErrorCodes {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ErrorCodesExtension)
    }
}

struct ErrorCodesExtension;

fn tag(mut err: ServerError, code: ErrorCode) -> ServerError {
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    err
}

fn has_code(err: &ServerError) -> bool {
    err.extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some())
}

#[async_graphql::async_trait::async_trait]
impl Extension for ErrorCodesExtension {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        next.run(ctx, query, variables).await.map_err(|e| {
            if has_code(&e) {
                e
            } else if is_limit(&e.message) {
                // Directive and recursion limits are checked while parsing.
                tag(e, ErrorCode::LimitExceeded)
            } else {
                tag(e, ErrorCode::GraphqlParseFailed)
            }
        })
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errors| {
            errors
                .into_iter()
                .map(|e| {
                    if has_code(&e) {
                        e
                    } else {
                        let code = validation_code(&e.message);
                        let field = (code == ErrorCode::BadUserInput)
                            .then(|| argument_field(&e.message))
                            .flatten();
                        let mut e = tag(e, code);
                        if let (Some(field), Some(ext)) = (field, e.extensions.as_mut()) {
                            ext.set("field", field);
                        }
                        e
                    }
                })
                .collect()
        })
    }
}

/// async-graphql's wording for its own limits (complexity, depth, directives, recursion).
fn is_limit(message: &str) -> bool {
    const LIMIT_MESSAGES: [&str; 4] = [
        "too complex",
        "nested too deep",
        "too many",
        "cannot be greater than",
    ];
    LIMIT_MESSAGES.iter().any(|m| message.contains(m))
}

/// Limits enforced during validation are LIMIT_EXCEEDED; the rest are validation failures.
fn validation_code(message: &str) -> ErrorCode {
    if is_limit(message) {
        ErrorCode::LimitExceeded
    } else if message.starts_with("Invalid value for argument") || message.starts_with("Variable") {
        // A variable or literal of the wrong shape is the client's input at fault.
        ErrorCode::BadUserInput
    } else {
        ErrorCode::GraphqlValidationFailed
    }
}

/// The argument at fault in async-graphql's coercion messages:
/// `Invalid value for argument "input.name", …` → `input.name`, and
/// `…argument "input", unknown field "x" of type …` → `input.x`.
fn argument_field(message: &str) -> Option<String> {
    let quoted = |text: &str, after: &str| -> Option<String> {
        let start = text.find(after)? + after.len();
        let rest = &text[start..];
        rest.find('"').map(|end| rest[..end].to_owned())
    };
    let argument = quoted(message, "argument \"")?;
    match quoted(message, "unknown field \"") {
        Some(field) => Some(format!("{argument}.{field}")),
        None => Some(argument),
    }
}

/// Gives every error of a response its code, and replaces internal detail by the request id.
pub fn finalize(response: &mut Response, request_id: &str) {
    for err in &mut response.errors {
        finalize_error(err, request_id);
    }
}

fn finalize_error(err: &mut ServerError, request_id: &str) {
    if let Some(app) = err.source::<AppError>().cloned() {
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", app.code().as_str());
        if let Some(field) = app.field() {
            ext.set("field", field);
        }
        if let AppError::Internal(cause) = &app {
            tracing::error!(request_id, error = %cause, "internal error");
            err.message = "internal error".into();
            ext.set("requestId", request_id);
        }
        return;
    }
    if has_code(err) {
        return;
    }
    let ext = err.extensions.get_or_insert_with(Default::default);
    if err.path.is_empty() {
        // Raised before execution (e.g. an unknown operation name): the document is at fault.
        ext.set("code", ErrorCode::GraphqlValidationFailed.as_str());
    } else if err.message.starts_with("Failed to parse") || err.message.starts_with("Invalid value")
    {
        // An argument that did not coerce to its input type.
        ext.set("code", ErrorCode::BadUserInput.as_str());
    } else {
        tracing::error!(request_id, error = %err.message, "unclassified resolver error");
        err.message = "internal error".into();
        ext.set("code", ErrorCode::Internal.as_str());
        ext.set("requestId", request_id);
    }
}
