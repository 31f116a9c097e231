use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "alignments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub touchpoint_id: Uuid,
    pub principle_id: Uuid,
    pub score: i16,
    pub note: Option<String>,
    pub rated_by_id: Uuid,
    pub rated_by_name: String,
    pub rated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::principle::Entity",
        from = "Column::PrincipleId",
        to = "super::principle::Column::Id"
    )]
    Principle,
}

impl Related<super::principle::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Principle.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
