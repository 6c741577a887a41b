//! A collector child process (`aisle collect`, killed when dropped) and the HTTP helpers the
//! collect tests talk to it with.
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};

use crate::aisle_command;

/// A running `aisle collect` on a free loopback port.
pub struct Collector {
    pub child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
}

impl Collector {
    pub fn start(dir: &Path, origins: &[&str], extra: &[&str]) -> Collector {
        let mut args = vec![
            "collect",
            "--listen",
            "127.0.0.1:0",
            "--dir",
            dir.to_str().unwrap(),
        ];
        for origin in origins {
            args.extend(["--allow-origin", origin]);
        }
        args.extend(extra);
        let mut child = aisle_command(&args).stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "aisle collect: listening on http://127.0.0.1:PORT/e, writing to ..."
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("address line")
            .trim_end_matches(',');
        let base = url.trim_end_matches("/e").to_string();
        Collector { child, base }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP agent that returns 4xx/5xx as responses instead of errors.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Posts `body` with `content_type` (and `origin`, when given); returns status and body.
pub fn post(
    agent: &ureq::Agent,
    url: &str,
    content_type: &str,
    origin: Option<&str>,
    body: &str,
) -> (u16, String) {
    let mut request = agent.post(url).header("Content-Type", content_type);
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let mut response = request.send(body).unwrap();
    (
        response.status().as_u16(),
        response.body_mut().read_to_string().unwrap(),
    )
}

/// Every line of every file in `dir`, in file-name order.
pub fn stored_lines(dir: &Path) -> Vec<String> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .iter()
        .flat_map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect()
}

/// One schema v1 product view with id `id`.
pub fn view_event(id: &str) -> String {
    format!(
        r#"{{"v":1,"id":"{id}","ts":1700000000000,"visitor":"v1","session":"1","type":"product_view","product":"p1"}}"#
    )
}
