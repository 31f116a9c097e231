//! `GET /brands/{slug}/touchpoints.csv`: every touchpoint the caller may see, one row each,
//! every attribute, RFC 4180 (quoted where needed, CRLF line ends). Written page by page
//! (keyset on id), so memory stays flat however many rows there are.
use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::Principal;
use crate::domain::priority::hundredths_to_score;
use crate::entities::{alignment, organization, principle, touchpoint};
use crate::error::{AppError, AppResult};
use crate::services::access::readable_touchpoints;
use crate::services::{lookups, network::brands};
use crate::store::db::Db;

/// Rows per database page.
pub const PAGE: u64 = 1000;

pub const COLUMNS: [&str; 38] = [
    "id",
    "brand_id",
    "owner_id",
    "owner",
    "external_id",
    "name",
    "description",
    "channel",
    "expressions",
    "multi_access",
    "ownership",
    "phase_id",
    "phase",
    "target_experience",
    "key_metric",
    "tags",
    "cost_amount",
    "cost_currency",
    "resources",
    "media",
    "launch_date",
    "timing",
    "location",
    "importance",
    "urgency",
    "maturity",
    "effort",
    "benefit",
    "priority_score",
    "signature",
    "visibility",
    "status",
    "horizon",
    "review_status",
    "alignment_average",
    "version",
    "updated_at",
    "archived_at",
];

/// What the rows refer to by id: owner and phase names.
pub struct Export {
    brand_id: Uuid,
    include_archived: bool,
    /// Cells as stored, formulas unescaped (for BI tools that read the text, not a person).
    raw: bool,
    owners: HashMap<Uuid, organization::Model>,
    phases: HashMap<Uuid, String>,
}

/// A cell a spreadsheet would run as a formula (OWASP "CSV injection": a partner names a
/// touchpoint `=HYPERLINK(…)`, the brand's analyst opens the export) gets a leading `'`, which
/// spreadsheets show as text; numbers, negative ones included, stay as they are.
fn escaped(value: &str) -> std::borrow::Cow<'_, str> {
    let risky = value.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && value.parse::<f64>().is_err() {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

/// A CSV writer as the export writes: RFC 4180, quoted where needed, CRLF line ends.
fn writer(capacity: usize) -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::with_capacity(capacity))
}

/// The rows written so far, as text.
fn finish(w: csv::Writer<Vec<u8>>) -> AppResult<String> {
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::internal(e.into_error()))?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

fn enum_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

pub fn header() -> AppResult<String> {
    let mut w = writer(512);
    w.write_record(COLUMNS).map_err(AppError::internal)?;
    finish(w)
}

pub async fn prepare(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    include_archived: bool,
    raw: bool,
) -> AppResult<Export> {
    let phases = brands::phases(db, p, brand_id).await?;
    let mut org_ids: Vec<Uuid> = brands::partnerships(db, p, brand_id)
        .await?
        .into_iter()
        .map(|ps| ps.partner_id)
        .collect();
    org_ids.push(brand_id);
    org_ids.push(p.org_id());
    Ok(Export {
        brand_id,
        include_archived,
        raw,
        owners: lookups::organizations(db, &org_ids).await?,
        phases: phases.into_iter().map(|ph| (ph.id, ph.name)).collect(),
    })
}

/// The rows after `after` (by id), as CSV text; `None` when there are no more.
pub async fn page(
    db: &Db,
    p: &Principal,
    export: &Export,
    after: Option<Uuid>,
) -> AppResult<Option<(String, Uuid)>> {
    let mut query = touchpoint::Entity::find()
        .filter(touchpoint::Column::BrandId.eq(export.brand_id))
        .filter(readable_touchpoints(p));
    if !export.include_archived {
        query = query.filter(touchpoint::Column::ArchivedAt.is_null());
    }
    if let Some(id) = after {
        query = query.filter(touchpoint::Column::Id.gt(id));
    }
    let rows = query
        .order_by_asc(touchpoint::Column::Id)
        .limit(PAGE)
        .all(db.conn())
        .await?;
    let Some(last) = rows.last().map(|t| t.id) else {
        return Ok(None);
    };
    let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
    let averages = alignment_averages(db, &ids).await?;
    let mut out = writer(rows.len() * 400);
    for t in &rows {
        let expressions = t.expressions().to_vec();
        let values: [String; 38] = [
            t.id.to_string(),
            t.brand_id.to_string(),
            t.owner_id.to_string(),
            export
                .owners
                .get(&t.owner_id)
                .map(|o| o.name.clone())
                .unwrap_or_default(),
            t.external_id.clone().unwrap_or_default(),
            t.name.clone(),
            t.description.clone().unwrap_or_default(),
            enum_text(&t.channel),
            expressions
                .iter()
                .map(enum_text)
                .collect::<Vec<_>>()
                .join(";"),
            (expressions.len() > 1).to_string(),
            enum_text(&t.ownership),
            t.phase_id.to_string(),
            export.phases.get(&t.phase_id).cloned().unwrap_or_default(),
            t.target_experience.clone().unwrap_or_default(),
            t.key_metric.clone().unwrap_or_default(),
            t.tags.0.join(";"),
            t.cost_amount.clone().unwrap_or_default(),
            t.cost_currency.clone().unwrap_or_default(),
            t.resources.clone().unwrap_or_default(),
            t.media.0.join(";"),
            t.launch_date
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            t.timing.clone().unwrap_or_default(),
            t.location.clone().unwrap_or_default(),
            t.importance.map(|v| v.to_string()).unwrap_or_default(),
            t.urgency.map(|v| v.to_string()).unwrap_or_default(),
            t.maturity.map(|v| v.to_string()).unwrap_or_default(),
            t.effort.map(|v| v.to_string()).unwrap_or_default(),
            t.benefit.map(|v| v.to_string()).unwrap_or_default(),
            t.priority_score
                .map(|v| format!("{:.2}", hundredths_to_score(v)))
                .unwrap_or_default(),
            t.signature.to_string(),
            enum_text(&t.visibility),
            enum_text(&t.status),
            t.horizon.map(|h| enum_text(&h)).unwrap_or_default(),
            enum_text(&t.review_status),
            averages
                .get(&t.id)
                .map(|a| format!("{a:.4}"))
                .unwrap_or_default(),
            t.version.to_string(),
            t.updated_at.to_rfc3339(),
            t.archived_at.map(|a| a.to_rfc3339()).unwrap_or_default(),
        ];
        for value in &values {
            let cell = if export.raw {
                value.into()
            } else {
                escaped(value)
            };
            out.write_field(cell.as_bytes())
                .map_err(AppError::internal)?;
        }
        // An empty record ends the one written field by field.
        out.write_record(None::<&[u8]>)
            .map_err(AppError::internal)?;
    }
    Ok(Some((finish(out)?, last)))
}

/// Alignment averages (active principles) of these touchpoints.
async fn alignment_averages(db: &Db, ids: &[Uuid]) -> AppResult<HashMap<Uuid, f64>> {
    let rows = alignment::Entity::find()
        .find_also_related(principle::Entity)
        .filter(alignment::Column::TouchpointId.is_in(ids.iter().copied()))
        .filter(principle::Column::ArchivedAt.is_null())
        .all(db.conn())
        .await?;
    let mut sums: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for (a, _) in rows {
        let entry = sums.entry(a.touchpoint_id).or_default();
        entry.0 += i64::from(a.score);
        entry.1 += 1;
    }
    Ok(sums
        .into_iter()
        .map(|(id, (s, n))| (id, s as f64 / n as f64))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::touchpoint_fields::FIELD_NAMES;

    /// The field list's camelCase name as a CSV column (money is two columns).
    fn columns_of(field: &str) -> Vec<String> {
        let snake: String = field
            .chars()
            .flat_map(|c| {
                if c.is_ascii_uppercase() {
                    vec!['_', c.to_ascii_lowercase()]
                } else {
                    vec![c]
                }
            })
            .collect();
        if snake == "cost" {
            vec!["cost_amount".into(), "cost_currency".into()]
        } else {
            vec![snake]
        }
    }

    #[test]
    fn every_written_field_is_a_column() {
        for field in FIELD_NAMES {
            for column in columns_of(field) {
                assert!(
                    COLUMNS.contains(&column.as_str()),
                    "{field} has no column {column}"
                );
            }
        }
    }

    #[test]
    fn formulas_are_escaped_and_numbers_are_not() {
        for (value, shown) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+2", "'+1+2"),
            ("-1+cmd", "'-1+cmd"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tlead", "'\tlead"),
            ("\rlead", "'\rlead"),
            ("-1.5", "-1.5"),
            ("plain = text", "plain = text"),
            ("", ""),
        ] {
            assert_eq!(escaped(value), shown, "{value:?}");
        }
    }
}
