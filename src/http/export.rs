//! `GET /brands/{slug}/touchpoints.csv[?includeArchived=true][&raw=true]` with a bearer
//! token: what the caller may see, streamed page by page, for BI tools and spreadsheets.
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::{stream, StreamExt};
use serde::Deserialize;
use uuid::Uuid;

use super::auth::authenticate;
use super::status::plain_failure;
use super::AppState;
use crate::error::AppError;
use crate::services::network::brands;
use crate::services::network::organizations::OrgKey;
use crate::services::touchpoints::csv_export;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CsvQuery {
    #[serde(default)]
    include_archived: bool,
    /// Cells as stored: no `'` before a would-be formula.
    #[serde(default)]
    raw: bool,
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
        Err(e) => return plain_failure(&e, "csv"),
    };
    let db = state.db.clone();
    // The header, then one page of rows at a time (`None` once the last page is out). A
    // failure mid-way ends the stream: the client sees a truncated download, never another
    // tenant's rows.
    let header_row = match csv_export::header() {
        Ok(text) => Bytes::from(text),
        Err(e) => return plain_failure(&e, "csv"),
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
