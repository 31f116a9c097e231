//! The experience map, drawn on the server: a pure renderer from [`MapInput`] to SVG and to
//! an HTML page (`services::planning::experience_map` gathers the input the caller may see).
//!
//! [`render_svg`] draws phases (columns) × lanes (rows) with touchpoint cards
//! coloured by alignment, and an optional journey path over them;
//! [`render_html`] wraps that SVG into a self-contained page with findings.
//! Both are pure functions of their input and never panic on bad references
//! (unknown lanes, phases or cards are skipped).

mod html;
mod layout;
mod svg;
mod xml;

/// Who runs the lane's touchpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaneKind {
    Brand,
    Partner,
    ThirdParty,
}

#[derive(Debug, Clone)]
pub struct MapPhase {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct MapLane {
    pub id: String,
    pub name: String,
    pub kind: LaneKind,
}

#[derive(Debug, Clone)]
pub struct MapCard {
    pub id: String,
    pub name: String,
    /// e.g. "WEBSITE", "SHOWROOM", "FIELD_SALES" — show it humanised ("Field sales").
    pub channel: String,
    pub phase_id: String,
    pub lane_id: String,
    /// Alignment average in -2.0..=2.0, None when unrated.
    pub alignment: Option<f64>,
    /// A "stamp of authenticity" touchpoint: mark it visibly (e.g. a star badge).
    pub signature: bool,
    /// Waiting for the brand's review: draw it as a draft (dashed outline, lighter fill).
    pub pending: bool,
}

#[derive(Debug, Clone)]
pub struct MapStep {
    /// The card this step points at; None when the viewer may not see that touchpoint
    /// (then the step keeps its number but is not drawn on the path).
    pub card_id: Option<String>,
    pub major: bool,
}

#[derive(Debug, Clone)]
pub struct MapJourney {
    pub name: String,
    pub persona: Option<String>,
    pub steps: Vec<MapStep>,
}

#[derive(Debug, Clone)]
pub struct MapInput {
    pub brand_name: String,
    /// A subtitle such as "as seen by Harbor Bikes · 2026-11-23".
    pub subtitle: String,
    /// In order: left to right.
    pub phases: Vec<MapPhase>,
    /// In order: top to bottom.
    pub lanes: Vec<MapLane>,
    pub cards: Vec<MapCard>,
    pub journey: Option<MapJourney>,
}

pub struct MapInsight {
    pub code: String,
    pub severity: String,
    pub message: String,
}

/// The experience map as a standalone SVG document (no XML declaration, so
/// it can also be inlined into HTML as is).
pub fn render_svg(input: &MapInput) -> String {
    svg::render(input)
}

/// A complete, self-contained HTML5 page: header, the inline map (`#map`)
/// and the findings list (`#insights`).
pub fn render_html(input: &MapInput, insights: &[MapInsight], generated_at: &str) -> String {
    html::render(input, insights, generated_at)
}
