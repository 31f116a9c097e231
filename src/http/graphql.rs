//! GraphQL over HTTP: `POST /graphql` with a JSON body, `GET /graphql?query=…` for queries
//! only, and the GraphiQL page for a browser's plain GET.
//!
//! The body is read here (bounded by `PayloadConfig`) rather than by the stock extractor,
//! so that content types and methods follow the GraphQL-over-HTTP spec.
use std::sync::Arc;

use actix_web::http::header::{self, ContentType};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::OperationType;
use serde_json::json;
use uuid::Uuid;

use super::auth::authenticate;
use super::{graphiql, AppState};
use crate::error::{AppError, ErrorCode};
use crate::graphql::context::RequestContext;
use crate::graphql::errors::finalize;
use crate::graphql::loaders::Loaders;

fn request_id() -> String {
    Uuid::new_v4().simple().to_string()
}

/// A response that never reached execution: one error with its code.
fn error_response(status: StatusCode, code: ErrorCode, message: &str) -> HttpResponse {
    let mut builder = HttpResponse::build(status);
    if code == ErrorCode::Unauthenticated {
        builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    builder.json(json!({
        "errors": [{ "message": message, "extensions": { "code": code.as_str() } }]
    }))
}

fn auth_failure(err: AppError, request_id: &str) -> HttpResponse {
    match err {
        AppError::Unauthenticated(message) => error_response(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthenticated,
            &message,
        ),
        other => {
            tracing::error!(request_id, error = ?other, "authentication failed");
            error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Internal,
                "the service is unavailable, retry shortly",
            )
        }
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// `POST /graphql`
pub async fn post(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    if !is_json(&req) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "send the GraphQL request as application/json",
        );
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(_) if body.first().is_some_and(|b| *b == b'[') => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "batched requests are not enabled",
            )
        }
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::GraphqlParseFailed,
                "the body is not a GraphQL request in JSON ({\"query\": …})",
            )
        }
    };
    execute(&state, &req, request).await
}

/// `GET /graphql`: a query in the URL, or GraphiQL for a browser outside production.
pub async fn get(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let query_string = req.query_string();
    if query_string.is_empty() || !query_string.contains("query=") {
        if state.production {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "GET /graphql needs a `query` parameter",
            );
        }
        return graphiql::page();
    }
    let mut request = match async_graphql::http::parse_query_string(query_string) {
        Ok(r) => r,
        Err(_) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::GraphqlParseFailed,
                "the query string is not a GraphQL request",
            )
        }
    };
    // Only queries may be sent by GET: a GET must be safe to repeat and to prefetch.
    if selected_operation(&mut request).is_some_and(|ty| ty != OperationType::Query) {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, "POST"))
            .json(json!({"errors": [{
                "message": "mutations and subscriptions are sent by POST",
                "extensions": {"code": ErrorCode::BadUserInput.as_str()}
            }]}));
    }
    execute(&state, &req, request).await
}

/// The type of the operation the request would run, if the document parses and names one.
fn selected_operation(request: &mut async_graphql::Request) -> Option<OperationType> {
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

async fn execute(
    state: &AppState,
    req: &HttpRequest,
    request: async_graphql::Request,
) -> HttpResponse {
    let request_id = request_id();
    let principal = match authenticate(state, req).await {
        Ok(p) => p.map(Arc::new),
        Err(err) => return auth_failure(err, &request_id),
    };
    let loaders = Loaders::new(&state.db, principal.clone());
    let request = request
        .data(RequestContext {
            principal,
            request_id: request_id.clone(),
        })
        .data(loaders);
    let mut response = state.schema.execute(request).await;
    finalize(&mut response, &request_id);
    HttpResponse::Ok()
        .insert_header(ContentType::json())
        .insert_header(("x-request-id", request_id))
        .json(response)
}
