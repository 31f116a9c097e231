//! The brand's principles (brand ADMIN).
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};

use super::phases::change;
use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::types::principle::Principle;
use crate::services::planning::principles;

#[derive(Debug, Clone, InputObject)]
pub struct CreatePrincipleInput {
    pub brand_id: ID,
    pub name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct UpdatePrincipleInput {
    pub id: ID,
    /// The `version` you read; a stale one fails with CONFLICT.
    pub expected_version: i32,
    pub name: Option<String>,
    /// `null` clears it.
    #[graphql(default)]
    pub description: MaybeUndefined<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct ArchivePrincipleInput {
    pub id: ID,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct PrinciplePayload {
    pub principle: Principle,
}

#[derive(Default)]
pub struct PrincipleMutation;

#[Object]
impl PrincipleMutation {
    async fn create_principle(
        &self,
        ctx: &Context<'_>,
        input: CreatePrincipleInput,
    ) -> Result<PrinciplePayload> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let created = principles::create(
            db(ctx)?,
            p,
            brand_id,
            &input.name,
            input.description.as_deref(),
        )
        .await?;
        Ok(PrinciplePayload {
            principle: Principle::from(created),
        })
    }

    async fn update_principle(
        &self,
        ctx: &Context<'_>,
        input: UpdatePrincipleInput,
    ) -> Result<PrinciplePayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved = principles::update(
            db(ctx)?,
            p,
            id,
            Some(input.expected_version),
            input.name.as_deref(),
            change(input.description),
        )
        .await?;
        Ok(PrinciplePayload {
            principle: Principle::from(saved),
        })
    }

    /// Archives a principle: its ratings drop out of every alignment average.
    async fn archive_principle(
        &self,
        ctx: &Context<'_>,
        input: ArchivePrincipleInput,
    ) -> Result<PrinciplePayload> {
        let p = principal(ctx)?;
        let id = parse_id("id", &input.id)?;
        let saved = principles::archive(db(ctx)?, p, id, input.expected_version).await?;
        Ok(PrinciplePayload {
            principle: Principle::from(saved),
        })
    }
}
