//! API clients: an organization's machine identities for integration scripts.
//!
//! A client acts as its organization with its own role. Its secret is high-entropy, shown
//! once at creation and stored only as a SHA-256 hash (a slow password hash buys nothing
//! for 256 random bits); it is compared in constant time.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::auth::Principal;
use crate::clock;
use crate::domain::{text, Role};
use crate::entities::api_client;
use crate::error::{AppError, AppResult};
use crate::services::ledger::AuditActor;
use crate::services::write::{Action, Write};
use crate::store::db::Db;

/// Secrets start with this, so secret scanners and people recognise them.
const SECRET_PREFIX: &str = "tpr_";

fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
}

fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// What a client is created with, or changed to (`None`: kept).
#[derive(Debug, Clone, Default)]
pub struct ClientFields {
    pub name: Option<String>,
    pub role: Option<Role>,
    /// May send documents outside the trusted documents (integration scripts).
    pub free_form_documents: Option<bool>,
}

/// Creates a client of the caller's organization (its ADMINs only); returns it and its
/// secret, which is never shown again.
pub async fn create(
    db: &Db,
    p: &Principal,
    name: &str,
    role: Role,
    free_form_documents: bool,
) -> AppResult<(api_client::Model, String)> {
    p.require_role(Role::Admin)?;
    let name = text::required_line("name", name, text::NAME_MAX)?;
    let secret = new_secret();
    let mut w = Write::begin(db, AuditActor::from(p)).await?;
    let created = w
        .insert::<api_client::Entity>(
            Action::new("api_client.create"),
            api_client::Model {
                id: Uuid::now_v7(),
                organization_id: p.org_id(),
                name,
                role,
                secret_hash: hash(&secret),
                created_at: clock::now(),
                revoked_at: None,
                free_form_documents,
                version: 1,
            },
        )
        .await?;
    w.commit().await?;
    Ok((created, secret))
}

/// Revokes a client of the caller's organization; its tokens stop working on their next
/// request.
pub async fn revoke(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
) -> AppResult<api_client::Model> {
    change(db, p, id, expected_version, "api_client.revoke", |next| {
        next.revoked_at = next.revoked_at.or(Some(clock::now()));
        Ok(())
    })
    .await
}

/// Renames a client, changes its role or whether it may send free-form documents; the
/// change applies from its next request.
pub async fn update(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    fields: ClientFields,
) -> AppResult<api_client::Model> {
    change(db, p, id, expected_version, "api_client.update", |next| {
        if let Some(name) = &fields.name {
            next.name = text::required_line("name", name, text::NAME_MAX)?;
        }
        if let Some(role) = fields.role {
            next.role = role;
        }
        if let Some(free_form) = fields.free_form_documents {
            next.free_form_documents = free_form;
        }
        Ok(())
    })
    .await
}

/// A versioned write to one client of the caller's organization, by its ADMIN.
async fn change(
    db: &Db,
    p: &Principal,
    id: Uuid,
    expected_version: Option<i32>,
    action: &'static str,
    apply: impl FnOnce(&mut api_client::Model) -> AppResult<()>,
) -> AppResult<api_client::Model> {
    let w = Write::begin(db, AuditActor::from(p)).await?;
    let current = api_client::Entity::find_by_id(id)
        .filter(api_client::Column::OrganizationId.eq(p.org_id()))
        .one(w.conn())
        .await?
        .ok_or(AppError::NotFound("API client"))?;
    p.require_role(Role::Admin)?;
    w.change::<api_client::Entity>(Action::new(action), current, expected_version, |next| {
        apply(next)?;
        Ok(())
    })
    .await
}

/// The organization's clients (its ADMINs only).
pub async fn list(
    db: &Db,
    p: &Principal,
    organization_id: Uuid,
) -> AppResult<Vec<api_client::Model>> {
    p.require_admin_of(organization_id, "API clients")?;
    Ok(api_client::Entity::find()
        .filter(api_client::Column::OrganizationId.eq(organization_id))
        .order_by_asc(api_client::Column::CreatedAt)
        .all(db.conn())
        .await?)
}

/// The active client with this id and secret, or `None`. Takes the same time whether the
/// id exists or not, and compares hashes in constant time.
pub async fn authenticate(
    db: &Db,
    client_id: &str,
    secret: &str,
) -> AppResult<Option<api_client::Model>> {
    let presented = hash(secret);
    let found = match Uuid::parse_str(client_id) {
        Ok(id) => api_client::Entity::find_by_id(id).one(db.conn()).await?,
        Err(_) => None,
    };
    let stored = found
        .as_ref()
        .map_or_else(|| hash("no such client"), |c| c.secret_hash.clone());
    let matches: bool = stored.as_bytes().ct_eq(presented.as_bytes()).into();
    Ok(found.filter(|c| matches && c.revoked_at.is_none()))
}
