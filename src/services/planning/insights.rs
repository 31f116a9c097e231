//! The journey linter: findings about a brand's network, computed over what the caller can
//! see (so a partner's insights never reveal another partner's private touchpoints).
use std::collections::{HashMap, HashSet};

use chrono::Duration;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};
use uuid::Uuid;

use crate::auth::Principal;
use crate::clock;
use crate::domain::{InsightCode, ReviewStatus, Severity, TouchpointStatus};
use crate::entities::{alignment, organization, principle, touchpoint};
use crate::error::{AppError, AppResult};
use crate::services::touchpoints::list::live_in_brand;
use crate::services::{network::brands, planning::journeys};
use crate::store::db::Db;

/// A partner touchpoint waiting for review longer than this is stale.
pub const STALE_REVIEW_DAYS: i64 = 14;
/// More signature touchpoints than this in one phase dilute the stamp.
pub const MAX_SIGNATURES_PER_PHASE: usize = 2;

#[derive(Debug, Clone, PartialEq)]
pub struct Insight {
    pub code: InsightCode,
    pub severity: Severity,
    pub message: String,
    pub subject_ids: Vec<Uuid>,
}

pub async fn for_brand(db: &Db, p: &Principal, brand_id: Uuid) -> AppResult<Vec<Insight>> {
    brands::require_known(p, brand_id)?;
    let brand = organization::Entity::find_by_id(brand_id)
        .one(db.conn())
        .await?
        .ok_or(AppError::NotFound("brand"))?;
    let phases = brands::phases(db, p, brand_id).await?;
    let touchpoints = live_in_brand(p, brand_id).all(db.conn()).await?;
    let ratings = rating_sums(db, brand_id).await?;
    let mut out = Vec::new();

    journey_findings(db, p, &brand, &touchpoints, &mut out).await?;
    for phase in &phases {
        let in_phase: Vec<&touchpoint::Model> = touchpoints
            .iter()
            .filter(|t| t.phase_id == phase.id)
            .collect();
        if !in_phase
            .iter()
            .any(|t| t.status == TouchpointStatus::Active)
        {
            out.push(Insight {
                code: InsightCode::PhaseWithoutTouchpoints,
                severity: Severity::Warning,
                message: format!(
                    "Phase \u{201c}{}\u{201d} has no active touchpoint.",
                    phase.name
                ),
                subject_ids: vec![phase.id],
            });
        }
        let signatures: Vec<Uuid> = in_phase
            .iter()
            .filter(|t| t.signature)
            .map(|t| t.id)
            .collect();
        if signatures.is_empty() {
            out.push(Insight {
                code: InsightCode::PhaseWithoutSignature,
                severity: Severity::Info,
                message: format!(
                    "Phase \u{201c}{}\u{201d} has no signature touchpoint: nothing in it is unmistakably the brand.",
                    phase.name
                ),
                subject_ids: vec![phase.id],
            });
        } else if signatures.len() > MAX_SIGNATURES_PER_PHASE {
            let mut subjects = vec![phase.id];
            subjects.extend(&signatures);
            out.push(Insight {
                code: InsightCode::TooManySignatures,
                severity: Severity::Warning,
                message: format!(
                    "Phase \u{201c}{}\u{201d} has {} signature touchpoints; more than {MAX_SIGNATURES_PER_PHASE} dilutes the stamp.",
                    phase.name,
                    signatures.len()
                ),
                subject_ids: subjects,
            });
        }
    }
    let stale_before = clock::now() - Duration::days(STALE_REVIEW_DAYS);
    for t in &touchpoints {
        match ratings.get(&t.id) {
            None => out.push(Insight {
                code: InsightCode::UnratedTouchpoint,
                severity: Severity::Info,
                message: format!(
                    "\u{201c}{}\u{201d} has not been rated against any principle.",
                    t.name
                ),
                subject_ids: vec![t.id],
            }),
            Some((sum, count)) if *count > 0 && *sum < 0 => out.push(Insight {
                code: InsightCode::MisalignedTouchpoint,
                severity: Severity::Warning,
                message: format!(
                    "\u{201c}{}\u{201d} works against the brand's principles (average {:.2}).",
                    t.name,
                    *sum as f64 / *count as f64
                ),
                subject_ids: vec![t.id],
            }),
            Some(_) => {}
        }
        if t.owner_id != brand_id
            && t.review_status == ReviewStatus::Pending
            && t.updated_at < stale_before
        {
            out.push(Insight {
                code: InsightCode::StaleReview,
                severity: Severity::Warning,
                message: format!(
                    "\u{201c}{}\u{201d} has waited for review for more than {STALE_REVIEW_DAYS} days.",
                    t.name
                ),
                subject_ids: vec![t.id],
            });
        }
    }
    duplicate_findings(&touchpoints, &mut out);
    out.sort_by(|a, b| a.code.cmp(&b.code).then_with(|| a.message.cmp(&b.message)));
    Ok(out)
}

/// (sum of scores, number of ratings) per touchpoint, counting active principles only.
pub async fn rating_sums(db: &Db, brand_id: Uuid) -> AppResult<HashMap<Uuid, (i64, i64)>> {
    let rows: Vec<(Uuid, Option<i64>, i64)> = alignment::Entity::find()
        .select_only()
        .column(alignment::Column::TouchpointId)
        .column_as(
            Expr::col((alignment::Entity, alignment::Column::Score))
                .sum()
                .cast_as("bigint"),
            "total",
        )
        .column_as(
            Expr::col((alignment::Entity, alignment::Column::Id)).count(),
            "n",
        )
        .join(JoinType::InnerJoin, alignment::Relation::Principle.def())
        .filter(principle::Column::BrandId.eq(brand_id))
        .filter(principle::Column::ArchivedAt.is_null())
        .group_by(alignment::Column::TouchpointId)
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, total, n)| (id, (total.unwrap_or(0), n)))
        .collect())
}

async fn journey_findings(
    db: &Db,
    p: &Principal,
    brand: &organization::Model,
    visible: &[touchpoint::Model],
    out: &mut Vec<Insight>,
) -> AppResult<()> {
    let list = journeys::for_brand(db, p, brand.id).await?;
    if list.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = list.iter().map(|j| j.id).collect();
    let steps = journeys::steps_of(db, &ids).await?;
    let visible: HashSet<Uuid> = visible.iter().map(|t| t.id).collect();
    let threshold = usize::try_from(brand.max_major_steps).unwrap_or(0);
    for journey in &list {
        let major = steps
            .get(&journey.id)
            .map(|s| {
                s.iter()
                    .filter(|s| s.major && visible.contains(&s.touchpoint_id))
                    .count()
            })
            .unwrap_or(0);
        if major > threshold {
            out.push(Insight {
                code: InsightCode::TooManyTouchpoints,
                severity: Severity::Warning,
                message: format!(
                    "Journey \u{201c}{}\u{201d} has {major} major steps (more than {threshold}): you are mapping your organisation's processes, not the customer's experience.",
                    journey.name
                ),
                subject_ids: vec![journey.id],
            });
        }
    }
    Ok(())
}

/// Lower-case letters and digits only: "Test-ride weekend" and "test ride  weekend" match.
fn normalized(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// A name prepared once for pairwise comparison.
struct NameKey {
    /// Letters and digits, lower-cased.
    chars: Vec<char>,
    /// The digits alone, in order: "Store 12" and "Store 13" are two stores, not a typo.
    digits: String,
}

impl NameKey {
    fn new(name: &str) -> Self {
        let chars: Vec<char> = normalized(name).chars().collect();
        let digits = chars.iter().filter(|c| c.is_ascii_digit()).collect();
        Self { chars, digits }
    }

    /// Near-identical: equal once normalised, or (for names of 8+ characters) at most two
    /// edits apart with the same numbers in them.
    fn near(&self, other: &NameKey) -> bool {
        let (a, b) = (&self.chars, &other.chars);
        if a == b {
            return !a.is_empty();
        }
        self.digits == other.digits
            && a.len().min(b.len()) >= 8
            && a.len().abs_diff(b.len()) <= 2
            && edit_distance(a, b) <= 2
    }
}

/// Near-identical names (see [`NameKey::near`]).
pub fn near_identical(a: &str, b: &str) -> bool {
    NameKey::new(a).near(&NameKey::new(b))
}

/// Pairs within one phase and channel. Quadratic in the group's size, so each name is
/// normalised once and the cheap tests (owner, numbers, length) run before the edit distance.
fn duplicate_findings(touchpoints: &[touchpoint::Model], out: &mut Vec<Insight>) {
    let mut groups: HashMap<(Uuid, crate::domain::Channel), Vec<(&touchpoint::Model, NameKey)>> =
        HashMap::new();
    for t in touchpoints {
        groups
            .entry((t.phase_id, t.channel))
            .or_default()
            .push((t, NameKey::new(&t.name)));
    }
    for group in groups.values() {
        for (i, (a, a_key)) in group.iter().enumerate() {
            for (b, b_key) in &group[i + 1..] {
                if a.owner_id != b.owner_id && a_key.near(b_key) {
                    out.push(Insight {
                        code: InsightCode::DuplicateCandidate,
                        severity: Severity::Info,
                        message: format!(
                            "\u{201c}{}\u{201d} and \u{201c}{}\u{201d} look like the same touchpoint registered by two organizations.",
                            a.name, b.name
                        ),
                        subject_ids: vec![a.id, b.id],
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_identical_names() {
        assert!(near_identical("Test-ride weekend", "test ride  weekend"));
        assert!(near_identical("Showroom welcome", "Showroom welcomes"));
        assert!(!near_identical("Showroom", "Workshop"));
        assert!(
            !near_identical("Chat", "Chats"),
            "short names must match exactly"
        );
        assert!(
            !near_identical("Touchpoint 123", "Touchpoint 124"),
            "names that differ in their numbers name different things"
        );
        assert!(near_identical("Store 12 Berlin", "Store 12 Berlinn"));
        assert!(
            !near_identical("---", "..."),
            "names without letters never match"
        );
    }
}
