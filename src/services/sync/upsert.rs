//! Writing a sync batch's touchpoints on SQLite: VALUES lists, 500 rows per statement (its
//! limit on bound parameters), under the writer lock that `BEGIN IMMEDIATE` took. (PostgreSQL
//! writes a batch in one statement: `sync::write`.)
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Iterable};

use crate::entities::touchpoint::{self, Column};

/// Rows per VALUES statement on SQLite.
const CHUNK: usize = 500;

/// Columns a write leaves as they are on an existing row.
pub fn fixed(c: &Column) -> bool {
    matches!(
        c,
        Column::Id | Column::BrandId | Column::OwnerId | Column::CreatedAt
    )
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
