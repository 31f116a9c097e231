//! The brand's settings (brand ADMIN).
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::types::brand::Brand;
use crate::services::network::brands;

#[derive(Debug, Clone, InputObject)]
pub struct UpdateBrandSettingsInput {
    pub brand_id: ID,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
    /// The journey linter's threshold of major steps (1..100).
    pub max_major_steps: Option<i32>,
}

#[derive(SimpleObject)]
pub struct BrandPayload {
    pub brand: Brand,
}

#[derive(Default)]
pub struct BrandMutation;

#[Object]
impl BrandMutation {
    async fn update_brand_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateBrandSettingsInput,
    ) -> Result<BrandPayload> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let saved = brands::update_settings(
            db(ctx)?,
            p,
            brand_id,
            input.expected_version,
            input.max_major_steps,
        )
        .await?;
        Ok(BrandPayload {
            brand: Brand(saved),
        })
    }
}
