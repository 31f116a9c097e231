//! A brand's partners: creating or linking a partner organization, and its partnership
//! status.
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, Set};
use uuid::Uuid;

use super::audit::{self, AuditActor, AuditRecord};
use super::bootstrap::{add_membership, create_organization, find_or_create_user};
use super::organizations::{find_by_key, OrgKey};
use crate::auth::Principal;
use crate::clock;
use crate::db::Db;
use crate::domain::{text, OrganizationKind, PartnershipStatus, Role};
use crate::entities::partnership;
use crate::error::{AppError, AppResult};

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
    let tx = db.begin_write().await?;
    let existing = find_by_key(&tx, &OrgKey::Slug(slug.clone())).await?;
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
            let org = create_organization(&tx, &name, &slug, kind).await?;
            let admin = find_or_create_user(&tx, &email, &admin_name).await?;
            add_membership(&tx, admin.id, org.id, Role::Admin).await?;
            org
        }
    };
    let already = partnership::Entity::find()
        .filter(partnership::Column::BrandId.eq(brand_id))
        .filter(partnership::Column::PartnerId.eq(partner.id))
        .one(&tx)
        .await?;
    if already.is_some() {
        return Err(AppError::Conflict(format!(
            "`{slug}` is already a partner of this brand"
        )));
    }
    let now = clock::now();
    let created = partnership::ActiveModel {
        id: Set(Uuid::now_v7()),
        brand_id: Set(brand_id),
        partner_id: Set(partner.id),
        tier: Set(tier),
        status: Set(PartnershipStatus::Active),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&tx)
    .await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "partnership.create",
            entity_type: "Partnership",
            entity_id: created.id,
            brand_id: Some(brand_id),
            before: None,
            after: audit::snapshot(&serde_json::json!({
                "partner": partner.slug, "tier": created.tier, "status": created.status,
            })),
        },
    )
    .await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok(created)
}

/// Sets a partnership's status (brand ADMIN only); takes effect on the partner's next
/// request.
pub async fn set_status(
    db: &Db,
    p: &Principal,
    partnership_id: Uuid,
    status: PartnershipStatus,
) -> AppResult<partnership::Model> {
    let tx = db.begin_write().await?;
    let current = partnership::Entity::find_by_id(partnership_id)
        .one(&tx)
        .await?
        .filter(|ps| super::brands::can_see_partnership(p, ps))
        .ok_or(AppError::NotFound("partnership"))?;
    p.require_brand_role(current.brand_id, Role::Admin)?;
    if current.status == status {
        return Ok(current);
    }
    let mut active = current.clone().into_active_model();
    active.status = Set(status);
    active.updated_at = Set(clock::now());
    let saved = active.update(&tx).await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "partnership.set_status",
            entity_type: "Partnership",
            entity_id: saved.id,
            brand_id: Some(saved.brand_id),
            before: audit::snapshot(&serde_json::json!({ "status": current.status })),
            after: audit::snapshot(&serde_json::json!({ "status": saved.status })),
        },
    )
    .await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok(saved)
}
