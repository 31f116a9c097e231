//! What the experience map shows the caller: the brand's phases as columns, one lane per
//! organization of the network it may see (the brand first, then partners, then a lane for
//! third-party touchpoints), and every touchpoint it may see as a card.
use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sea_orm::QueryOrder;
use uuid::Uuid;

use crate::auth::Principal;
use crate::domain::{Ownership, ReviewStatus};
use crate::entities::{organization, touchpoint};
use crate::error::{AppError, AppResult};
use crate::map::{LaneKind, MapCard, MapInput, MapJourney, MapLane, MapPhase, MapStep};
use crate::services::touchpoints::list::live_in_brand;
use crate::services::{lookups, network::brands, planning::insights, planning::journeys};
use crate::store::db::Db;

/// The lane that gathers touchpoints neither the brand nor a partner runs.
pub const THIRD_PARTY_LANE: &str = "third-party";

pub async fn gather(
    db: &Db,
    p: &Principal,
    brand: &organization::Model,
    journey_id: Option<Uuid>,
) -> AppResult<MapInput> {
    brands::require_known(p, brand.id)?;
    let phases = brands::phases(db, p, brand.id).await?;
    let touchpoints = live_in_brand(p, brand.id)
        .order_by_desc(touchpoint::Column::PriorityScore)
        .order_by_asc(touchpoint::Column::Name)
        .all(db.conn())
        .await?;
    let ratings = insights::rating_sums(db, brand.id).await?;
    let journey = match journey_id {
        None => None,
        Some(id) => Some(journey(db, p, brand.id, id, &touchpoints).await?),
    };
    Ok(MapInput {
        brand_name: brand.name.clone(),
        subtitle: format!(
            "as seen by {} · {}",
            p.organization.name,
            Utc::now().format("%Y-%m-%d")
        ),
        phases: phases
            .into_iter()
            .map(|ph| MapPhase {
                id: ph.id.to_string(),
                name: ph.name,
            })
            .collect(),
        lanes: lanes(db, p, brand).await?,
        cards: touchpoints.iter().map(|t| card(t, &ratings)).collect(),
        journey,
    })
}

/// The brand's lane, then the partners the caller sees (by name), then third parties.
async fn lanes(db: &Db, p: &Principal, brand: &organization::Model) -> AppResult<Vec<MapLane>> {
    let partner_ids: Vec<Uuid> = brands::partnerships(db, p, brand.id)
        .await?
        .into_iter()
        .map(|ps| ps.partner_id)
        .collect();
    let mut partners: Vec<organization::Model> = lookups::organizations(db, &partner_ids)
        .await?
        .into_values()
        .collect();
    partners.sort_by(|a, b| a.name.cmp(&b.name));
    let mut lanes = vec![MapLane {
        id: brand.id.to_string(),
        name: brand.name.clone(),
        kind: LaneKind::Brand,
    }];
    lanes.extend(partners.into_iter().map(|o| MapLane {
        id: o.id.to_string(),
        name: o.name,
        kind: LaneKind::Partner,
    }));
    lanes.push(MapLane {
        id: THIRD_PARTY_LANE.into(),
        name: "Third-party platforms".into(),
        kind: LaneKind::ThirdParty,
    });
    Ok(lanes)
}

/// A touchpoint's card in its owner's lane (or the third-party lane), with its mean rating.
fn card(t: &touchpoint::Model, ratings: &HashMap<Uuid, (i64, i64)>) -> MapCard {
    MapCard {
        id: t.id.to_string(),
        name: t.name.clone(),
        channel: serde_json::to_value(t.channel)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        phase_id: t.phase_id.to_string(),
        lane_id: if t.ownership == Ownership::ThirdParty {
            THIRD_PARTY_LANE.into()
        } else {
            t.owner_id.to_string()
        },
        alignment: ratings
            .get(&t.id)
            .filter(|(_, n)| *n > 0)
            .map(|(sum, n)| *sum as f64 / *n as f64),
        signature: t.signature,
        pending: t.review_status != ReviewStatus::Approved,
    }
}

/// The journey drawn over the map; a step on a touchpoint the caller may not see keeps its
/// place without a card.
async fn journey(
    db: &Db,
    p: &Principal,
    brand_id: Uuid,
    journey_id: Uuid,
    touchpoints: &[touchpoint::Model],
) -> AppResult<MapJourney> {
    let journey = journeys::get(db, p, journey_id)
        .await?
        .filter(|j| j.brand_id == brand_id)
        .ok_or(AppError::NotFound("journey"))?;
    let visible: HashSet<Uuid> = touchpoints.iter().map(|t| t.id).collect();
    let steps = journeys::steps_of(db, &[journey.id])
        .await?
        .remove(&journey.id)
        .unwrap_or_default();
    Ok(MapJourney {
        name: journey.name,
        persona: journey.persona,
        steps: steps
            .into_iter()
            .map(|s| MapStep {
                card_id: visible
                    .contains(&s.touchpoint_id)
                    .then(|| s.touchpoint_id.to_string()),
                major: s.major,
            })
            .collect(),
    })
}
