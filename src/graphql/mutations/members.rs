//! The caller's organization's people and API clients (its ADMINs).
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use crate::domain::Role;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::{parse_id, to_id};
use crate::graphql::types::api_client::ApiClient;
use crate::graphql::types::member::Membership;
use crate::services::{network::api_clients, network::members};

#[derive(Debug, Clone, InputObject)]
pub struct AddMemberInput {
    /// An existing user is added; a new e-mail creates the user.
    pub email: String,
    pub name: String,
    pub role: Role,
}

#[derive(Debug, Clone, InputObject)]
pub struct UpdateMemberInput {
    pub membership_id: ID,
    pub role: Role,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RemoveMemberInput {
    pub membership_id: ID,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(Debug, Clone, InputObject)]
pub struct CreateApiClientInput {
    pub name: String,
    /// The client never exceeds this role.
    pub role: Role,
    /// Whether the client may send documents that are not trusted documents when the server
    /// requires them (`PERSISTED_OPERATIONS=required`): for integration scripts.
    #[graphql(default)]
    pub free_form_documents: bool,
}

#[derive(Debug, Clone, InputObject)]
pub struct UpdateApiClientInput {
    pub id: ID,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
    pub name: Option<String>,
    pub role: Option<Role>,
    /// Whether the client may send documents that are not trusted documents.
    pub free_form_documents: Option<bool>,
}

#[derive(Debug, Clone, InputObject)]
pub struct RevokeApiClientInput {
    pub id: ID,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct MembershipPayload {
    pub membership: Membership,
}

#[derive(SimpleObject)]
pub struct RemoveMemberPayload {
    pub removed_membership_id: ID,
}

#[derive(SimpleObject)]
pub struct CreateApiClientPayload {
    pub api_client: ApiClient,
    /// `client_id` for `POST /auth/token`.
    pub client_id: ID,
    /// Shown once: store it now; only its hash is kept.
    pub client_secret: String,
}

#[derive(SimpleObject)]
pub struct ApiClientPayload {
    pub api_client: ApiClient,
}

#[derive(Default)]
pub struct MemberMutation;

#[Object]
impl MemberMutation {
    async fn add_member(
        &self,
        ctx: &Context<'_>,
        input: AddMemberInput,
    ) -> Result<MembershipPayload> {
        let p = principal(ctx)?;
        let (m, u) =
            members::add_member(db(ctx)?, p, &input.email, &input.name, input.role).await?;
        Ok(MembershipPayload {
            membership: Membership(m, u),
        })
    }

    /// Changes a member's role; the organization's last ADMIN cannot be demoted.
    async fn update_member(
        &self,
        ctx: &Context<'_>,
        input: UpdateMemberInput,
    ) -> Result<MembershipPayload> {
        let p = principal(ctx)?;
        let id = parse_id("membershipId", &input.membership_id)?;
        let (m, u) =
            members::update_role(db(ctx)?, p, id, input.role, input.expected_version).await?;
        Ok(MembershipPayload {
            membership: Membership(m, u),
        })
    }

    /// Removes a member; the organization's last ADMIN cannot be removed.
    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        input: RemoveMemberInput,
    ) -> Result<RemoveMemberPayload> {
        let p = principal(ctx)?;
        let id = parse_id("membershipId", &input.membership_id)?;
        let removed = members::remove(db(ctx)?, p, id, input.expected_version).await?;
        Ok(RemoveMemberPayload {
            removed_membership_id: to_id(removed),
        })
    }

    /// Creates an API client of the caller's organization; the secret is returned once.
    async fn create_api_client(
        &self,
        ctx: &Context<'_>,
        input: CreateApiClientInput,
    ) -> Result<CreateApiClientPayload> {
        let p = principal(ctx)?;
        let (client, secret) = api_clients::create(
            db(ctx)?,
            p,
            &input.name,
            input.role,
            input.free_form_documents,
        )
        .await?;
        Ok(CreateApiClientPayload {
            client_id: to_id(client.id),
            api_client: ApiClient(client),
            client_secret: secret,
        })
    }

    /// Renames an API client, changes its role, or lets it send free-form documents; its
    /// next request sees the change.
    async fn update_api_client(
        &self,
        ctx: &Context<'_>,
        input: UpdateApiClientInput,
    ) -> Result<ApiClientPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let fields = api_clients::ClientFields {
            name: input.name,
            role: input.role,
            free_form_documents: input.free_form_documents,
        };
        let saved = api_clients::update(db(ctx)?, p, id, input.expected_version, fields).await?;
        Ok(ApiClientPayload {
            api_client: ApiClient(saved),
        })
    }

    /// Revokes an API client; even tokens already issued stop working.
    async fn revoke_api_client(
        &self,
        ctx: &Context<'_>,
        input: RevokeApiClientInput,
    ) -> Result<ApiClientPayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved = api_clients::revoke(db(ctx)?, p, id, input.expected_version).await?;
        Ok(ApiClientPayload {
            api_client: ApiClient(saved),
        })
    }
}
