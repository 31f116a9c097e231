//! Writing a sync batch's touchpoints: one upsert by id per batch.
//!
//! On PostgreSQL the rows travel as one JSON parameter that `json_populate_recordset` turns
//! into touchpoint rows. The alternative — a multi-row VALUES list — binds every column of
//! every row (3,500 parameters for 100 touchpoints): building, encoding and dropping those
//! values took a fifth of a batch's CPU in the server, and the database parses and binds each
//! of them. The statement's text never changes, so it is prepared once per connection.
//!
//! SQLite has no such function; it takes VALUES lists, 500 rows per statement (its limit on
//! bound parameters).
use std::sync::LazyLock;

use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, IdenStatic, IntoActiveModel,
    Iterable, SqlErr, Statement,
};

use crate::entities::touchpoint::{self, Column};
use crate::error::{AppError, AppResult};

/// Rows per VALUES statement on SQLite.
const CHUNK: usize = 500;

/// Upserts `rows` by id: every column written, but the ones a touchpoint never changes.
pub async fn upsert<C: ConnectionTrait>(conn: &C, rows: &[&touchpoint::Model]) -> AppResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let written = match conn.get_database_backend() {
        DbBackend::Postgres => {
            let statement = Statement::from_sql_and_values(
                DbBackend::Postgres,
                POSTGRES_UPSERT.as_str(),
                [json_rows(rows)?.into()],
            );
            conn.execute_raw(statement).await.map(|_| ())
        }
        _ => values_upsert(conn, rows).await,
    };
    match written {
        Ok(()) => Ok(()),
        // Another sync created one of these externalIds after this one looked.
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            Err(AppError::Conflict(
                "a concurrent sync wrote the same externalIds: retry the batch".into(),
            ))
        }
        Err(err) => Err(err.into()),
    }
}

/// Columns an upsert leaves as they are on an existing row.
fn fixed(c: &Column) -> bool {
    matches!(
        c,
        Column::Id | Column::BrandId | Column::OwnerId | Column::CreatedAt
    )
}

static POSTGRES_UPSERT: LazyLock<String> = LazyLock::new(|| {
    let columns: Vec<String> = Column::iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    let list = columns.join(", ");
    let updates: Vec<String> = Column::iter()
        .filter(|c| !fixed(c))
        .map(|c| format!("\"{0}\" = EXCLUDED.\"{0}\"", c.as_str()))
        .collect();
    format!(
        "INSERT INTO touchpoints ({list}) \
         SELECT {list} FROM json_populate_recordset(NULL::touchpoints, $1::json) \
         ON CONFLICT (id) DO UPDATE SET {}",
        updates.join(", ")
    )
});

/// The rows as a JSON array of objects keyed by column name, written in one pass: the model
/// serializes in camelCase (for audit entries and the API) and [`ColumnKeys`] writes each key
/// as its column's snake_case name. (Building a JSON map per row and renaming its keys was a
/// fifth of a sync batch's CPU in the server.)
fn json_rows(rows: &[&touchpoint::Model]) -> AppResult<String> {
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

async fn values_upsert<C: ConnectionTrait>(
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
        assert!(POSTGRES_UPSERT.contains("\"review_status\" = EXCLUDED.\"review_status\""));
        assert!(!POSTGRES_UPSERT.contains("\"created_at\" = EXCLUDED"));
        Ok(())
    }
}
