use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "principles")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub brand_id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub archived_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A principle as ratings show it (and the GraphQL `Principle` type: its columns but the
/// timestamps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipleSummary {
    pub id: Uuid,
    pub name: String,
    pub description: Option<String>,
    pub version: i32,
    pub archived_at: Option<DateTimeUtc>,
}

impl From<Model> for PrincipleSummary {
    fn from(m: Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            description: m.description,
            version: m.version,
            archived_at: m.archived_at,
        }
    }
}
