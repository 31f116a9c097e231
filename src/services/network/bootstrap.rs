//! Starting a network: a new brand with its default phases and first admin.
//!
//! Used by the `create-brand` command (an operator, not an API caller) and by the demo.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use uuid::Uuid;

use crate::clock;
use crate::domain::{text, OrganizationKind, Role};
use crate::entities::{membership, organization, phase, user};
use crate::error::{AppError, AppResult};
use crate::services::ledger::{AuditActor, Changes, Entry};
use crate::services::write::Write;
use crate::store::db::Db;

/// The phases every new brand starts with (DESIGN.md §1), editable and reorderable later.
pub const DEFAULT_PHASES: [&str; 6] = [
    "Awareness",
    "Consideration",
    "Purchase",
    "Onboarding & use",
    "Service & support",
    "Loyalty & advocacy",
];

pub struct NewBrand<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub admin_email: &'a str,
    pub admin_name: Option<&'a str>,
}

/// Creates a brand, its default phases and its first ADMIN (an existing user with that
/// e-mail is reused). Fails with CONFLICT when the slug is taken.
pub async fn create_brand(
    db: &Db,
    actor: &AuditActor,
    input: NewBrand<'_>,
) -> AppResult<(organization::Model, user::Model)> {
    let name = text::required_line("name", input.name, text::NAME_MAX)?;
    let slug = text::slug("slug", input.slug)?;
    let email = text::email("adminEmail", input.admin_email)?;
    let admin_name = match input.admin_name {
        Some(n) => text::required_line("adminName", n, text::NAME_MAX)?,
        None => email.split('@').next().unwrap_or("admin").to_owned(),
    };
    let mut w = Write::begin(db, actor.clone()).await?;
    let brand = create_organization(w.conn(), &name, &slug, OrganizationKind::Brand).await?;
    create_default_phases(w.conn(), brand.id).await?;
    let admin = find_or_create_user(w.conn(), &email, &admin_name).await?;
    add_membership(w.conn(), admin.id, brand.id, Role::Admin).await?;
    let fields = serde_json::json!({
        "slug": brand.slug, "name": brand.name, "kind": brand.kind, "adminEmail": admin.email,
    });
    w.record(Entry {
        action: "organization.create",
        entity_type: "Organization",
        entity_id: brand.id,
        brand_id: Some(brand.id),
        version: Some(brand.version),
        kind: None,
        changes: Changes::between(&serde_json::Value::Null, &fields),
    })
    .await?;
    w.commit().await?;
    Ok((brand, admin))
}

/// Inserts an organization; CONFLICT (field `slug`) when the slug is taken.
pub async fn create_organization<C: ConnectionTrait>(
    conn: &C,
    name: &str,
    slug: &str,
    kind: OrganizationKind,
) -> AppResult<organization::Model> {
    let taken = organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(conn)
        .await?
        .is_some();
    if taken {
        return Err(AppError::Conflict(format!(
            "an organization with slug `{slug}` already exists"
        )));
    }
    let now = clock::now();
    Ok(organization::ActiveModel {
        id: Set(Uuid::now_v7()),
        slug: Set(slug.to_owned()),
        name: Set(name.to_owned()),
        kind: Set(kind),
        max_major_steps: Set(10),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?)
}

async fn create_default_phases<C: ConnectionTrait>(conn: &C, brand_id: Uuid) -> AppResult<()> {
    let now = clock::now();
    for (position, name) in DEFAULT_PHASES.iter().enumerate() {
        phase::ActiveModel {
            id: Set(Uuid::now_v7()),
            brand_id: Set(brand_id),
            name: Set((*name).to_owned()),
            position: Set(position as i32),
            key_metric: Set(None),
            version: Set(1),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(conn)
        .await?;
    }
    Ok(())
}

/// The user with this (already normalised) e-mail, created if new.
pub async fn find_or_create_user<C: ConnectionTrait>(
    conn: &C,
    email: &str,
    name: &str,
) -> AppResult<user::Model> {
    if let Some(existing) = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(conn)
        .await?
    {
        return Ok(existing);
    }
    Ok(user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.to_owned()),
        name: Set(name.to_owned()),
        deactivated_at: Set(None),
        created_at: Set(clock::now()),
    }
    .insert(conn)
    .await?)
}

/// Adds a membership; CONFLICT when the user is already a member of the organization.
pub async fn add_membership<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    organization_id: Uuid,
    role: Role,
) -> AppResult<membership::Model> {
    let model = new_membership(conn, user_id, organization_id, role).await?;
    Ok(model.into_active_model().insert(conn).await?)
}

/// A new membership, not yet stored; CONFLICT when the user is already a member of the
/// organization.
pub async fn new_membership<C: ConnectionTrait>(
    conn: &C,
    user_id: Uuid,
    organization_id: Uuid,
    role: Role,
) -> AppResult<membership::Model> {
    let exists = membership::Entity::find()
        .filter(membership::Column::UserId.eq(user_id))
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .one(conn)
        .await?
        .is_some();
    if exists {
        return Err(AppError::Conflict(
            "the user is already a member of this organization".into(),
        ));
    }
    Ok(membership::Model {
        id: Uuid::now_v7(),
        user_id,
        organization_id,
        role,
        version: 1,
        created_at: clock::now(),
    })
}
