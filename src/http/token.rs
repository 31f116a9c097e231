//! `POST /auth/token`: OAuth 2.0 client credentials (RFC 6749 §4.4) for API clients.
//!
//! Credentials come in the body (form or JSON: `grant_type`, `client_id`, `client_secret`)
//! or as HTTP Basic. Errors use the standard bodies and statuses: `invalid_request` and
//! `unsupported_grant_type` (400), `invalid_client` (401).
use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::json;

use super::status::status_of;
use super::AppState;
use crate::services::network::api_clients;

fn oauth_error(status: u16, error: &str, description: &str) -> HttpResponse {
    let mut builder = HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST),
    );
    builder
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::PRAGMA, "no-cache"));
    if status == 401 {
        builder.insert_header((
            header::WWW_AUTHENTICATE,
            "Basic realm=\"touchpoint-registry\"",
        ));
    }
    builder.json(json!({ "error": error, "error_description": description }))
}

/// The request's parameters, from a form or JSON body.
fn parameters(req: &HttpRequest, body: &[u8]) -> Result<HashMap<String, String>, &'static str> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    match content_type.as_str() {
        "application/x-www-form-urlencoded" => {
            let pairs: Vec<(String, String)> =
                serde_urlencoded::from_bytes(body).map_err(|_| "the form body does not parse")?;
            let mut map = HashMap::new();
            for (k, v) in pairs {
                // RFC 6749 §3.2: parameters must not be included more than once.
                if map.insert(k, v).is_some() {
                    return Err("a parameter is repeated");
                }
            }
            Ok(map)
        }
        "application/json" => {
            let value: HashMap<String, serde_json::Value> =
                serde_json::from_slice(body).map_err(|_| "the JSON body does not parse")?;
            Ok(value
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                .collect())
        }
        _ => Err("send application/x-www-form-urlencoded or application/json"),
    }
}

/// `client_id:client_secret` from `Authorization: Basic`, each form-urlencoded.
fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(&format!("v={s}"))
            .ok()
            .and_then(|mut v| v.pop())
            .map(|(_, v)| v)
    };
    Some((unescape(id)?, unescape(secret)?))
}

fn too_many(wait: std::time::Duration) -> HttpResponse {
    let mut response = oauth_error(429, "slow_down", "too many token requests: wait and retry");
    if let Ok(value) = header::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

pub async fn issue(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    // Against secret guessing: per IP address before anything else, per client id below.
    let ip = req
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    if let Err(wait) = state.token_limiter.check(&format!("ip:{ip}")) {
        return too_many(wait);
    }
    let params = match parameters(&req, &body) {
        Ok(p) => p,
        Err(why) => return oauth_error(400, "invalid_request", why),
    };
    match params.get("grant_type").map(String::as_str) {
        None => return oauth_error(400, "invalid_request", "grant_type is required"),
        Some("client_credentials") => {}
        Some(_) => {
            return oauth_error(
                400,
                "unsupported_grant_type",
                "only grant_type=client_credentials is supported",
            )
        }
    }
    let basic = basic_credentials(&req);
    let from_body = match (params.get("client_id"), params.get("client_secret")) {
        (Some(id), Some(secret)) => Some((id.clone(), secret.clone())),
        _ => None,
    };
    let (client_id, secret) = match (basic, from_body) {
        (Some(_), Some(_)) => {
            return oauth_error(
                400,
                "invalid_request",
                "send credentials once: header or body",
            )
        }
        (Some(c), None) | (None, Some(c)) => c,
        (None, None) => {
            return oauth_error(
                400,
                "invalid_request",
                "client_id and client_secret are required",
            )
        }
    };
    if let Err(wait) = state.token_limiter.check(&format!("client:{client_id}")) {
        return too_many(wait);
    }
    let client = match api_clients::authenticate(&state.db, &client_id, &secret).await {
        Ok(Some(client)) => client,
        Ok(None) => return oauth_error(401, "invalid_client", "client authentication failed"),
        Err(err) => {
            tracing::error!(error = ?err, "token endpoint failed");
            return oauth_error(
                status_of(&err).as_u16(),
                "temporarily_unavailable",
                "retry shortly",
            );
        }
    };
    let ttl = state.tokens.default_ttl();
    match state.tokens.issue(client.id, None, None) {
        Ok(token) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((header::PRAGMA, "no-cache"))
            .json(json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": ttl.as_secs(),
            })),
        Err(err) => {
            tracing::error!(error = ?err, "cannot sign a token");
            oauth_error(500, "server_error", "cannot issue a token")
        }
    }
}
