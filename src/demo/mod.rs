//! The demo network of `serve --demo` and `seed-demo`: a believable brand with partners,
//! phases, principles, touchpoints, ratings, reviews and journeys.
//!
//! It is built through the same services the API uses, acting as the demo users, so the
//! demo data obeys every rule and carries a full audit trail.
pub mod data;

use std::collections::HashMap;
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::auth::{Principal, TokenService};
use crate::domain::touchpoint::{Change, ExpressionSet, TouchpointPatch};
use crate::domain::ReviewDecision;
use crate::domain::Role;
use crate::entities::{organization, touchpoint, user};
use crate::error::{AppError, AppResult};
use crate::services::ledger::AuditActor;
use crate::services::network::bootstrap::{self, NewBrand};
use crate::services::network::partners::{self, NewPartner};
use crate::services::network::principals::resolve_subject;
use crate::services::planning::journeys::{self, JourneyFields, StepInput};
use crate::services::touchpoints::reviews;
use crate::services::{
    network::brands, network::members, planning::phases, planning::principles, touchpoints,
    touchpoints::alignments,
};
use crate::store::db::Db;
use data::*;

/// The query the banner suggests; a test runs it against the seeded demo.
pub const DEMO_QUERY: &str = "{ viewer { name role organization { name } } touchpoints(first: 5, orderBy: {field: PRIORITY, direction: DESC}) { totalCount nodes { name channel priorityScore owner { name } phase { name } } } }";

/// Demo tokens are valid for a working day.
const DEMO_TOKEN_TTL: Duration = Duration::from_secs(8 * 3600);

/// (label, e-mail, organization slug) of the users the banner prints a token for.
pub const DEMO_USERS: [(&str, &str, &str); 6] = [
    ("brand ADMIN", BRAND_ADMIN.0, BRAND_SLUG),
    ("brand EDITOR", BRAND_EDITOR.0, BRAND_SLUG),
    ("brand VIEWER", BRAND_VIEWER.0, BRAND_SLUG),
    (
        "partner ADMIN (dealer)",
        "admin@harbor-bikes.example",
        "harbor-bikes",
    ),
    ("partner EDITOR (dealer)", PARTNER_EDITOR.0, "harbor-bikes"),
    ("partner VIEWER (dealer)", PARTNER_VIEWER.0, "harbor-bikes"),
];

async fn org_by_slug(db: &Db, slug: &str) -> AppResult<Option<organization::Model>> {
    Ok(organization::Entity::find()
        .filter(organization::Column::Slug.eq(slug))
        .one(db.conn())
        .await?)
}

async fn principal_of(db: &Db, email: &str, org_slug: &str) -> AppResult<Principal> {
    let found = user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound("user"))?;
    let org = org_by_slug(db, org_slug)
        .await?
        .ok_or(AppError::NotFound("organization"))?;
    resolve_subject(db, found.id, Some(org.id)).await
}

/// Seeds the demo network unless it is already there; tells whether it seeded.
pub async fn seed(db: &Db) -> AppResult<bool> {
    if org_by_slug(db, BRAND_SLUG).await?.is_some() {
        return Ok(false);
    }
    let (brand, _) = bootstrap::create_brand(
        db,
        &AuditActor::system("seed-demo"),
        NewBrand {
            name: BRAND_NAME,
            slug: BRAND_SLUG,
            admin_email: BRAND_ADMIN.0,
            admin_name: Some(BRAND_ADMIN.1),
        },
    )
    .await?;
    let admin = principal_of(db, BRAND_ADMIN.0, BRAND_SLUG).await?;
    members::add_member(db, &admin, BRAND_EDITOR.0, BRAND_EDITOR.1, Role::Editor).await?;
    members::add_member(db, &admin, BRAND_VIEWER.0, BRAND_VIEWER.1, Role::Viewer).await?;

    let phase_list = brands::phases(db, &admin, brand.id).await?;
    for (phase, metric) in phase_list.iter().zip(PHASE_METRICS) {
        phases::update(
            db,
            &admin,
            phase.id,
            None,
            None,
            Change::Set(metric.to_owned()),
        )
        .await?;
    }
    let mut principle_ids = Vec::new();
    for (name, description) in PRINCIPLES {
        principle_ids.push(
            principles::create(db, &admin, brand.id, name, Some(description))
                .await?
                .id,
        );
    }

    // Refresh: the admin now partners nobody, but the brand's own principal is unchanged.
    for partner in &PARTNERS {
        partners::create_partner(
            db,
            &admin,
            brand.id,
            NewPartner {
                slug: partner.slug.into(),
                name: Some(partner.name.into()),
                kind: Some(partner.kind),
                tier: Some(partner.tier.into()),
                admin_email: Some(partner.admin.0.into()),
                admin_name: Some(partner.admin.1.into()),
            },
        )
        .await?;
    }
    let harbor = principal_of(db, "admin@harbor-bikes.example", "harbor-bikes").await?;
    members::add_member(
        db,
        &harbor,
        PARTNER_EDITOR.0,
        PARTNER_EDITOR.1,
        Role::Editor,
    )
    .await?;
    members::add_member(
        db,
        &harbor,
        PARTNER_VIEWER.0,
        PARTNER_VIEWER.1,
        Role::Viewer,
    )
    .await?;

    let mut owners: HashMap<&str, Principal> = HashMap::new();
    owners.insert(BRAND_SLUG, admin.clone());
    for partner in &PARTNERS {
        owners.insert(
            partner.slug,
            principal_of(db, partner.admin.0, partner.slug).await?,
        );
    }
    let mut by_external: HashMap<&str, touchpoint::Model> = HashMap::new();
    for t in TOUCHPOINTS {
        let owner = owners
            .get(t.owner)
            .ok_or(AppError::NotFound("organization"))?;
        let created = touchpoints::create(db, owner, brand.id, demo_patch(t, &phase_list)?).await?;
        by_external.insert(t.external_id, created);
    }

    let editor = principal_of(db, BRAND_EDITOR.0, BRAND_SLUG).await?;
    rate_all(db, &editor, &by_external, &principle_ids).await?;
    review_partner_touchpoints(db, &editor, &by_external).await?;
    for external_id in SIGNATURES {
        if let Some(t) = by_external.get(external_id) {
            reviews::set_signature(db, &editor, t.id, true, None).await?;
        }
    }
    for journey in &JOURNEYS {
        let steps = journey
            .steps
            .iter()
            .filter_map(|(ext, major)| {
                by_external.get(ext).map(|t| StepInput {
                    touchpoint_id: t.id,
                    major: *major,
                    note: None,
                })
            })
            .collect();
        journeys::create(
            db,
            &admin,
            brand.id,
            JourneyFields {
                name: Some(journey.name),
                persona: Change::Set(journey.persona.into()),
                description: Change::Set(journey.description.into()),
            },
            steps,
        )
        .await?;
    }
    Ok(true)
}

fn demo_patch(
    t: &DemoTouchpoint,
    phases: &[crate::entities::phase::Model],
) -> AppResult<TouchpointPatch> {
    let phase = phases.get(t.phase).ok_or(AppError::NotFound("phase"))?;
    let score = |i: usize| Change::from_option(t.scores.map(|s| s[i] as i16));
    Ok(TouchpointPatch {
        external_id: Change::Set(t.external_id.into()),
        name: Some(t.name.into()),
        channel: Some(t.channel),
        expressions: Some(ExpressionSet::parse("expressions", t.expressions)?),
        ownership: Some(t.ownership),
        phase_id: Some(phase.id),
        key_metric: Change::from_option(phase.key_metric.clone()),
        tags: Some(vec![format!("phase-{}", t.phase + 1)]),
        importance: score(0),
        urgency: score(1),
        maturity: score(2),
        effort: score(3),
        benefit: score(4),
        visibility: Some(t.visibility),
        status: Some(t.status),
        horizon: Change::from_option(t.horizon),
        ..TouchpointPatch::default()
    })
}

/// Deterministic ratings: three principles per touchpoint, every ninth left unrated, and a
/// spread of scores so some touchpoints come out misaligned.
async fn rate_all(
    db: &Db,
    editor: &Principal,
    touchpoints: &HashMap<&str, touchpoint::Model>,
    principle_ids: &[Uuid],
) -> AppResult<()> {
    for (index, t) in TOUCHPOINTS.iter().enumerate() {
        if index % 9 == 8 {
            continue;
        }
        let Some(model) = touchpoints.get(t.external_id) else {
            continue;
        };
        for k in 0..3 {
            let principle = principle_ids[(index + 2 * k) % principle_ids.len()];
            let score = ((index * 7 + k * 3) % 5) as i32 - 2 + i32::from(t.owner == BRAND_SLUG);
            let note = (score < 0).then_some("Falls short of the principle today.");
            alignments::rate(db, editor, model.id, principle, score.clamp(-2, 2), note).await?;
        }
    }
    Ok(())
}

/// The brand approves its partners' touchpoints, except a few left pending, and asks for
/// changes on one.
async fn review_partner_touchpoints(
    db: &Db,
    editor: &Principal,
    touchpoints: &HashMap<&str, touchpoint::Model>,
) -> AppResult<()> {
    for t in TOUCHPOINTS.iter().filter(|t| t.owner != BRAND_SLUG) {
        let Some(model) = touchpoints.get(t.external_id) else {
            continue;
        };
        if t.external_id == LEFT_PENDING[0] {
            reviews::review(
                db,
                editor,
                model.id,
                ReviewDecision::RequestChanges,
                Some("Add the target experience and the posting cadence."),
                None,
            )
            .await?;
        } else if !LEFT_PENDING.contains(&t.external_id) {
            reviews::review(db, editor, model.id, ReviewDecision::Approve, None, None).await?;
        }
    }
    Ok(())
}

/// A token per demo user: (label, e-mail, token).
pub async fn tokens(db: &Db, tokens: &TokenService) -> AppResult<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for (label, email, org) in DEMO_USERS {
        let p = principal_of(db, email, org).await?;
        let token = tokens.issue(p.actor_id(), Some(p.org_id()), Some(DEMO_TOKEN_TTL))?;
        out.push((label.to_owned(), email.to_owned(), token));
    }
    Ok(out)
}

/// What `serve --demo` prints: a token per role and a request to try.
pub fn banner(created: bool, tokens: &[(String, String, String)], listen_addr: &str) -> String {
    let mut out = String::new();
    out.push_str(if created {
        "Seeded the demo network \"Northwind Cycles\" (1 brand, 7 partners).\n"
    } else {
        "The demo network \"Northwind Cycles\" is already seeded.\n"
    });
    out.push_str("Tokens (valid 8 hours):\n");
    for (label, email, token) in tokens {
        out.push_str(&format!("\n  {label} — {email}\n  {token}\n"));
    }
    let first = tokens.first().map(|t| t.2.as_str()).unwrap_or_default();
    let body = serde_json::json!({ "query": DEMO_QUERY }).to_string();
    out.push_str(&format!(
        "\nTry it:\n  curl -s http://{listen_addr}/graphql -H 'Content-Type: application/json' \\\n    -H 'Authorization: Bearer {first}' \\\n    -d '{body}'\n\nGraphiQL: http://{listen_addr}/graphql\n"
    ));
    out
}
