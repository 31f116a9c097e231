//! GraphQL over HTTP: `POST /graphql` with a JSON body (one operation, or a batch when
//! enabled), `GET /graphql?query=…` for queries only, and the GraphiQL page for a browser.
//!
//! The body is read here, bounded while it streams in, rather than by the stock extractor,
//! so that content types, methods, status codes and media types follow the GraphQL-over-HTTP
//! spec, and every limit is answered before any resolver runs.
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Instant;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::OperationType;
use async_graphql::{BatchRequest, Request, Response, ServerError};
use futures_util::{FutureExt, StreamExt};
use serde_json::json;

use super::auth::authenticate;
use super::{graphiql, AppState};
use crate::auth::Principal;
use crate::error::{AppError, ErrorCode};
use crate::graphql::context::RequestContext;
use crate::graphql::errors::{finalize, parse_failure};
use crate::graphql::limits::Shape;
use crate::graphql::loaders::Loaders;

/// The response media types of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    /// `application/json`: the legacy type; request errors still answer 200.
    Json,
    /// `application/graphql-response+json`: request errors answer 4xx.
    GraphqlResponse,
}

impl MediaType {
    fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json; charset=utf-8",
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
        }
    }
}

/// The media type the client accepts (graphql-response+json preferred); `None` when it
/// accepts neither.
fn negotiate(req: &HttpRequest) -> Option<MediaType> {
    let Some(accept) = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
    else {
        return Some(MediaType::Json);
    };
    let mut json = false;
    for part in accept.split(',') {
        let mut pieces = part.split(';');
        let media = pieces
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        let refused = pieces.any(|p| {
            let p = p.trim();
            p.starts_with("q=") && p[2..].trim().parse::<f32>().is_ok_and(|q| q <= 0.0)
        });
        if refused {
            continue;
        }
        match media.as_str() {
            "application/graphql-response+json" => return Some(MediaType::GraphqlResponse),
            "application/json" | "application/*" | "*/*" => json = true,
            _ => {}
        }
    }
    json.then_some(MediaType::Json)
}

fn request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// A response that never reached execution: one error with its code.
fn error_response(
    status: StatusCode,
    media: MediaType,
    code: ErrorCode,
    message: &str,
) -> HttpResponse {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::CONTENT_TYPE, media.content_type()));
    if code == ErrorCode::Unauthenticated {
        builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    builder.body(
        json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] })
            .to_string(),
    )
}

/// A request error (bad parameters, parse or validation failure, limits): 200 for
/// `application/json`, 400 for `application/graphql-response+json`.
fn request_error(media: MediaType, code: ErrorCode, message: &str) -> HttpResponse {
    let status = match media {
        MediaType::Json => StatusCode::OK,
        MediaType::GraphqlResponse => StatusCode::BAD_REQUEST,
    };
    error_response(status, media, code, message)
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Reads the body, refusing it as soon as it passes `limit` bytes (not after buffering it).
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<web::Bytes, StatusCode> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| StatusCode::BAD_REQUEST)?;
        if body.len() + chunk.len() > limit {
            return Err(StatusCode::PAYLOAD_TOO_LARGE);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Why a body is not a GraphQL request.
#[derive(Debug, PartialEq, Eq)]
enum BodyError {
    /// Not well-formed JSON (or not UTF-8).
    NotJson,
    /// JSON, but not `{"query": …}` or a list of them.
    NotARequest,
}

/// One request, or a batch when the body is a JSON array, decoded straight from the bytes.
/// (Decoding into a JSON tree first, then into the request — as an untagged enum, through
/// serde's buffered content — built the variables three times over.)
fn parse_body(body: &[u8]) -> Result<BatchRequest, BodyError> {
    let is_batch = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let parsed = if is_batch {
        serde_json::from_slice(body).map(BatchRequest::Batch)
    } else {
        serde_json::from_slice(body).map(BatchRequest::Single)
    };
    parsed.map_err(|err| {
        // A shape error can come before a syntax error further on: only a document that
        // parses to its end is JSON.
        let well_formed =
            err.is_data() && serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok();
        if well_formed {
            BodyError::NotARequest
        } else {
            BodyError::NotJson
        }
    })
}

/// `POST /graphql`
pub async fn post(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let Some(media) = negotiate(&req) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            ErrorCode::BadUserInput,
            "accept application/graphql-response+json or application/json",
        );
    };
    if !is_json(&req) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            ErrorCode::BadUserInput,
            "send the GraphQL request as application/json",
        );
    }
    let body = match read_body(payload, state.limits.max_body_bytes).await {
        Ok(body) => body,
        Err(StatusCode::PAYLOAD_TOO_LARGE) => {
            let message = format!(
                "the request body is larger than {} bytes",
                state.limits.max_body_bytes
            );
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                ErrorCode::LimitExceeded,
                &message,
            );
        }
        Err(status) => {
            return error_response(
                status,
                media,
                ErrorCode::BadUserInput,
                "the request body could not be read",
            )
        }
    };
    if body.is_empty() {
        return request_error(media, ErrorCode::BadUserInput, "the request has no body");
    }
    let batch = match parse_body(&body) {
        Ok(batch) => batch,
        // Not JSON at all: 400 whatever the media type (the spec's SHOULD).
        Err(BodyError::NotJson) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                media,
                ErrorCode::BadUserInput,
                "the body is not JSON",
            )
        }
        // JSON of the wrong shape is a request error like any other.
        Err(BodyError::NotARequest) => {
            return request_error(
                media,
                ErrorCode::BadUserInput,
                "the body is not a GraphQL request ({\"query\": \"…\", \"variables\": {…}})",
            )
        }
    };
    let requests = match batch {
        BatchRequest::Single(request) => vec![request],
        BatchRequest::Batch(_) if !state.limits.batching => {
            return request_error(
                media,
                ErrorCode::BadUserInput,
                "batched requests are not enabled",
            )
        }
        BatchRequest::Batch(list) if list.len() > state.limits.max_batch || list.is_empty() => {
            let message = format!("a batch holds 1 to {} operations", state.limits.max_batch);
            return request_error(media, ErrorCode::LimitExceeded, &message);
        }
        BatchRequest::Batch(list) => list,
    };
    if requests.iter().any(|r| r.query.trim().is_empty()) {
        return request_error(media, ErrorCode::BadUserInput, "the request has no query");
    }
    let batched = requests.len() > 1 || body.first() == Some(&b'[');
    run(&state, &req, media, requests, batched).await
}

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser outside production.
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let query_string = req.query_string();
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if !query_string.contains("query=") && wants_html && !state.production {
        return graphiql::page();
    }
    let Some(media) = negotiate(&req) else {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            MediaType::Json,
            ErrorCode::BadUserInput,
            "accept application/graphql-response+json or application/json",
        );
    };
    let mut request = match async_graphql::http::parse_query_string(query_string) {
        Ok(r) => r,
        Err(_) => {
            return request_error(
                media,
                ErrorCode::BadUserInput,
                "the query string is not a GraphQL request (query, variables, operationName)",
            )
        }
    };
    if request.query.trim().is_empty() {
        return request_error(media, ErrorCode::BadUserInput, "the request has no query");
    }
    // Only queries may be sent by GET: a GET must be safe to repeat and to prefetch.
    if selected_operation(&mut request).is_some_and(|ty| ty != OperationType::Query) {
        let mut response = error_response(
            StatusCode::METHOD_NOT_ALLOWED,
            media,
            ErrorCode::BadUserInput,
            "mutations and subscriptions are sent by POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    run(&state, &req, media, vec![request], false).await
}

/// The type of the operation the request would run, if the document parses and names one.
fn selected_operation(request: &mut Request) -> Option<OperationType> {
    let wanted = request.operation_name.clone();
    let doc = request.parsed_query().ok()?;
    doc.operations
        .iter()
        .find(|(name, _)| match (&wanted, name) {
            (Some(wanted), Some(name)) => wanted == name.as_str(),
            (None, _) => true,
            (Some(_), None) => false,
        })
        .map(|(_, op)| op.node.ty)
}

fn client_ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default()
}

/// Authenticates, applies the limits, executes and answers.
async fn run(
    state: &AppState,
    req: &HttpRequest,
    media: MediaType,
    mut requests: Vec<Request>,
    batched: bool,
) -> HttpResponse {
    let started = Instant::now();
    let request_id = request_id();
    let operation = requests.first().and_then(|r| r.operation_name.clone());
    let principal = match authenticate(state, req).await {
        Ok(p) => p,
        Err(AppError::Unauthenticated(message)) => {
            state.metrics.observe(
                operation.as_deref(),
                "UNAUTHENTICATED",
                started.elapsed().as_secs_f64(),
            );
            return error_response(
                StatusCode::UNAUTHORIZED,
                media,
                ErrorCode::Unauthenticated,
                &message,
            );
        }
        Err(err) => {
            tracing::error!(request_id, error = ?err, "authentication failed");
            return error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                media,
                ErrorCode::Internal,
                "the service is unavailable, retry shortly",
            );
        }
    };
    let caller = principal.as_ref().map_or_else(
        || format!("ip:{}", client_ip(req)),
        |p| p.actor_id().to_string(),
    );
    if let Err(wait) = state.api_limiter.check(&caller) {
        state.metrics.observe(
            operation.as_deref(),
            "LIMIT_EXCEEDED",
            started.elapsed().as_secs_f64(),
        );
        let mut response = error_response(
            StatusCode::TOO_MANY_REQUESTS,
            media,
            ErrorCode::LimitExceeded,
            "too many requests: slow down",
        );
        let seconds = wait.as_secs().max(1).to_string();
        if let Ok(value) = HeaderValue::from_str(&seconds) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    // Shape limits, over the whole batch, before anything runs.
    let mut shape = Shape::default();
    for request in &mut requests {
        match state
            .documents
            .parse(&request.query, state.limits.max_fields)
        {
            Ok(parsed) => {
                shape = shape.plus(parsed.shape);
                request.set_parsed_query(parsed.document.clone());
            }
            Err(err) => {
                let err = async_graphql::ServerError::from(err);
                state.metrics.observe(
                    operation.as_deref(),
                    "GRAPHQL_PARSE_FAILED",
                    started.elapsed().as_secs_f64(),
                );
                return respond(media, &request_id, vec![parse_failure(err)], batched);
            }
        }
    }
    if let Err(err) = shape.check(&state.limits) {
        state.metrics.observe(
            operation.as_deref(),
            "LIMIT_EXCEEDED",
            started.elapsed().as_secs_f64(),
        );
        return request_error(media, ErrorCode::LimitExceeded, &err.to_string());
    }
    // Wait for a turn (first come, first served). The wait counts towards the request's time
    // limit, so the operation runs for what is left of it.
    let deadline = tokio::time::Instant::from_std(started) + state.limits.request_timeout;
    let admitted = tokio::time::timeout_at(deadline, state.in_flight.acquire())
        .await
        .ok()
        .and_then(Result::ok);
    let Some(_turn) = admitted else {
        state.metrics.observe(
            operation.as_deref(),
            "LIMIT_EXCEEDED",
            started.elapsed().as_secs_f64(),
        );
        return request_error(
            media,
            ErrorCode::LimitExceeded,
            "the server is busy: retry shortly",
        );
    };
    let mut responses = Vec::with_capacity(requests.len());
    for request in requests {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let response = execute(state, principal.clone(), &request_id, request, left).await;
        responses.push(response);
    }
    let outcome = responses
        .iter()
        .flat_map(|r| r.errors.iter())
        .find_map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .map(|c| c.to_string().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "ok".to_owned());
    let elapsed = started.elapsed();
    state
        .metrics
        .observe(operation.as_deref(), &outcome, elapsed.as_secs_f64());
    tracing::info!(
        request_id,
        principal = principal
            .as_ref()
            .map(|p| p.actor_label())
            .unwrap_or_default(),
        organization = principal
            .as_ref()
            .map(|p| p.organization.slug.clone())
            .unwrap_or_default(),
        operation = operation.as_deref().unwrap_or("anonymous"),
        duration_ms = elapsed.as_secs_f64() * 1000.0,
        outcome,
        "graphql request"
    );
    respond(media, &request_id, responses, batched)
}

/// Runs one operation with the request timeout, turning a panic into INTERNAL.
async fn execute(
    state: &AppState,
    principal: Option<Arc<Principal>>,
    request_id: &str,
    request: Request,
    // What is left of the request's time limit.
    left: std::time::Duration,
) -> Response {
    let loaders = Loaders::new(&state.db, principal.clone());
    let request = request
        .data(RequestContext {
            principal,
            request_id: request_id.to_owned(),
        })
        .data(loaders);
    let mut response = guarded_for(
        state.schema.execute(request),
        left,
        state.limits.request_timeout,
        request_id,
    )
    .await;
    finalize(&mut response, request_id);
    response
}

/// Runs `work` under `timeout`: a panic becomes INTERNAL (logged with the request id; the
/// worker keeps serving), running out of time becomes LIMIT_EXCEEDED.
pub async fn guarded<F>(work: F, timeout: std::time::Duration, request_id: &str) -> Response
where
    F: std::future::Future<Output = Response>,
{
    guarded_for(work, timeout, timeout, request_id).await
}

/// [`guarded`] with `left` of the `timeout` still to run (the rest went waiting for a turn).
async fn guarded_for<F>(
    work: F,
    left: std::time::Duration,
    timeout: std::time::Duration,
    request_id: &str,
) -> Response
where
    F: std::future::Future<Output = Response>,
{
    let run = AssertUnwindSafe(work).catch_unwind();
    match tokio::time::timeout(left, run).await {
        Ok(Ok(response)) => response,
        Ok(Err(panic)) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(request_id, panic = %what, "a resolver panicked");
            Response::from_errors(vec![coded(
                ErrorCode::Internal,
                "internal error",
                Some(request_id),
            )])
        }
        Err(_) => {
            let message = format!(
                "the request took longer than {} s and was cancelled",
                timeout.as_secs_f64()
            );
            Response::from_errors(vec![coded(
                ErrorCode::LimitExceeded,
                &message,
                Some(request_id),
            )])
        }
    }
}

fn coded(code: ErrorCode, message: &str, request_id: Option<&str>) -> ServerError {
    let mut err = ServerError::new(message, None);
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", code.as_str());
    if let Some(id) = request_id {
        ext.set("requestId", id);
    }
    err
}

fn respond(
    media: MediaType,
    request_id: &str,
    mut responses: Vec<Response>,
    batched: bool,
) -> HttpResponse {
    // graphql-response+json: a request that produced no data at all is a request error.
    let status = match media {
        MediaType::GraphqlResponse
            if !batched
                && responses
                    .iter()
                    .all(|r| r.data == async_graphql::Value::Null && r.is_err()) =>
        {
            StatusCode::BAD_REQUEST
        }
        _ => StatusCode::OK,
    };
    let body = if batched {
        serde_json::to_string(&responses)
    } else {
        match (media, responses.pop()) {
            // A request error has no `data` entry at all under graphql-response+json.
            (MediaType::GraphqlResponse, Some(r)) if status == StatusCode::BAD_REQUEST => {
                serde_json::to_string(&serde_json::json!({ "errors": r.errors }))
            }
            (_, r) => serde_json::to_string(&r),
        }
    };
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header(("x-request-id", request_id))
        .body(body.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn code(response: &Response) -> Option<String> {
        response
            .errors
            .first()?
            .extensions
            .as_ref()?
            .get("code")
            .map(|c| c.to_string())
    }

    #[test]
    fn bodies_are_told_apart_as_requests_batches_or_not_json() {
        let single = parse_body(br#" {"query": "{ a }", "variables": {"x": [1, {"y": null}]}}"#);
        assert!(matches!(single, Ok(BatchRequest::Single(r)) if r.query == "{ a }"));
        let batch = parse_body(b"\n[{\"query\": \"{ a }\"}, {\"query\": \"{ b }\"}]");
        assert!(matches!(batch, Ok(BatchRequest::Batch(list)) if list.len() == 2));
        for not_json in [
            &b"{query: nope"[..],
            br#"{"query": 42, "#,
            br#"{"query": "{ a }"} trailing"#,
            b"[",
            &[b'{', b'"', b'q', 0xff, b'"', b'}'],
        ] {
            assert_eq!(parse_body(not_json).err(), Some(BodyError::NotJson));
        }
        for not_a_request in [
            &br#"{"query": 42}"#[..],
            br#""{ a }""#,
            br#"[{"query": "{ a }"}, 7]"#,
            br#"{"query": "{ a }", "variables": "x"}"#,
        ] {
            assert_eq!(
                parse_body(not_a_request).err(),
                Some(BodyError::NotARequest),
                "{}",
                String::from_utf8_lossy(not_a_request)
            );
        }
    }

    #[tokio::test]
    async fn a_panic_becomes_internal_with_the_request_id() {
        let response = guarded(
            async {
                if std::hint::black_box(true) {
                    panic!("resolver bug");
                }
                Response::new(async_graphql::Value::Null)
            },
            Duration::from_secs(1),
            "req-1",
        )
        .await;
        assert_eq!(code(&response).as_deref(), Some("\"INTERNAL\""));
        assert_eq!(
            response.errors[0].message, "internal error",
            "no panic text leaks"
        );
        let after = guarded(
            async { Response::new(async_graphql::Value::Null) },
            Duration::from_secs(1),
            "req-2",
        )
        .await;
        assert!(after.errors.is_empty(), "the next request is served");
    }

    #[tokio::test]
    async fn a_slow_request_is_cancelled() {
        let response = guarded(
            async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                Response::new(async_graphql::Value::Null)
            },
            Duration::from_millis(50),
            "req-3",
        )
        .await;
        assert_eq!(code(&response).as_deref(), Some("\"LIMIT_EXCEEDED\""));
    }
}
