//! Writing a sync batch's touchpoints.
//!
//! On PostgreSQL the rows travel as one JSON parameter that `json_populate_recordset` turns
//! into touchpoint rows: [`update_from_json`] rewrites existing touchpoints still at the
//! version the batch read (optimistic, as every other touchpoint write), [`insert_from_json`]
//! adds new ones. The alternative — a multi-row VALUES list — binds every column of every row
//! (3,500 parameters for 100 touchpoints): building, encoding and dropping those values took
//! a fifth of a batch's CPU in the server, and the database parses and binds each of them.
//! `sync_write` puts both statements, with the batch's audit entries and change-log rows,
//! into one.
//!
//! SQLite has no such function; it takes VALUES lists, 500 rows per statement (its limit on
//! bound parameters), under the writer lock that `BEGIN IMMEDIATE` took.
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, EntityTrait, IdenStatic, IntoActiveModel, Iterable,
};

use crate::entities::touchpoint::{self, Column};
use crate::error::{AppError, AppResult};

/// Rows per VALUES statement on SQLite.
const CHUNK: usize = 500;

/// Columns a write leaves as they are on an existing row.
fn fixed(c: &Column) -> bool {
    matches!(
        c,
        Column::Id | Column::BrandId | Column::OwnerId | Column::CreatedAt
    )
}

/// `UPDATE` of the touchpoints in the JSON array `param` (as [`json_rows`] writes them) whose
/// stored version is the one before theirs; returns the ids it updated. A touchpoint that
/// another writer changed since the batch read it is left out, and the caller sees it missing.
pub fn update_from_json(param: &str) -> String {
    let updates: Vec<String> = Column::iter()
        .filter(|c| !fixed(c))
        .map(|c| format!("\"{0}\" = r.\"{0}\"", c.as_str()))
        .collect();
    format!(
        "UPDATE touchpoints AS t SET {} \
         FROM json_populate_recordset(NULL::touchpoints, {param}::json) AS r \
         WHERE t.id = r.id AND t.version = r.version - 1 RETURNING t.id",
        updates.join(", ")
    )
}

/// `INSERT` of the new touchpoints in the JSON array `param`; returns the ids it inserted. One
/// whose `externalId` another writer took meanwhile is left out (`ON CONFLICT DO NOTHING`),
/// and the caller sees it missing.
pub fn insert_from_json(param: &str) -> String {
    let columns: Vec<String> = Column::iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    let list = columns.join(", ");
    format!(
        "INSERT INTO touchpoints ({list}) \
         SELECT {list} FROM json_populate_recordset(NULL::touchpoints, {param}::json) \
         ON CONFLICT DO NOTHING RETURNING id"
    )
}

/// The rows as a JSON array of objects keyed by column name, written in one pass: the model
/// serializes in camelCase (for audit entries and the API) and [`ColumnKeys`] writes each key
/// as its column's snake_case name. (Building a JSON map per row and renaming its keys was a
/// fifth of a sync batch's CPU in the server.)
pub fn json_rows(rows: &[&touchpoint::Model]) -> AppResult<String> {
    let mut out = Vec::with_capacity(rows.len() * 1024);
    let mut writer = serde_json::Serializer::with_formatter(&mut out, ColumnKeys::default());
    serde::Serialize::serialize(rows, &mut writer).map_err(AppError::internal)?;
    String::from_utf8(out).map_err(AppError::internal)
}

/// Compact JSON whose object keys are written in snake_case (`brandId` -> `brand_id`).
#[derive(Default)]
struct ColumnKeys {
    in_key: bool,
}

impl serde_json::ser::Formatter for ColumnKeys {
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.in_key = true;
        serde_json::ser::CompactFormatter.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        self.in_key = false;
        serde_json::ser::CompactFormatter.end_object_key(writer)
    }

    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if !self.in_key {
            return writer.write_all(fragment.as_bytes());
        }
        for ch in fragment.chars() {
            if ch.is_ascii_uppercase() {
                writer.write_all(&[b'_', ch.to_ascii_lowercase() as u8])?;
            } else {
                writer.write_all(ch.encode_utf8(&mut [0; 4]).as_bytes())?;
            }
        }
        Ok(())
    }
}

/// Upserts `rows` by id on SQLite (every column written but the [`fixed`] ones), inside the
/// caller's `BEGIN IMMEDIATE` transaction: no other writer can have changed them since it
/// read them.
pub async fn upsert_values<C: ConnectionTrait>(
    conn: &C,
    rows: &[&touchpoint::Model],
) -> Result<(), sea_orm::DbErr> {
    let updatable: Vec<Column> = Column::iter().filter(|c| !fixed(c)).collect();
    for chunk in rows.chunks(CHUNK) {
        let models = chunk
            .iter()
            .map(|m| (*m).clone().into_active_model().reset_all());
        touchpoint::Entity::insert_many(models)
            .on_conflict(
                OnConflict::column(Column::Id)
                    .update_columns(updatable.clone())
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_keyed_by_column_name() -> Result<(), Box<dyn std::error::Error>> {
        let p = crate::auth::Principal::dealer_editor_for_tests();
        let mut model = crate::services::touchpoints::blank(&p, p.org_id(), uuid::Uuid::new_v4());
        model.external_id = Some("ext \"brandId\": 1".into());
        model.name = "camelCase stays".into();
        model.tags = crate::entities::string_list::StringList(vec!["keyMetric".into()]);
        model.importance = Some(3);
        let json: serde_json::Value = serde_json::from_str(&json_rows(&[&model])?)?;
        let row = json[0].as_object().ok_or("not an array of objects")?;
        let keys: Vec<&str> = row.keys().map(String::as_str).collect();
        let mut columns: Vec<&str> = Column::iter().map(|c| c.as_str()).collect();
        columns.sort_unstable();
        assert_eq!(keys, columns);
        // Values are written as they are, camelCase and quotes included.
        assert_eq!(row["external_id"], "ext \"brandId\": 1");
        assert_eq!(row["name"], "camelCase stays");
        assert_eq!(row["tags"], serde_json::json!(["keyMetric"]));
        let update = update_from_json("$1");
        assert!(update.contains("\"review_status\" = r.\"review_status\""));
        assert!(!update.contains("\"created_at\" = r."));
        assert!(!update.contains("\"owner_id\" = r."));
        Ok(())
    }
}
