//! People in an organization: memberships and their roles (the organization's ADMINs
//! manage them).
use super::audit::{self, AuditActor, AuditRecord};
use super::bootstrap::{add_membership, find_or_create_user};
use crate::auth::Principal;
use crate::db::Db;
use crate::domain::{text, Role};
use crate::entities::membership;
use crate::error::AppResult;

/// Adds a person (created if new) to the caller's organization with `role`.
pub async fn add_member(
    db: &Db,
    p: &Principal,
    email: &str,
    name: &str,
    role: Role,
) -> AppResult<membership::Model> {
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
            after: audit::snapshot(&serde_json::json!({
                "email": user.email, "role": created.role, "organizationId": p.org_id(),
            })),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}
