//! `priorityScore = ((2·importance + urgency + maturity) / 4) · (benefit / effort)`,
//! rounded half away from zero to two decimals.
//!
//! Computed in integers (hundredths), so the stored value is exact and the database can
//! order by it; the result lies in 0..=2500 (25.00 at most).

/// The five 1..=5 inputs of the score; `None` when any of them is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scores {
    pub importance: i16,
    pub urgency: i16,
    pub maturity: i16,
    pub effort: i16,
    pub benefit: i16,
}

impl Scores {
    pub fn from_options(
        importance: Option<i16>,
        urgency: Option<i16>,
        maturity: Option<i16>,
        effort: Option<i16>,
        benefit: Option<i16>,
    ) -> Option<Self> {
        Some(Self {
            importance: importance?,
            urgency: urgency?,
            maturity: maturity?,
            effort: effort?,
            benefit: benefit?,
        })
    }

    /// The score in hundredths (`333` is 3.33).
    pub fn priority_hundredths(&self) -> i32 {
        let weighted =
            2 * i64::from(self.importance) + i64::from(self.urgency) + i64::from(self.maturity);
        let numerator = 100 * weighted * i64::from(self.benefit);
        let denominator = 4 * i64::from(self.effort);
        // Inputs are positive, so half away from zero is half up: floor(n/d + 1/2).
        let rounded = (2 * numerator + denominator) / (2 * denominator);
        i32::try_from(rounded).unwrap_or(i32::MAX)
    }
}

/// The stored hundredths as the API's number.
pub fn hundredths_to_score(hundredths: i32) -> f64 {
    f64::from(hundredths) / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(i: i16, u: i16, m: i16, e: i16, b: i16) -> i32 {
        Scores {
            importance: i,
            urgency: u,
            maturity: m,
            effort: e,
            benefit: b,
        }
        .priority_hundredths()
    }

    #[test]
    fn extremes() {
        assert_eq!(score(5, 5, 5, 1, 5), 2500);
        assert_eq!(score(1, 1, 1, 5, 1), 20); // (4/4)·(1/5) = 0.2
    }

    #[test]
    fn rounds_half_away_from_zero() {
        // (2·1+1+1)/4 · 1/3 = 0.3333… → 0.33
        assert_eq!(score(1, 1, 1, 3, 1), 33);
        // (2·1+1+2)/4 · 1/3 = 1.25/3 = 0.41666… → 0.42
        assert_eq!(score(1, 1, 2, 3, 1), 42);
        // (2·1+1+1)/4 · 1/... exact half: (2·2+1+2)/4 · 1/2 = 7/8 = 0.875 → 0.88
        assert_eq!(score(2, 1, 2, 2, 1), 88);
        // 2.5/4 · 1/... : (2·1+1+2)/4 = 1.25, ·3/4 = 0.9375 → 0.94
        assert_eq!(score(1, 1, 2, 4, 3), 94);
    }

    #[test]
    fn missing_input_gives_none() {
        assert_eq!(
            Scores::from_options(Some(1), None, Some(1), Some(1), Some(1)),
            None
        );
    }
}
