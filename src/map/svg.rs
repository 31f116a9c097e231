//! Writes the experience map as SVG from a computed [`Layout`].
//!
//! Styling uses presentation attributes only (no `<style>` element): the SVG
//! is also inlined into an HTML page, where a `<style>` inside it would leak
//! into the page's CSS. Ids are prefixed `tpm-` for the same reason.

use super::layout::{self, Layout, PlacedCard, PlacedStep, Rect, CARD_W, LABEL_W, MARGIN};
use super::xml::XmlWriter;
use super::{LaneKind, MapInput};

/// System fonts only: the map must render offline, and these cover Windows,
/// macOS and Linux meeting-room machines.
const FONT: &str =
    "Inter, Segoe UI, Helvetica Neue, Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif";
const INK: &str = "#1d2330";
const MUTED: &str = "#5b6475";
const RULE: &str = "#d5d9e0";
const HEADER_BG: &str = "#2f3b52";
const CARD_STROKE: &str = "#6b7486";
const SIGNATURE_STROKE: &str = "#b8860b";
const JOURNEY: &str = "#1f3a93";
const UNRATED_FILL: &str = "url(#tpm-unrated)";

/// Diverging alignment scale, −2 (red) … 0 (neutral) … +2 (green).
/// Shared by card fills and the legend gradient so they always agree.
const STOPS: [(f64, [u8; 3]); 5] = [
    (-2.0, [0xd7, 0x30, 0x27]),
    (-1.0, [0xf4, 0x8c, 0x6e]),
    (0.0, [0xee, 0xee, 0xea]),
    (1.0, [0x8c, 0xcf, 0x7e]),
    (2.0, [0x1a, 0x98, 0x50]),
];

/// Colour of an alignment average on the diverging scale (clamped to ±2).
fn scale_colour(alignment: f64) -> [u8; 3] {
    let a = alignment.clamp(-2.0, 2.0);
    for pair in STOPS.windows(2) {
        let ((a0, c0), (a1, c1)) = (pair[0], pair[1]);
        if a <= a1 {
            let t = (a - a0) / (a1 - a0);
            return [0, 1, 2].map(|i| lerp(c0[i], c1[i], t));
        }
    }
    STOPS[STOPS.len() - 1].1
}

fn lerp(a: u8, b: u8, t: f64) -> u8 {
    (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// Drafts are drawn in a lighter tint: mix with white.
fn lighten(c: [u8; 3]) -> [u8; 3] {
    c.map(|v| lerp(v, 255, 0.55))
}

/// WCAG relative luminance, used to pick readable text on a card fill.
fn luminance(c: [u8; 3]) -> f64 {
    let lin = |v: u8| {
        let s = f64::from(v) / 255.0;
        if s <= 0.03928 {
            s / 12.92
        } else {
            ((s + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2])
}

/// Text colours (main, secondary) with the better contrast on `fill`.
fn text_colours(fill: [u8; 3]) -> (&'static str, &'static str) {
    let l = luminance(fill);
    let on_white = 1.05 / (l + 0.05);
    let on_ink = (l + 0.05) / (0.016 + 0.05); // INK's luminance is about 0.016
    if on_white > on_ink {
        ("#ffffff", "#f3f4f6")
    } else {
        (INK, "#3f4757")
    }
}

/// Alignment as shown on a card: one decimal, explicit sign, a real minus.
fn format_alignment(a: f64) -> String {
    if a.abs() < 0.05 {
        return "0.0".to_string();
    }
    format!("{a:+.1}").replace('-', "−")
}

/// "FIELD_SALES" → "Field sales".
pub fn humanise_channel(channel: &str) -> String {
    let words = channel.replace(['_', '-'], " ").to_lowercase();
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn lane_style(kind: LaneKind) -> (&'static str, &'static str, &'static str, &'static str) {
    // (accent, cell tint, label tint, label)
    match kind {
        LaneKind::Brand => ("#2f6fd0", "#f3f7fd", "#e3ecfa", "Brand"),
        LaneKind::Partner => ("#7a52c7", "#f7f3fc", "#ece4f8", "Partner"),
        LaneKind::ThirdParty => ("#b7791f", "#fcf8ef", "#f6ebd5", "Third party"),
    }
}

pub fn render(input: &MapInput) -> String {
    render_sized(input).0
}

/// The SVG and its natural width in pixels (the HTML page needs the width to
/// keep the map from shrinking into illegibility).
pub fn render_sized(input: &MapInput) -> (String, u32) {
    let layout = layout::compute(input);
    let mut w = XmlWriter::with_capacity(8192 + layout.cards.len() * 1200);
    w.tag("svg")
        .attr("xmlns", "http://www.w3.org/2000/svg")
        .attr("width", layout.width)
        .attr("height", layout.height)
        .attr("viewBox", format!("0 0 {} {}", layout.width, layout.height))
        .attr("role", "img")
        .attr("font-family", FONT)
        .attr("class", "tpm-map")
        .open();
    w.tag("title")
        .text(&format!("{} — experience map", input.brand_name));
    write_defs(&mut w);
    w.tag("rect")
        .attr("width", layout.width)
        .attr("height", layout.height)
        .attr("fill", "#ffffff")
        .empty();
    w.newline();
    write_header(&mut w, input, &layout);
    write_grid(&mut w, &layout);
    w.tag("g").attr("class", "tpm-cards").open();
    for placed in &layout.cards {
        write_card(&mut w, placed);
    }
    w.close("g");
    w.newline();
    write_journey(&mut w, &layout.steps);
    if let Some(y) = layout.note_y {
        w.tag("text")
            .attr("class", "tpm-empty")
            .attr("x", MARGIN)
            .attr("y", y)
            .attr("font-size", 16)
            .attr("font-style", "italic")
            .attr("fill", MUTED)
            .text("This map is empty — no touchpoints to show yet.");
        w.newline();
    }
    write_legend(&mut w, &layout, input.journey.is_some());
    w.close("svg");
    w.newline();
    (w.finish(), layout.width)
}

fn write_defs(w: &mut XmlWriter) {
    w.tag("defs").open();
    // Unrated: light grey with diagonal hatching, distinct from every scale colour.
    w.tag("pattern")
        .attr("id", "tpm-unrated")
        .attr("width", 8)
        .attr("height", 8)
        .attr("patternUnits", "userSpaceOnUse")
        .attr("patternTransform", "rotate(45)")
        .open();
    w.tag("rect")
        .attr("width", 8)
        .attr("height", 8)
        .attr("fill", "#f5f5f3")
        .empty();
    w.tag("line")
        .attr("x1", 0)
        .attr("y1", 0)
        .attr("x2", 0)
        .attr("y2", 8)
        .attr("stroke", "#d6d6d0")
        .attr("stroke-width", 4)
        .empty();
    w.close("pattern");
    w.tag("linearGradient")
        .attr("id", "tpm-scale")
        .attr("x1", 0)
        .attr("x2", 1)
        .attr("y1", 0)
        .attr("y2", 0)
        .open();
    for (a, c) in STOPS {
        w.tag("stop")
            .attr("offset", (a + 2.0) / 4.0)
            .attr("stop-color", hex(c))
            .empty();
    }
    w.close("linearGradient");
    w.close("defs");
    w.newline();
}

fn write_header(w: &mut XmlWriter, input: &MapInput, layout: &Layout) {
    let usable = layout.width - 2 * MARGIN;
    let suffix = " · Experience map";
    let brand_room = layout::chars_fitting(usable, 26.0).saturating_sub(suffix.chars().count());
    w.tag("text")
        .attr("x", MARGIN)
        .attr("y", layout.title_y)
        .attr("font-size", 26)
        .attr("font-weight", 700)
        .attr("fill", INK)
        .open();
    w.text(&layout::truncate(&input.brand_name, brand_room.max(8)));
    w.tag("tspan")
        .attr("font-weight", 400)
        .attr("fill", MUTED)
        .text(suffix);
    w.close("text");
    w.tag("text")
        .attr("x", MARGIN)
        .attr("y", layout.subtitle_y)
        .attr("font-size", 15)
        .attr("fill", MUTED)
        .text(&layout::truncate(
            &input.subtitle,
            layout::chars_fitting(usable, 15.0),
        ));
    if let (Some(journey), Some(y)) = (&input.journey, layout.journey_y) {
        let mut line = format!("Journey: {}", journey.name);
        if let Some(persona) = &journey.persona {
            line.push_str(&format!(" · Persona: {persona}"));
        }
        let n = journey.steps.len();
        line.push_str(&format!(" · {n} step{}", if n == 1 { "" } else { "s" }));
        if layout.hidden_steps > 0 {
            line.push_str(&format!(" ({} not visible here)", layout.hidden_steps));
        }
        w.tag("text")
            .attr("class", "tpm-journey-title")
            .attr("x", MARGIN)
            .attr("y", y)
            .attr("font-size", 15)
            .attr("font-weight", 600)
            .attr("fill", JOURNEY)
            .text(&layout::truncate(
                &line,
                layout::chars_fitting(usable, 15.0),
            ));
    }
    w.newline();
}

fn write_grid(w: &mut XmlWriter, layout: &Layout) {
    let grid = layout.grid;
    // Corner cell above the lane labels, continuing the dark header band
    // (left out when there is no grid at all).
    if layout.phases.is_empty() && layout.lanes.is_empty() {
        return;
    }
    w.tag("rect")
        .attr("x", grid.x)
        .attr("y", grid.y)
        .attr("width", LABEL_W)
        .attr("height", layout::PHASE_H)
        .attr("fill", HEADER_BG)
        .empty();
    w.newline();

    for (lane, rect) in &layout.lanes {
        let (accent, tint, label_tint, kind_label) = lane_style(lane.kind);
        w.tag("g")
            .attr("class", "lane")
            .attr("data-id", &lane.id)
            .attr("data-kind", kind_label)
            .open();
        w.tag("title")
            .text(&format!("{} — {} lane", lane.name, kind_label));
        rect_el(w, *rect, tint);
        rect_el(
            w,
            Rect {
                w: LABEL_W,
                ..*rect
            },
            label_tint,
        );
        rect_el(w, Rect { w: 5, ..*rect }, accent);
        let lines = layout::wrap(&lane.name, layout::chars_fitting(LABEL_W - 24, 14.5), 3);
        let mut y = rect.y + 26;
        for line in &lines {
            w.tag("text")
                .attr("x", rect.x + 16)
                .attr("y", y)
                .attr("font-size", 14)
                .attr("font-weight", 700)
                .attr("fill", INK)
                .text(line);
            y += 18;
        }
        w.tag("text")
            .attr("x", rect.x + 16)
            .attr("y", y + 2)
            .attr("font-size", 11)
            .attr("font-weight", 600)
            .attr("letter-spacing", 0.5)
            .attr("fill", accent)
            .text(&kind_label.to_uppercase());
        line_el(w, rect.x, rect.bottom(), rect.right(), rect.bottom(), RULE);
        w.close("g");
        w.newline();
    }

    for (phase, rect) in &layout.phases {
        w.tag("g")
            .attr("class", "phase")
            .attr("data-id", &phase.id)
            .open();
        w.tag("title").text(&phase.name);
        rect_el(w, *rect, HEADER_BG);
        w.tag("text")
            .attr("x", rect.x + rect.w / 2)
            .attr("y", rect.y + 26)
            .attr("text-anchor", "middle")
            .attr("font-size", 15)
            .attr("font-weight", 700)
            .attr("fill", "#ffffff")
            .text(&layout::truncate(
                &phase.name,
                layout::chars_fitting(rect.w - 20, 15.5),
            ));
        // Column separator down the whole grid.
        line_el(w, rect.x, rect.bottom(), rect.x, grid.bottom(), RULE);
        w.close("g");
        w.newline();
    }
}

fn rect_el(w: &mut XmlWriter, r: Rect, fill: &str) {
    w.tag("rect")
        .attr("x", r.x)
        .attr("y", r.y)
        .attr("width", r.w)
        .attr("height", r.h)
        .attr("fill", fill)
        .empty();
}

fn line_el(w: &mut XmlWriter, x1: u32, y1: u32, x2: u32, y2: u32, stroke: &str) {
    w.tag("line")
        .attr("x1", x1)
        .attr("y1", y1)
        .attr("x2", x2)
        .attr("y2", y2)
        .attr("stroke", stroke)
        .attr("stroke-width", 1)
        .empty();
}

fn write_card(w: &mut XmlWriter, placed: &PlacedCard) {
    let card = placed.card;
    let r = placed.rect;
    let channel = humanise_channel(&card.channel);
    let alignment = card.alignment.filter(|a| a.is_finite());

    let (fill, ink, secondary) = match alignment {
        Some(a) => {
            let base = scale_colour(a);
            let c = if card.pending { lighten(base) } else { base };
            let (ink, secondary) = text_colours(c);
            (hex(c), ink, secondary)
        }
        None => (UNRATED_FILL.to_string(), INK, "#3f4757"),
    };
    let score = alignment.map_or_else(|| "unrated".to_string(), format_alignment);

    let mut tooltip = format!("{}\n{}", card.name, channel);
    match alignment {
        Some(a) => tooltip.push_str(&format!(" · alignment {}", format_alignment(a))),
        None => tooltip.push_str(" · unrated"),
    }
    if card.signature {
        tooltip.push_str("\n★ Signature touchpoint");
    }
    if card.pending {
        tooltip.push_str("\nDraft — pending brand review");
    }

    w.tag("g")
        .attr("class", "card")
        .attr("data-id", &card.id)
        .attr("data-phase", &card.phase_id)
        .attr("data-lane", &card.lane_id)
        .attr_opt("data-alignment", alignment.map(|a| format!("{a:.2}")))
        .attr_opt("data-signature", card.signature.then_some("true"))
        .attr_opt("data-pending", card.pending.then_some("true"))
        .open();
    w.tag("title").text(&tooltip);

    let (stroke, stroke_width) = if card.signature {
        (SIGNATURE_STROKE, 2.0)
    } else {
        (CARD_STROKE, 1.0)
    };
    w.tag("rect")
        .attr("x", r.x)
        .attr("y", r.y)
        .attr("width", r.w)
        .attr("height", r.h)
        .attr("rx", 6)
        .attr("fill", &fill)
        .attr_opt(
            "fill-opacity",
            (card.pending && alignment.is_none()).then_some(0.55),
        )
        .attr("stroke", stroke)
        .attr(
            "stroke-width",
            if card.pending {
                stroke_width + 0.5
            } else {
                stroke_width
            },
        )
        .attr_opt("stroke-dasharray", card.pending.then_some("6 4"))
        .empty();

    // Name: up to two lines, leaving room for the signature badge.
    let name_chars = layout::chars_fitting(CARD_W - 20 - 18, 13.5);
    let mut y = r.y + 21;
    for line in layout::wrap(&card.name, name_chars, 2) {
        w.tag("text")
            .attr("x", r.x + 10)
            .attr("y", y)
            .attr("font-size", 13)
            .attr("font-weight", 600)
            .attr("fill", ink)
            .text(&line);
        y += 16;
    }

    // Bottom line: channel on the left, score (or "unrated") on the right.
    let score_px = (score.chars().count() as f64 * 11.0 * 0.6).ceil() as u32;
    let channel_px = (CARD_W - 20).saturating_sub(score_px + 8);
    w.tag("text")
        .attr("x", r.x + 10)
        .attr("y", r.bottom() - 9)
        .attr("font-size", 11)
        .attr("fill", secondary)
        .text(&layout::truncate(
            &channel,
            layout::chars_fitting(channel_px, 11.0),
        ));
    w.tag("text")
        .attr("x", r.right() - 8)
        .attr("y", r.bottom() - 9)
        .attr("text-anchor", "end")
        .attr("font-size", 11)
        .attr("font-weight", 700)
        .attr_opt("font-style", alignment.is_none().then_some("italic"))
        .attr("fill", secondary)
        .text(&score);

    if card.signature {
        star(w, f64::from(r.right()) - 13.0, f64::from(r.y) + 14.0, 8.0);
    }
    w.close("g");
    w.newline();
}

/// Five-pointed star badge; a polygon rather than a "★" glyph so it does not
/// depend on the font having that character.
fn star(w: &mut XmlWriter, cx: f64, cy: f64, outer: f64) {
    let inner = outer * 0.45;
    let points: Vec<String> = (0..10)
        .map(|i| {
            let r = if i % 2 == 0 { outer } else { inner };
            let angle = std::f64::consts::PI * (f64::from(i) / 5.0 - 0.5);
            format!("{:.1},{:.1}", cx + r * angle.cos(), cy + r * angle.sin())
        })
        .collect();
    w.tag("polygon")
        .attr("class", "tpm-signature")
        .attr("points", points.join(" "))
        .attr("fill", "#f5b700")
        .attr("stroke", "#8a6100")
        .attr("stroke-width", 1)
        .attr("stroke-linejoin", "round")
        .empty();
}

fn write_journey(w: &mut XmlWriter, steps: &[PlacedStep]) {
    if steps.is_empty() {
        return;
    }
    w.tag("g").attr("class", "tpm-journey").open();
    // Path first so the numbered markers sit on top of it.
    for pair in steps.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let (x0, y0, x1, y1) = (
            i64::from(a.x),
            i64::from(a.y),
            i64::from(b.x),
            i64::from(b.y),
        );
        // Horizontal tangents give a smooth S-curve between columns and a
        // straight line within one column.
        let mid = (x1 - x0) / 2;
        let d = format!("M{x0} {y0} C{} {y0} {} {y1} {x1} {y1}", x0 + mid, x1 - mid);
        // Dotted where hidden steps were skipped, so the gap is visible.
        let dash = b.after_hidden.then_some("1 7");
        // A white halo under the line keeps it visible over coloured cards.
        for (stroke, width, opacity) in [("#ffffff", 7, 0.7), (JOURNEY, 3, 0.8)] {
            w.tag("path")
                .attr("d", &d)
                .attr("fill", "none")
                .attr("stroke", stroke)
                .attr("stroke-width", width)
                .attr("stroke-opacity", opacity)
                .attr("stroke-linecap", "round")
                .attr_opt("stroke-dasharray", dash)
                .empty();
        }
    }
    for step in steps {
        let r = if step.major { 14 } else { 11 };
        let (fill, stroke, text) = if step.major {
            (JOURNEY, "#ffffff", "#ffffff")
        } else {
            ("#ffffff", JOURNEY, JOURNEY)
        };
        let font = match step.number {
            0..=9 => 12,
            10..=99 => 11,
            _ => 9,
        };
        w.tag("g")
            .attr("class", "step")
            .attr("data-step", step.number)
            .attr("data-card", &step.card.id)
            .attr_opt("data-major", step.major.then_some("true"))
            .open();
        w.tag("title").text(&format!(
            "Step {}{}: {}",
            step.number,
            if step.major { " (major)" } else { "" },
            step.card.name
        ));
        w.tag("circle")
            .attr("cx", step.x)
            .attr("cy", step.y)
            .attr("r", r)
            .attr("fill", fill)
            .attr("stroke", stroke)
            .attr("stroke-width", if step.major { 3 } else { 2 })
            .empty();
        w.tag("text")
            .attr("x", step.x)
            .attr("y", step.y + 4)
            .attr("text-anchor", "middle")
            .attr("font-size", font)
            .attr("font-weight", 700)
            .attr("fill", text)
            .text(&step.number.to_string());
        w.close("g");
        w.newline();
    }
    w.close("g");
    w.newline();
}

fn legend_label(w: &mut XmlWriter, x: u32, y: u32, text: &str) -> u32 {
    w.tag("text")
        .attr("x", x)
        .attr("y", y)
        .attr("font-size", 12)
        .attr("fill", INK)
        .text(text);
    x + (text.chars().count() as f64 * 12.0 * 0.56).ceil() as u32
}

fn write_legend(w: &mut XmlWriter, layout: &Layout, with_journey: bool) {
    let top = layout.legend_y;
    let x0 = MARGIN;
    w.tag("g").attr("class", "tpm-legend").open();
    line_el(w, x0, top, layout.width - MARGIN, top, RULE);

    // Row 1: the alignment scale, unrated, journey markers.
    let row1 = top + 30;
    w.tag("text")
        .attr("x", x0)
        .attr("y", row1)
        .attr("font-size", 12)
        .attr("font-weight", 700)
        .attr("fill", INK)
        .text("Alignment");
    let bar_x = x0 + 76;
    let bar_w = 240;
    w.tag("rect")
        .attr("x", bar_x)
        .attr("y", row1 - 13)
        .attr("width", bar_w)
        .attr("height", 16)
        .attr("rx", 3)
        .attr("fill", "url(#tpm-scale)")
        .attr("stroke", CARD_STROKE)
        .empty();
    // End words sit inside the bar (white on the saturated ends), so the
    // numeric ticks below never collide with them.
    for (x, anchor, word) in [
        (bar_x + 6, "start", "off-brand"),
        (bar_x + bar_w - 6, "end", "on-brand"),
    ] {
        w.tag("text")
            .attr("x", x)
            .attr("y", row1 - 1)
            .attr("text-anchor", anchor)
            .attr("font-size", 10)
            .attr("font-weight", 700)
            .attr("fill", "#ffffff")
            .text(word);
    }
    for (i, tick) in ["−2", "−1", "0", "+1", "+2"].iter().enumerate() {
        w.tag("text")
            .attr("x", bar_x + bar_w * i as u32 / 4)
            .attr("y", row1 + 17)
            .attr("text-anchor", "middle")
            .attr("font-size", 11)
            .attr("fill", MUTED)
            .text(tick);
    }
    let mut x = bar_x + bar_w + 36;
    w.tag("rect")
        .attr("x", x)
        .attr("y", row1 - 13)
        .attr("width", 30)
        .attr("height", 16)
        .attr("rx", 3)
        .attr("fill", UNRATED_FILL)
        .attr("stroke", CARD_STROKE)
        .empty();
    x = legend_label(w, x + 38, row1, "Unrated") + 36;
    if with_journey {
        w.tag("circle")
            .attr("cx", x + 8)
            .attr("cy", row1 - 5)
            .attr("r", 8)
            .attr("fill", "#ffffff")
            .attr("stroke", JOURNEY)
            .attr("stroke-width", 2)
            .empty();
        w.tag("circle")
            .attr("cx", x + 30)
            .attr("cy", row1 - 5)
            .attr("r", 10)
            .attr("fill", JOURNEY)
            .attr("stroke", JOURNEY)
            .attr("stroke-width", 2)
            .empty();
        legend_label(w, x + 48, row1, "Journey step · major step");
    }

    // Row 2: signature, draft, hidden journey steps. Lane kinds need no
    // legend: every lane label names its kind.
    let row2 = top + 74;
    star(w, f64::from(x0) + 8.0, f64::from(row2) - 5.0, 8.0);
    x = legend_label(w, x0 + 22, row2, "Signature touchpoint") + 30;
    w.tag("rect")
        .attr("x", x)
        .attr("y", row2 - 13)
        .attr("width", 30)
        .attr("height", 16)
        .attr("rx", 3)
        .attr("fill", "#f7f7f5")
        .attr("stroke", CARD_STROKE)
        .attr("stroke-width", 1.5)
        .attr("stroke-dasharray", "6 4")
        .empty();
    x = legend_label(w, x + 38, row2, "Draft — pending brand review") + 30;
    if with_journey {
        w.tag("path")
            .attr("d", format!("M{} {} h30", x, row2 - 5))
            .attr("stroke", JOURNEY)
            .attr("stroke-width", 3)
            .attr("stroke-linecap", "round")
            .attr("stroke-dasharray", "1 7")
            .empty();
        legend_label(w, x + 40, row2, "Steps not visible to this viewer skipped");
    }
    w.close("g");
    w.newline();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_is_diverging_and_clamped() {
        assert_eq!(scale_colour(-2.0), STOPS[0].1);
        assert_eq!(scale_colour(-9.0), STOPS[0].1);
        assert_eq!(scale_colour(0.0), STOPS[2].1);
        assert_eq!(scale_colour(2.0), STOPS[4].1);
        assert_eq!(scale_colour(7.0), STOPS[4].1);
        assert_ne!(scale_colour(-1.5), scale_colour(1.5));
    }

    #[test]
    fn channel_is_humanised() {
        assert_eq!(humanise_channel("FIELD_SALES"), "Field sales");
        assert_eq!(humanise_channel("WEBSITE"), "Website");
        assert_eq!(humanise_channel(""), "");
    }

    #[test]
    fn alignment_label() {
        assert_eq!(format_alignment(1.44), "+1.4");
        assert_eq!(format_alignment(-2.0), "−2.0");
        assert_eq!(format_alignment(-0.01), "0.0");
    }
}
