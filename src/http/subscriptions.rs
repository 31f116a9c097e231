//! `GET /graphql/ws`: subscriptions over graphql-transport-ws (async-graphql's protocol
//! engine over actix-ws, so this server decides when and how connections close). The access token comes in the
//! `connection_init` payload (`{"Authorization": "Bearer …"}`, or `{"token": "…"}`).
use std::any::TypeId;
use std::sync::Arc;

use actix_web::{web, HttpRequest, HttpResponse};
use std::str::FromStr;

use async_graphql::futures_util::stream::{BoxStream, StreamExt};
use async_graphql::http::{WebSocket, WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor, Request, Response};

use super::AppState;
use crate::error::AppError;
use crate::graphql::context::RequestContext;
use crate::graphql::document_cache::Parsed;
use crate::graphql::errors::{finalize, refused_before_execution, server_error};
use crate::graphql::loaders::Loaders;
use crate::services::network::principals::resolve_principal;

/// The schema behind the checks of HTTP: a document's text resolved (persisted and trusted
/// documents), its shape within the limits, a complexity refusal measured, and every
/// response's errors given their codes.
#[derive(Clone)]
pub struct FinalizingSchema(pub web::Data<AppState>);

impl FinalizingSchema {
    /// The request's document checked, or the response that refuses it.
    fn admit(
        &self,
        request: &mut Request,
        session: Option<&Data>,
        request_id: &str,
    ) -> Result<Arc<Parsed>, Box<Response>> {
        let state = &self.0;
        let principal = session
            .and_then(|data| data.get(&TypeId::of::<RequestContext>()))
            .and_then(|context| context.downcast_ref::<RequestContext>())
            .and_then(|context| context.principal.clone());
        let parsed = super::graphql::document(state, principal.as_deref(), request)
            .map_err(|refusal| Box::new(refusal.into_response(request_id)))?;
        parsed
            .shape
            .check(&state.limits)
            .map_err(|err| Box::new(Response::from_errors(vec![server_error(&err, request_id)])))?;
        Ok(parsed)
    }

    /// `response`, or the complexity limit its refusal was for, measured.
    async fn measured(
        &self,
        response: Response,
        again: Option<Request>,
        request_id: &str,
    ) -> Response {
        if !refused_before_execution(&response) {
            return response;
        }
        let Some(again) = again else {
            return response;
        };
        match self.0.complexity.over_limit(again).await {
            Some(over) => {
                Response::from_errors(vec![server_error(&AppError::OverLimit(over), request_id)])
            }
            None => response,
        }
    }
}

/// What the complexity probe needs to measure `request` again: its document and variables
/// (a WebSocket operation's are small; over HTTP they are read again from the body).
fn copy_of(request: &Request, parsed: &Parsed) -> Request {
    let mut again = Request::new("").variables(request.variables.clone());
    again.operation_name = request.operation_name.clone();
    again.set_parsed_query(parsed.document.clone());
    again
}

impl Executor for FinalizingSchema {
    async fn execute(&self, mut request: Request) -> Response {
        let request_id = new_request_id();
        let parsed = match self.admit(&mut request, None, &request_id) {
            Ok(parsed) => parsed,
            Err(refused) => return *refused,
        };
        let again = Some(copy_of(&request, &parsed));
        let response = self.0.schema.execute(request).await;
        let mut response = self.measured(response, again, &request_id).await;
        finalize(&mut response, &request_id);
        response
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let request_id = new_request_id();
        let parsed = match self.admit(&mut request, session_data.as_deref(), &request_id) {
            Ok(parsed) => parsed,
            Err(refused) => {
                return futures_util::stream::once(futures_util::future::ready(*refused)).boxed()
            }
        };
        let again = copy_of(&request, &parsed);
        let this = self.clone();
        let stream = self
            .0
            .schema
            .execute_stream_with_session_data(request, session_data.unwrap_or_default());
        let mut again = Some(again);
        stream
            .then(move |response| {
                let this = this.clone();
                let again = again.take();
                let request_id = request_id.clone();
                async move {
                    let mut response = this.measured(response, again, &request_id).await;
                    finalize(&mut response, &request_id);
                    response
                }
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

/// Authenticates the connection: without a valid token the server closes it (4403, see
/// [`protocol_close_code`]).
async fn connection_data(
    state: web::Data<AppState>,
    payload: serde_json::Value,
) -> async_graphql::Result<Data> {
    let token = token_of(&payload).ok_or_else(|| {
        AppError::Unauthenticated("connection_init must carry an access token".into())
    })?;
    let claims = state.tokens.verify(&token)?;
    let principal = resolve_principal(&state.db, &claims).await?;
    let mut data = Data::default();
    data.insert(Loaders::new(&state.db, Some(Arc::clone(&principal))));
    data.insert(RequestContext {
        principal: Some(principal),
        request_id: new_request_id(),
    });
    Ok(data)
}

/// The graphql-transport-ws close code for one async-graphql closes with: it closes a refused
/// `connection_init` and a malformed message alike with 1002, and a subscribe before the
/// handshake with 1011, where the protocol (and its reference client, which gives up on 1002)
/// expects 4403 Forbidden, 4400 Bad request and 4401 Unauthorized.
fn protocol_close_code(code: u16, acknowledged: bool) -> u16 {
    match (code, acknowledged) {
        (1002, false) => 4403,
        (1002, true) => 4400,
        (1011, false) => 4401,
        _ => code,
    }
}

/// Opens a subscription connection. The protocol comes from `Sec-WebSocket-Protocol`
/// (graphql-transport-ws, or the older graphql-ws). On shutdown every connection gets a
/// close frame ("going away") so clients reconnect elsewhere.
pub async fn subscriptions(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let protocol = offered_protocol(&req)?;
    let (response, session, messages) =
        actix_ws::handle_with_protocols(&req, body, &[protocol.sec_websocket_protocol()])?;
    let for_init = state.clone();
    let connection = WebSocket::new(
        FinalizingSchema(state.clone()),
        incoming(session.clone(), messages),
        protocol,
    )
    .on_connection_init(move |value| connection_data(for_init, value));
    actix_web::rt::spawn(relay(connection, session, state.shutdown.clone()));
    Ok(response)
}

/// The first protocol the client offers that the server speaks.
fn offered_protocol(req: &HttpRequest) -> actix_web::Result<WebSocketProtocols> {
    req.headers()
        .get(actix_web::http::header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(',')
        .find_map(|p| WebSocketProtocols::from_str(p.trim()).ok())
        .ok_or_else(|| {
            actix_web::error::ErrorBadRequest("use the graphql-transport-ws subprotocol")
        })
}

/// The client's text and binary frames for the protocol engine; pings are answered here.
fn incoming(
    session: actix_ws::Session,
    messages: actix_ws::MessageStream,
) -> impl futures_util::Stream<Item = web::Bytes> {
    messages.filter_map(move |message| {
        let reply = match &message {
            Ok(actix_ws::Message::Ping(bytes)) => Some(bytes.clone()),
            _ => None,
        };
        let mut session = session.clone();
        async move {
            if let Some(bytes) = reply {
                let _ = session.pong(&bytes).await;
            }
            match message {
                Ok(actix_ws::Message::Text(text)) => Some(text.into_bytes()),
                Ok(actix_ws::Message::Binary(bytes)) => Some(bytes),
                _ => None,
            }
        }
    })
}

/// Sends what the protocol engine writes to the client until either side closes or the
/// server shuts down.
async fn relay(
    connection: impl futures_util::Stream<Item = WsMessage>,
    mut session: actix_ws::Session,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    let mut connection = std::pin::pin!(connection);
    let mut acknowledged = false;
    loop {
        tokio::select! {
            outgoing = connection.next() => match outgoing {
                Some(WsMessage::Text(text)) => {
                    if !acknowledged {
                        acknowledged = text.contains("\"connection_ack\"");
                    }
                    if session.text(text).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let code = actix_ws::CloseCode::Other(protocol_close_code(code, acknowledged));
                    let _ = session
                        .close(Some(actix_ws::CloseReason { code, description: Some(reason) }))
                        .await;
                    return;
                }
                None => {
                    let _ = session.close(None).await;
                    return;
                }
            },
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    let _ = session
                        .close(Some(actix_ws::CloseReason {
                            code: actix_ws::CloseCode::Away,
                            description: Some("the server is shutting down".into()),
                        }))
                        .await;
                    return;
                }
            }
        }
    }
}
