use std::sync::Arc;

use async_graphql::{Object, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::principle::Principle;
use crate::entities::alignment;
use crate::entities::principle::PrincipleSummary;
use crate::graphql::ids::to_id;

/// How well a touchpoint expresses the brand's (active) principles.
#[derive(SimpleObject)]
#[graphql(serial)]
pub struct Alignment {
    /// Mean score, −2..+2; null when unrated.
    pub average: Option<f64>,
    pub ratings: Vec<AlignmentRating>,
}

impl Alignment {
    pub fn from_ratings(rows: Vec<(alignment::Model, Arc<PrincipleSummary>)>) -> Self {
        let average = if rows.is_empty() {
            None
        } else {
            let sum: i64 = rows.iter().map(|(r, _)| i64::from(r.score)).sum();
            Some(sum as f64 / rows.len() as f64)
        };
        Self {
            average,
            ratings: rows
                .into_iter()
                .map(|(rating, principle)| AlignmentRating {
                    rating,
                    principle: Principle(principle),
                })
                .collect(),
        }
    }
}

/// One rating: a touchpoint against one principle.
pub struct AlignmentRating {
    rating: alignment::Model,
    principle: Principle,
}

#[Object(serial)]
impl AlignmentRating {
    async fn id(&self) -> ID {
        to_id(self.rating.id)
    }

    async fn principle(&self) -> &Principle {
        &self.principle
    }

    /// −2 (contradicts the principle) .. +2 (expresses it strongly).
    async fn score(&self) -> i32 {
        i32::from(self.rating.score)
    }

    async fn note(&self) -> Option<&str> {
        self.rating.note.as_deref()
    }

    /// Who rated (an e-mail, or `api-client:<name>`).
    async fn rated_by(&self) -> &str {
        &self.rating.rated_by_name
    }

    async fn rated_at(&self) -> DateTime<Utc> {
        self.rating.rated_at
    }
}
