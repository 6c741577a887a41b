//! `report.html`: one self-contained file (inline CSS and SVG, no script, nothing fetched)
//! that a marketer can open, mail or archive: warnings first, then per experiment the
//! sample-ratio check, the figures per arm with intervals, per-arm bars and cumulative lift.
//! Built with `maud`, which escapes every interpolated string (experiment and arm names,
//! warnings, malformed lines) for text and attributes alike.
use std::fmt::Write;
use std::path::PathBuf;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::analysis::{Quality, Scope};
use super::results::{ExperimentResult, LiftPoint, Row};

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2330;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #1d2330}h3{margin-top:1.8rem}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}td,th{padding:.25rem .6rem;border-bottom:1px solid #dde;text-align:right}
th:first-child,td:first-child{text-align:left}.ci{color:#667;font-size:.85em}.warn{background:#fff4e0;border-left:4px solid #e08a00;padding:.5rem 1rem;margin:.5rem 0}
.ok{background:#eaf7ee;border-left:4px solid #2a9d54;padding:.5rem 1rem}.sig{font-weight:600}svg{display:block;margin:.8rem 0}
.note{color:#556;font-size:.9em}code{background:#f2f3f7;padding:0 .2rem}";

fn is_rate(metric: &str) -> bool {
    metric.ends_with("_rate")
}

fn format_value(metric: &str, value: f64) -> String {
    if is_rate(metric) {
        format!("{:.2}%", value * 100.0)
    } else if matches!(
        metric,
        "average_order_value" | "revenue_per_visitor" | "revenue"
    ) {
        format!("{value:.2}")
    } else {
        format!("{value:.0}")
    }
}

fn format_percent(value: f64) -> String {
    format!("{:+.1}%", value * 100.0)
}

/// "p = 0.0123", or "p < 0.0001".
fn format_p(p: f64) -> String {
    if p < 0.0001 {
        "p < 0.0001".into()
    } else {
        format!("p = {p:.4}")
    }
}

/// A lift with its interval, if any.
type LiftValue = Option<(f64, Option<(f64, f64)>)>;
/// One bar: arm, value, interval.
type Bar = (String, f64, Option<(f64, f64)>);

const METRIC_LABELS: [(&str, &str); 9] = [
    ("visitors", "Visitors"),
    ("sessions", "Sessions"),
    ("exposures", "Exposures"),
    ("add_to_cart_rate", "Add-to-cart rate"),
    ("conversion_rate", "Conversion rate"),
    ("orders", "Orders"),
    ("revenue", "Revenue"),
    ("average_order_value", "Average order value"),
    ("revenue_per_visitor", "Revenue per visitor"),
];

/// Renders the whole report.
pub fn render(results: &[ExperimentResult], quality: &Quality, files: &[PathBuf]) -> String {
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { "aisle A/B report" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "aisle A/B report" }
                p class="note" {
                    (quality.lines) " event line(s) from " (files.len()) " file(s). Intervals are 95%. \
                    Lift is relative to the control arm; p-values are two-sided (two-proportion \
                    z-test for rates, Welch's t-test for revenue). Figures in "
                    code { "report.csv" } "."
                }
                @if results.is_empty() {
                    div class="warn" { "No experiment in the data." }
                }
                @for result in results {
                    (experiment(result))
                }
                (quality_section(quality))
            }
        }
    };
    page.into_string()
}

fn experiment(result: &ExperimentResult) -> Markup {
    html! {
        h2 { "Experiment " code { (result.key) } }
        @if let Some((first, last)) = result.day_span {
            p {
                "Exposures from " (crate::dates::format_day(first)) " to "
                (crate::dates::format_day(last)) " (" (last - first + 1) " day(s)). Control arm: "
                code { (result.control) } "."
            }
        }
        @for warning in &result.warnings {
            div class="warn" { "⚠ " (warning) }
        }
        @if let Some(check) = &result.sample_ratio {
            @let split: Vec<String> = check
                .observed
                .iter()
                .zip(&check.expected_shares)
                .map(|((arm, count), share)| format!("{arm} {count} (expected share {share})"))
                .collect();
            div class=(if check.mismatch { "warn" } else { "ok" }) {
                "Sample-ratio check: " (split.join(", ")) "; chi-square "
                (format!("{:.3}", check.chi_square)) ", " (format_p(check.p_value))
                (if check.mismatch { " — mismatch" } else { " — no mismatch" })
            }
        }
        @for scope in [Scope::All, Scope::Changed] {
            (scope_section(result, scope))
        }
    }
}

fn scope_section(result: &ExperimentResult, scope: Scope) -> Markup {
    let title = match scope {
        Scope::All => "All exposed visitors",
        Scope::Changed => "Visitors whose grid personalization changed (from that exposure on)",
    };
    let rows: Vec<&Row> = result.rows.iter().filter(|r| r.scope == scope).collect();
    let bars = |metric: &str| -> Vec<Bar> {
        rows.iter()
            .filter(|r| r.metric == metric)
            .map(|r| (r.arm.clone(), r.value, r.ci))
            .collect()
    };
    html! {
        h3 { (title) }
        (table(result, scope))
        @for (metric, label) in [
            ("conversion_rate", "Conversion rate by arm"),
            ("revenue_per_visitor", "Revenue per visitor by arm"),
        ] {
            (bar_chart(label, metric, &bars(metric)))
        }
        @for ((series_scope, arm), points) in &result.series {
            @if *series_scope == scope && !points.is_empty() {
                @let conversion: Vec<(u64, LiftValue)> =
                    points.iter().map(|p: &LiftPoint| (p.day, p.conversion_lift)).collect();
                @let revenue: Vec<(u64, LiftValue)> =
                    points.iter().map(|p| (p.day, p.revenue_lift)).collect();
                (lift_chart(
                    &format!("Cumulative conversion-rate lift of {arm} vs {}", result.control),
                    &conversion,
                ))
                (lift_chart(
                    &format!("Cumulative revenue-per-visitor lift of {arm} vs {}", result.control),
                    &revenue,
                ))
            }
        }
    }
}

fn table(result: &ExperimentResult, scope: Scope) -> Markup {
    html! {
        table {
            tr {
                th { "Metric" }
                @for arm in &result.arms { th { (arm) } }
            }
            @for (metric, label) in METRIC_LABELS {
                tr {
                    td { (label) }
                    @for arm in &result.arms {
                        td {
                            @if let Some(row) = result
                                .rows
                                .iter()
                                .find(|r| r.scope == scope && r.metric == metric && r.arm == *arm)
                            {
                                (cell(metric, row))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One table cell: the value, its interval, the lift with its interval, the p-value.
fn cell(metric: &str, row: &Row) -> Markup {
    html! {
        (format_value(metric, row.value))
        @if let Some((low, high)) = row.ci {
            br;
            span class="ci" { "[" (format_value(metric, low)) ", " (format_value(metric, high)) "]" }
        }
        @if let Some(lift) = row.lift {
            br;
            span class=(if row.p_value.is_some_and(|p| p < 0.05) { "sig" } else { "" }) {
                "lift " (format_percent(lift))
            }
            @if let Some((low, high)) = row.lift_ci {
                " "
                span class="ci" { "[" (format_percent(low)) ", " (format_percent(high)) "]" }
            }
        }
        @if let Some(p) = row.p_value {
            br;
            span class="ci" { (format_p(p)) }
        }
    }
}

const QUALITY_NOTES: [(&str, &str); 9] = [
    ("lines", "read"),
    ("malformed_lines", "not a valid schema v1 event: left out"),
    (
        "duplicate_events",
        "same event id seen again for the visitor: counted once",
    ),
    (
        "duplicate_orders",
        "same order id seen again for the visitor: counted once",
    ),
    (
        "clock_skew_events",
        "device clock >10 min ahead of or >7 days behind receipt: kept, days by receipt",
    ),
    (
        "events_without_receipt_time",
        "not written by aisle collect: clock not checked",
    ),
    (
        "unknown_experiment_events",
        "exposures or arms entries of experiments not in the manifest: left out",
    ),
    (
        "unknown_arm_events",
        "exposures or arms entries of arms not in the manifest: left out",
    ),
    (
        "other_experiment_events",
        "exposures or arms entries of experiments not asked for: ignored",
    ),
];

fn quality_section(quality: &Quality) -> Markup {
    html! {
        h2 { "Input quality" }
        p class="note" {
            "Nothing below was silently merged or dropped: each count says what happened to it."
        }
        table {
            @for (name, value) in super::output_csv::quality_counts(quality) {
                @let note = QUALITY_NOTES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map_or("", |(_, note)| note);
                tr {
                    td { code { (name) } }
                    td { (value) }
                    td style="text-align:left" { (note) }
                }
            }
        }
        @if !quality.malformed_examples.is_empty() {
            p { "First malformed lines:" }
            ul {
                @for example in &quality.malformed_examples {
                    li { code { (example) } }
                }
            }
        }
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 32.0;

/// Horizontal-free bar chart of one metric per arm, with interval whiskers.
fn bar_chart(title: &str, metric: &str, bars: &[Bar]) -> Markup {
    let max = bars
        .iter()
        .map(|(_, v, ci)| ci.map_or(*v, |c| c.1.max(*v)))
        .fold(0.0f64, f64::max);
    let max = if max > 0.0 { max * 1.1 } else { 1.0 };
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / bars.len().max(1) as f64;
    let y = |v: f64| TOP + plot_height * (1.0 - v / max);
    let one_decimal = |v: f64| format!("{v:.1}");
    svg(
        title,
        html! {
            line x1=(LEFT) y1=(y(0.0)) x2=(WIDTH - RIGHT) y2=(y(0.0)) stroke="#99a" {}
            text x=(LEFT - 6.0) y=(y(max) + 4.0) font-size="11" text-anchor="end" {
                (format_value(metric, max))
            }
            @for (i, (arm, value, ci)) in bars.iter().enumerate() {
                @let x = LEFT + slot * i as f64 + slot * 0.25;
                @let width = slot * 0.5;
                @let centre = x + width / 2.0;
                rect x=(one_decimal(x)) y=(one_decimal(y(*value))) width=(one_decimal(width))
                    height=(one_decimal(y(0.0) - y(*value)))
                    fill=(if i == 0 { "#8a94a6" } else { "#2f6fdf" }) {}
                @if let Some((low, high)) = ci {
                    path d=(format!(
                        "M{centre:.1} {:.1}V{:.1}M{:.1} {:.1}h12M{:.1} {:.1}h12",
                        y(*low), y(*high), centre - 6.0, y(*low), centre - 6.0, y(*high)
                    )) stroke="#1d2330" fill="none" {}
                }
                text x=(one_decimal(centre)) y=(one_decimal(HEIGHT - 10.0)) font-size="12"
                    text-anchor="middle" {
                    (arm) " · " (format_value(metric, *value))
                }
            }
        },
    )
}

/// Cumulative relative lift by day, with its 95% band and a zero line.
fn lift_chart(title: &str, points: &[(u64, LiftValue)]) -> Markup {
    let values: Vec<f64> = points
        .iter()
        .filter_map(|(_, v)| *v)
        .flat_map(|(lift, ci)| [Some(lift), ci.map(|c| c.0), ci.map(|c| c.1)])
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    if values.is_empty() {
        return svg(
            title,
            html! { text x="64" y="110" font-size="13" { "not enough data for a lift yet" } },
        );
    }
    // Clip wild early intervals so the chart stays readable.
    let low = values.iter().copied().fold(0.0f64, f64::min).max(-1.0);
    let high = values.iter().copied().fold(0.0f64, f64::max).min(2.0);
    let span = (high - low).max(0.02);
    let (low, high) = (low - span * 0.05, high + span * 0.05);
    let first = points[0].0 as f64;
    let days = (points[points.len() - 1].0 as f64 - first).max(1.0);
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x = |day: u64| LEFT + (WIDTH - LEFT - RIGHT) * (day as f64 - first) / days;
    let y = |v: f64| TOP + plot_height * (1.0 - (v.clamp(low, high) - low) / (high - low));
    let band: Vec<(u64, f64, f64)> = points
        .iter()
        .filter_map(|(d, v)| v.and_then(|(_, ci)| ci).map(|(l, h)| (*d, l, h)))
        .collect();
    let mut band_path = String::new();
    for (i, (d, _, h)) in band.iter().enumerate() {
        let _ = write!(
            band_path,
            "{}{:.1} {:.1}",
            if i == 0 { "M" } else { "L" },
            x(*d),
            y(*h)
        );
    }
    for (d, l, _) in band.iter().rev() {
        let _ = write!(band_path, "L{:.1} {:.1}", x(*d), y(*l));
    }
    let mut line = String::new();
    for (d, v) in points {
        if let Some((lift, _)) = v {
            let _ = write!(
                line,
                "{}{:.1} {:.1}",
                if line.is_empty() { "M" } else { "L" },
                x(*d),
                y(*lift)
            );
        }
    }
    // Skip an end label that would overlap the zero label.
    let labels = [low, 0.0, high]
        .into_iter()
        .filter(|v| *v == 0.0 || (y(*v) - y(0.0)).abs() >= 14.0);
    let zero = format!("{:.1}", y(0.0));
    svg(
        title,
        html! {
            @if !band.is_empty() {
                path d=(format!("{band_path}Z")) fill="#2f6fdf" fill-opacity="0.18" stroke="none" {}
            }
            line x1=(LEFT) y1=(zero) x2=(WIDTH - RIGHT) y2=(zero) stroke="#99a"
                stroke-dasharray="4 3" {}
            path d=(line) fill="none" stroke="#2f6fdf" stroke-width="2" {}
            @for v in labels {
                text x=(LEFT - 6.0) y=(format!("{:.1}", y(v) + 4.0)) font-size="11"
                    text-anchor="end" {
                    (format_percent(v))
                }
            }
            text x=(LEFT) y=(HEIGHT - 10.0) font-size="11" {
                (crate::dates::format_day(points[0].0))
            }
            text x=(WIDTH - RIGHT) y=(HEIGHT - 10.0) font-size="11" text-anchor="end" {
                (crate::dates::format_day(points[points.len() - 1].0))
            }
        },
    )
}

/// An inline SVG chart with its title as text and as the accessible label.
fn svg(title: &str, content: Markup) -> Markup {
    html! {
        svg xmlns="http://www.w3.org/2000/svg" width=(WIDTH) height=(HEIGHT)
            viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(title) {
            text x=(LEFT) y="16" font-size="13" font-weight="600" { (title) }
            (content)
        }
    }
}
