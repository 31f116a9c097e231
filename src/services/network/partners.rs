//! A brand's partners: creating or linking a partner organization, and its partnership
//! status.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::Principal;
use crate::clock;
use crate::domain::{text, OrganizationKind, PartnershipStatus, Role};
use crate::entities::partnership;
use crate::error::{AppError, AppResult};
use crate::services::ledger::AuditActor;
use crate::services::network::bootstrap::{
    add_membership, create_organization, find_or_create_user,
};
use crate::services::network::organizations::{find_by_key, OrgKey};
use crate::services::write::{Action, Write};
use crate::store::db::Db;

/// A new partner organization, or an existing one named by slug.
pub struct NewPartner {
    pub slug: String,
    /// Required for a new organization.
    pub name: Option<String>,
    pub kind: Option<OrganizationKind>,
    pub tier: Option<String>,
    /// The first ADMIN of a new organization.
    pub admin_email: Option<String>,
    pub admin_name: Option<String>,
}

/// Adds a partner to the caller's brand (brand ADMIN only). An existing organization is
/// linked by slug; a new one is created with its first ADMIN. The partnership starts ACTIVE.
pub async fn create_partner(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    input: NewPartner,
) -> AppResult<partnership::Model> {
    p.require_brand_role(brand_id, Role::Admin)?;
    let slug = text::slug("slug", &input.slug)?;
    let tier = text::optional_line("tier", input.tier.as_deref(), 100)?;
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let existing = find_by_key(w.conn(), &OrgKey::Slug(slug.clone())).await?;
    let partner = match existing {
        Some(org) => {
            if org.id == brand_id {
                return Err(AppError::bad_input(
                    "slug",
                    "a brand cannot partner with itself",
                ));
            }
            org
        }
        None => {
            let name = text::required_line(
                "name",
                input.name.as_deref().unwrap_or_default(),
                text::NAME_MAX,
            )?;
            let kind = input.kind.unwrap_or(OrganizationKind::Other);
            if kind == OrganizationKind::Brand {
                return Err(AppError::bad_input("kind", "a partner is not a BRAND"));
            }
            let email = text::email(
                "adminEmail",
                input.admin_email.as_deref().unwrap_or_default(),
            )?;
            let admin_name = text::required_line(
                "adminName",
                input.admin_name.as_deref().unwrap_or_default(),
                text::NAME_MAX,
            )?;
            let org = create_organization(w.conn(), &name, &slug, kind).await?;
            let admin = find_or_create_user(w.conn(), &email, &admin_name).await?;
            add_membership(w.conn(), admin.id, org.id, Role::Admin).await?;
            org
        }
    };
    let already = partnership::Entity::find()
        .filter(partnership::Column::BrandId.eq(brand_id))
        .filter(partnership::Column::PartnerId.eq(partner.id))
        .one(w.conn())
        .await?;
    if already.is_some() {
        return Err(AppError::Conflict(format!(
            "`{slug}` is already a partner of this brand"
        )));
    }
    let now = clock::now();
    let created = w
        .insert::<partnership::Entity>(
            Action::new("partnership.create"),
            partnership::Model {
                id: Uuid::now_v7(),
                brand_id,
                partner_id: partner.id,
                tier,
                status: PartnershipStatus::Active,
                version: 1,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
    w.commit().await?;
    Ok(created)
}

/// Sets a partnership's status (brand ADMIN only); takes effect on the partner's next
/// request.
pub async fn set_status(
    db: &Db,
    p: &Principal,
    partnership_id: Uuid,
    status: PartnershipStatus,
    expected_version: Option<i32>,
) -> AppResult<partnership::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = partnership::Entity::find_by_id(partnership_id)
        .one(w.conn())
        .await?
        .filter(|ps| crate::services::network::brands::can_see_partnership(p, ps))
        .ok_or(AppError::NotFound("partnership"))?;
    p.require_brand_role(current.brand_id, Role::Admin)?;
    w.change::<partnership::Entity>(
        Action::new("partnership.set_status"),
        current,
        expected_version,
        |next| {
            next.status = status;
            Ok(())
        },
    )
    .await
}
