use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};

/// The experience map, drawn as SVG.
#[derive(SimpleObject)]
pub struct ExperienceMap {
    pub svg: String,
}

/// A signed link to the map, valid 15 minutes, that works without a header: for an `<img>`
/// (`svgUrl`) or a browser (`htmlUrl`: the map full-screen with the insights beside it).
#[derive(SimpleObject)]
pub struct MapLink {
    pub svg_url: String,
    pub html_url: String,
    pub expires_at: DateTime<Utc>,
}
