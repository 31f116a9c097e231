//! People in an organization: memberships and their roles, managed by the organization's
//! ADMINs. An organization always keeps at least one ADMIN.
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use super::audit::{self, AuditActor, AuditRecord};
use super::bootstrap::{add_membership, find_or_create_user};
use crate::auth::Principal;
use crate::db::Db;
use crate::domain::{text, Role};
use crate::entities::{membership, user};
use crate::error::{AppError, AppResult};

fn snapshot(m: &membership::Model, email: &str) -> Option<serde_json::Value> {
    Some(serde_json::json!({
        "email": email, "role": m.role, "organizationId": m.organization_id,
    }))
}

/// Adds a person (created if new) to the caller's organization with `role`.
pub async fn add_member(
    db: &Db,
    p: &Principal,
    email: &str,
    name: &str,
    role: Role,
) -> AppResult<(membership::Model, user::Model)> {
    p.require_role(Role::Admin)?;
    let email = text::email("email", email)?;
    let name = text::required_line("name", name, text::NAME_MAX)?;
    let tx = db.begin_write().await?;
    let user = find_or_create_user(&tx, &email, &name).await?;
    let created = add_membership(&tx, user.id, p.org_id(), role).await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "membership.create",
            entity_type: "Membership",
            entity_id: created.id,
            brand_id: None,
            before: None,
            after: snapshot(&created, &user.email),
        },
    )
    .await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok((created, user))
}

/// The memberships of the caller's organization, each with its user (ADMINs only).
pub async fn list(
    db: &Db,
    p: &Principal,
    organization_id: Uuid,
) -> AppResult<Vec<(membership::Model, user::Model)>> {
    if organization_id != p.org_id() {
        return Err(AppError::forbidden(
            "only an organization's ADMINs see its members",
        ));
    }
    p.require_role(Role::Admin)?;
    let rows = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(organization_id))
        .find_also_related(user::Entity)
        .order_by_asc(membership::Column::CreatedAt)
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(m, u)| u.map(|u| (m, u)))
        .collect())
}

/// A membership of the caller's organization (else NOT_FOUND), for its ADMINs (else
/// FORBIDDEN).
async fn own_membership<C: ConnectionTrait>(
    conn: &C,
    p: &Principal,
    id: Uuid,
) -> AppResult<(membership::Model, user::Model)> {
    let (m, u) = membership::Entity::find_by_id(id)
        .filter(membership::Column::OrganizationId.eq(p.org_id()))
        .find_also_related(user::Entity)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("membership"))?;
    p.require_role(Role::Admin)?;
    let u = u.ok_or(AppError::NotFound("membership"))?;
    Ok((m, u))
}

/// Refuses a change that would leave the organization without an ADMIN. The ADMIN rows are
/// locked (FOR UPDATE on PostgreSQL; SQLite's write transaction already serialises), so two
/// concurrent demotions cannot both see "another ADMIN remains".
async fn keep_an_admin<C: ConnectionTrait>(conn: &C, m: &membership::Model) -> AppResult<()> {
    if m.role != Role::Admin {
        return Ok(());
    }
    let admins = membership::Entity::find()
        .filter(membership::Column::OrganizationId.eq(m.organization_id))
        .filter(membership::Column::Role.eq(Role::Admin))
        .lock_exclusive()
        .all(conn)
        .await?
        .len();
    if admins <= 1 {
        return Err(AppError::Conflict(
            "this is the organization's last ADMIN: make someone else ADMIN first".into(),
        ));
    }
    Ok(())
}

pub async fn update_role(
    db: &Db,
    p: &Principal,
    membership_id: Uuid,
    role: Role,
) -> AppResult<(membership::Model, user::Model)> {
    let tx = db.begin_write().await?;
    let (current, u) = own_membership(&tx, p, membership_id).await?;
    if current.role == role {
        return Ok((current, u));
    }
    keep_an_admin(&tx, &current).await?;
    let mut active = current.clone().into_active_model();
    active.role = Set(role);
    let saved = active.update(&tx).await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "membership.update",
            entity_type: "Membership",
            entity_id: saved.id,
            brand_id: None,
            before: snapshot(&current, &u.email),
            after: snapshot(&saved, &u.email),
        },
    )
    .await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok((saved, u))
}

/// Removes a membership; the person loses access on their next request.
pub async fn remove(db: &Db, p: &Principal, membership_id: Uuid) -> AppResult<Uuid> {
    let tx = db.begin_write().await?;
    let (current, u) = own_membership(&tx, p, membership_id).await?;
    keep_an_admin(&tx, &current).await?;
    membership::Entity::delete_by_id(current.id)
        .exec(&tx)
        .await?;
    audit::record(
        &tx,
        &AuditActor::from(p),
        AuditRecord {
            action: "membership.remove",
            entity_type: "Membership",
            entity_id: current.id,
            brand_id: None,
            before: snapshot(&current, &u.email),
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    db.caches_changed().await;
    Ok(current.id)
}
