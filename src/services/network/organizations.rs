//! Organizations as the caller may see them.
//!
//! A caller sees its own organization, the brands it has a partnership with, and — in a
//! network it reads (its own brand, or one where its partnership is ACTIVE) — the member
//! organizations of that network.
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::{NetworkRelation, Principal};
use crate::entities::{organization, partnership};
use crate::error::AppResult;
use crate::store::db::Db;

/// How a client names an organization or a brand.
#[derive(Debug, Clone)]
pub enum OrgKey {
    Id(Uuid),
    Slug(String),
}

pub async fn find_by_key<C: ConnectionTrait>(
    conn: &C,
    key: &OrgKey,
) -> AppResult<Option<organization::Model>> {
    let query = organization::Entity::find();
    let query = match key {
        OrgKey::Id(id) => query.filter(organization::Column::Id.eq(*id)),
        OrgKey::Slug(slug) => query.filter(organization::Column::Slug.eq(slug.as_str())),
    };
    Ok(query.one(conn).await?)
}

/// The organization, if the caller may see it; `None` otherwise (it does not exist for them).
pub async fn find_visible(
    db: &Db,
    p: &Principal,
    key: &OrgKey,
) -> AppResult<Option<organization::Model>> {
    let Some(org) = find_by_key(db.conn(), key).await? else {
        return Ok(None);
    };
    Ok(can_see(db, p, &org).await?.then_some(org))
}

pub async fn can_see(db: &Db, p: &Principal, org: &organization::Model) -> AppResult<bool> {
    if org.id == p.org_id() || p.relation(org.id) != NetworkRelation::None {
        return Ok(true);
    }
    let networks = p.readable_networks();
    if networks.is_empty() {
        return Ok(false);
    }
    let members = partnership::Entity::find()
        .filter(
            Condition::all()
                .add(partnership::Column::PartnerId.eq(org.id))
                .add(partnership::Column::BrandId.is_in(networks)),
        )
        .count(db.conn())
        .await?;
    Ok(members > 0)
}
