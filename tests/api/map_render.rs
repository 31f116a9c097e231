//! End-to-end tests of the public API: every output is parsed strictly with
//! quick-xml into a small tree, and assertions run on that tree, so they
//! check what a browser would see rather than raw substrings.

use std::time::{Duration, Instant};

use quick_xml::events::Event;
use quick_xml::Reader;
use touchpoint_registry::map::{
    render_html, render_svg, LaneKind, MapCard, MapInput, MapInsight, MapJourney, MapLane,
    MapPhase, MapStep,
};

// ---------------------------------------------------------------- XML tree

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
    /// Text directly inside this element (entities resolved).
    text: String,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    fn walk<'a>(&'a self, out: &mut Vec<&'a Node>) {
        out.push(self);
        for c in &self.children {
            c.walk(out);
        }
    }

    fn all(&self) -> Vec<&Node> {
        let mut v = Vec::new();
        self.walk(&mut v);
        v
    }

    fn with_class(&self, class: &str) -> Vec<&Node> {
        self.all()
            .into_iter()
            .filter(|n| n.attr("class") == Some(class))
            .collect()
    }

    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All text of the `<text>` descendants (what is visible, not tooltips).
    fn visible_texts(&self) -> Vec<String> {
        self.all()
            .into_iter()
            .filter(|n| n.name == "text")
            .map(|n| {
                let mut s = n.text.clone();
                for c in &n.children {
                    s.push_str(&c.text);
                }
                s
            })
            .collect()
    }
}

fn start_node(e: &quick_xml::events::BytesStart) -> Node {
    let name = String::from_utf8(e.name().as_ref().to_vec()).expect("utf-8 name");
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.unwrap_or_else(|err| panic!("bad attribute in <{name}>: {err}"));
        let key = String::from_utf8(a.key.as_ref().to_vec()).expect("utf-8 key");
        let value = a
            .unescape_value()
            .unwrap_or_else(|err| panic!("bad attribute value {key} in <{name}>: {err}"))
            .into_owned();
        attrs.push((key, value));
    }
    Node {
        name,
        attrs,
        ..Node::default()
    }
}

/// Parses `doc` strictly, reading every event to the end; panics on any
/// well-formedness problem. Returns the single root element.
fn parse(doc: &str) -> Node {
    let mut reader = Reader::from_str(doc);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = vec![Node::default()]; // document node
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => stack.push(start_node(&e)),
            Ok(Event::Empty(e)) => {
                let node = start_node(&e);
                stack.last_mut().expect("parent").children.push(node);
            }
            Ok(Event::End(_)) => {
                let node = stack.pop().expect("open element");
                assert!(!stack.is_empty(), "unbalanced end tag");
                stack.last_mut().expect("parent").children.push(node);
            }
            Ok(Event::Text(t)) => {
                let text = t.decode().expect("utf-8 text");
                let top = stack.last_mut().expect("node");
                if stack_is_document(&top.name) {
                    assert!(text.trim().is_empty(), "text outside the root: {text:?}");
                }
                top.text.push_str(&text);
            }
            Ok(Event::GeneralRef(r)) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref()
                        .expect("valid char ref")
                        .expect("char ref")
                } else {
                    match r.decode().expect("utf-8 ref").as_ref() {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        other => panic!("undefined entity &{other};"),
                    }
                };
                stack.last_mut().expect("node").text.push(c);
            }
            Ok(Event::Eof) => break,
            Ok(Event::CData(_)) | Ok(Event::PI(_)) => panic!("unexpected CDATA/PI"),
            Ok(_) => {} // DocType, Decl, Comment
            Err(e) => panic!("not well-formed at byte {}: {e}", reader.error_position()),
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().expect("document");
    assert_eq!(doc.children.len(), 1, "exactly one root element");
    doc.children.pop().expect("root")
}

fn stack_is_document(name: &str) -> bool {
    name.is_empty()
}

fn count(root: &Node, class: &str) -> usize {
    root.with_class(class).len()
}

fn card<'a>(root: &'a Node, id: &str) -> &'a Node {
    root.with_class("card")
        .into_iter()
        .find(|n| n.attr("data-id") == Some(id))
        .unwrap_or_else(|| panic!("card {id} not drawn"))
}

fn card_fill(root: &Node, id: &str) -> String {
    card(root, id)
        .child("rect")
        .and_then(|r| r.attr("fill"))
        .expect("card rect fill")
        .to_string()
}

fn rgb(hex: &str) -> (u8, u8, u8) {
    let h = hex.strip_prefix('#').expect("hex colour");
    let p = |i: usize| u8::from_str_radix(&h[i..i + 2], 16).expect("hex digits");
    (p(0), p(2), p(4))
}

// ---------------------------------------------------------------- fixtures

fn phase(id: &str, name: &str) -> MapPhase {
    MapPhase {
        id: id.into(),
        name: name.into(),
    }
}

fn lane(id: &str, name: &str, kind: LaneKind) -> MapLane {
    MapLane {
        id: id.into(),
        name: name.into(),
        kind,
    }
}

fn mk_card(
    id: &str,
    name: &str,
    channel: &str,
    phase: &str,
    lane: &str,
    a: Option<f64>,
) -> MapCard {
    MapCard {
        id: id.into(),
        name: name.into(),
        channel: channel.into(),
        phase_id: phase.into(),
        lane_id: lane.into(),
        alignment: a,
        signature: false,
        pending: false,
    }
}

fn step(card: Option<&str>, major: bool) -> MapStep {
    MapStep {
        card_id: card.map(String::from),
        major,
    }
}

/// A brand's own map: 4 phases, 3 lanes, 9 cards of which 2 point nowhere.
fn small_brand_map() -> MapInput {
    let mut cards = vec![
        mk_card(
            "c1",
            "Homepage hero",
            "WEBSITE",
            "discover",
            "brand",
            Some(1.6),
        ),
        mk_card(
            "c2",
            "Instagram reels",
            "SOCIAL_MEDIA",
            "discover",
            "brand",
            Some(0.4),
        ),
        mk_card(
            "c3",
            "Test ride",
            "SHOWROOM",
            "consider",
            "dealers",
            Some(-1.2),
        ),
        mk_card("c4", "Dealer quote", "FIELD_SALES", "buy", "dealers", None),
        mk_card(
            "c5",
            "Review sites",
            "THIRD_PARTY_WEB",
            "consider",
            "reviews",
            Some(-2.0),
        ),
        mk_card("c6", "Owner app", "MOBILE_APP", "own", "brand", Some(2.0)),
        mk_card(
            "c7",
            "Service visit",
            "WORKSHOP",
            "own",
            "dealers",
            Some(0.0),
        ),
        mk_card(
            "x1",
            "Orphan lane",
            "EMAIL",
            "buy",
            "no-such-lane",
            Some(1.0),
        ),
        mk_card(
            "x2",
            "Orphan phase",
            "EMAIL",
            "no-such-phase",
            "brand",
            Some(1.0),
        ),
    ];
    cards[0].signature = true;
    cards[2].pending = true;
    cards[3].pending = true;
    cards[3].signature = true;
    MapInput {
        brand_name: "Velo Nord".into(),
        subtitle: "as seen by Velo Nord · 2026-11-23".into(),
        phases: vec![
            phase("discover", "Discover"),
            phase("consider", "Consider"),
            phase("buy", "Buy"),
            phase("own", "Own & ride"),
        ],
        lanes: vec![
            lane("brand", "Velo Nord", LaneKind::Brand),
            lane("dealers", "Dealer network", LaneKind::Partner),
            lane("reviews", "Review & comparison sites", LaneKind::ThirdParty),
        ],
        cards,
        journey: None,
    }
}

/// A partner's view: the journey passes touchpoints this viewer may not see.
fn partner_view() -> MapInput {
    let mut input = small_brand_map();
    input.subtitle = "as seen by Harbor Bikes · 2026-11-23".into();
    input.cards.retain(|c| c.lane_id != "reviews");
    input.journey = Some(MapJourney {
        name: "First e-bike".into(),
        persona: Some("Commuter Clara".into()),
        steps: vec![
            step(Some("c1"), true),
            step(None, false), // hidden: not drawn, keeps number 2
            step(Some("c3"), false),
            step(Some("c5"), true), // card not in this view: not drawn
            step(Some("c4"), true),
            step(Some("c6"), false),
            step(Some("c1"), false), // revisit of the first card
        ],
    });
    input
}

fn nasty() -> MapInput {
    let n = |s: &str| format!("{s} <b>&amp;\"quoted\" 'single' </script>& < >");
    MapInput {
        brand_name: n("Brand"),
        subtitle: n("Sub"),
        phases: vec![phase("p\"1<", &n("Phase"))],
        lanes: vec![lane("l'1&", &n("Lane"), LaneKind::Partner)],
        cards: vec![MapCard {
            signature: true,
            pending: true,
            ..mk_card("c\"<&'>", &n("Card"), "WEB<&>", "p\"1<", "l'1&", Some(0.5))
        }],
        journey: Some(MapJourney {
            name: n("Journey"),
            persona: Some(n("Persona")),
            steps: vec![step(Some("c\"<&'>"), true)],
        }),
    }
}

fn empty() -> MapInput {
    MapInput {
        brand_name: "Empty & Co".into(),
        subtitle: String::new(),
        phases: vec![],
        lanes: vec![],
        cards: vec![],
        journey: None,
    }
}

/// 8 phases × 12 lanes × 200 cards, unevenly spread so some cells are full.
fn big() -> MapInput {
    let phases = (0..8)
        .map(|p| phase(&format!("p{p}"), &format!("Phase {p} — research & compare")))
        .collect();
    let kinds = [LaneKind::Brand, LaneKind::Partner, LaneKind::ThirdParty];
    let lanes = (0..12)
        .map(|l| {
            lane(
                &format!("l{l}"),
                &format!("Lane {l} partner network"),
                kinds[l % 3],
            )
        })
        .collect();
    let cards = (0..200)
        .map(|i| {
            let mut c = mk_card(
                &format!("c{i}"),
                &format!("Touchpoint number {i} with a fairly long descriptive name"),
                ["WEBSITE", "SHOWROOM", "FIELD_SALES", "EVENT"][i % 4],
                &format!("p{}", (i * 7) % 8),
                &format!("l{}", (i * i) % 12),
                if i % 9 == 0 {
                    None
                } else {
                    Some(((i % 41) as f64) / 10.0 - 2.0)
                },
            );
            c.signature = i % 13 == 0;
            c.pending = i % 17 == 0;
            c
        })
        .collect();
    let steps = (0..30)
        .map(|i| {
            step(
                (i % 5 != 2).then(|| format!("c{}", i * 6)).as_deref(),
                i % 4 == 0,
            )
        })
        .collect();
    MapInput {
        brand_name: "Big Brand".into(),
        subtitle: "stress".into(),
        phases,
        lanes,
        cards,
        journey: Some(MapJourney {
            name: "Long journey".into(),
            persona: None,
            steps,
        }),
    }
}

// ---------------------------------------------------------------- tests

#[test]
fn svg_root_is_svg_with_namespace_and_consistent_size() {
    let svg = render_svg(&small_brand_map());
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    let root = parse(&svg);
    assert_eq!(root.name, "svg");
    let w = root.attr("width").expect("width");
    let h = root.attr("height").expect("height");
    assert_eq!(root.attr("viewBox"), Some(format!("0 0 {w} {h}").as_str()));
}

#[test]
fn small_brand_map_is_well_formed_and_counts_match() {
    let root = parse(&render_svg(&small_brand_map()));
    assert_eq!(count(&root, "card"), 7, "orphan cards are not drawn");
    assert_eq!(count(&root, "lane"), 3);
    assert_eq!(count(&root, "phase"), 4);
    assert_eq!(count(&root, "step"), 0);
    assert!(root
        .with_class("card")
        .iter()
        .all(|c| !c.attr("data-id").unwrap_or("").starts_with('x')));
}

#[test]
fn partner_view_journey_keeps_step_numbers() {
    let input = partner_view();
    let root = parse(&render_svg(&input));
    assert_eq!(count(&root, "card"), 6);
    assert_eq!(count(&root, "lane"), 3);
    let numbers: Vec<&str> = root
        .with_class("step")
        .iter()
        .map(|s| s.attr("data-step").expect("data-step"))
        .collect();
    assert_eq!(numbers, ["1", "3", "5", "6", "7"]);
    // The numbered circle shows the same number.
    let third = root.with_class("step")[1];
    assert_eq!(third.visible_texts(), ["3"]);
    // Major steps are visibly stronger (bigger circle).
    let radius = |n: &Node| {
        n.child("circle")
            .and_then(|c| c.attr("r"))
            .map(String::from)
    };
    let steps = root.with_class("step");
    assert!(
        radius(steps[0]).expect("r").parse::<u32>().expect("int")
            > radius(steps[1]).expect("r").parse::<u32>().expect("int")
    );
    // Path segments connect the drawn steps only.
    let journey = &root.with_class("tpm-journey")[0];
    let paths = journey
        .children
        .iter()
        .filter(|c| c.name == "path" && c.attr("stroke") != Some("#ffffff"))
        .count();
    assert_eq!(paths, 4);
    // Header names the journey and the persona.
    let all_text = root.visible_texts().join("\n");
    assert!(all_text.contains("First e-bike"));
    assert!(all_text.contains("Commuter Clara"));
}

#[test]
fn hidden_middle_step_is_skipped_but_counted() {
    let mut input = small_brand_map();
    input.journey = Some(MapJourney {
        name: "Short".into(),
        persona: None,
        steps: vec![
            step(Some("c1"), false),
            step(None, false),
            step(Some("c6"), true),
        ],
    });
    let root = parse(&render_svg(&input));
    let numbers: Vec<&str> = root
        .with_class("step")
        .iter()
        .map(|s| s.attr("data-step").expect("data-step"))
        .collect();
    assert_eq!(numbers, ["1", "3"]);
    // The segment over the hidden step is dotted.
    let journey = &root.with_class("tpm-journey")[0];
    let path = journey
        .children
        .iter()
        .rfind(|c| c.name == "path")
        .expect("path");
    assert!(path.attr("stroke-dasharray").is_some());
}

#[test]
fn journey_with_no_visible_steps_draws_nothing() {
    let mut input = small_brand_map();
    input.journey = Some(MapJourney {
        name: "Ghost".into(),
        persona: None,
        steps: vec![step(None, true), step(Some("nope"), false)],
    });
    let root = parse(&render_svg(&input));
    assert_eq!(count(&root, "step"), 0);
    assert!(root.with_class("tpm-journey").is_empty());
}

#[test]
fn special_characters_are_escaped_everywhere() {
    let input = nasty();
    let svg = render_svg(&input);
    assert!(!svg.contains("</script>"));
    assert!(!svg.contains("<b>"));
    let root = parse(&svg);
    assert_eq!(count(&root, "card"), 1);
    assert_eq!(count(&root, "lane"), 1);
    assert_eq!(count(&root, "phase"), 1);
    assert_eq!(count(&root, "step"), 1);
    // Round trip: what the parser reads back is the original data.
    let c = card(&root, "c\"<&'>");
    assert_eq!(c.attr("data-lane"), Some("l'1&"));
    let title = &c.child("title").expect("title").text;
    assert!(title.starts_with(&input.cards[0].name), "{title}");
    assert!(root.with_class("lane")[0].attr("data-id") == Some("l'1&"));
    assert!(root.with_class("phase")[0].attr("data-id") == Some("p\"1<"));
    let html = render_html(
        &input,
        &[MapInsight {
            code: "X<&>".into(),
            severity: "<warning>".into(),
            message: "Don't \"break\" <this> & that".into(),
        }],
        "<now>",
    );
    assert!(!html.contains("</script>"));
    parse(&html);
}

#[test]
fn empty_input_renders_small_valid_svg_with_note() {
    let svg = render_svg(&empty());
    let root = parse(&svg);
    for class in ["card", "lane", "phase", "step"] {
        assert_eq!(count(&root, class), 0, "{class}");
    }
    let texts = root.visible_texts().join("\n");
    assert!(texts.contains("Empty & Co"));
    assert!(texts.to_lowercase().contains("empty —"), "{texts}");
    let w: u32 = root.attr("width").expect("w").parse().expect("int");
    let h: u32 = root.attr("height").expect("h").parse().expect("int");
    assert!(w <= 1000 && h <= 400, "{w}×{h}");
}

#[test]
fn phases_and_lanes_without_cards_still_show_the_empty_note() {
    let mut input = small_brand_map();
    input.cards.clear();
    let root = parse(&render_svg(&input));
    assert_eq!(count(&root, "lane"), 3);
    assert_eq!(count(&root, "phase"), 4);
    assert_eq!(root.with_class("tpm-empty").len(), 1);
}

#[test]
fn big_map_is_well_formed_complete_and_fast() {
    let input = big();
    let started = Instant::now();
    let svg = render_svg(&input);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(1), "took {elapsed:?}");
    let root = parse(&svg);
    assert_eq!(count(&root, "card"), 200);
    assert_eq!(count(&root, "lane"), 12);
    assert_eq!(count(&root, "phase"), 8);
    assert_eq!(count(&root, "step"), 24);
    // No two cards overlap.
    let rects: Vec<(u32, u32)> = root
        .with_class("card")
        .iter()
        .map(|c| {
            let r = c.child("rect").expect("rect");
            let n = |a: &str| r.attr(a).expect("attr").parse::<u32>().expect("int");
            (n("x"), n("y"))
        })
        .collect();
    let mut unique = rects.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), rects.len());
}

#[test]
fn lane_height_grows_with_its_fullest_cell() {
    let mut input = small_brand_map();
    for i in 0..5 {
        input.cards.push(mk_card(
            &format!("extra{i}"),
            "Extra",
            "EMAIL",
            "buy",
            "reviews",
            None,
        ));
    }
    let root = parse(&render_svg(&input));
    let height = |id: &str| -> u32 {
        let lane = root
            .with_class("lane")
            .into_iter()
            .find(|l| l.attr("data-id") == Some(id))
            .expect("lane");
        lane.child("rect")
            .and_then(|r| r.attr("height"))
            .expect("h")
            .parse()
            .expect("int")
    };
    assert!(height("reviews") > height("dealers"));
    let base: u32 = parse(&render_svg(&small_brand_map()))
        .attr("height")
        .expect("h")
        .parse()
        .expect("int");
    let grown: u32 = root.attr("height").expect("h").parse().expect("int");
    assert!(grown > base);
}

#[test]
fn long_names_are_truncated_but_complete_in_title() {
    let long: String = "Seasonal flagship showroom experience with guided test rides "
        .repeat(3)
        .chars()
        .take(150)
        .collect();
    assert_eq!(long.chars().count(), 150);
    let mut input = small_brand_map();
    input.cards.push(mk_card(
        "long",
        &long,
        "SHOWROOM",
        "buy",
        "brand",
        Some(1.0),
    ));
    let root = parse(&render_svg(&input));
    let c = card(&root, "long");
    let visible = c.visible_texts().join(" ");
    assert!(visible.contains('…'), "{visible}");
    assert!(!visible.contains(long.trim()));
    assert!(visible.chars().count() < 100);
    let title = &c.child("title").expect("title").text;
    assert!(title.contains(&long), "{title}");
    assert!(title.contains("Showroom"));
    assert!(title.contains("+1.0"));
}

#[test]
fn channel_is_shown_humanised() {
    let root = parse(&render_svg(&small_brand_map()));
    let texts = card(&root, "c4").visible_texts();
    assert!(texts.iter().any(|t| t == "Field sales"), "{texts:?}");
}

#[test]
fn fill_follows_alignment_on_a_diverging_scale() {
    let root = parse(&render_svg(&small_brand_map()));
    let negative = card_fill(&root, "c5"); // -2.0
    let positive = card_fill(&root, "c6"); // +2.0
    let neutral = card_fill(&root, "c7"); // 0.0
    assert_ne!(negative, positive);
    let (r, g, _) = rgb(&negative);
    assert!(r > g, "−2 should be red: {negative}");
    let (r, g, _) = rgb(&positive);
    assert!(g > r, "+2 should be green: {positive}");
    let (r, g, b) = rgb(&neutral);
    assert!(
        r.abs_diff(g) < 10 && g.abs_diff(b) < 10,
        "0 should be neutral: {neutral}"
    );
    // Unrated: hatched pattern plus an "unrated" hint.
    let unrated = card(&root, "c4");
    assert_eq!(card_fill(&root, "c4"), "url(#tpm-unrated)");
    assert!(unrated.visible_texts().iter().any(|t| t == "unrated"));
    assert!(unrated.attr("data-alignment").is_none());
}

#[test]
fn signature_and_pending_are_marked() {
    let root = parse(&render_svg(&small_brand_map()));
    let sig = card(&root, "c1");
    assert!(sig
        .children
        .iter()
        .any(|c| c.attr("class") == Some("tpm-signature")));
    let plain = card(&root, "c2");
    assert!(!plain
        .children
        .iter()
        .any(|c| c.attr("class") == Some("tpm-signature")));
    let draft = card(&root, "c3").child("rect").expect("rect");
    assert!(draft.attr("stroke-dasharray").is_some());
    assert!(plain
        .child("rect")
        .expect("rect")
        .attr("stroke-dasharray")
        .is_none());
    // The draft's fill is lighter than the same alignment when final.
    let mut input = small_brand_map();
    input.cards[2].pending = false;
    let final_fill = card_fill(&parse(&render_svg(&input)), "c3");
    let sum = |h: &str| {
        let (r, g, b) = rgb(h);
        u32::from(r) + u32::from(g) + u32::from(b)
    };
    let draft_fill = draft.attr("fill").expect("fill");
    assert!(sum(draft_fill) > sum(&final_fill));
}

#[test]
fn legend_explains_scale_signature_and_drafts() {
    let root = parse(&render_svg(&small_brand_map()));
    let legend = &root.with_class("tpm-legend")[0];
    let text = legend.visible_texts().join("|");
    for needle in ["−2", "+2", "Unrated", "Signature", "Draft"] {
        assert!(text.contains(needle), "legend lacks {needle}: {text}");
    }
}

#[test]
fn nan_alignment_is_treated_as_unrated() {
    let mut input = small_brand_map();
    input.cards[0].alignment = Some(f64::NAN);
    let root = parse(&render_svg(&input));
    assert_eq!(card_fill(&root, "c1"), "url(#tpm-unrated)");
}

#[test]
fn html_page_is_self_contained() {
    let mut input = partner_view();
    input.brand_name = "Bikes & <Co> \"Nord\"".into();
    let insights = vec![
        MapInsight {
            code: "GAP_PHASE".into(),
            severity: "warning".into(),
            message: "No brand touchpoint in phase Buy".into(),
        },
        MapInsight {
            code: "LOW_ALIGN".into(),
            severity: "error".into(),
            message: "Review sites score −2 & drag the average".into(),
        },
    ];
    let html = render_html(&input, &insights, "2026-11-23 10:00 UTC");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(html.contains("Bikes &amp; &lt;Co&gt; &quot;Nord&quot;"));
    assert!(html.contains("No brand touchpoint in phase Buy"));
    assert!(html.contains("Review sites score −2 &amp; drag the average"));
    assert!(html.contains("2026-11-23 10:00 UTC"));
    assert!(html.contains(&input.subtitle));
    assert!(!html.contains("No findings"));

    let root = parse(&html);
    assert_eq!(root.name, "html");
    let by_id = |id: &str| {
        root.all()
            .into_iter()
            .find(|n| n.attr("id") == Some(id))
            .unwrap_or_else(|| panic!("#{id} missing"))
    };
    assert!(by_id("map").child("svg").is_some());
    assert_eq!(by_id("insights").children.len(), 2);
    assert_eq!(count(&root, "card"), 6);

    // Nothing to fetch: the only URL is the SVG namespace.
    let stripped = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!stripped.contains("http://") && !stripped.contains("https://"));
    for needle in ["<script", "<link", "@import", "url(http", "src="] {
        assert!(!stripped.contains(needle), "{needle}");
    }
}

#[test]
fn html_without_insights_says_no_findings() {
    let html = render_html(&empty(), &[], "now");
    let root = parse(&html);
    let list = root
        .all()
        .into_iter()
        .find(|n| n.attr("id") == Some("insights"))
        .expect("#insights");
    assert_eq!(list.children.len(), 1);
    assert_eq!(list.children[0].text, "No findings");
}
