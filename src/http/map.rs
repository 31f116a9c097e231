//! The experience map over plain HTTP, for `<img>` tags and browsers:
//! `GET /brands/{slug}/map.svg[?journey=ID]` and its `.html` twin (the map full-screen with
//! the insights beside it), with a bearer token or a signed `?token=` link from
//! `brand.mapLink` (valid 15 minutes).
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::authenticate;
use super::status::plain_failure;
use super::AppState;
use crate::auth::Principal;
use crate::error::AppError;
use crate::map::{render_html, render_svg, MapInsight};
use crate::services::network::brands;
use crate::services::network::organizations::OrgKey;
use crate::services::network::principals::current_principal;
use crate::services::planning::{experience_map, insights};
use std::sync::Arc;

#[derive(Debug, Deserialize)]
pub struct MapQuery {
    journey: Option<String>,
    token: Option<String>,
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
        .unwrap_or_else(|e| plain_failure(&e, "map"))
}

pub async fn map_html(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    query: web::Query<MapQuery>,
) -> HttpResponse {
    render(&state, &req, &slug, &query, true)
        .await
        .unwrap_or_else(|e| plain_failure(&e, "map"))
}
