//! The HTML page around the map: header, the inline SVG, and the findings.
//!
//! Self-contained on purpose (no scripts, fonts or stylesheets to fetch) so
//! it renders offline, in a headless browser, or saved to a file. The markup
//! is also well-formed XML, which lets tests parse it strictly.

use super::xml::escape;
use super::{MapInput, MapInsight};

const CSS: &str = "
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{display:flex;flex-direction:column;font-family:system-ui,-apple-system,Segoe UI,Helvetica Neue,Arial,Liberation Sans,sans-serif;color:#1d2330;background:#f4f5f7}
header.page{display:flex;flex-wrap:wrap;align-items:baseline;gap:.25rem 1.25rem;padding:.75rem 1.25rem;background:#2f3b52;color:#fff}
header.page h1{margin:0;font-size:1.35rem}
header.page p{margin:0;color:#d7dce6}
header.page .generated{margin-left:auto;font-size:.85rem}
main{flex:1;display:flex;min-height:0}
#map{flex:1;min-width:0;overflow:auto;background:#fff}
#map svg{display:block;width:100%;height:auto;min-width:var(--map-min-width,0)}
aside{width:22rem;flex:none;overflow:auto;padding:1rem 1.25rem;border-left:1px solid #d5d9e0;background:#fafbfc}
aside h2{margin:0 0 .75rem;font-size:1.05rem}
aside h2 .count{display:inline-block;min-width:1.6em;padding:0 .4em;border-radius:1em;background:#e3e7ee;font-size:.85rem;text-align:center}
#insights{list-style:none;margin:0;padding:0}
#insights li{padding:.6rem 0;border-bottom:1px solid #e6e9ee}
#insights li.none{color:#5b6475;font-style:italic}
#insights code{font-size:.8rem;color:#5b6475}
#insights p{margin:.3rem 0 0;line-height:1.35}
.badge{display:inline-block;margin-right:.4rem;padding:.1em .55em;border-radius:.3em;font-size:.75rem;font-weight:700;text-transform:uppercase;letter-spacing:.03em}
.sev-high{background:#d73027;color:#fff}
.sev-medium{background:#f5b700;color:#1d2330}
.sev-low{background:#2f6fd0;color:#fff}
.sev-other{background:#6b7486;color:#fff}
@media (max-width:900px){main{flex-direction:column}aside{width:auto;border-left:0;border-top:1px solid #d5d9e0}}
@media print{body{display:block;background:#fff}#map{overflow:visible}}
";

/// Smallest on-screen scale of the map, in percent of its natural size.
const MIN_SCALE_PERCENT: u64 = 70;

/// Maps free-form severities onto four badge colours; the badge still shows
/// the original word, so unknown severities lose nothing.
fn severity_class(severity: &str) -> &'static str {
    match severity.trim().to_ascii_lowercase().as_str() {
        "critical" | "error" | "high" | "severe" => "sev-high",
        "warning" | "warn" | "medium" | "moderate" => "sev-medium",
        "info" | "low" | "notice" | "hint" => "sev-low",
        _ => "sev-other",
    }
}

pub fn render(input: &MapInput, insights: &[MapInsight], generated_at: &str) -> String {
    let (svg, natural_width) = super::svg::render_sized(input);
    // Fit the viewport width, but never below this share of the natural
    // size: a big map then scrolls sideways instead of becoming unreadable.
    let min_width = u64::from(natural_width) * MIN_SCALE_PERCENT / 100;
    let brand = escape(&input.brand_name);
    let mut page = String::with_capacity(svg.len() + 4096 + insights.len() * 256);
    page.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    page.push_str(&format!("<title>{brand} — experience map</title>\n"));
    page.push_str(&format!("<style>{CSS}</style>\n</head>\n<body>\n"));
    page.push_str(&format!(
        "<header class=\"page\"><h1>{brand}</h1><p class=\"subtitle\">{}</p>\
         <p class=\"generated\">Generated {}</p></header>\n",
        escape(&input.subtitle),
        escape(generated_at)
    ));
    page.push_str(&format!(
        "<main>\n<div id=\"map\" role=\"region\" aria-label=\"Experience map\" \
         style=\"--map-min-width:{min_width}px\">\n"
    ));
    page.push_str(&svg);
    page.push_str("</div>\n<aside aria-labelledby=\"insights-title\">\n");
    page.push_str(&format!(
        "<h2 id=\"insights-title\">Findings <span class=\"count\">{}</span></h2>\n<ul id=\"insights\">\n",
        insights.len()
    ));
    if insights.is_empty() {
        page.push_str("<li class=\"none\">No findings</li>\n");
    }
    for insight in insights {
        page.push_str(&format!(
            "<li class=\"insight\"><span class=\"badge {}\">{}</span><code>{}</code><p>{}</p></li>\n",
            severity_class(&insight.severity),
            escape(&insight.severity),
            escape(&insight.code),
            escape(&insight.message)
        ));
    }
    page.push_str("</ul>\n</aside>\n</main>\n</body>\n</html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_to_badges() {
        assert_eq!(severity_class("ERROR"), "sev-high");
        assert_eq!(severity_class(" warning "), "sev-medium");
        assert_eq!(severity_class("info"), "sev-low");
        assert_eq!(severity_class("whatever"), "sev-other");
    }
}
