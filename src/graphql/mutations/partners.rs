//! A brand's partners (brand ADMIN).
use async_graphql::{Context, InputObject, Object, Result, SimpleObject, ID};

use crate::domain::{OrganizationKind, PartnershipStatus};
use crate::graphql::context::{db, principal};
use crate::graphql::ids::parse_id;
use crate::graphql::types::partnership::Partnership;
use crate::services::network::partners::{self, NewPartner};

/// A partner to add: an existing organization named by `slug`, or a new one (then `name`,
/// `kind`, `adminEmail` and `adminName` create it with its first ADMIN).
#[derive(Debug, Clone, InputObject)]
pub struct CreatePartnerInput {
    pub brand_id: ID,
    pub slug: String,
    pub name: Option<String>,
    pub kind: Option<OrganizationKind>,
    pub tier: Option<String>,
    pub admin_email: Option<String>,
    pub admin_name: Option<String>,
}

#[derive(Debug, Clone, InputObject)]
pub struct SetPartnershipStatusInput {
    pub partnership_id: ID,
    pub status: PartnershipStatus,
    /// The `version` you read; when given, a stale one fails with CONFLICT.
    pub expected_version: Option<i32>,
}

#[derive(SimpleObject)]
pub struct PartnershipPayload {
    pub partnership: Partnership,
}

#[derive(Default)]
pub struct PartnerMutation;

#[Object]
impl PartnerMutation {
    /// Adds a partner to the brand's network; the partnership starts ACTIVE.
    async fn create_partner(
        &self,
        ctx: &Context<'_>,
        input: CreatePartnerInput,
    ) -> Result<PartnershipPayload> {
        let p = principal(ctx)?;
        let brand_id = parse_id("brandId", &input.brand_id)?;
        let created = partners::create_partner(
            db(ctx)?,
            p,
            brand_id,
            NewPartner {
                slug: input.slug,
                name: input.name,
                kind: input.kind,
                tier: input.tier,
                admin_email: input.admin_email,
                admin_name: input.admin_name,
            },
        )
        .await?;
        Ok(PartnershipPayload {
            partnership: Partnership(created),
        })
    }

    /// Suspends, reactivates or invites a partner; takes effect on its next request.
    async fn set_partnership_status(
        &self,
        ctx: &Context<'_>,
        input: SetPartnershipStatusInput,
    ) -> Result<PartnershipPayload> {
        let p = principal(ctx)?;
        let id = parse_id("partnershipId", &input.partnership_id)?;
        let saved =
            partners::set_status(db(ctx)?, p, id, input.status, input.expected_version).await?;
        Ok(PartnershipPayload {
            partnership: Partnership(saved),
        })
    }
}
