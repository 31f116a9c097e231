use sea_orm::entity::prelude::*;

use crate::domain::ChangeKind;

/// One changed entity of one write (see the `migration` crate's ledger migration for the
/// indexes and why each exists).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    /// The writing transaction's id on PostgreSQL, 0 on SQLite: `(tx_id, seq)` is the position.
    pub tx_id: i64,
    pub at: DateTimeUtc,
    /// `USER`, `API_CLIENT` or `SYSTEM` (a CLI command).
    pub actor_kind: String,
    pub actor_id: Option<Uuid>,
    pub actor_label: String,
    /// The acting organization.
    pub organization_id: Option<Uuid>,
    /// The network the entity belongs to, so a brand admin reads its whole network.
    pub brand_id: Option<Uuid>,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    /// The entity's version after the write (`None`: unversioned, or removed).
    pub version: Option<i32>,
    /// The touchpoint change it is, for the change feed (`None`: not in the feed).
    pub kind: Option<ChangeKind>,
    /// How the write came: `MUTATION`, `SYNC` or `CLI` (`None`: before the ledger said).
    pub via: Option<String>,
    /// The changed fields: `{"field": [before, after], …}`.
    pub changes: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// A feed entry's touchpoint.
    #[sea_orm(
        belongs_to = "super::touchpoint::Entity",
        from = "Column::EntityId",
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
