//! The benchmark's reference dataset: the same rows the PostGraphile peer seeds
//! (`../shared/peers/postgraphile/seed.sql`), in this registry's schema, so both servers
//! answer the same workloads over the same data.
//!
//! 1 brand (`acme`), 40 partners, 6 phases, 8 principles, N touchpoints (N/40 per partner,
//! about half NETWORK), 3 alignment ratings each. Ids are the peer's readable UUIDs
//! `<kind>-0000-4000-8000-<n>`, and the pseudo-random attributes come from the same md5
//! bytes. The peer's vocabulary maps onto ours (channel `web` → WEBSITE, status `DRAFT` →
//! PLANNED, one expression → a set of one). Rows are written in bulk, not through the API:
//! 200,000 touchpoints load in seconds.
use chrono::{DateTime, Duration, TimeZone, Utc};
use md5::{Digest, Md5};
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::domain::priority::Scores;
use crate::domain::{
    Channel, OrganizationKind, Ownership, PartnershipStatus, Role, TouchpointStatus, Visibility,
};
use crate::entities::{
    alignment, membership, organization, partnership, phase, principle, touchpoint, user,
};
use crate::error::{AppError, AppResult};
use crate::store::db::Db;

pub const PARTNERS: u32 = 40;
pub const BRAND_SLUG: &str = "acme";

/// The peer's readable UUIDs: kind 1 organization, 2 phase, 3 principle, 4 touchpoint.
pub fn id(kind: u32, n: u32) -> Uuid {
    Uuid::parse_str(&format!("{kind:08x}-0000-4000-8000-{n:012x}")).unwrap_or_default()
}

/// The first byte of md5("<n>:<salt>"), as the peer's `pg_temp.h` computes it.
fn h(n: u64, salt: &str) -> u8 {
    Md5::digest(format!("{n}:{salt}").as_bytes())[0]
}

/// The e-mail of partner `n`'s editor (n = 1..=40), whose token the benchmark uses.
pub fn partner_editor(n: u32) -> String {
    format!("editor@partner-{n:02}.example")
}

pub const BRAND_ADMIN: &str = "admin@acme.example";

const CHUNK: usize = 500;

async fn insert_chunks<C, A, I>(conn: &C, rows: I) -> AppResult<()>
where
    C: ConnectionTrait,
    A: sea_orm::ActiveModelTrait,
    I: IntoIterator<Item = A>,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Seeds the dataset with `touchpoints` touchpoints (a multiple of 40) into an empty brand
/// slot; refuses when `acme` exists.
pub async fn seed(db: &Db, touchpoints: u32) -> AppResult<()> {
    if touchpoints == 0 || touchpoints % PARTNERS != 0 {
        return Err(AppError::bad_input(
            "touchpoints",
            "a positive multiple of 40",
        ));
    }
    let brand = id(1, 0);
    if organization::Entity::find_by_id(brand)
        .one(db.conn())
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(
            "the benchmark dataset is already seeded".into(),
        ));
    }
    let epoch: DateTime<Utc> = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let tx = db.begin_write().await?;

    let kinds = [
        (OrganizationKind::Dealer, "Dealer"),
        (OrganizationKind::Distributor, "Distribution"),
        (OrganizationKind::Retailer, "Retail"),
        (OrganizationKind::Agency, "Agency"),
    ];
    let mut orgs = vec![organization::ActiveModel {
        id: Set(brand),
        slug: Set(BRAND_SLUG.into()),
        name: Set("ACME Motors".into()),
        kind: Set(OrganizationKind::Brand),
        max_major_steps: Set(10),
        version: Set(1),
        created_at: Set(epoch),
        updated_at: Set(epoch),
    }];
    for n in 1..=PARTNERS {
        let (kind, word) = kinds[((n - 1) % 4) as usize];
        orgs.push(organization::ActiveModel {
            id: Set(id(1, n)),
            slug: Set(format!("partner-{n:02}")),
            name: Set(format!("Partner {n:02} {word}")),
            kind: Set(kind),
            max_major_steps: Set(10),
            version: Set(1),
            created_at: Set(epoch),
            updated_at: Set(epoch),
        });
    }
    insert_chunks(&tx, orgs).await?;
    insert_chunks(
        &tx,
        (1..=PARTNERS).map(|n| partnership::ActiveModel {
            id: Set(Uuid::now_v7()),
            brand_id: Set(brand),
            partner_id: Set(id(1, n)),
            tier: Set(None),
            status: Set(PartnershipStatus::Active),
            version: Set(1),
            created_at: Set(epoch),
            updated_at: Set(epoch),
        }),
    )
    .await?;

    let people: Vec<(Uuid, String, Uuid, Role)> =
        std::iter::once((Uuid::now_v7(), BRAND_ADMIN.to_owned(), brand, Role::Admin))
            .chain(
                (1..=PARTNERS).map(|n| (Uuid::now_v7(), partner_editor(n), id(1, n), Role::Editor)),
            )
            .collect();
    insert_chunks(
        &tx,
        people.iter().map(|(uid, email, _, _)| user::ActiveModel {
            id: Set(*uid),
            email: Set(email.clone()),
            name: Set(email.split('@').next().unwrap_or_default().to_owned()),
            deactivated_at: Set(None),
            created_at: Set(epoch),
        }),
    )
    .await?;
    insert_chunks(
        &tx,
        people
            .iter()
            .map(|(uid, _, org, role)| membership::ActiveModel {
                id: Set(Uuid::now_v7()),
                user_id: Set(*uid),
                organization_id: Set(*org),
                role: Set(*role),
                version: Set(1),
                created_at: Set(epoch),
            }),
    )
    .await?;

    let phase_names = [
        "Awareness",
        "Consideration",
        "Purchase",
        "Delivery",
        "Use",
        "Loyalty",
    ];
    insert_chunks(
        &tx,
        phase_names
            .iter()
            .enumerate()
            .map(|(i, name)| phase::ActiveModel {
                id: Set(id(2, i as u32 + 1)),
                brand_id: Set(brand),
                name: Set((*name).into()),
                position: Set(i as i32),
                key_metric: Set(None),
                version: Set(1),
                created_at: Set(epoch),
                updated_at: Set(epoch),
            }),
    )
    .await?;
    let principle_names = [
        "Clarity",
        "Consistency",
        "Empathy",
        "Speed",
        "Trust",
        "Craft",
        "Sustainability",
        "Delight",
    ];
    insert_chunks(
        &tx,
        principle_names
            .iter()
            .enumerate()
            .map(|(i, name)| principle::ActiveModel {
                id: Set(id(3, i as u32 + 1)),
                brand_id: Set(brand),
                name: Set((*name).into()),
                description: Set(Some(format!(
                    "Brand principle number {}: how every touchpoint should feel to the customer.",
                    i + 1
                ))),
                archived_at: Set(None),
                version: Set(1),
                created_at: Set(epoch),
                updated_at: Set(epoch),
            }),
    )
    .await?;

    let channels = [
        Channel::Website,
        Channel::App,
        Channel::Store,
        Channel::Phone,
        Channel::Email,
        Channel::Event,
        Channel::Print,
        Channel::Social,
    ];
    let ownerships = [Ownership::Own, Ownership::Partner, Ownership::ThirdParty];
    insert_chunks(
        &tx,
        (1..=touchpoints).map(|n| {
            let m = u64::from(n);
            let k = (n - 1) / PARTNERS;
            let score = |salt: &str| i16::from(1 + h(m, salt) % 5);
            let (importance, urgency, maturity, effort, benefit) =
                (score("imp"), score("urg"), score("mat"), score("eff"), score("ben"));
            let expression = h(m, "expr") % 3;
            let at = epoch + Duration::minutes(i64::from(n));
            let model = touchpoint::Model {
                external_id: Some(format!("tp-{k:04}")),
                name: format!("Touchpoint {n}"),
                description: Some(format!(
                    "Seeded touchpoint {n}: a moment where the customer meets the brand through a partner."
                )),
                channel: channels[usize::from(h(m, "chan") % 8)],
                expr_personal: expression == 0,
                expr_physical: expression == 1,
                expr_digital: expression == 2,
                ownership: ownerships[usize::from(h(m, "own") % 3)],
                importance: Some(importance),
                urgency: Some(urgency),
                maturity: Some(maturity),
                effort: Some(effort),
                benefit: Some(benefit),
                priority_score: Some(
                    Scores { importance, urgency, maturity, effort, benefit }.priority_hundredths(),
                ),
                signature: h(m, "sig") < 26,
                visibility: if h(m, "vis") < 128 { Visibility::Network } else { Visibility::Private },
                status: if h(m, "sta") < 230 { TouchpointStatus::Active } else { TouchpointStatus::Planned },
                ..touchpoint::Model::new(id(4, n), brand, id(1, 1 + (n - 1) % PARTNERS), id(2, 1 + k % 6), at)
            };
            sea_orm::IntoActiveModel::into_active_model(model)
        }),
    )
    .await?;

    let rater = people[0].0;
    insert_chunks(
        &tx,
        (1..=touchpoints).flat_map(|n| {
            (0..3u32).map(move |j| {
                let salt_n = u64::from(n) * 3 + u64::from(j);
                alignment::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    touchpoint_id: Set(id(4, n)),
                    principle_id: Set(id(3, 1 + (n + 3 * j) % 8)),
                    score: Set(i16::from(h(salt_n, "score") % 5) - 2),
                    note: Set((h(salt_n, "note") < 64)
                        .then(|| format!("Reviewed in workshop {}", n % 17))),
                    rated_by_id: Set(rater),
                    rated_by_name: Set(BRAND_ADMIN.into()),
                    rated_at: Set(epoch),
                }
            })
        }),
    )
    .await?;
    tx.commit().await?;
    // Fresh statistics, so the planner uses the indexes from the first request.
    db.conn().execute_unprepared("ANALYZE").await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_hashes_match_the_peer() {
        assert_eq!(
            id(4, 20000).to_string(),
            "00000004-0000-4000-8000-000000004e20"
        );
        // md5('1:vis') = 8b…, so touchpoint 1 is PRIVATE in both datasets.
        assert_eq!(h(1, "vis"), Md5::digest(b"1:vis")[0]);
    }
}
