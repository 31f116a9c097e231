//! The caller of one request, as the database says it is right now.
use uuid::Uuid;

use crate::domain::{OrganizationKind, PartnershipStatus, Role};
use crate::entities::organization;
use crate::error::AppError;

/// Who acts: a person or an organization's integration script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User {
        id: Uuid,
        email: String,
        name: String,
    },
    ApiClient {
        id: Uuid,
        name: String,
    },
}

/// How the caller's organization stands in one brand's network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkRelation {
    /// The caller's organization is the brand.
    Brand,
    /// The caller's organization is a partner of the brand, with this status.
    Partner(PartnershipStatus),
    /// No relation: the brand's network does not exist for the caller.
    None,
}

/// A resolved caller: identity, organization, role, and the networks it partners in.
#[derive(Debug, Clone)]
pub struct Principal {
    pub actor: Actor,
    pub organization: organization::Model,
    pub role: Role,
    /// (brand id, status) of every partnership in which the organization is the partner.
    pub partnerships: Vec<(Uuid, PartnershipStatus)>,
    /// May send documents outside the trusted documents when the server requires them: an
    /// API client marked so (an integration script); never a user.
    pub free_form_documents: bool,
}

impl Principal {
    pub fn org_id(&self) -> Uuid {
        self.organization.id
    }

    pub fn actor_id(&self) -> Uuid {
        match &self.actor {
            Actor::User { id, .. } | Actor::ApiClient { id, .. } => *id,
        }
    }

    /// A readable label for audit entries and ratings.
    pub fn actor_label(&self) -> String {
        match &self.actor {
            Actor::User { email, .. } => email.clone(),
            Actor::ApiClient { name, .. } => format!("api-client:{name}"),
        }
    }

    pub fn is_brand(&self) -> bool {
        self.organization.kind == OrganizationKind::Brand
    }

    pub fn relation(&self, brand_id: Uuid) -> NetworkRelation {
        if brand_id == self.organization.id && self.is_brand() {
            return NetworkRelation::Brand;
        }
        self.partnerships
            .iter()
            .find(|(brand, _)| *brand == brand_id)
            .map_or(NetworkRelation::None, |(_, status)| {
                NetworkRelation::Partner(*status)
            })
    }

    /// Brands whose network the caller reads in full (its own, and active partnerships).
    pub fn readable_networks(&self) -> Vec<Uuid> {
        let mut brands: Vec<Uuid> = self
            .partnerships
            .iter()
            .filter(|(_, status)| *status == PartnershipStatus::Active)
            .map(|(brand, _)| *brand)
            .collect();
        if self.is_brand() {
            brands.push(self.organization.id);
        }
        brands
    }

    /// Brands the caller has any relation to (it sees their phases and principles).
    pub fn known_brands(&self) -> Vec<Uuid> {
        let mut brands: Vec<Uuid> = self.partnerships.iter().map(|(b, _)| *b).collect();
        if self.is_brand() {
            brands.push(self.organization.id);
        }
        brands
    }

    /// Active partner brands only (not the caller's own brand).
    pub fn active_partner_brands(&self) -> Vec<Uuid> {
        self.partnerships
            .iter()
            .filter(|(_, status)| *status == PartnershipStatus::Active)
            .map(|(brand, _)| *brand)
            .collect()
    }

    /// The caller may write in this brand's network (its own org's touchpoints, journeys…):
    /// an ADMIN or EDITOR of the brand or of an ACTIVE partner. An unknown brand is
    /// NOT_FOUND; a known one the caller may not write in is FORBIDDEN.
    pub fn require_writer_in(&self, brand_id: Uuid) -> Result<(), AppError> {
        match self.relation(brand_id) {
            NetworkRelation::None => Err(AppError::NotFound("brand")),
            NetworkRelation::Partner(status) if status != PartnershipStatus::Active => Err(
                AppError::forbidden("the partnership with this brand is not active"),
            ),
            _ => self.require_role(Role::Editor),
        }
    }

    /// The caller's organization owns the record (`owner_id`) and may write in its brand's
    /// network (see [`Self::require_writer_in`]); another organization's record is FORBIDDEN,
    /// with `why` as the message.
    pub fn require_own_writable(
        &self,
        owner_id: Uuid,
        brand_id: Uuid,
        why: &'static str,
    ) -> Result<(), AppError> {
        if owner_id != self.org_id() {
            return Err(AppError::forbidden(why));
        }
        self.require_writer_in(brand_id)
    }

    /// The caller is the brand itself, with at least `role`; a partner is FORBIDDEN, a
    /// stranger NOT_FOUND.
    pub fn require_brand_role(&self, brand_id: Uuid, role: Role) -> Result<(), AppError> {
        match self.relation(brand_id) {
            NetworkRelation::None => Err(AppError::NotFound("brand")),
            NetworkRelation::Partner(_) => Err(AppError::forbidden("only the brand may do this")),
            NetworkRelation::Brand => self.require_role(role),
        }
    }

    /// The caller's role is at least `role` (ADMIN > EDITOR > VIEWER).
    /// FORBIDDEN unless the caller is an ADMIN of `organization_id`, its own organization:
    /// only they see its `what` (members, API clients, webhook endpoints).
    pub fn require_admin_of(&self, organization_id: Uuid, what: &str) -> Result<(), AppError> {
        if organization_id != self.org_id() {
            return Err(AppError::forbidden(format!(
                "only an organization's ADMINs see its {what}"
            )));
        }
        self.require_role(Role::Admin)
    }

    pub fn require_role(&self, role: Role) -> Result<(), AppError> {
        if rank(self.role) >= rank(role) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "this needs the {} role",
                match role {
                    Role::Admin => "ADMIN",
                    Role::Editor => "EDITOR",
                    Role::Viewer => "VIEWER",
                }
            )))
        }
    }
}

fn rank(role: Role) -> u8 {
    match role {
        Role::Viewer => 0,
        Role::Editor => 1,
        Role::Admin => 2,
    }
}

#[cfg(test)]
impl Principal {
    /// An editor of a fresh dealer acting through an API client, for unit tests.
    pub(crate) fn dealer_editor_for_tests() -> Self {
        let now = chrono::Utc::now();
        Self {
            actor: Actor::ApiClient {
                id: Uuid::new_v4(),
                name: "dms".into(),
            },
            organization: organization::Model {
                id: Uuid::new_v4(),
                slug: "dealer".into(),
                name: "Dealer".into(),
                kind: OrganizationKind::Dealer,
                max_major_steps: 7,
                version: 1,
                created_at: now,
                updated_at: now,
            },
            role: Role::Editor,
            partnerships: vec![],
            free_form_documents: false,
        }
    }
}
