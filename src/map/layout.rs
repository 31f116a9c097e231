//! Geometry: where every phase, lane, card and journey step goes.
//!
//! Layout is computed once, separately from drawing, so that the SVG writer
//! only formats and the sizes of the whole picture follow from the content.
//! All coordinates are whole pixels in the SVG user space.

use std::collections::HashMap;

use super::{MapCard, MapInput, MapLane, MapPhase};

/// Outer margin around everything.
pub const MARGIN: u32 = 24;
/// Width of the lane-label column on the left.
pub const LABEL_W: u32 = 190;
/// Fixed card size: a fixed width keeps columns aligned across lanes.
pub const CARD_W: u32 = 180;
pub const CARD_H: u32 = 64;
/// Gap between cards of one cell, horizontally and vertically.
pub const CARD_GAP: u32 = 10;
/// Padding between a cell's border and its cards.
pub const CELL_PAD: u32 = 14;
/// Cards per row inside a cell; more cards wrap to further rows.
pub const CARDS_PER_ROW: usize = 2;
pub const COL_W: u32 = 2 * CELL_PAD + CARDS_PER_ROW as u32 * CARD_W + CARD_GAP;
/// Height of the phase header row.
pub const PHASE_H: u32 = 40;
/// Narrowest picture: the header and the legend need this much even when
/// there are few (or no) phases.
pub const MIN_WIDTH: u32 = 900;
pub const LEGEND_H: u32 = 92;
/// Space for the "empty map" note.
pub const NOTE_H: u32 = 44;
/// Horizontal shift between markers of repeated visits to the same card, so
/// that a revisit does not hide the earlier step's number.
const REVISIT_SHIFT: u32 = 26;
const MAX_REVISIT_SHIFTS: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    pub fn right(&self) -> u32 {
        self.x + self.w
    }
    pub fn bottom(&self) -> u32 {
        self.y + self.h
    }
}

pub struct PlacedCard<'a> {
    pub card: &'a MapCard,
    pub rect: Rect,
}

/// A journey step that is drawn (its card is visible and placed).
pub struct PlacedStep<'a> {
    /// 1-based position in the journey, hidden steps included.
    pub number: usize,
    pub major: bool,
    pub card: &'a MapCard,
    /// Centre of the numbered marker; the path runs through these points.
    pub x: u32,
    pub y: u32,
    /// True when one or more hidden steps come between the previous drawn
    /// step and this one; the path segment is then dashed.
    pub after_hidden: bool,
}

pub struct Layout<'a> {
    pub width: u32,
    pub height: u32,
    /// Baselines of the header lines.
    pub title_y: u32,
    pub subtitle_y: u32,
    pub journey_y: Option<u32>,
    /// The whole grid: label column plus phase columns, header row included.
    pub grid: Rect,
    /// Header cell of each phase (in input order).
    pub phases: Vec<(&'a MapPhase, Rect)>,
    /// Full row of each lane, label column included (in input order).
    pub lanes: Vec<(&'a MapLane, Rect)>,
    pub cards: Vec<PlacedCard<'a>>,
    pub steps: Vec<PlacedStep<'a>>,
    /// Journey steps not drawn (hidden or unknown card).
    pub hidden_steps: usize,
    /// Baseline of the "empty map" note, when nothing could be placed.
    pub note_y: Option<u32>,
    /// Top of the legend block.
    pub legend_y: u32,
}

/// Index of each id; the first occurrence wins so duplicates cannot move cards.
fn index_by_id<'a, T>(items: &'a [T], id: impl Fn(&'a T) -> &'a str) -> HashMap<&'a str, usize> {
    let mut map = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        map.entry(id(item)).or_insert(i);
    }
    map
}

pub fn compute(input: &MapInput) -> Layout<'_> {
    let phase_idx = index_by_id(&input.phases, |p| p.id.as_str());
    let lane_idx = index_by_id(&input.lanes, |l| l.id.as_str());
    let n_phases = input.phases.len();

    // Pass 1: give every placeable card its slot within its cell.
    let mut per_cell = vec![0usize; input.lanes.len() * n_phases];
    let mut slotted = Vec::with_capacity(input.cards.len());
    for card in &input.cards {
        let (Some(&p), Some(&l)) = (
            phase_idx.get(card.phase_id.as_str()),
            lane_idx.get(card.lane_id.as_str()),
        ) else {
            continue; // unknown lane or phase: not drawn
        };
        let count = &mut per_cell[l * n_phases + p];
        slotted.push((card, l, p, *count));
        *count += 1;
    }

    // Header block.
    let title_y = MARGIN + 26;
    let subtitle_y = title_y + 26;
    let journey_y = input.journey.as_ref().map(|_| subtitle_y + 24);
    let header_bottom = journey_y.unwrap_or(subtitle_y) + 22;

    // Lane heights follow their fullest cell.
    let grid_x = MARGIN;
    let grid_w = LABEL_W + n_phases as u32 * COL_W;
    // No phases and no lanes: no grid at all, not even the header row.
    let has_grid = n_phases > 0 || !input.lanes.is_empty();
    let mut y = header_bottom + if has_grid { PHASE_H } else { 0 };
    let mut lanes = Vec::with_capacity(input.lanes.len());
    for (l, lane) in input.lanes.iter().enumerate() {
        let fullest = per_cell[l * n_phases..(l + 1) * n_phases]
            .iter()
            .copied()
            .max()
            .unwrap_or(0);
        let rows = fullest.div_ceil(CARDS_PER_ROW).max(1) as u32;
        let h = 2 * CELL_PAD + rows * CARD_H + (rows - 1) * CARD_GAP;
        lanes.push((
            lane,
            Rect {
                x: grid_x,
                y,
                w: grid_w,
                h,
            },
        ));
        y += h;
    }
    let grid = Rect {
        x: grid_x,
        y: header_bottom,
        w: grid_w,
        h: y - header_bottom,
    };

    let phases = input
        .phases
        .iter()
        .enumerate()
        .map(|(p, phase)| {
            let x = grid_x + LABEL_W + p as u32 * COL_W;
            (
                phase,
                Rect {
                    x,
                    y: header_bottom,
                    w: COL_W,
                    h: PHASE_H,
                },
            )
        })
        .collect();

    // Pass 2: absolute card positions.
    let cards: Vec<PlacedCard> = slotted
        .into_iter()
        .map(|(card, l, p, slot)| {
            let col = (slot % CARDS_PER_ROW) as u32;
            let row = (slot / CARDS_PER_ROW) as u32;
            let lane_y = lanes[l].1.y;
            let rect = Rect {
                x: grid_x + LABEL_W + p as u32 * COL_W + CELL_PAD + col * (CARD_W + CARD_GAP),
                y: lane_y + CELL_PAD + row * (CARD_H + CARD_GAP),
                w: CARD_W,
                h: CARD_H,
            };
            PlacedCard { card, rect }
        })
        .collect();

    let (steps, hidden_steps) = place_steps(input, &cards);

    let mut bottom = grid.bottom() + 20;
    let note_y = if cards.is_empty() {
        let baseline = bottom + 22;
        bottom += NOTE_H;
        Some(baseline)
    } else {
        None
    };
    let legend_y = bottom;

    Layout {
        width: (2 * MARGIN + grid_w).max(MIN_WIDTH),
        height: legend_y + LEGEND_H + MARGIN,
        title_y,
        subtitle_y,
        journey_y,
        grid,
        phases,
        lanes,
        cards,
        steps,
        hidden_steps,
        note_y,
        legend_y,
    }
}

/// Journey markers sit on the card's top-left corner, outside the text area,
/// so the number never covers the card name.
fn place_steps<'a>(input: &'a MapInput, cards: &[PlacedCard<'a>]) -> (Vec<PlacedStep<'a>>, usize) {
    let Some(journey) = &input.journey else {
        return (Vec::new(), 0);
    };
    let mut by_id: HashMap<&str, usize> = HashMap::with_capacity(cards.len());
    for (i, placed) in cards.iter().enumerate() {
        by_id.entry(placed.card.id.as_str()).or_insert(i);
    }
    let mut visits = vec![0u32; cards.len()];
    let mut steps = Vec::with_capacity(journey.steps.len());
    let mut hidden = 0;
    let mut gap = false;
    for (i, step) in journey.steps.iter().enumerate() {
        let placed = step
            .card_id
            .as_deref()
            .and_then(|id| by_id.get(id).copied());
        let Some(c) = placed else {
            hidden += 1;
            gap = true;
            continue;
        };
        let shift = visits[c].min(MAX_REVISIT_SHIFTS) * REVISIT_SHIFT;
        visits[c] += 1;
        let rect = cards[c].rect;
        steps.push(PlacedStep {
            number: i + 1,
            major: step.major,
            card: cards[c].card,
            x: (rect.x + shift).saturating_sub(2),
            y: rect.y.saturating_sub(4),
            after_hidden: gap && !steps.is_empty(),
        });
        gap = false;
    }
    (steps, hidden)
}

/// How many characters of a `font_px` sans-serif text fit in `width_px`.
///
/// Without font metrics on the server we use a conservative average advance
/// (0.58 em), which fits typical mixed-case names without overflowing.
pub fn chars_fitting(width_px: u32, font_px: f64) -> usize {
    ((f64::from(width_px) / (font_px * 0.58)).floor() as usize).max(1)
}

/// Shortens `text` to at most `max` characters, ending in "…" when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", kept.trim_end())
}

/// Word-wraps `text` into at most `max_lines` lines of `max_chars`; the last
/// line is truncated with "…" when the text does not fit. Words longer than
/// a line are split.
pub fn wrap(text: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let max_chars = max_chars.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut len = 0;
    for word in text.split_whitespace() {
        let mut chars: Vec<char> = word.chars().collect();
        while !chars.is_empty() {
            let room = if len == 0 {
                max_chars
            } else {
                max_chars - len - 1
            };
            if chars.len() <= room || (len == 0 && room > 0) {
                let take = chars.len().min(room);
                if len > 0 {
                    current.push(' ');
                    len += 1;
                }
                current.extend(chars.drain(..take));
                len += take;
            }
            if !chars.is_empty() || len >= max_chars {
                lines.push(std::mem::take(&mut current));
                len = 0;
            }
        }
    }
    if len > 0 {
        lines.push(current);
    }
    if lines.len() > max_lines && max_lines > 0 {
        // The remainder is always longer than a line (that is why it broke),
        // so truncating it always ends in "…".
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(truncate(&rest, max_chars));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_adds_ellipsis_only_when_cut() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly10!", 10), "exactly10!");
        assert_eq!(truncate("a bit too long", 8), "a bit t…");
        assert_eq!(truncate("a bit  too long", 7), "a bit…");
        assert_eq!(truncate("ééééé", 3), "éé…");
    }

    #[test]
    fn wrap_fills_lines_and_truncates_last() {
        assert_eq!(
            wrap("Store opening event", 12, 2),
            vec!["Store", "opening eve…"]
        );
        assert_eq!(
            wrap("Store opening event", 13, 2),
            vec!["Store opening", "event"]
        );
        assert_eq!(
            wrap("one two three four", 9, 2),
            vec!["one two", "three fo…"]
        );
        assert_eq!(wrap("abcdefghijkl", 5, 3), vec!["abcde", "fghij", "kl"]);
        assert_eq!(wrap("abcdefghijklmnop", 5, 2), vec!["abcde", "fghi…"]);
        assert!(wrap("", 5, 2).is_empty());
    }
}
