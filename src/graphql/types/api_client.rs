use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

use crate::domain::Role;
use crate::entities::api_client;
use crate::graphql::ids::to_id;

/// A machine identity of an organization, for integration scripts. Its id is the
/// `client_id` at `POST /auth/token`.
pub struct ApiClient(pub api_client::Model);

#[Object]
impl ApiClient {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The client acts as its organization with this role, never more.
    async fn role(&self) -> Role {
        self.0.role
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Set once revoked: its tokens stop working on their next request.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// May send documents that are not trusted documents when the server requires them.
    async fn free_form_documents(&self) -> bool {
        self.0.free_form_documents
    }

    /// +1 on every change; pass it as `expectedVersion` to change it only as you read it.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
