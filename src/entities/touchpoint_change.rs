use sea_orm::entity::prelude::*;

use crate::domain::ChangeKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "touchpoint_changes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tx_id: i64,
    pub brand_id: Uuid,
    pub touchpoint_id: Uuid,
    pub kind: ChangeKind,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::touchpoint::Entity",
        from = "Column::TouchpointId",
        to = "super::touchpoint::Column::Id"
    )]
    Touchpoint,
}

impl Related<super::touchpoint::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Touchpoint.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
