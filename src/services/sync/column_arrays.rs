//! Rows of an entity as one PostgreSQL array per column, for statements that read them with
//! `unnest(…)`: a bulk write binds one parameter per column, whatever the number of rows.
//!
//! Arrays travel in PostgreSQL's binary format: a uuid is 16 bytes, a timestamp 8, a number
//! as it is. The alternative, the rows as one JSON document (`json_populate_recordset`), had
//! PostgreSQL lex the whole document character by character and parse every value from text:
//! a third of the database's time for a sync batch. JSON columns are sent as text and cast,
//! so PostgreSQL checks each document once.
//!
//! sea-orm binds arrays only without NULL elements, and nullable columns need them: these are
//! bound on the sqlx query itself.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sqlx::postgres::PgArguments;
use sea_orm::sqlx::query::Query;
use sea_orm::sqlx::Postgres;
use sea_orm::{ColumnTrait, ColumnType, EntityTrait, IdenStatic, Iterable, ModelTrait, Value};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// One column's values, in row order, typed for binding.
#[derive(Debug, PartialEq)]
pub enum ColumnArray {
    Uuid(Vec<Option<Uuid>>),
    Text(Vec<Option<String>>),
    /// JSON documents as text (cast to `json[]` in the statement).
    Json(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
    SmallInt(Vec<Option<i16>>),
    Int(Vec<Option<i32>>),
    BigInt(Vec<Option<i64>>),
    Date(Vec<Option<NaiveDate>>),
    Timestamp(Vec<Option<DateTime<Utc>>>),
}

impl ColumnArray {
    /// An empty array for `rows` values of a column of this type, and the array type it is
    /// bound as.
    fn for_type(column_type: &ColumnType, rows: usize) -> Option<(Self, &'static str)> {
        Some(match column_type {
            ColumnType::Uuid => (Self::Uuid(Vec::with_capacity(rows)), "uuid[]"),
            ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_) => {
                (Self::Text(Vec::with_capacity(rows)), "text[]")
            }
            ColumnType::Json | ColumnType::JsonBinary => {
                (Self::Json(Vec::with_capacity(rows)), "text[]::json[]")
            }
            ColumnType::Boolean => (Self::Bool(Vec::with_capacity(rows)), "bool[]"),
            ColumnType::SmallInteger => (Self::SmallInt(Vec::with_capacity(rows)), "int2[]"),
            ColumnType::Integer => (Self::Int(Vec::with_capacity(rows)), "int4[]"),
            ColumnType::BigInteger => (Self::BigInt(Vec::with_capacity(rows)), "int8[]"),
            ColumnType::Date => (Self::Date(Vec::with_capacity(rows)), "date[]"),
            ColumnType::TimestampWithTimeZone => {
                (Self::Timestamp(Vec::with_capacity(rows)), "timestamptz[]")
            }
            _ => return None,
        })
    }

    /// Appends one row's value; `false` when it is not of this column's type.
    fn push(&mut self, value: Value) -> bool {
        match (self, value) {
            (Self::Uuid(a), Value::Uuid(v)) => a.push(v),
            (Self::Text(a), Value::String(v)) => a.push(v),
            // Not `to_string`: through `Display` it writes the document a fragment at a time.
            (Self::Json(a), Value::Json(v)) => {
                a.push(v.and_then(|doc| serde_json::to_string(&doc).ok()))
            }
            (Self::Bool(a), Value::Bool(v)) => a.push(v),
            (Self::SmallInt(a), Value::SmallInt(v)) => a.push(v),
            (Self::Int(a), Value::Int(v)) => a.push(v),
            (Self::BigInt(a), Value::BigInt(v)) => a.push(v),
            (Self::Date(a), Value::ChronoDate(v)) => a.push(v),
            (Self::Timestamp(a), Value::ChronoDateTimeUtc(v)) => a.push(v),
            _ => return false,
        }
        true
    }

    /// Binds the array as the query's next parameter.
    pub fn bind(self, query: Query<'_, Postgres, PgArguments>) -> Query<'_, Postgres, PgArguments> {
        match self {
            Self::Uuid(a) => query.bind(a),
            Self::Text(a) | Self::Json(a) => query.bind(a),
            Self::Bool(a) => query.bind(a),
            Self::SmallInt(a) => query.bind(a),
            Self::Int(a) => query.bind(a),
            Self::BigInt(a) => query.bind(a),
            Self::Date(a) => query.bind(a),
            Self::Timestamp(a) => query.bind(a),
        }
    }
}

/// The columns of `E` in declaration order, each with the array type it is bound as.
fn columns<E: EntityTrait>(rows: usize) -> AppResult<Vec<(E::Column, ColumnArray, &'static str)>> {
    E::Column::iter()
        .map(|c| {
            let (array, sql_type) = ColumnArray::for_type(c.def().get_column_type(), rows)
                .ok_or_else(|| unsupported(c.as_str()))?;
            Ok((c, array, sql_type))
        })
        .collect()
}

fn unsupported(column: &str) -> AppError {
    AppError::internal(std::io::Error::other(format!(
        "column {column} has a type column_arrays does not bind"
    )))
}

/// `rows` as one array per column of `E`, in declaration order.
pub fn of<E: EntityTrait>(rows: &[&E::Model]) -> AppResult<Vec<ColumnArray>> {
    let mut columns = columns::<E>(rows.len())?;
    for row in rows {
        for (column, array, _) in &mut columns {
            if !array.push(row.get(*column)) {
                return Err(unsupported(column.as_str()));
            }
        }
    }
    Ok(columns.into_iter().map(|(_, array, _)| array).collect())
}

/// `unnest($first::type[], …) AS alias("column", …)`: the rows [`of`] binds, as a table of
/// `E`'s columns, its parameters numbered from `first`. A column type [`of`] does not bind
/// is written `unknown`, which PostgreSQL refuses (a test holds every entity used here to
/// none).
pub fn unnest<E: EntityTrait>(first: usize, alias: &str) -> String {
    let params: Vec<String> = E::Column::iter()
        .enumerate()
        .map(|(i, c)| {
            let sql_type =
                ColumnArray::for_type(c.def().get_column_type(), 0).map_or("unknown", |(_, t)| t);
            format!("${}::{sql_type}", first + i)
        })
        .collect();
    format!("unnest({}) AS {alias}({})", params.join(", "), names::<E>())
}

/// `"column", …`: `E`'s columns in declaration order, quoted.
pub fn names<E: EntityTrait>() -> String {
    let names: Vec<String> = E::Column::iter()
        .map(|c| format!("\"{}\"", c.as_str()))
        .collect();
    names.join(", ")
}

/// How many parameters [`unnest`] takes for `E`.
pub fn count<E: EntityTrait>() -> usize {
    E::Column::iter().count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::{ledger_entry, touchpoint};

    #[test]
    fn every_column_of_the_bulk_written_entities_binds() -> AppResult<()> {
        let p = crate::auth::Principal::dealer_editor_for_tests();
        let mut model = crate::services::touchpoints::blank(&p, p.org_id(), Uuid::new_v4());
        model.tags = crate::entities::string_list::StringList(vec!["a \"tag\"".into()]);
        model.importance = Some(3);
        let arrays = of::<touchpoint::Entity>(&[&model, &model])?;
        assert_eq!(arrays.len(), count::<touchpoint::Entity>());
        assert!(arrays.contains(&ColumnArray::Json(vec![
            Some(r#"["a \"tag\""]"#.into()),
            Some(r#"["a \"tag\""]"#.into())
        ])));
        assert!(arrays.contains(&ColumnArray::SmallInt(vec![Some(3), Some(3)])));
        // NULLs travel as NULL elements.
        assert!(arrays.contains(&ColumnArray::Date(vec![None, None])));
        assert!(!unnest::<touchpoint::Entity>(1, "r").contains("unknown"));

        let entry = ledger_entry::Model {
            seq: 1,
            tx_id: 0,
            at: crate::clock::now(),
            actor_kind: "USER".into(),
            actor_id: None,
            actor_label: "a@b.test".into(),
            organization_id: None,
            brand_id: None,
            action: "touchpoint.update".into(),
            entity_type: "Touchpoint".into(),
            entity_id: Uuid::now_v7(),
            version: None,
            kind: None,
            via: None,
            changes: serde_json::json!({ "name": ["Old", "New"] }),
        };
        let arrays = of::<ledger_entry::Entity>(&[&entry])?;
        assert!(arrays.contains(&ColumnArray::Json(vec![Some(
            r#"{"name":["Old","New"]}"#.into()
        )])));
        assert!(arrays.contains(&ColumnArray::Int(vec![None])));
        let sql = unnest::<ledger_entry::Entity>(3, "a");
        assert!(sql.starts_with("unnest($3::int8[], $4::int8[]"), "{sql}");
        assert!(sql.ends_with("\"via\", \"changes\")"), "{sql}");
        Ok(())
    }
}
