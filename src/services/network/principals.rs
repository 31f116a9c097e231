//! Turning a verified token into a [`Principal`]: from the database, or from the short-lived
//! [`PrincipalCache`](crate::store::cache::PrincipalCache) that every change to it empties.
use std::sync::Arc;

use sea_orm::{
    ColumnTrait, EntityTrait, FromQueryResult, JoinType, QueryFilter, QuerySelect, RelationTrait,
};
use uuid::Uuid;

use crate::auth::{Actor, Claims, Principal};
use crate::domain::Role;
use crate::entities::{api_client, membership, organization, partnership, user};
use crate::error::AppError;
use crate::store::db::Db;

fn unauthenticated(reason: &str) -> AppError {
    AppError::Unauthenticated(reason.into())
}

/// The caller named by `claims.sub`: an active user with a membership (the one the token
/// names, or the only one), or an API client that is not revoked.
pub async fn resolve_principal(db: &Db, claims: &Claims) -> Result<Arc<Principal>, AppError> {
    let subject = Uuid::parse_str(&claims.sub)
        .map_err(|_| unauthenticated("the access token is not valid"))?;
    current_principal(db, subject, claims.org).await
}

/// [`resolve_subject`] through the principal cache. Refusals are not cached: a caller that
/// becomes valid (a new membership) is let in at once.
pub async fn current_principal(
    db: &Db,
    subject: Uuid,
    org: Option<Uuid>,
) -> Result<Arc<Principal>, AppError> {
    let cache = db.principals();
    if let Some(found) = cache.get(&(subject, org)) {
        return Ok(found);
    }
    let seen = cache.generation();
    let principal = Arc::new(resolve_subject(db, subject, org).await?);
    cache.put(seen, [((subject, org), Arc::clone(&principal))]);
    Ok(principal)
}

/// A membership of the subject, with the user's and the organization's columns: the user
/// path of resolution in one indexed query.
#[derive(Debug, FromQueryResult)]
struct MembershipRow {
    email: String,
    user_name: String,
    deactivated_at: Option<chrono::DateTime<chrono::Utc>>,
    role: Role,
    org_id: Uuid,
    org_slug: String,
    org_name: String,
    org_kind: crate::domain::OrganizationKind,
    org_max_major_steps: i32,
    org_version: i32,
    org_created_at: chrono::DateTime<chrono::Utc>,
    org_updated_at: chrono::DateTime<chrono::Utc>,
}

impl MembershipRow {
    fn organization(&self) -> organization::Model {
        organization::Model {
            id: self.org_id,
            slug: self.org_slug.clone(),
            name: self.org_name.clone(),
            kind: self.org_kind,
            max_major_steps: self.org_max_major_steps,
            version: self.org_version,
            created_at: self.org_created_at,
            updated_at: self.org_updated_at,
        }
    }
}

async fn memberships_of(db: &Db, subject: Uuid) -> Result<Vec<MembershipRow>, AppError> {
    use organization::Column as O;
    Ok(membership::Entity::find()
        .select_only()
        .column_as(user::Column::Email, "email")
        .column_as(user::Column::Name, "user_name")
        .column_as(user::Column::DeactivatedAt, "deactivated_at")
        .column_as(membership::Column::Role, "role")
        .column_as(O::Id, "org_id")
        .column_as(O::Slug, "org_slug")
        .column_as(O::Name, "org_name")
        .column_as(O::Kind, "org_kind")
        .column_as(O::MaxMajorSteps, "org_max_major_steps")
        .column_as(O::Version, "org_version")
        .column_as(O::CreatedAt, "org_created_at")
        .column_as(O::UpdatedAt, "org_updated_at")
        .join(JoinType::InnerJoin, membership::Relation::User.def())
        .join(
            JoinType::InnerJoin,
            membership::Relation::Organization.def(),
        )
        .filter(membership::Column::UserId.eq(subject))
        .into_model::<MembershipRow>()
        .all(db.conn())
        .await?)
}

/// Loads the user or API client `subject` from the database, acting in `org` when it is a
/// user of several organizations. Two indexed queries for a user (memberships with user and organization;
/// partnerships), two for an API client.
pub async fn resolve_subject(
    db: &Db,
    subject: Uuid,
    org: Option<Uuid>,
) -> Result<Principal, AppError> {
    // Tokens of users name their organization; API clients' tokens do not: try the likely
    // kind first.
    if org.is_some() {
        if let Some(p) = as_user(db, subject, org).await? {
            return Ok(p);
        }
        if let Some(p) = as_client(db, subject).await? {
            return Ok(p);
        }
    } else {
        if let Some(p) = as_client(db, subject).await? {
            return Ok(p);
        }
        if let Some(p) = as_user(db, subject, org).await? {
            return Ok(p);
        }
    }
    Err(unauthenticated("the access token's subject does not exist"))
}

async fn as_user(db: &Db, subject: Uuid, org: Option<Uuid>) -> Result<Option<Principal>, AppError> {
    let rows = memberships_of(db, subject).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    if first.deactivated_at.is_some() {
        return Err(unauthenticated("the user is deactivated"));
    }
    let chosen = match org {
        Some(org) => rows.iter().find(|m| m.org_id == org),
        None if rows.len() == 1 => rows.first(),
        None => {
            return Err(unauthenticated(
                "the user belongs to several organizations; the token must name one",
            ))
        }
    }
    .ok_or_else(|| unauthenticated("the user is not a member of the token's organization"))?;
    let actor = Actor::User {
        id: subject,
        email: chosen.email.clone(),
        name: chosen.user_name.clone(),
    };
    principal_in(db, actor, chosen.organization(), chosen.role, false)
        .await
        .map(Some)
}

async fn as_client(db: &Db, subject: Uuid) -> Result<Option<Principal>, AppError> {
    let found = api_client::Entity::find_by_id(subject)
        .find_also_related(organization::Entity)
        .one(db.conn())
        .await?;
    let Some((client, Some(organization))) = found else {
        return Ok(None);
    };
    if client.revoked_at.is_some() {
        return Err(unauthenticated("the API client is revoked"));
    }
    let actor = Actor::ApiClient {
        id: client.id,
        name: client.name,
    };
    principal_in(
        db,
        actor,
        organization,
        client.role,
        client.free_form_documents,
    )
    .await
    .map(Some)
}

async fn principal_in(
    db: &Db,
    actor: Actor,
    organization: organization::Model,
    role: Role,
    free_form_documents: bool,
) -> Result<Principal, AppError> {
    let partnerships = partnership::Entity::find()
        .filter(partnership::Column::PartnerId.eq(organization.id))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|p| (p.brand_id, p.status))
        .collect();
    Ok(Principal {
        actor,
        organization,
        role,
        partnerships,
        free_form_documents,
    })
}

/// Why `token --email` mints no token.
#[derive(Debug, thiserror::Error)]
pub enum TokenSubjectError {
    #[error("no user with e-mail {0}")]
    NoUser(String),
    #[error("{0} is deactivated")]
    Deactivated(String),
    #[error("{email} is not a member of {slug}")]
    NotMember { email: String, slug: String },
    #[error("{0} belongs to no organization")]
    NoOrganization(String),
    #[error("{email} belongs to several organizations; pass --org with one of: {}", slugs.join(", "))]
    Several { email: String, slugs: Vec<String> },
    #[error(transparent)]
    Database(#[from] AppError),
}

/// The user with `email` and the organization a token for it acts in: the one `org` (a slug)
/// names, or the user's only one.
pub async fn token_subject(
    db: &Db,
    email: &str,
    org: Option<&str>,
) -> Result<(Uuid, Uuid), TokenSubjectError> {
    let email = email.trim().to_lowercase();
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db.conn())
        .await
        .map_err(AppError::from)?
        .ok_or_else(|| TokenSubjectError::NoUser(email.clone()))?;
    if found.deactivated_at.is_some() {
        return Err(TokenSubjectError::Deactivated(email));
    }
    let rows = memberships_of(db, found.id).await?;
    let chosen = match org {
        Some(slug) => rows.iter().find(|m| m.org_slug == slug).ok_or_else(|| {
            TokenSubjectError::NotMember {
                email: email.clone(),
                slug: slug.to_owned(),
            }
        })?,
        None => match rows.as_slice() {
            [only] => only,
            [] => return Err(TokenSubjectError::NoOrganization(email)),
            several => {
                return Err(TokenSubjectError::Several {
                    email,
                    slugs: several.iter().map(|m| m.org_slug.clone()).collect(),
                })
            }
        },
    };
    Ok((found.id, chosen.org_id))
}
