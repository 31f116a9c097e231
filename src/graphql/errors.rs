//! Every GraphQL error leaves with `extensions.code` (DESIGN.md §3).
//!
//! Resolvers return [`AppError`]s (async-graphql keeps them as the error's source); documents
//! that do not parse are answered before execution ([`parse_failure`]); [`finalize`] gives
//! every other error its code — validation failures and limits by async-graphql's wording —
//! and strips internal detail, logging it with the request id instead. (An extension could
//! tag them too, but async-graphql then runs every field of every response through the
//! extension chain, which cost a measurable share of each request.)
use async_graphql::{Response, ServerError};

use crate::error::{AppError, ErrorCode};

fn has_code(err: &ServerError) -> bool {
    err.extensions
        .as_ref()
        .is_some_and(|ext| ext.get("code").is_some())
}

/// A document that does not parse, answered before execution (both transports parse
/// first, so the code is known without an extension in every field's path).
pub fn parse_failure(err: ServerError) -> Response {
    let mut err = err;
    err.extensions
        .get_or_insert_with(Default::default)
        .set("code", ErrorCode::GraphqlParseFailed.as_str());
    Response::from_errors(vec![err])
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
    if err.path.is_empty() {
        // Raised before execution: a validation rule, a limit, or a variable of the wrong
        // shape (the document parsed: parse failures are answered before execution).
        let code = validation_code(&err.message);
        let field = (code == ErrorCode::BadUserInput)
            .then(|| argument_field(&err.message))
            .flatten();
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", code.as_str());
        if let Some(field) = field {
            ext.set("field", field);
        }
        return;
    }
    let ext = err.extensions.get_or_insert_with(Default::default);
    if err.message.starts_with("Failed to parse") || err.message.starts_with("Invalid value") {
        // An argument that did not coerce to its input type.
        ext.set("code", ErrorCode::BadUserInput.as_str());
    } else {
        tracing::error!(request_id, error = %err.message, "unclassified resolver error");
        err.message = "internal error".into();
        ext.set("code", ErrorCode::Internal.as_str());
        ext.set("requestId", request_id);
    }
}
