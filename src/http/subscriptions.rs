//! `GET /graphql/ws`: subscriptions over graphql-transport-ws. The access token comes in the
//! `connection_init` payload (`{"Authorization": "Bearer …"}`, or `{"token": "…"}`).
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::futures_util::stream::{BoxStream, StreamExt};
use async_graphql::{Data, Executor, Request, Response};
use async_graphql_actix_web::GraphQLSubscription;

use super::AppState;
use crate::auth::resolve::resolve_principal;
use crate::error::AppError;
use crate::graphql::context::RequestContext;
use crate::graphql::errors::finalize;
use crate::graphql::loaders::Loaders;
use crate::graphql::RegistrySchema;

/// The schema, with every response's errors given their codes (as on HTTP).
#[derive(Clone)]
pub struct FinalizingSchema(pub RegistrySchema);

impl Executor for FinalizingSchema {
    async fn execute(&self, request: Request) -> Response {
        let request_id = new_request_id();
        let mut response = self.0.execute(request).await;
        finalize(&mut response, &request_id);
        response
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let request_id = new_request_id();
        self.0
            .execute_stream_with_session_data(request, session_data.unwrap_or_default())
            .map(move |mut response| {
                finalize(&mut response, &request_id);
                response
            })
            .boxed()
    }
}

fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// The bearer token in a `connection_init` payload.
fn token_of(payload: &serde_json::Value) -> Option<String> {
    let header = ["Authorization", "authorization"]
        .iter()
        .find_map(|k| payload.get(*k).and_then(|v| v.as_str()));
    match header {
        Some(value) => value
            .trim()
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned()),
        None => payload
            .get("token")
            .and_then(|v| v.as_str())
            .map(str::to_owned),
    }
}

/// Authenticates the connection: without a valid token the server closes it (4403).
async fn connection_data(
    state: web::Data<AppState>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let token = token_of(&payload).ok_or_else(|| {
        AppError::Unauthenticated("connection_init must carry an access token".into())
    })?;
    let claims = state.tokens.verify(&token)?;
    let principal = Arc::new(resolve_principal(&state.db, &claims).await?);
    let mut data = Data::default();
    data.insert(Loaders::new(&state.db, Some(Arc::clone(&principal))));
    data.insert(RequestContext {
        principal: Some(principal),
        request_id: new_request_id(),
    });
    Ok(data)
}

pub async fn subscriptions(
    state: web::Data<AppState>,
    req: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let for_init = state.clone();
    GraphQLSubscription::new(FinalizingSchema(state.schema.clone()))
        .on_connection_init(move |value| connection_data(for_init, value))
        .start(&req, payload)
}
