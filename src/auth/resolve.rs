//! Turning a verified token into a [`Principal`], from the database, on every request.
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::principal::{Actor, Principal};
use super::tokens::Claims;
use crate::db::Db;
use crate::entities::{api_client, membership, organization, partnership, user};
use crate::error::AppError;

fn unauthenticated(reason: &str) -> AppError {
    AppError::Unauthenticated(reason.into())
}

/// Loads the caller named by `claims.sub`: an active user with a membership (the one the
/// token names, or the only one), or an API client that is not revoked.
pub async fn resolve_principal(db: &Db, claims: &Claims) -> Result<Principal, AppError> {
    let subject = Uuid::parse_str(&claims.sub)
        .map_err(|_| unauthenticated("the access token is not valid"))?;
    resolve_subject(db, subject, claims.org).await
}

/// Loads the user or API client `subject`, acting in `org` when it is a user of several
/// organizations.
pub async fn resolve_subject(
    db: &Db,
    subject: Uuid,
    org: Option<Uuid>,
) -> Result<Principal, AppError> {
    let conn = db.conn();
    if let Some(found) = user::Entity::find_by_id(subject).one(conn).await? {
        if found.deactivated_at.is_some() {
            return Err(unauthenticated("the user is deactivated"));
        }
        let memberships = membership::Entity::find()
            .filter(membership::Column::UserId.eq(found.id))
            .all(conn)
            .await?;
        let chosen = match org {
            Some(org) => memberships.into_iter().find(|m| m.organization_id == org),
            None if memberships.len() == 1 => memberships.into_iter().next(),
            None if memberships.is_empty() => None,
            None => {
                return Err(unauthenticated(
                    "the user belongs to several organizations; the token must name one",
                ))
            }
        };
        let chosen = chosen.ok_or_else(|| {
            unauthenticated("the user is not a member of the token's organization")
        })?;
        let actor = Actor::User {
            id: found.id,
            email: found.email,
            name: found.name,
        };
        return principal_in(db, actor, chosen.organization_id, chosen.role).await;
    }
    if let Some(client) = api_client::Entity::find_by_id(subject).one(conn).await? {
        if client.revoked_at.is_some() {
            return Err(unauthenticated("the API client is revoked"));
        }
        let actor = Actor::ApiClient {
            id: client.id,
            name: client.name,
        };
        return principal_in(db, actor, client.organization_id, client.role).await;
    }
    Err(unauthenticated("the access token's subject does not exist"))
}

async fn principal_in(
    db: &Db,
    actor: Actor,
    organization_id: Uuid,
    role: crate::domain::Role,
) -> Result<Principal, AppError> {
    let conn = db.conn();
    let organization = organization::Entity::find_by_id(organization_id)
        .one(conn)
        .await?
        .ok_or_else(|| unauthenticated("the organization no longer exists"))?;
    let partnerships = partnership::Entity::find()
        .filter(partnership::Column::PartnerId.eq(organization_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|p| (p.brand_id, p.status))
        .collect();
    Ok(Principal {
        actor,
        organization,
        role,
        partnerships,
    })
}
