//! A brand's network as the caller may see it: the brand, its phases, principles and
//! partnerships.
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::auth::{NetworkRelation, Principal};
use crate::domain::{OrganizationKind, PartnershipStatus};
use crate::entities::{organization, partnership, phase, principle};
use crate::error::{AppError, AppResult};
use crate::services::ledger::AuditActor;
use crate::services::network::organizations::{find_by_key, OrgKey};
use crate::services::write::{Action, Write};
use crate::store::db::Db;

/// The brand, if the caller belongs to its network (as the brand or a partner of any
/// status).
pub async fn find(db: &Db, p: &Principal, key: &OrgKey) -> AppResult<Option<organization::Model>> {
    let Some(org) = find_by_key(db.conn(), key).await? else {
        return Ok(None);
    };
    let known = org.kind == OrganizationKind::Brand && p.relation(org.id) != NetworkRelation::None;
    Ok(known.then_some(org))
}

/// Fails with NOT_FOUND unless the caller belongs to the brand's network.
pub fn require_known(p: &Principal, brand_id: Uuid) -> AppResult<()> {
    match p.relation(brand_id) {
        NetworkRelation::None => Err(AppError::NotFound("brand")),
        _ => Ok(()),
    }
}

/// The brand's phases in order.
pub async fn phases(db: &Db, p: &Principal, brand_id: Uuid) -> AppResult<Vec<phase::Model>> {
    require_known(p, brand_id)?;
    Ok(phase::Entity::find()
        .filter(phase::Column::BrandId.eq(brand_id))
        .order_by_asc(phase::Column::Position)
        .order_by_asc(phase::Column::Id)
        .all(db.conn())
        .await?)
}

/// The brand's principles, oldest first; archived ones only when asked.
pub async fn principles(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    include_archived: bool,
) -> AppResult<Vec<principle::Model>> {
    require_known(p, brand_id)?;
    let mut query = principle::Entity::find().filter(principle::Column::BrandId.eq(brand_id));
    if !include_archived {
        query = query.filter(principle::Column::ArchivedAt.is_null());
    }
    Ok(query
        .order_by_asc(principle::Column::CreatedAt)
        .order_by_asc(principle::Column::Id)
        .all(db.conn())
        .await?)
}

/// Whether the caller sees this partnership (the same rule as [`partnerships`]).
pub fn can_see_partnership(p: &Principal, ps: &partnership::Model) -> bool {
    match p.relation(ps.brand_id) {
        NetworkRelation::None => false,
        NetworkRelation::Brand => true,
        NetworkRelation::Partner(PartnershipStatus::Active) => {
            ps.status == PartnershipStatus::Active || ps.partner_id == p.org_id()
        }
        NetworkRelation::Partner(_) => ps.partner_id == p.org_id(),
    }
}

/// The brand's partnerships: all of them for the brand; the ACTIVE ones (and its own) for
/// an active partner; only its own for a partner that is not active.
pub async fn partnerships(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
) -> AppResult<Vec<partnership::Model>> {
    let mut cond = Condition::all().add(partnership::Column::BrandId.eq(brand_id));
    match p.relation(brand_id) {
        NetworkRelation::None => return Err(AppError::NotFound("brand")),
        NetworkRelation::Brand => {}
        NetworkRelation::Partner(PartnershipStatus::Active) => {
            cond = cond.add(
                Condition::any()
                    .add(partnership::Column::Status.eq(PartnershipStatus::Active))
                    .add(partnership::Column::PartnerId.eq(p.org_id())),
            );
        }
        NetworkRelation::Partner(_) => {
            cond = cond.add(partnership::Column::PartnerId.eq(p.org_id()));
        }
    }
    Ok(partnership::Entity::find()
        .filter(cond)
        .order_by_asc(partnership::Column::CreatedAt)
        .order_by_asc(partnership::Column::Id)
        .all(db.conn())
        .await?)
}

/// Sets the brand's insight thresholds (brand ADMIN).
pub async fn update_settings(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    expected_version: Option<i32>,
    max_major_steps: Option<i32>,
) -> AppResult<organization::Model> {
    p.require_brand_role(brand_id, crate::domain::Role::Admin)?;
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = organization::Entity::find_by_id(brand_id)
        .one(w.conn())
        .await?
        .ok_or(AppError::NotFound("brand"))?;
    w.change::<organization::Entity>(
        Action::new("brand.update_settings"),
        current,
        expected_version,
        |next| {
            if let Some(max) = max_major_steps {
                if !(1..=100).contains(&max) {
                    return Err(AppError::bad_input(
                        "maxMajorSteps",
                        "maxMajorSteps must be between 1 and 100",
                    ));
                }
                next.max_major_steps = max;
            }
            Ok(())
        },
    )
    .await
}
