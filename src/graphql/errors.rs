//! Every GraphQL error leaves with `extensions.code` (DESIGN.md §3).
//!
//! An error's code comes from where it arose, not from its wording:
//! - resolvers and the checks before execution return [`AppError`]s (async-graphql keeps
//!   them as the error's source), which say their code, field and limit figures;
//! - documents that do not parse are answered before execution ([`parse_failure`]);
//! - a document refused before execution with no `AppError` was refused by async-graphql's
//!   validation: a complexity refusal is measured and replaced by its `AppError` (see
//!   `limits::ComplexityProbe`), so what is left is a validation failure.
//!
//! One distinction is still read from async-graphql's text, because its errors carry nothing
//! else: whether a validation failure is a value of the wrong shape (the client's input,
//! BAD_USER_INPUT) or a document error (GRAPHQL_VALIDATION_FAILED). [`input_at_fault`] does
//! it, and a test holds it to async-graphql's real output, so an upgrade that rewords them
//! fails the build instead of changing a code.
//!
//! [`finalize`] gives each error its code and strips internal detail, logging it with the
//! request id instead. (An extension could tag errors too, but async-graphql then runs every
//! field of every response through the extension chain.)
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

/// Whether `response` is a refusal by async-graphql before anything executed: no data, and
/// only errors that no resolver raised (no path) and that carry no code yet.
pub fn refused_before_execution(response: &Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response
            .errors
            .iter()
            .all(|e| e.path.is_empty() && e.source::<AppError>().is_none() && !has_code(e))
}

/// An [`AppError`] as a GraphQL error, with its extensions.
pub fn server_error(app: &AppError, request_id: &str) -> ServerError {
    let mut err = ServerError::new(app.to_string(), None);
    extend(&mut err, app, request_id);
    err
}

/// The extensions of an [`AppError`]: code, field, limit figures; an internal cause is logged
/// and replaced by the request id.
fn extend(err: &mut ServerError, app: &AppError, request_id: &str) {
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", app.code().as_str());
    if let Some(field) = app.field() {
        ext.set("field", field);
    }
    if let AppError::OverLimit(over) = app {
        ext.set("limit", over.limit.key());
        ext.set("value", over.value);
        ext.set("max", over.max);
    }
    if let AppError::Internal(cause) = app {
        tracing::error!(request_id, error = %cause, "internal error");
        err.message = "internal error".into();
        ext.set("requestId", request_id);
    }
}

/// Whether async-graphql's message is about a value the client sent (a variable, or an
/// argument that does not coerce to its type) rather than the document.
/// Input types flattened into others (`#[graphql(flatten)]`): not types of the schema, so a
/// coercion message must not name them.
const FLATTENED_INPUTS: [&str; 1] = ["TouchpointFields"];

fn input_at_fault(message: &str) -> bool {
    const INPUT_MESSAGES: [&str; 3] = ["Invalid value", "Variable", "Failed to parse"];
    INPUT_MESSAGES.iter().any(|m| message.starts_with(m))
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
        extend(err, &app, request_id);
        return;
    }
    if has_code(err) {
        return;
    }
    if err.path.is_empty() {
        // Refused by validation (limits were measured and answered before this).
        let (code, field) = if input_at_fault(&err.message) {
            (ErrorCode::BadUserInput, argument_field(&err.message))
        } else {
            (ErrorCode::GraphqlValidationFailed, None)
        };
        let ext = err.extensions.get_or_insert_with(Default::default);
        ext.set("code", code.as_str());
        if let Some(field) = field {
            ext.set("field", field);
        }
        return;
    }
    let ext = err.extensions.get_or_insert_with(Default::default);
    if input_at_fault(&err.message) {
        // An argument that did not coerce to its input type.
        ext.set("code", ErrorCode::BadUserInput.as_str());
        for flattened in FLATTENED_INPUTS {
            let note = format!(" (occurred while parsing \"{flattened}\")");
            err.message = err.message.replace(&note, "");
        }
    } else {
        tracing::error!(request_id, error = %err.message, "unclassified resolver error");
        err.message = "internal error".into();
        ext.set("code", ErrorCode::Internal.as_str());
        ext.set("requestId", request_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::limits::ComplexityProbe;

    /// The code and field `finalize` gives async-graphql's own refusal of `query`.
    async fn refusal(query: &str, variables: serde_json::Value) -> (String, Option<String>) {
        let schema = crate::graphql::builder().limit_complexity(20_000).finish();
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        let mut response = schema.execute(request).await;
        assert!(refused_before_execution(&response), "{query}: {response:?}");
        finalize(&mut response, "test");
        let ext = response.errors[0].extensions.clone().unwrap_or_default();
        let text = |k: &str| {
            ext.get(k)
                .and_then(|v| v.clone().into_json().ok())
                .and_then(|v| v.as_str().map(str::to_owned))
        };
        (text("code").unwrap_or_default(), text("field"))
    }

    #[tokio::test]
    async fn async_graphqls_refusals_get_the_codes_clients_rely_on() {
        let input = |field: &str| ("BAD_USER_INPUT".to_owned(), Some(field.to_owned()));
        let document = ("GRAPHQL_VALIDATION_FAILED".to_owned(), None);
        let none = serde_json::json!({});
        assert_eq!(
            refusal("{ touchpoints(first: \"x\") { totalCount } }", none.clone()).await,
            input("first")
        );
        assert_eq!(
            refusal(
                "query($n: Int!) { touchpoints(first: $n) { totalCount } }",
                serde_json::json!({"n": "ten"})
            )
            .await
            .0,
            "BAD_USER_INPUT"
        );
        assert_eq!(
            refusal(
                "mutation($i: CreatePhaseInput!) { createPhase(input: $i) { phase { id } } }",
                serde_json::json!({"i": {"brandId": "x", "name": "n", "nope": 1}})
            )
            .await,
            input("input.nope")
        );
        assert_eq!(refusal("{ nope }", none.clone()).await, document);
        assert_eq!(
            refusal("{ touchpoints(bogus: 1) { totalCount } }", none.clone()).await,
            document
        );
        assert_eq!(
            refusal("query { viewer { name } } query { viewer { name } }", none).await,
            document
        );
    }

    #[tokio::test]
    async fn a_complexity_refusal_is_measured_not_read_from_its_message() {
        let query =
            "{ touchpoints(first: 100) { nodes { history(first: 100) { nodes { id } } } } }";
        let schema = crate::graphql::builder().limit_complexity(1_000).finish();
        let response = schema.execute(query).await;
        assert!(refused_before_execution(&response));
        let probe = ComplexityProbe::new(1_000);
        let Some(over) = probe.over_limit(async_graphql::Request::new(query)).await else {
            panic!("over the limit");
        };
        assert_eq!(over.max, 1_000);
        assert!(over.value > 1_000, "{over:?}");
        let fine = probe
            .over_limit(async_graphql::Request::new("{ viewer { name } }"))
            .await;
        assert_eq!(fine, None, "a document within the limit is not over it");
        let invalid = probe
            .over_limit(async_graphql::Request::new("{ nope }"))
            .await;
        assert_eq!(invalid, None, "an invalid document is no limit's refusal");
    }
}
