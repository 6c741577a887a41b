//! `aisle collect` on loopback: formats, refusals, CORS, metrics, and durability under kill -9.
use std::collections::HashSet;
use std::sync::mpsc;

use crate::collector::{agent, post, stored_lines, view_event, Collector};

const SHOP: &str = "https://shop.example";

fn metric(collector: &Collector, name: &str) -> u64 {
    let mut response = agent().get(collector.url("/metrics")).call().unwrap();
    let text = response.body_mut().read_to_string().unwrap();
    text.lines()
        .find_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(' '))
        })
        .map(|value| value.parse().unwrap())
        .unwrap_or(0)
}

#[test]
fn accepts_arrays_ndjson_and_beacon_text() {
    let dir = tempfile::tempdir().unwrap();
    let collector = Collector::start(dir.path(), &[SHOP], &[]);
    let agent = agent();
    let url = collector.url("/e");
    let array = format!("[{},{}]", view_event("a1"), view_event("a2"));
    assert_eq!(
        post(&agent, &url, "application/json", Some(SHOP), &array),
        (200, r#"{"accepted":2}"#.into())
    );
    let ndjson = format!("{}\n{}\n", view_event("n1"), view_event("n2"));
    assert_eq!(
        post(&agent, &url, "application/x-ndjson", None, &ndjson).0,
        200
    );
    assert_eq!(
        post(
            &agent,
            &url,
            "text/plain;charset=UTF-8",
            Some(SHOP),
            &view_event("b1")
        )
        .0,
        200
    );
    let lines = stored_lines(dir.path());
    let ids: Vec<String> = lines
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(ids, ["a1", "a2", "n1", "n2", "b1"]);
    assert!(lines.iter().all(|l| l.starts_with("{\"received\":")));
    let name = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .into_string()
        .unwrap();
    assert!(
        name.starts_with("events-") && name.ends_with(".ndjson"),
        "{name}"
    );
    assert_eq!(metric(&collector, "aisle_collect_events_accepted_total"), 5);
}

#[test]
fn refuses_bad_input_with_a_reason_and_counts_it() {
    let dir = tempfile::tempdir().unwrap();
    let collector = Collector::start(
        dir.path(),
        &[SHOP],
        &["--max-events", "3", "--max-body-bytes", "2000"],
    );
    let agent = agent();
    let url = collector.url("/e");
    let cases: Vec<(String, &str, Option<&str>, u16, &str)> = vec![
        (
            "[{\"v\":1".into(),
            "application/json",
            None,
            400,
            "bad_json",
        ),
        ("".into(), "text/plain", None, 400, "empty"),
        (
            view_event("x"),
            "application/json",
            Some("https://evil.example"),
            403,
            "origin",
        ),
        (
            view_event("x"),
            "application/xml",
            None,
            415,
            "content_type",
        ),
        (
            vec![view_event("x"); 4].join("\n"),
            "text/plain",
            None,
            413,
            "too_many_events",
        ),
        ("x".repeat(3000), "text/plain", None, 413, "body_too_large"),
    ];
    for (body, content_type, origin, status, code) in cases {
        let (got, answer) = post(&agent, &url, content_type, origin, &body);
        assert_eq!(got, status, "{code}: {answer}");
        let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
        assert_eq!(answer["error"], code);
        assert!(!answer["reason"].as_str().unwrap().is_empty());
        assert_eq!(
            metric(
                &collector,
                &format!("aisle_collect_requests_rejected_total{{reason=\"{code}\"}}")
            ),
            1,
            "{code}"
        );
    }
    assert!(
        stored_lines(dir.path()).is_empty(),
        "nothing refused is written"
    );

    // A batch with one bad event: the good ones are stored, the bad one is named and counted.
    let mixed = format!(
        "{}\n{{\"v\":1,\"id\":\"bad\"}}\n{}",
        view_event("g1"),
        view_event("g2")
    );
    let (status, answer) = post(&agent, &url, "text/plain", Some(SHOP), &mixed);
    assert_eq!(status, 422);
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(
        (answer["accepted"].as_u64(), answer["rejected"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(answer["errors"][0]["index"], 1);
    assert_eq!(stored_lines(dir.path()).len(), 2);
    assert_eq!(metric(&collector, "aisle_collect_events_rejected_total"), 1);
}

#[test]
fn cors_preflight_answers_allowed_origins_only() {
    let dir = tempfile::tempdir().unwrap();
    let collector = Collector::start(dir.path(), &[SHOP, "http://localhost:8080"], &[]);
    let agent = agent();
    for origin in [SHOP, "http://localhost:8080"] {
        let response = agent
            .options(collector.url("/e"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 204);
        let headers = response.headers();
        assert_eq!(headers["access-control-allow-origin"], origin);
        assert_eq!(headers["access-control-allow-credentials"], "true");
        assert!(headers["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("content-type"));
    }
    let refused = agent
        .options(collector.url("/e"))
        .header("Origin", "https://shop.example.evil")
        .call()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let mut health = agent.get(collector.url("/healthz")).call().unwrap();
    assert_eq!(health.body_mut().read_to_string().unwrap(), "ok\n");
}

/// Several clients post while the collector is killed with SIGKILL: every event whose batch
/// was acknowledged must be in the files. The kill happens after a fixed number of
/// acknowledgements (not after a delay), while the other clients are still posting.
#[test]
fn kill_9_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut collector = Collector::start(dir.path(), &[], &[]);
    let url = collector.url("/e");
    let (acked_sender, acked) = mpsc::channel::<Vec<String>>();
    let clients: Vec<_> = (0..4)
        .map(|client| {
            let url = url.clone();
            let acked_sender = acked_sender.clone();
            std::thread::spawn(move || {
                let agent = agent();
                for batch in 0..500 {
                    let ids: Vec<String> = (0..10)
                        .map(|i| format!("c{client}-b{batch}-e{i}"))
                        .collect();
                    let body = ids
                        .iter()
                        .map(|id| view_event(id))
                        .collect::<Vec<_>>()
                        .join("\n");
                    let response = agent
                        .post(&url)
                        .header("Content-Type", "text/plain")
                        .send(&body);
                    match response {
                        Ok(response) if response.status().as_u16() == 200 => {
                            if acked_sender.send(ids).is_err() {
                                return;
                            }
                        }
                        _ => return, // the collector is gone
                    }
                }
            })
        })
        .collect();
    drop(acked_sender);
    let mut acked_ids = HashSet::new();
    let mut batches = 0;
    while batches < 60 {
        acked_ids.extend(
            acked
                .recv()
                .expect("clients stopped before 60 acknowledgements"),
        );
        batches += 1;
    }
    collector.child.kill().unwrap(); // SIGKILL
    collector.child.wait().unwrap();
    for ids in acked.iter() {
        acked_ids.extend(ids);
    }
    for client in clients {
        client.join().unwrap();
    }
    let stored: HashSet<String> = stored_lines(dir.path())
        .iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .map(|value| value["id"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<_> = acked_ids
        .iter()
        .filter(|id| !stored.contains(*id))
        .collect();
    assert!(acked_ids.len() >= 600);
    assert!(
        missing.is_empty(),
        "{} acknowledged events missing, e.g. {:?}",
        missing.len(),
        missing.first()
    );
}
