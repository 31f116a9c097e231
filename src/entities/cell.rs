//! Reading a result row's columns by position straight from the driver's row.
//!
//! sea-orm's `try_get_by_index` goes through sqlx's checked `try_get` (the column's type info
//! cloned and compared with the Rust type's, for every value) and wraps every NULL in an error
//! whose message formats the column index before `Option` turns it back into `None`. A page of
//! 50 touchpoints with 150 ratings reads 3,500 values; those checks and formats were a fifth of
//! the server's CPU for it. The statements read here are the registry's own, against its own
//! schema, so the column types are known: a test decodes every field both ways and compares.
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sqlx::{self, Row};
use sea_orm::{ActiveEnum, DbErr, QueryResult, RuntimeErr, TryGetable};
use uuid::Uuid;

/// A value that can be read from a column of a result row.
pub trait Cell: Sized {
    fn read(row: &QueryResult, index: usize) -> Result<Self, DbErr>;
}

/// The driver's own decoding, unchecked; sea-orm's for any other connection.
fn driver<T>(row: &QueryResult, index: usize) -> Result<T, DbErr>
where
    T: TryGetable
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + for<'r> sqlx::Decode<'r, sqlx::Sqlite>,
{
    let decoded = if let Some(pg) = row.try_as_pg_row() {
        pg.try_get_unchecked::<T, _>(index)
    } else if let Some(sqlite) = row.try_as_sqlite_row() {
        sqlite.try_get_unchecked::<T, _>(index)
    } else {
        return row.try_get_by_index(index);
    };
    decoded.map_err(sqlx_error)
}

macro_rules! driver_cells {
    ($($t:ty),* $(,)?) => {
        $(
            impl Cell for $t {
                fn read(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                    driver::<$t>(row, index)
                }
            }
            impl Cell for Option<$t> {
                fn read(row: &QueryResult, index: usize) -> Result<Self, DbErr> {
                    driver::<Option<$t>>(row, index)
                }
            }
        )*
    };
}

driver_cells!(Uuid, String, bool, i16, i32, i64, NaiveDate, DateTime<Utc>);

/// A vocabulary value (stored as its name).
pub fn vocabulary<E: ActiveEnum<Value = String>>(
    row: &QueryResult,
    index: usize,
) -> Result<E, DbErr> {
    E::try_from_value(&String::read(row, index)?)
}

/// An optional vocabulary value.
pub fn optional_vocabulary<E: ActiveEnum<Value = String>>(
    row: &QueryResult,
    index: usize,
) -> Result<Option<E>, DbErr> {
    Option::<String>::read(row, index)?
        .map(|name| E::try_from_value(&name))
        .transpose()
}

/// A JSON column decoded into `T`.
pub fn json<T>(row: &QueryResult, index: usize) -> Result<T, DbErr>
where
    T: serde::de::DeserializeOwned,
{
    let decoded = if let Some(pg) = row.try_as_pg_row() {
        pg.try_get_unchecked::<sqlx::types::Json<T>, _>(index)
    } else if let Some(sqlite) = row.try_as_sqlite_row() {
        sqlite.try_get_unchecked::<sqlx::types::Json<T>, _>(index)
    } else {
        let value: serde_json::Value = row.try_get_by_index(index)?;
        return serde_json::from_value(value).map_err(|e| DbErr::Type(e.to_string()));
    };
    decoded.map(|json| json.0).map_err(sqlx_error)
}

fn sqlx_error(e: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(std::sync::Arc::new(e)))
}
