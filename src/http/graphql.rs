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
use super::status::status_of;
use super::{graphiql, AppState};
use crate::auth::Principal;
use crate::error::{AppError, ErrorCode};
use crate::graphql::context::RequestContext;
use crate::graphql::document_cache::Parsed;
use crate::graphql::errors::{finalize, parse_failure, refused_before_execution, server_error};
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

/// The status of a request error (bad parameters, parse or validation failure, limits): 200
/// for `application/json`, 400 for `application/graphql-response+json`.
fn request_error_status(media: MediaType) -> StatusCode {
    match media {
        MediaType::Json => StatusCode::OK,
        MediaType::GraphqlResponse => StatusCode::BAD_REQUEST,
    }
}

fn request_error(media: MediaType, code: ErrorCode, message: &str) -> HttpResponse {
    error_response(request_error_status(media), media, code, message)
}

/// A request error raised as an [`AppError`], with its extensions (field, limit figures).
fn refused(media: MediaType, request_id: &str, err: AppError) -> HttpResponse {
    let body = json!({ "errors": [server_error(&err, request_id)] });
    HttpResponse::build(request_error_status(media))
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header(("x-request-id", request_id))
        .body(body.to_string())
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
        BatchRequest::Batch(list) if list.is_empty() => {
            return request_error(
                media,
                ErrorCode::BadUserInput,
                "the batch holds no operation",
            )
        }
        BatchRequest::Batch(list) if list.len() > state.limits.max_batch => {
            let over = crate::error::OverLimit {
                limit: crate::error::Limit::Batch,
                value: list.len(),
                max: state.limits.max_batch,
            };
            return refused(media, &request_id(), AppError::OverLimit(over));
        }
        BatchRequest::Batch(list) => list,
    };
    if requests.iter().any(lacks_document) {
        return request_error(media, ErrorCode::BadUserInput, "the request has no query");
    }
    let batched = requests.len() > 1 || body.first() == Some(&b'[');
    let source = Source::Body(body);
    run(&state, &req, media, requests, batched, source).await
}

/// Neither a query text nor the hash of a persisted one.
fn lacks_document(request: &Request) -> bool {
    request.query.trim().is_empty() && !request.extensions.contains_key("persistedQuery")
}

/// Where the requests were read from, to read one again: the complexity probe needs a refused
/// request's variables, and keeping a copy of every request's variables would cost each
/// request (a sync batch's are large) for the few that are refused.
enum Source {
    Body(web::Bytes),
    QueryString(String),
}

impl Source {
    fn request(&self, index: usize) -> Option<Request> {
        match self {
            Self::Body(body) => match parse_body(body).ok()? {
                BatchRequest::Single(request) => (index == 0).then_some(request),
                BatchRequest::Batch(list) => list.into_iter().nth(index),
            },
            Self::QueryString(query) => async_graphql::http::parse_query_string(query).ok(),
        }
    }
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
    let request = match async_graphql::http::parse_query_string(query_string) {
        Ok(r) => r,
        Err(_) => {
            return request_error(
                media,
                ErrorCode::BadUserInput,
                "the query string is not a GraphQL request (query, variables, operationName)",
            )
        }
    };
    if lacks_document(&request) {
        return request_error(media, ErrorCode::BadUserInput, "the request has no query");
    }
    let source = Source::QueryString(query_string.to_owned());
    run(&state, &req, media, vec![request], false, source).await
}

/// The validators of a GET answer: the caller's browser may keep it (a shared cache may not:
/// it is the caller's) and revalidate it by its ETag, a hash of the body.
fn etag_of(body: &str) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

/// Whether the request's `If-None-Match` names `etag`.
fn not_modified(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        })
}

/// The type of the operation the request runs, if the document names one.
fn selected_operation(
    doc: &async_graphql::parser::types::ExecutableDocument,
    wanted: Option<&str>,
) -> Option<OperationType> {
    doc.operations
        .iter()
        .find(|(name, _)| match (wanted, name) {
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

/// Why a request was answered before it ran.
pub(super) enum Refusal {
    App(AppError),
    /// The document does not parse.
    Parse(ServerError),
    /// A mutation or subscription sent by GET.
    NotByGet,
}

impl Refusal {
    fn outcome(&self) -> &'static str {
        match self {
            Self::App(err) => err.code().as_str(),
            Self::Parse(_) => ErrorCode::GraphqlParseFailed.as_str(),
            Self::NotByGet => ErrorCode::BadUserInput.as_str(),
        }
    }

    /// As a GraphQL response (over WebSocket).
    pub(super) fn into_response(self, request_id: &str) -> Response {
        match self {
            Self::App(err) => Response::from_errors(vec![server_error(&err, request_id)]),
            Self::Parse(err) => parse_failure(err),
            Self::NotByGet => Response::from_errors(vec![coded(
                ErrorCode::BadUserInput,
                "mutations and subscriptions are sent by POST",
                None,
            )]),
        }
    }

    fn respond(self, media: MediaType, request_id: &str, batched: bool) -> HttpResponse {
        match self {
            Self::App(err) => refused(media, request_id, err),
            Self::Parse(err) => respond(media, request_id, vec![parse_failure(err)], batched, None),
            Self::NotByGet => {
                let mut response = error_response(
                    StatusCode::METHOD_NOT_ALLOWED,
                    media,
                    ErrorCode::BadUserInput,
                    "mutations and subscriptions are sent by POST",
                );
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
                response
            }
        }
    }
}

/// Authenticates, applies the limits, executes and answers.
async fn run(
    state: &AppState,
    req: &HttpRequest,
    media: MediaType,
    mut requests: Vec<Request>,
    batched: bool,
    source: Source,
) -> HttpResponse {
    let started = Instant::now();
    let request_id = request_id();
    let operation = requests.first().and_then(|r| r.operation_name.clone());
    let observe = |outcome: &str| {
        state.metrics.observe(
            operation.as_deref(),
            outcome,
            started.elapsed().as_secs_f64(),
        )
    };
    let principal = match authenticate(state, req).await {
        Ok(p) => p,
        Err(err) => {
            if let AppError::Internal(cause) = &err {
                tracing::error!(request_id, error = ?cause, "authentication failed");
            }
            observe(err.code().as_str());
            return error_response(status_of(&err), media, err.code(), &err.to_string());
        }
    };
    if let Some(response) = rate_limited(state, req, principal.as_deref(), media) {
        observe("LIMIT_EXCEEDED");
        return response;
    }
    let by_get = matches!(source, Source::QueryString(_));
    let parsed = match prepare(state, principal.as_deref(), &mut requests, by_get) {
        Ok(parsed) => parsed,
        Err(refusal) => {
            observe(refusal.outcome());
            return refusal.respond(media, &request_id, batched);
        }
    };
    // Wait for a turn (first come, first served). The wait counts towards the request's time
    // limit, so the operation runs for what is left of it.
    let deadline = tokio::time::Instant::from_std(started) + state.limits.request_timeout;
    let admitted = tokio::time::timeout_at(deadline, state.in_flight.acquire())
        .await
        .ok()
        .and_then(Result::ok);
    let Some(_turn) = admitted else {
        observe("LIMIT_EXCEEDED");
        return request_error(
            media,
            ErrorCode::LimitExceeded,
            "the server is busy: retry shortly",
        );
    };
    let mut responses = Vec::with_capacity(requests.len());
    for (index, (request, parsed)) in requests.into_iter().zip(&parsed).enumerate() {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let mut response = execute(state, principal.clone(), &request_id, request, left).await;
        if refused_before_execution(&response) {
            if let Some(over) = over_complexity(state, &source, index, parsed).await {
                response = Response::from_errors(vec![server_error(
                    &AppError::OverLimit(over),
                    &request_id,
                )]);
            }
        }
        finalize(&mut response, &request_id);
        responses.push(response);
    }
    let outcome = outcome_of(&responses);
    observe(&outcome);
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
        duration_ms = started.elapsed().as_secs_f64() * 1000.0,
        outcome,
        "graphql request"
    );
    respond(
        media,
        &request_id,
        responses,
        batched,
        by_get.then_some(req),
    )
}

/// A 429 saying when to come back, when the caller is over its rate.
fn rate_limited(
    state: &AppState,
    req: &HttpRequest,
    principal: Option<&Principal>,
    media: MediaType,
) -> Option<HttpResponse> {
    let caller = principal.map_or_else(
        || format!("ip:{}", client_ip(req)),
        |p| p.actor_id().to_string(),
    );
    let wait = state.api_limiter.check(&caller).err()?;
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
    Some(response)
}

/// Each request's document: its text (from a persisted operation when it sent a hash),
/// parsed, its operation allowed on this method, and the batch's shape within the limits.
fn prepare(
    state: &AppState,
    principal: Option<&Principal>,
    requests: &mut [Request],
    by_get: bool,
) -> Result<Vec<Arc<Parsed>>, Refusal> {
    let mut shape = Shape::default();
    let mut parsed = Vec::with_capacity(requests.len());
    for request in requests.iter_mut() {
        let document = document(state, principal, request)?;
        // Only queries may be sent by GET: a GET must be safe to repeat and to prefetch.
        if by_get
            && selected_operation(&document.document, request.operation_name.as_deref())
                .is_some_and(|ty| ty != OperationType::Query)
        {
            return Err(Refusal::NotByGet);
        }
        shape = shape.plus(document.shape);
        parsed.push(document);
    }
    shape.check(&state.limits).map_err(Refusal::App)?;
    Ok(parsed)
}

/// One request's document: its text (a persisted operation's, when it sent a hash; only a
/// trusted document's, when those are required of the caller), parsed and set on the request.
pub(super) fn document(
    state: &AppState,
    principal: Option<&Principal>,
    request: &mut Request,
) -> Result<Arc<Parsed>, Refusal> {
    let free_form = principal.is_some_and(|p| p.free_form_documents);
    let source = state
        .persisted
        .resolve(request, free_form)
        .map_err(Refusal::App)?;
    state.metrics.document(source.as_str());
    let document = state
        .documents
        .parse(&request.query, state.limits.max_fields)
        .map_err(|err| Refusal::Parse(ServerError::from(err)))?;
    request.set_parsed_query(document.document.clone());
    Ok(document)
}

/// The complexity limit a refused request passed, measured on the request read again from
/// its source (with its variables) and the document already parsed.
async fn over_complexity(
    state: &AppState,
    source: &Source,
    index: usize,
    parsed: &Parsed,
) -> Option<crate::error::OverLimit> {
    let mut again = source.request(index)?;
    again.set_parsed_query(parsed.document.clone());
    state.complexity.over_limit(again).await
}

/// `ok`, or the code of the first error.
fn outcome_of(responses: &[Response]) -> String {
    responses
        .iter()
        .flat_map(|r| r.errors.iter())
        .find_map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code"))
                .map(|c| c.to_string().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| "ok".to_owned())
}

/// Runs one operation with the request timeout, turning a panic into INTERNAL; its errors
/// are not yet given their codes ([`finalize`]).
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
    guarded_for(
        state.schema.execute(request),
        left,
        state.limits.request_timeout,
        request_id,
    )
    .await
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

/// The answer; `revalidate` (a GET's request) adds the validators of [`etag_of`].
fn respond(
    media: MediaType,
    request_id: &str,
    mut responses: Vec<Response>,
    batched: bool,
    revalidate: Option<&HttpRequest>,
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
    let body = body.unwrap_or_default();
    let mut builder = HttpResponse::build(status);
    builder
        .insert_header((header::CONTENT_TYPE, media.content_type()))
        .insert_header(("x-request-id", request_id));
    if let Some(req) = revalidate.filter(|_| status == StatusCode::OK) {
        let etag = etag_of(&body);
        builder
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .insert_header((header::VARY, "Authorization"));
        if not_modified(req, &etag) {
            return builder
                .status(StatusCode::NOT_MODIFIED)
                .insert_header((header::ETAG, etag))
                .finish();
        }
        builder.insert_header((header::ETAG, etag));
    }
    builder.body(body)
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
