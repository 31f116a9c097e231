use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use crate::domain::Role;
use crate::entities::{membership, user};
use crate::graphql::ids::to_id;

/// A person.
#[derive(SimpleObject)]
pub struct User {
    pub id: ID,
    pub email: String,
    pub name: String,
}

/// A person's role in one organization.
pub struct Membership(pub membership::Model, pub user::Model);

#[Object]
impl Membership {
    async fn id(&self) -> ID {
        to_id(self.0.id)
    }

    async fn user(&self) -> User {
        User {
            id: to_id(self.1.id),
            email: self.1.email.clone(),
            name: self.1.name.clone(),
        }
    }

    async fn organization_id(&self) -> ID {
        to_id(self.0.organization_id)
    }

    async fn role(&self) -> Role {
        self.0.role
    }

    /// +1 on every change; pass it as `expectedVersion` to change it only as you read it.
    async fn version(&self) -> i32 {
        self.0.version
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}
