//! `aisle report` against a hand-counted fixture and against generated streams whose truth
//! the generator counted independently.
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use aisle_cli::generate::ab_stream::{generate, GeneratorConfig, Truth};
use tempfile::TempDir;

use crate::aisle_command;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report");

/// `report.csv` as (scope, arm, metric) → columns by header name.
type Report = BTreeMap<(String, String, String), BTreeMap<String, String>>;

fn run_report(events: &[&Path], out: &Path, extra: &[&str]) -> (Report, BTreeMap<String, u64>) {
    let mut args = vec!["report", "--out", out.to_str().unwrap(), "--events"];
    args.extend(events.iter().map(|p| p.to_str().unwrap()));
    args.extend(extra);
    let output = aisle_command(&args).output().unwrap();
    assert!(
        output.status.success(),
        "aisle report failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut report = Report::new();
    let mut reader = csv::Reader::from_path(out.join("report.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    for record in reader.records() {
        let record = record.unwrap();
        let row: BTreeMap<String, String> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, v)| (h.to_string(), v.to_string()))
            .collect();
        report.insert(
            (
                row["scope"].clone(),
                row["arm"].clone(),
                row["metric"].clone(),
            ),
            row,
        );
    }
    let mut quality = BTreeMap::new();
    for record in csv::Reader::from_path(out.join("quality.csv"))
        .unwrap()
        .records()
    {
        let record = record.unwrap();
        quality.insert(record[0].to_string(), record[1].parse().unwrap());
    }
    (report, quality)
}

fn value(report: &Report, scope: &str, arm: &str, metric: &str, column: &str) -> f64 {
    let row = report
        .get(&(scope.into(), arm.into(), metric.into()))
        .unwrap_or_else(|| panic!("no row {scope} {arm} {metric}"));
    row[column]
        .parse()
        .unwrap_or_else(|_| panic!("{scope} {arm} {metric} {column} = {:?}", row[column]))
}

fn check(report: &Report, scope: &str, arm: &str, metric: &str, expected: f64) {
    let got = value(report, scope, arm, metric, "value");
    assert!(
        (got - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{scope} {arm} {metric}: got {got}, expected {expected}"
    );
}

#[test]
fn hand_counted_fixture() {
    let out = tempfile::tempdir().unwrap();
    let manifest = format!("{FIXTURES}/manifest.json");
    let events = Path::new(FIXTURES).join("small.ndjson");
    let (report, quality) = run_report(
        &[&events],
        out.path(),
        &["--manifest", &manifest, "--min-visitors", "1"],
    );
    // See the fixture: a, b in holdout; c, d personalized; e in two arms; f never exposed.
    let expected_all = [
        ("holdout", [2.0, 3.0, 2.0, 0.5, 0.5, 1.0, 50.0, 50.0, 25.0]),
        (
            "personalized",
            [2.0, 3.0, 3.0, 0.5, 1.0, 3.0, 90.0, 30.0, 45.0],
        ),
    ];
    let expected_changed = [
        ("holdout", [1.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
        (
            "personalized",
            [2.0, 3.0, 2.0, 0.0, 1.0, 3.0, 90.0, 30.0, 45.0],
        ),
    ];
    let metrics = [
        "visitors",
        "sessions",
        "exposures",
        "add_to_cart_rate",
        "conversion_rate",
        "orders",
        "revenue",
        "average_order_value",
        "revenue_per_visitor",
    ];
    for (scope, expected) in [("all", expected_all), ("changed", expected_changed)] {
        for (arm, values) in expected {
            for (metric, v) in metrics.iter().zip(values) {
                check(&report, scope, arm, metric, v);
            }
        }
    }
    check(&report, "all", "*", "visitors_in_two_arms", 1.0);
    check(&report, "all", "*", "visitors_without_exposure", 1.0);
    // Lifts against holdout, and p-values computed by hand (docs/ab-testing.md), each with
    // the precision it was computed to.
    for (metric, column, expected, tolerance) in [
        ("conversion_rate", "lift", 1.0, 0.0),
        ("revenue_per_visitor", "lift", 0.8, 1e-12),
        ("average_order_value", "lift", -0.4, 1e-12),
        ("conversion_rate", "p_value", 0.248_213_078_99, 1e-9),
        ("revenue_per_visitor", "p_value", 0.568_500_8, 1e-6),
    ] {
        let got = value(&report, "all", "personalized", metric, column);
        assert!(
            (got - expected).abs() <= tolerance,
            "{metric} {column}: got {got}, expected {expected}"
        );
    }
    let expected_quality = [
        ("lines", 19),
        ("malformed_lines", 1),
        ("duplicate_events", 1),
        ("clock_skew_events", 1),
        ("unknown_experiment_events", 1),
    ];
    for (name, count) in expected_quality {
        assert_eq!(quality[name], count, "{name}");
    }
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Cumulative conversion-rate lift"));
    for external in ["<script", "<link", " src=", "url("] {
        assert!(
            !html.contains(external),
            "report.html must be self-contained: found {external}"
        );
    }
    assert!(
        html.contains("only 1 day(s) of data"),
        "the 4-week warning is shown"
    );
}

fn write_lines(path: &Path, lines: &[String], gzip: bool) {
    let file = std::fs::File::create(path).unwrap();
    let mut writer: Box<dyn Write> = if gzip {
        Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(std::io::BufWriter::new(file))
    };
    for line in lines {
        writeln!(writer, "{line}").unwrap();
    }
    writer.flush().unwrap();
}

fn check_against_truth(report: &Report, quality: &BTreeMap<String, u64>, truth: &Truth) {
    for ((scope, arm), t) in &truth.arms {
        let n = t.visitors as f64;
        check(report, scope, arm, "visitors", n);
        check(report, scope, arm, "sessions", t.sessions as f64);
        check(report, scope, arm, "exposures", t.exposures as f64);
        check(report, scope, arm, "add_to_cart_rate", t.carted as f64 / n);
        check(
            report,
            scope,
            arm,
            "conversion_rate",
            t.converted as f64 / n,
        );
        check(report, scope, arm, "orders", t.orders as f64);
        check(report, scope, arm, "revenue", t.revenue);
        check(report, scope, arm, "revenue_per_visitor", t.revenue / n);
        let variance = (t.revenue_sq - t.revenue * t.revenue / n) / (n - 1.0);
        let half = value(report, scope, arm, "revenue_per_visitor", "ci_high") - t.revenue / n;
        // A t interval: half-width = t(0.975; n−1) · sd / √n, and t(0.975; >1000) ≈ 1.96.
        assert!(
            (half / (variance / n).sqrt() - 1.962).abs() < 0.005,
            "{scope} {arm} interval half-width {half}"
        );
    }
    let expected_quality = [
        ("lines", truth.lines),
        ("malformed_lines", truth.malformed),
        ("duplicate_events", truth.duplicate_events),
        ("duplicate_orders", truth.duplicate_orders),
        ("clock_skew_events", truth.clock_skew),
        ("unknown_experiment_events", truth.unknown_experiment_events),
    ];
    for (name, count) in expected_quality {
        assert_eq!(quality[name], count, "{name}");
    }
    check(
        report,
        "all",
        "*",
        "visitors_in_two_arms",
        truth.visitors_in_two_arms as f64,
    );
    check(
        report,
        "all",
        "*",
        "visitors_without_exposure",
        truth.visitors_without_exposure as f64,
    );
}

#[test]
fn generated_stream_matches_its_truth_in_plain_and_gzip_files() {
    let config = GeneratorConfig {
        visitors: 2_500,
        ..GeneratorConfig::default()
    };
    let (lines, truth) = generate(&config);
    assert!(
        truth.duplicate_events > 0
            && truth.duplicate_orders > 0
            && truth.clock_skew > 0
            && truth.unknown_experiment_events > 0
    );
    let input = tempfile::tempdir().unwrap();
    let half = lines.len() / 2;
    write_lines(&input.path().join("events-a.ndjson"), &lines[..half], false);
    write_lines(
        &input.path().join("events-b.ndjson.gz"),
        &lines[half..],
        true,
    );
    let manifest = format!("{FIXTURES}/manifest.json");
    let out = tempfile::tempdir().unwrap();
    let (report, quality) = run_report(&[input.path()], out.path(), &["--manifest", &manifest]);
    check_against_truth(&report, &quality, &truth);
    // The personalized arm was generated with a 30% higher cart probability.
    let lift = value(&report, "all", "personalized", "add_to_cart_rate", "lift");
    let (low, high) = (
        value(
            &report,
            "all",
            "personalized",
            "add_to_cart_rate",
            "lift_ci_low",
        ),
        value(
            &report,
            "all",
            "personalized",
            "add_to_cart_rate",
            "lift_ci_high",
        ),
    );
    assert!(
        low < lift && lift < high && low < 0.3 && 0.3 < high,
        "lift {lift} [{low}, {high}]"
    );
    // No sample-ratio mismatch on a hash split.
    assert!(value(&report, "all", "*", "sample_ratio_chi_square", "p_value") > 0.001);

    // The partitioning is an implementation detail: 1 or 7 partitions give the same file.
    let one = tempfile::tempdir().unwrap();
    let seven = tempfile::tempdir().unwrap();
    run_report(
        &[input.path()],
        one.path(),
        &["--manifest", &manifest, "--partitions", "1"],
    );
    run_report(
        &[input.path()],
        seven.path(),
        &["--manifest", &manifest, "--partitions", "7"],
    );
    let read = |dir: &TempDir| std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    assert_eq!(read(&one), read(&seven));
    assert_eq!(read(&one), read(&out));
}

#[test]
fn a_skewed_split_is_flagged() {
    let config = GeneratorConfig {
        visitors: 3_000,
        duplicate_share: 0.0,
        ..GeneratorConfig::default()
    };
    let (lines, _) = generate(&config);
    // Drop a third of the holdout's visitors, as a broken tag on some pages would.
    let kept: Vec<String> = lines
        .into_iter()
        .filter(|line| {
            let holdout = line.contains(r#""aisle-rerank":"holdout""#);
            let visitor_hash = aisle::assign::fnv1a32(
                line.split(r#""visitor":""#)
                    .nth(1)
                    .unwrap_or("")
                    .split('"')
                    .next()
                    .unwrap_or(""),
            );
            !(holdout && visitor_hash.is_multiple_of(3))
        })
        .collect();
    let input = tempfile::tempdir().unwrap();
    write_lines(&input.path().join("events.ndjson"), &kept, false);
    let out = tempfile::tempdir().unwrap();
    let (report, _) = run_report(&[input.path()], out.path(), &[]);
    assert!(value(&report, "all", "*", "sample_ratio_chi_square", "p_value") < 0.001);
    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    assert!(html.contains("sample ratio mismatch"));
}

#[test]
fn only_the_requested_experiment_is_reported() {
    let out = tempfile::tempdir().unwrap();
    let events = Path::new(FIXTURES).join("small.ndjson");
    let (report, quality) = run_report(&[&events], out.path(), &["--experiment", "aisle-rerank"]);
    assert!(report
        .values()
        .all(|row| row["experiment"] == "aisle-rerank"));
    assert_eq!(quality["other_experiment_events"], 1);
    let (report, _) = run_report(&[&events], out.path(), &[]);
    assert!(
        report.values().any(|row| row["experiment"] == "old-test"),
        "without a manifest every experiment is reported"
    );
}

/// Compares a report CSV with a committed one cell by cell: text exactly, numbers to a
/// relative 1e-9 (the p-values and intervals come from `statrs`, whose last digits differ
/// from the hand-written functions the committed figures were made with; see
/// `cli/tests/fixtures/report/README.md`).
fn check_pinned(got_path: &Path, pinned_name: &str) {
    let pinned_path = Path::new(FIXTURES).join(pinned_name);
    let read = |path: &Path| -> Vec<Vec<String>> {
        csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    };
    let (got, pinned) = (read(got_path), read(&pinned_path));
    assert_eq!(got.len(), pinned.len(), "rows of {pinned_name}");
    for (line, (got_row, pinned_row)) in got.iter().zip(&pinned).enumerate() {
        assert_eq!(
            got_row.len(),
            pinned_row.len(),
            "{pinned_name}:{}",
            line + 1
        );
        for (got_cell, pinned_cell) in got_row.iter().zip(pinned_row) {
            let same = match (got_cell.parse::<f64>(), pinned_cell.parse::<f64>()) {
                (Ok(g), Ok(p)) => (g - p).abs() <= 1e-9 * p.abs().max(1e-300) || g == p,
                _ => got_cell == pinned_cell,
            };
            assert!(
                same,
                "{pinned_name}:{}: got {got_cell}, pinned {pinned_cell}\n got: {got_row:?}\n pinned: {pinned_row:?}",
                line + 1
            );
        }
    }
}

/// report.csv and report.html of the hand-counted fixture and of the generated stream equal the
/// committed ones.
#[test]
fn figures_match_the_pinned_reports() {
    let manifest = format!("{FIXTURES}/manifest.json");
    let out = tempfile::tempdir().unwrap();
    let events = Path::new(FIXTURES).join("small.ndjson");
    run_report(
        &[&events],
        out.path(),
        &["--manifest", &manifest, "--min-visitors", "1"],
    );
    check_pinned(&out.path().join("report.csv"), "small.report.csv");
    check_pinned_html(
        &out.path().join("report.html"),
        "small.report.html",
        Path::new(FIXTURES),
    );

    let (lines, _) = generate(&GeneratorConfig::default());
    let input = tempfile::tempdir().unwrap();
    let events = input.path().join("generated.ndjson");
    write_lines(&events, &lines, false);
    let out = tempfile::tempdir().unwrap();
    run_report(&[&events], out.path(), &["--manifest", &manifest]);
    check_pinned(&out.path().join("report.csv"), "generated.report.csv");
    check_pinned_html(
        &out.path().join("report.html"),
        "generated.report.html",
        input.path(),
    );
}

/// A report.html as the parser sees it, in document order: each element as its name and
/// sorted attributes, each text node with its white space folded (white-space-only nodes
/// left out, since only the layout of the source may differ).
fn html_outline(html: &str) -> Vec<String> {
    let document = scraper::Html::parse_document(html);
    let mut outline = Vec::new();
    for node in document.tree.root().descendants() {
        match node.value() {
            scraper::Node::Element(element) => {
                let mut attributes: Vec<String> = element
                    .attrs()
                    .map(|(name, value)| format!("{name}={value:?}"))
                    .collect();
                attributes.sort();
                outline.push(format!("<{} {}>", element.name(), attributes.join(" ")));
            }
            scraper::Node::Text(text) => {
                let folded = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !folded.is_empty() {
                    outline.push(format!("text {folded:?}"));
                }
            }
            _ => {}
        }
    }
    outline
}

/// Every element, attribute (all SVG geometry included) and text node of report.html equals
/// the committed one, which the hand-written `write!` renderer made before the move to maud.
/// The input folder, named in malformed-line examples, is written `INPUT` in the pinned file.
fn check_pinned_html(got_path: &Path, pinned_name: &str, input_dir: &Path) {
    let got = std::fs::read_to_string(got_path)
        .unwrap()
        .replace(&format!("{}/", input_dir.display()), "INPUT/");
    let got = html_outline(&got);
    let pinned =
        html_outline(&std::fs::read_to_string(Path::new(FIXTURES).join(pinned_name)).unwrap());
    for (index, (got_node, pinned_node)) in got.iter().zip(&pinned).enumerate() {
        assert_eq!(got_node, pinned_node, "{pinned_name}: node {index}");
    }
    assert_eq!(got.len(), pinned.len(), "nodes of {pinned_name}");
    assert!(got.iter().filter(|n| n.starts_with("<svg ")).count() >= 4);
    assert!(got.iter().filter(|n| n.starts_with("<td ")).count() >= 20);
}

#[test]
fn hostile_names_are_escaped_in_html() {
    let experiment = r#"<script>alert('x')</script>&"q""#;
    let arm = r#"<img src=x onerror=alert(1)>"&"#;
    let json_string = |text: &str| serde_json::to_string(text).unwrap();
    let fixture = std::fs::read_to_string(Path::new(FIXTURES).join("small.ndjson")).unwrap();
    let mut hostile = fixture
        .replace("\"aisle-rerank\"", &json_string(experiment))
        .replace("\"personalized\"", &json_string(arm));
    hostile.push_str("not json <script>alert(2)</script> & \"quoted\"\n");
    let input = tempfile::tempdir().unwrap();
    // The malformed-line examples name the file: a hostile file name reaches the HTML too.
    let file_name = r#"<b onmouseover=alert(2)>&"q".ndjson"#;
    let events = input.path().join(file_name);
    std::fs::write(&events, hostile).unwrap();
    let out = tempfile::tempdir().unwrap();
    run_report(&[&events], out.path(), &["--min-visitors", "1"]);

    let html = std::fs::read_to_string(out.path().join("report.html")).unwrap();
    let document = scraper::Html::parse_document(&html);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    assert_eq!(document.select(&select("script, img, b")).count(), 0);
    let headings: Vec<String> = document
        .select(&select("h2 code"))
        .map(|e| e.text().collect())
        .collect();
    assert!(headings.contains(&experiment.to_string()), "{headings:?}");
    let arm_headers: Vec<String> = document
        .select(&select("th"))
        .map(|e| e.text().collect())
        .collect();
    assert!(arm_headers.contains(&arm.to_string()), "{arm_headers:?}");
    let labels: Vec<&str> = document
        .select(&select("svg[aria-label]"))
        .filter_map(|e| e.value().attr("aria-label"))
        .collect();
    assert!(
        labels.iter().any(|label| label.contains(arm)),
        "the lift chart's label keeps the arm name as text: {labels:?}"
    );
    let malformed: Vec<String> = document
        .select(&select("li code"))
        .map(|e| e.text().collect())
        .collect();
    assert!(
        malformed.iter().any(|line| line.contains(file_name)),
        "{malformed:?}"
    );
}
