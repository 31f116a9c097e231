//! The map and the CSV over plain HTTP, for `<img>` tags, browsers and BI tools:
//!
//! * `GET /brands/{slug}/map.svg[?journey=ID]` and its `.html` twin (the map full-screen with
//!   the insights beside it), with a bearer token or a signed `?token=` link from
//!   `brand.mapLink` (valid 15 minutes);
//! * `GET /brands/{slug}/touchpoints.csv[?includeArchived=true]` with a bearer token,
//!   streamed.
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::{stream, StreamExt};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::authenticate;
use super::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::map::{render_html, render_svg, MapInsight};
use crate::services::network::organizations::OrgKey;
use crate::services::network::principals::current_principal;
use crate::services::{
    network::brands, planning::experience_map, planning::insights, touchpoints::csv_export,
};
use std::sync::Arc;

#[derive(Debug, Deserialize)]
pub struct MapQuery {
    journey: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvQuery {
    #[serde(default)]
    include_archived: bool,
    /// Cells as stored: no `'` before a would-be formula.
    #[serde(default)]
    raw: bool,
}

fn plain(status: actix_web::http::StatusCode, message: &str) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/plain; charset=utf-8")
        .body(message.to_owned())
}

fn failure(err: &AppError) -> HttpResponse {
    use actix_web::http::StatusCode;
    match err {
        AppError::Unauthenticated(m) => plain(StatusCode::UNAUTHORIZED, m),
        AppError::Forbidden(m) => plain(StatusCode::FORBIDDEN, m),
        AppError::NotFound(what) => plain(StatusCode::NOT_FOUND, &format!("{what} not found")),
        AppError::BadInput { message, .. } => plain(StatusCode::BAD_REQUEST, message),
        AppError::Conflict(m) => plain(StatusCode::CONFLICT, m),
        AppError::LimitExceeded(m) => plain(StatusCode::SERVICE_UNAVAILABLE, m),
        other => {
            tracing::error!(error = ?other, "map or export failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "internal error")
        }
    }
}

/// The caller: a signed link (for this brand, and this journey) or a bearer token.
async fn caller(
    state: &AppState,
    req: &HttpRequest,
    token: Option<&str>,
    brand_id: Option<Uuid>,
    journey: Option<Uuid>,
) -> Result<Arc<Principal>, AppError> {
    if let Some(token) = token {
        let link = state
            .tokens
            .verify_link(token)
            .map_err(|_| AppError::Forbidden("this link is not valid, or has expired".into()))?;
        if Some(link.brand) != brand_id || link.journey != journey {
            return Err(AppError::Forbidden("this link is for another map".into()));
        }
        return current_principal(&state.db, link.sub, Some(link.org)).await;
    }
    authenticate(state, req).await?.ok_or_else(|| {
        AppError::Unauthenticated("a bearer access token or a signed link is required".into())
    })
}

fn journey_of(query: &MapQuery) -> Result<Option<Uuid>, AppError> {
    query
        .journey
        .as_deref()
        .map(|j| {
            Uuid::parse_str(j)
                .map_err(|_| AppError::bad_input("journey", "journey is not a valid id"))
        })
        .transpose()
}

async fn render(
    state: &AppState,
    req: &HttpRequest,
    slug: &str,
    query: &MapQuery,
    html: bool,
) -> Result<HttpResponse, AppError> {
    let journey = journey_of(query)?;
    // The brand as the link or token holder sees it (looked up once the caller is known).
    let key = OrgKey::Slug(slug.to_owned());
    let brand_org =
        crate::services::network::organizations::find_by_key(state.db.conn(), &key).await?;
    let p = caller(
        state,
        req,
        query.token.as_deref(),
        brand_org.as_ref().map(|b| b.id),
        journey,
    )
    .await?;
    let brand = brands::find(&state.db, &p, &key)
        .await?
        .ok_or(AppError::NotFound("brand"))?;
    let input = experience_map::gather(&state.db, &p, &brand, journey).await?;
    if !html {
        return Ok(HttpResponse::Ok()
            .content_type("image/svg+xml; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .body(render_svg(&input)));
    }
    let findings: Vec<MapInsight> = insights::for_brand(&state.db, &p, brand.id)
        .await?
        .into_iter()
        .map(|i| MapInsight {
            code: serde_json::to_value(i.code)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            severity: serde_json::to_value(i.severity)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            message: i.message,
        })
        .collect();
    let generated = chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string();
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        // The page is self-contained: no scripts, no outside resources.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        ))
        .body(render_html(&input, &findings, &generated)))
}

pub async fn map_svg(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<MapQuery>,
) -> HttpResponse {
    render(&state, &req, &slug, &query, false)
        .await
        .unwrap_or_else(|e| failure(&e))
}

pub async fn map_html(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<MapQuery>,
) -> HttpResponse {
    render(&state, &req, &slug, &query, true)
        .await
        .unwrap_or_else(|e| failure(&e))
}

pub async fn touchpoints_csv(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<CsvQuery>,
) -> HttpResponse {
    let prepared = async {
        let p = authenticate(&state, &req)
            .await?
            .ok_or_else(|| AppError::Unauthenticated("a bearer access token is required".into()))?;
        let brand = brands::find(&state.db, &p, &OrgKey::Slug(slug.into_inner()))
            .await?
            .ok_or(AppError::NotFound("brand"))?;
        let export =
            csv_export::prepare(&state.db, &p, brand.id, query.include_archived, query.raw).await?;
        Ok::<_, AppError>((p, brand, std::sync::Arc::new(export)))
    }
    .await;
    let (p, brand, export) = match prepared {
        Ok(ready) => ready,
        Err(e) => return failure(&e),
    };
    let db = state.db.clone();
    // The header, then one page of rows at a time (`None` once the last page is out). A
    // failure mid-way ends the stream: the client sees a truncated download, never another
    // tenant's rows.
    let header_row = match csv_export::header() {
        Ok(text) => Bytes::from(text),
        Err(e) => return failure(&e),
    };
    let rows = stream::unfold(Some(None::<Uuid>), move |cursor| {
        let (db, p) = (db.clone(), p.clone());
        let export = std::sync::Arc::clone(&export);
        async move {
            let after = cursor?;
            match csv_export::page(&db, &p, &export, after).await {
                Ok(Some((text, last))) => Some((
                    Ok::<_, actix_web::Error>(Bytes::from(text)),
                    Some(Some(last)),
                )),
                Ok(None) => None,
                Err(err) => {
                    tracing::error!(error = ?err, "CSV export stopped");
                    None
                }
            }
        }
    });
    let body = stream::once(async move { Ok::<_, actix_web::Error>(header_row) }).chain(rows);
    let filename = format!("attachment; filename=\"{}-touchpoints.csv\"", brand.slug);
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8; header=present")
        .insert_header((header::CONTENT_DISPOSITION, filename))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .streaming(body)
}
