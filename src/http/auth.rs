//! Reading the bearer token of a request and resolving its caller.
use actix_web::http::header::AUTHORIZATION;
use std::sync::Arc;

use actix_web::HttpRequest;

use super::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::services::network::principals::resolve_principal;

/// The caller of the request: `None` without an `Authorization` header; UNAUTHENTICATED for
/// a header that is not a valid bearer token of an existing, active identity.
pub async fn authenticate(
    state: &AppState,
    req: &HttpRequest,
) -> Result<Option<Arc<Principal>>, AppError> {
    let Some(header) = req.headers().get(AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed =
        || AppError::Unauthenticated("use `Authorization: Bearer <access token>`".into());
    let value = header.to_str().map_err(|_| malformed())?;
    let (scheme, token) = value.trim().split_once(' ').ok_or_else(malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(malformed());
    }
    let claims = state.tokens.verify(token.trim())?;
    resolve_principal(&state.db, &claims).await.map(Some)
}
