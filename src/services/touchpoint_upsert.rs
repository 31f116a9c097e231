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

/// (serialized key, column name) of every column: the model serializes in camelCase (for
/// audit entries and the API), the recordset wants column names.
static KEYS: LazyLock<Vec<(String, &'static str)>> = LazyLock::new(|| {
    Column::iter()
        .map(|c| (camel(c.as_str()), c.as_str()))
        .collect()
});

fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for ch in snake.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.push(ch.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// The rows as a JSON array of objects keyed by column name.
fn json_rows(rows: &[&touchpoint::Model]) -> AppResult<String> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let serde_json::Value::Object(mut fields) =
            serde_json::to_value(row).map_err(AppError::internal)?
        else {
            return Err(AppError::internal(std::io::Error::other(
                "a touchpoint did not serialize to an object",
            )));
        };
        let mut by_column = serde_json::Map::with_capacity(KEYS.len());
        for (key, column) in KEYS.iter() {
            let value = fields.remove(key).ok_or_else(|| {
                AppError::internal(std::io::Error::other(format!(
                    "a touchpoint serialized without `{key}`"
                )))
            })?;
            by_column.insert((*column).to_owned(), value);
        }
        out.push(serde_json::Value::Object(by_column));
    }
    serde_json::to_string(&out).map_err(AppError::internal)
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
    fn keys_are_the_models_serialized_names() {
        assert_eq!(camel("expr_personal"), "exprPersonal");
        assert_eq!(camel("id"), "id");
        assert_eq!(camel("review_status"), "reviewStatus");
        assert!(POSTGRES_UPSERT.contains("\"review_status\" = EXCLUDED.\"review_status\""));
        assert!(!POSTGRES_UPSERT.contains("\"created_at\" = EXCLUDED"));
    }
}
