//! `brand.scorecard`: the numbers behind the map — roll-ups by phase, by owner, by channel
//! and by owner × phase, over the non-archived touchpoints the caller may see.
use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use crate::auth::Principal;
use crate::domain::{Channel, ReviewStatus, TouchpointStatus};
use crate::entities::touchpoint;
use crate::error::AppResult;
use crate::services::touchpoints::list::live_in_brand;
use crate::services::{network::brands, planning::insights};
use crate::store::db::Db;

/// One roll-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub touchpoints: u32,
    pub active: u32,
    pub planned: u32,
    pub retired: u32,
    pub signatures: u32,
    pub pending_reviews: u32,
    pub personal: u32,
    pub physical: u32,
    pub digital: u32,
    pub multi_access: u32,
    /// Mean of the rated touchpoints' alignment averages.
    pub alignment_average: Option<f64>,
    /// Median priorityScore of those that have one.
    pub median_priority: Option<f64>,
    alignments: Vec<f64>,
    priorities: Vec<i32>,
}

impl Tally {
    fn add(&mut self, t: &touchpoint::Model, alignment: Option<f64>) {
        self.touchpoints += 1;
        match t.status {
            TouchpointStatus::Active => self.active += 1,
            TouchpointStatus::Planned => self.planned += 1,
            TouchpointStatus::Retired => self.retired += 1,
        }
        self.signatures += u32::from(t.signature);
        self.pending_reviews += u32::from(t.review_status == ReviewStatus::Pending);
        self.personal += u32::from(t.expr_personal);
        self.physical += u32::from(t.expr_physical);
        self.digital += u32::from(t.expr_digital);
        let expressions = [t.expr_personal, t.expr_physical, t.expr_digital]
            .iter()
            .filter(|e| **e)
            .count();
        self.multi_access += u32::from(expressions > 1);
        if let Some(a) = alignment {
            self.alignments.push(a);
        }
        if let Some(p) = t.priority_score {
            self.priorities.push(p);
        }
    }

    fn finish(mut self) -> Self {
        if !self.alignments.is_empty() {
            self.alignment_average =
                Some(self.alignments.iter().sum::<f64>() / self.alignments.len() as f64);
        }
        if !self.priorities.is_empty() {
            self.priorities.sort_unstable();
            let n = self.priorities.len();
            let hundredths = if n % 2 == 1 {
                f64::from(self.priorities[n / 2])
            } else {
                (f64::from(self.priorities[n / 2 - 1]) + f64::from(self.priorities[n / 2])) / 2.0
            };
            // Half-way medians round half away from zero, like priorityScore itself.
            self.median_priority = Some(hundredths.round() / 100.0);
        }
        self
    }
}

#[derive(Debug, Clone, Default)]
pub struct Scorecard {
    pub total: Tally,
    pub by_phase: Vec<(Uuid, Tally)>,
    pub by_owner: Vec<(Uuid, Tally)>,
    pub by_channel: Vec<(Channel, Tally)>,
    /// Each owner's contribution per phase.
    pub by_owner_and_phase: Vec<((Uuid, Uuid), Tally)>,
}

pub async fn for_brand(db: &Db, p: &Principal, brand_id: Uuid) -> AppResult<Scorecard> {
    brands::require_known(p, brand_id)?;
    let phases = brands::phases(db, p, brand_id).await?;
    let touchpoints = live_in_brand(p, brand_id).all(db.conn()).await?;
    let sums = insights::rating_sums(db, brand_id).await?;
    let mut total = Tally::default();
    let mut by_phase: HashMap<Uuid, Tally> = HashMap::new();
    let mut by_owner: HashMap<Uuid, Tally> = HashMap::new();
    let mut by_channel: BTreeMap<Channel, Tally> = BTreeMap::new();
    let mut cells: HashMap<(Uuid, Uuid), Tally> = HashMap::new();
    for t in &touchpoints {
        let alignment = sums
            .get(&t.id)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| *s as f64 / *n as f64);
        total.add(t, alignment);
        by_phase.entry(t.phase_id).or_default().add(t, alignment);
        by_owner.entry(t.owner_id).or_default().add(t, alignment);
        by_channel.entry(t.channel).or_default().add(t, alignment);
        cells
            .entry((t.owner_id, t.phase_id))
            .or_default()
            .add(t, alignment);
    }
    // Phases in their order, every phase present (an empty phase is a finding too).
    let by_phase = phases
        .iter()
        .map(|ph| (ph.id, by_phase.remove(&ph.id).unwrap_or_default().finish()))
        .collect();
    let mut by_owner: Vec<(Uuid, Tally)> =
        by_owner.into_iter().map(|(k, v)| (k, v.finish())).collect();
    by_owner.sort_by(|a, b| b.1.touchpoints.cmp(&a.1.touchpoints).then(a.0.cmp(&b.0)));
    let position: HashMap<Uuid, i32> = phases.iter().map(|ph| (ph.id, ph.position)).collect();
    let mut by_owner_and_phase: Vec<((Uuid, Uuid), Tally)> =
        cells.into_iter().map(|(k, v)| (k, v.finish())).collect();
    by_owner_and_phase.sort_by_key(|((owner, phase), _)| {
        (*owner, position.get(phase).copied().unwrap_or(i32::MAX))
    });
    Ok(Scorecard {
        total: total.finish(),
        by_phase,
        by_owner,
        by_channel: by_channel
            .into_iter()
            .map(|(k, v)| (k, v.finish()))
            .collect(),
        by_owner_and_phase,
    })
}
