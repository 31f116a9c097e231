//! People in an organization: memberships and their roles, managed by the organization's
//! ADMINs. An organization always keeps at least one ADMIN.
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::Principal;
use crate::domain::{text, Role};
use crate::entities::{membership, user};
use crate::error::{AppError, AppResult};
use crate::services::ledger::AuditActor;
use crate::services::network::bootstrap::{find_or_create_user, new_membership};
use crate::services::write::{Action, Write};
use crate::store::db::Db;

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
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let user = find_or_create_user(w.conn(), &email, &name).await?;
    let created = w
        .insert::<membership::Entity>(
            Action::new("membership.create"),
            new_membership(w.conn(), user.id, p.org_id(), role).await?,
        )
        .await?;
    w.commit().await?;
    Ok((created, user))
}

/// The memberships of the caller's organization, each with its user (ADMINs only).
pub async fn list(
    db: &Db,
    p: &Principal,
    organization_id: Uuid,
) -> AppResult<Vec<(membership::Model, user::Model)>> {
    p.require_admin_of(organization_id, "members")?;
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
    expected_version: Option<i32>,
) -> AppResult<(membership::Model, user::Model)> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let (current, u) = own_membership(w.conn(), p, membership_id).await?;
    if current.role != role {
        keep_an_admin(w.conn(), &current).await?;
    }
    let mut next = current.clone();
    next.role = role;
    let saved = w
        .update::<membership::Entity>(
            Action::new("membership.update"),
            &current,
            expected_version,
            next,
        )
        .await?;
    w.commit().await?;
    Ok((saved, u))
}

/// Removes a membership; the person loses access on their next request.
pub async fn remove(
    db: &Db,
    p: &Principal,
    membership_id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<Uuid> {
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let (current, _) = own_membership(w.conn(), p, membership_id).await?;
    keep_an_admin(w.conn(), &current).await?;
    w.delete::<membership::Entity>(Action::new("membership.remove"), &current, expected_version)
        .await?;
    w.commit().await?;
    Ok(current.id)
}
