//! `report.html`: one self-contained file (inline CSS and SVG, no script, nothing fetched)
//! that a marketer can open, mail or archive: warnings first, then per experiment the
//! sample-ratio check, the figures per arm with intervals, per-arm bars and cumulative lift.
use std::fmt::Write;
use std::path::PathBuf;

use super::analysis::{Quality, Scope};
use super::results::{ExperimentResult, LiftPoint, Row};

const STYLE: &str = "body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2330;margin:2rem auto;max-width:60rem;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:2px solid #1d2330}h3{margin-top:1.8rem}
table{border-collapse:collapse;margin:.6rem 0;font-variant-numeric:tabular-nums}td,th{padding:.25rem .6rem;border-bottom:1px solid #dde;text-align:right}
th:first-child,td:first-child{text-align:left}.ci{color:#667;font-size:.85em}.warn{background:#fff4e0;border-left:4px solid #e08a00;padding:.5rem 1rem;margin:.5rem 0}
.ok{background:#eaf7ee;border-left:4px solid #2a9d54;padding:.5rem 1rem}.sig{font-weight:600}svg{display:block;margin:.8rem 0}
.note{color:#556;font-size:.9em}code{background:#f2f3f7;padding:0 .2rem}";

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

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

/// "p = 0.0123", or "p &lt; 0.0001" (HTML).
fn format_p(p: f64) -> String {
    if p < 0.0001 {
        "p &lt; 0.0001".into()
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
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>aisle A/B report</title><style>{STYLE}</style></head><body>\n<h1>aisle A/B report</h1>\n"
    );
    let _ = writeln!(
        html,
        "<p class=\"note\">{} event line(s) from {} file(s). Intervals are 95%. Lift is relative to the control arm; p-values are two-sided \
         (two-proportion z-test for rates, Welch's t-test for revenue). Figures in <code>report.csv</code>.</p>",
        quality.lines,
        files.len()
    );
    if results.is_empty() {
        html.push_str("<div class=\"warn\">No experiment in the data.</div>\n");
    }
    for result in results {
        render_experiment(&mut html, result);
    }
    render_quality(&mut html, quality);
    html.push_str("</body></html>\n");
    html
}

fn render_experiment(html: &mut String, result: &ExperimentResult) {
    let _ = writeln!(
        html,
        "<h2>Experiment <code>{}</code></h2>",
        escape(&result.key)
    );
    if let Some((first, last)) = result.day_span {
        let _ = writeln!(
            html,
            "<p>Exposures from {} to {} ({} day(s)). Control arm: <code>{}</code>.</p>",
            crate::dates::format_day(first),
            crate::dates::format_day(last),
            last - first + 1,
            escape(&result.control)
        );
    }
    for warning in &result.warnings {
        let _ = writeln!(html, "<div class=\"warn\">⚠ {}</div>", escape(warning));
    }
    if let Some(check) = &result.sample_ratio {
        let split: Vec<String> = check
            .observed
            .iter()
            .zip(&check.expected_shares)
            .map(|((arm, count), share)| {
                format!("{} {count} (expected share {share})", escape(arm))
            })
            .collect();
        let class = if check.mismatch { "warn" } else { "ok" };
        let _ = writeln!(
            html,
            "<div class=\"{class}\">Sample-ratio check: {}; chi-square {:.3}, {}{}</div>",
            split.join(", "),
            check.chi_square,
            format_p(check.p_value),
            if check.mismatch {
                " — mismatch"
            } else {
                " — no mismatch"
            }
        );
    }
    for scope in [Scope::All, Scope::Changed] {
        let title = match scope {
            Scope::All => "All exposed visitors",
            Scope::Changed => "Visitors whose grid personalization changed (from that exposure on)",
        };
        let _ = writeln!(html, "<h3>{title}</h3>");
        render_table(html, result, scope);
        let rows: Vec<&Row> = result.rows.iter().filter(|r| r.scope == scope).collect();
        for (metric, label) in [
            ("conversion_rate", "Conversion rate by arm"),
            ("revenue_per_visitor", "Revenue per visitor by arm"),
        ] {
            let bars: Vec<Bar> = rows
                .iter()
                .filter(|r| r.metric == metric)
                .map(|r| (r.arm.clone(), r.value, r.ci))
                .collect();
            html.push_str(&bar_chart(label, metric, &bars));
        }
        for ((series_scope, arm), points) in &result.series {
            if *series_scope != scope || points.is_empty() {
                continue;
            }
            let conversion: Vec<(u64, LiftValue)> = points
                .iter()
                .map(|p: &LiftPoint| (p.day, p.conversion_lift))
                .collect();
            let revenue: Vec<(u64, LiftValue)> =
                points.iter().map(|p| (p.day, p.revenue_lift)).collect();
            let name = escape(arm);
            html.push_str(&lift_chart(
                &format!(
                    "Cumulative conversion-rate lift of {name} vs {}",
                    escape(&result.control)
                ),
                &conversion,
            ));
            html.push_str(&lift_chart(
                &format!(
                    "Cumulative revenue-per-visitor lift of {name} vs {}",
                    escape(&result.control)
                ),
                &revenue,
            ));
        }
    }
}

fn render_table(html: &mut String, result: &ExperimentResult, scope: Scope) {
    html.push_str("<table><tr><th>Metric</th>");
    for arm in &result.arms {
        let _ = write!(html, "<th>{}</th>", escape(arm));
    }
    html.push_str("</tr>\n");
    for (metric, label) in METRIC_LABELS {
        let _ = write!(html, "<tr><td>{label}</td>");
        for arm in &result.arms {
            let Some(row) = result
                .rows
                .iter()
                .find(|r| r.scope == scope && r.metric == metric && r.arm == *arm)
            else {
                html.push_str("<td></td>");
                continue;
            };
            let mut cell = format_value(metric, row.value);
            if let Some((low, high)) = row.ci {
                let _ = write!(
                    cell,
                    "<br><span class=\"ci\">[{}, {}]</span>",
                    format_value(metric, low),
                    format_value(metric, high)
                );
            }
            if let Some(lift) = row.lift {
                let significant = row.p_value.is_some_and(|p| p < 0.05);
                let _ = write!(
                    cell,
                    "<br><span class=\"{}\">lift {}</span>",
                    if significant { "sig" } else { "" },
                    format_percent(lift)
                );
                if let Some((low, high)) = row.lift_ci {
                    let _ = write!(
                        cell,
                        " <span class=\"ci\">[{}, {}]</span>",
                        format_percent(low),
                        format_percent(high)
                    );
                }
            }
            if let Some(p) = row.p_value {
                let _ = write!(cell, "<br><span class=\"ci\">{}</span>", format_p(p));
            }
            let _ = write!(html, "<td>{cell}</td>");
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</table>\n");
}

fn render_quality(html: &mut String, quality: &Quality) {
    html.push_str("<h2>Input quality</h2>\n<p class=\"note\">Nothing below was silently merged or dropped: each count says what happened to it.</p><table>\n");
    let notes = [
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
    for (name, value) in super::output_csv::quality_counts(quality) {
        let note = notes
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, note)| note);
        let _ = writeln!(html, "<tr><td><code>{name}</code></td><td>{value}</td><td style=\"text-align:left\">{note}</td></tr>");
    }
    html.push_str("</table>\n");
    if !quality.malformed_examples.is_empty() {
        html.push_str("<p>First malformed lines:</p><ul>\n");
        for example in &quality.malformed_examples {
            let _ = writeln!(html, "<li><code>{}</code></li>", escape(example));
        }
        html.push_str("</ul>\n");
    }
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 32.0;

/// Horizontal-free bar chart of one metric per arm, with interval whiskers.
fn bar_chart(title: &str, metric: &str, bars: &[Bar]) -> String {
    let max = bars
        .iter()
        .map(|(_, v, ci)| ci.map_or(*v, |c| c.1.max(*v)))
        .fold(0.0f64, f64::max);
    let max = if max > 0.0 { max * 1.1 } else { 1.0 };
    let plot_height = HEIGHT - TOP - BOTTOM;
    let slot = (WIDTH - LEFT - RIGHT) / bars.len().max(1) as f64;
    let y = |v: f64| TOP + plot_height * (1.0 - v / max);
    let mut svg = svg_open(title);
    let _ = write!(
        svg,
        "<line x1=\"{LEFT}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#99a\"/>",
        y(0.0),
        WIDTH - RIGHT,
        y(0.0)
    );
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
        LEFT - 6.0,
        y(max) + 4.0,
        format_value(metric, max)
    );
    for (i, (arm, value, ci)) in bars.iter().enumerate() {
        let x = LEFT + slot * i as f64 + slot * 0.25;
        let width = slot * 0.5;
        let colour = if i == 0 { "#8a94a6" } else { "#2f6fdf" };
        let _ = write!(svg, "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{colour}\"/>", y(*value), y(0.0) - y(*value));
        if let Some((low, high)) = ci {
            let cx = x + width / 2.0;
            let _ = write!(
                svg,
                "<path d=\"M{cx:.1} {:.1}V{:.1}M{:.1} {:.1}h12M{:.1} {:.1}h12\" stroke=\"#1d2330\" fill=\"none\"/>",
                y(*low),
                y(*high),
                cx - 6.0,
                y(*low),
                cx - 6.0,
                y(*high)
            );
        }
        let _ = write!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{} · {}</text>",
            x + width / 2.0,
            HEIGHT - 10.0,
            escape(arm),
            format_value(metric, *value)
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// Cumulative relative lift by day, with its 95% band and a zero line.
fn lift_chart(title: &str, points: &[(u64, LiftValue)]) -> String {
    let values: Vec<f64> = points
        .iter()
        .filter_map(|(_, v)| *v)
        .flat_map(|(lift, ci)| [Some(lift), ci.map(|c| c.0), ci.map(|c| c.1)])
        .flatten()
        .filter(|v| v.is_finite())
        .collect();
    let mut svg = svg_open(title);
    if values.is_empty() {
        svg.push_str("<text x=\"64\" y=\"110\" font-size=\"13\">not enough data for a lift yet</text></svg>\n");
        return svg;
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
    if !band.is_empty() {
        let mut path = String::new();
        for (i, (d, _, h)) in band.iter().enumerate() {
            let _ = write!(
                path,
                "{}{:.1} {:.1}",
                if i == 0 { "M" } else { "L" },
                x(*d),
                y(*h)
            );
        }
        for (d, l, _) in band.iter().rev() {
            let _ = write!(path, "L{:.1} {:.1}", x(*d), y(*l));
        }
        let _ = write!(
            svg,
            "<path d=\"{path}Z\" fill=\"#2f6fdf\" fill-opacity=\"0.18\" stroke=\"none\"/>"
        );
    }
    let _ = write!(svg, "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#99a\" stroke-dasharray=\"4 3\"/>", y(0.0), WIDTH - RIGHT);
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
    let _ = write!(
        svg,
        "<path d=\"{line}\" fill=\"none\" stroke=\"#2f6fdf\" stroke-width=\"2\"/>"
    );
    for v in [low, 0.0, high] {
        // Skip an end label that would overlap the zero label.
        if v != 0.0 && (y(v) - y(0.0)).abs() < 14.0 {
            continue;
        }
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
            LEFT - 6.0,
            y(v) + 4.0,
            format_percent(v)
        );
    }
    let (first_day, last_day) = (points[0].0, points[points.len() - 1].0);
    let _ = write!(
        svg,
        "<text x=\"{LEFT}\" y=\"{}\" font-size=\"11\">{}</text>",
        HEIGHT - 10.0,
        crate::dates::format_day(first_day)
    );
    let _ = write!(
        svg,
        "<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
        WIDTH - RIGHT,
        HEIGHT - 10.0,
        crate::dates::format_day(last_day)
    );
    svg.push_str("</svg>\n");
    svg
}

fn svg_open(title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" role=\"img\" aria-label=\"{title}\">\
         <text x=\"{LEFT}\" y=\"16\" font-size=\"13\" font-weight=\"600\">{title}</text>"
    )
}
