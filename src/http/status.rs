//! The one mapping from an [`AppError`] to an HTTP status, for every answer outside GraphQL's
//! own envelope: the map and the CSV, a GraphQL request refused before it runs, and the
//! token endpoint's failures.
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use crate::error::AppError;

/// The status `err` answers with. An internal failure at run time is the database or another
/// dependency of this server: 503 tells a client that retrying is right.
pub fn status_of(err: &AppError) -> StatusCode {
    match err {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::BadInput { .. }
        | AppError::OverLimit(_)
        | AppError::PersistedQueryNotFound
        | AppError::NotTrusted(_) => StatusCode::BAD_REQUEST,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::LimitExceeded(_) | AppError::Internal(_) => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// `err` as a plain-text answer (routes that are not GraphQL); an internal cause goes to the
/// log, never to the client.
pub fn plain_failure(err: &AppError, route: &str) -> HttpResponse {
    if let AppError::Internal(cause) = err {
        tracing::error!(route, error = ?cause, "request failed");
    }
    HttpResponse::build(status_of(err))
        .content_type("text/plain; charset=utf-8")
        .body(err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_error_has_its_status() {
        let cases = [
            (AppError::Unauthenticated("x".into()), 401),
            (AppError::forbidden("x"), 403),
            (AppError::NotFound("brand"), 404),
            (AppError::bad_input("journey", "x"), 400),
            (AppError::Conflict("x".into()), 409),
            (AppError::LimitExceeded("busy".into()), 503),
            (AppError::internal(std::io::Error::other("disk")), 503),
        ];
        for (err, status) in cases {
            assert_eq!(status_of(&err).as_u16(), status, "{err:?}");
        }
        let internal = plain_failure(&AppError::internal(std::io::Error::other("SELECT 1")), "t");
        assert_eq!(internal.status().as_u16(), 503);
    }
}
