//! The HTTP side of `aisle collect`: `POST /e` (events), `OPTIONS /e` (CORS preflight),
//! `GET /healthz`, `GET /metrics`. Every refusal is answered with a JSON reason and counted.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{to_bytes, Body};
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::validate::{parse_body, stored_line, Limits};
use super::writer::{WriterHandle, WriterStats};

/// Shared state of the handlers.
pub struct AppState {
    /// Origins allowed to post, exactly as browsers send them (`https://shop.example`).
    pub allowed_origins: Vec<String>,
    /// Request limits.
    pub limits: Limits,
    /// The file writer.
    pub writer: WriterHandle,
    /// Counters.
    pub metrics: Metrics,
    /// The writer's counters.
    pub writer_stats: Arc<WriterStats>,
}

/// Request and event counters.
#[derive(Default)]
pub struct Metrics {
    requests: AtomicU64,
    events_accepted: AtomicU64,
    events_rejected: AtomicU64,
    request_bytes: AtomicU64,
    rejected_requests: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    fn reject_request(&self, code: &'static str) {
        *self
            .rejected_requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(code)
            .or_default() += 1;
    }
}

/// The router, for `axum::serve`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/e", post(post_events).options(preflight))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// The CORS headers for an allowed origin. Credentials are allowed because `sendBeacon`
/// sends them, and the origin is echoed (never `*`), which that requires.
fn cors_headers(origin: &HeaderValue) -> [(header::HeaderName, HeaderValue); 3] {
    [
        (header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()),
        (
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        ),
        (header::VARY, HeaderValue::from_static("Origin")),
    ]
}

enum OriginCheck {
    /// No `Origin` header: not a browser cross-origin request (a server forwarding events).
    Absent,
    Allowed(HeaderValue),
    Refused,
}

fn check_origin(state: &AppState, headers: &HeaderMap) -> OriginCheck {
    match headers.get(header::ORIGIN) {
        None => OriginCheck::Absent,
        Some(origin) => match origin.to_str() {
            Ok(text) if state.allowed_origins.iter().any(|allowed| allowed == text) => {
                OriginCheck::Allowed(origin.clone())
            }
            _ => OriginCheck::Refused,
        },
    }
}

fn refuse(
    state: &AppState,
    status: StatusCode,
    code: &'static str,
    reason: String,
    origin: Option<&HeaderValue>,
) -> Response {
    state.metrics.reject_request(code);
    let body = Json(json!({ "error": code, "reason": reason }));
    match origin {
        Some(origin) => (status, cors_headers(origin), body).into_response(),
        None => (status, body).into_response(),
    }
}

async fn preflight(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match check_origin(&state, &headers) {
        OriginCheck::Allowed(origin) => {
            let extra = [
                (
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("POST, OPTIONS"),
                ),
                (
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type"),
                ),
                (
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("86400"),
                ),
            ];
            (StatusCode::NO_CONTENT, cors_headers(&origin), extra).into_response()
        }
        OriginCheck::Absent => refuse(
            &state,
            StatusCode::BAD_REQUEST,
            "no_origin",
            "preflight without Origin".into(),
            None,
        ),
        OriginCheck::Refused => refuse(
            &state,
            StatusCode::FORBIDDEN,
            "origin",
            "origin not allowed".into(),
            None,
        ),
    }
}

fn content_type_allowed(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        return true;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/json" | "application/x-ndjson" | "application/ndjson" | "text/plain" | ""
    )
}

async fn post_events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    state.metrics.requests.fetch_add(1, Ordering::Relaxed);
    let origin = match check_origin(&state, &headers) {
        OriginCheck::Refused => {
            return refuse(
                &state,
                StatusCode::FORBIDDEN,
                "origin",
                "origin not allowed".into(),
                None,
            )
        }
        OriginCheck::Allowed(origin) => Some(origin),
        OriginCheck::Absent => None,
    };
    let origin = origin.as_ref();
    if !content_type_allowed(&headers) {
        let reason =
            "content type must be application/json, application/x-ndjson or text/plain".into();
        return refuse(
            &state,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_type",
            reason,
            origin,
        );
    }
    let limits = state.limits;
    let bytes = match to_bytes(body, limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let reason = format!("body larger than {} bytes", limits.max_body_bytes);
            return refuse(
                &state,
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                reason,
                origin,
            );
        }
    };
    state
        .metrics
        .request_bytes
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    let parsed = match parse_body(&bytes, &limits) {
        Ok(parsed) => parsed,
        Err(error) => {
            let status = match error {
                super::validate::BodyError::TooManyEvents(_) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            return refuse(&state, status, error.code(), error.reason(&limits), origin);
        }
    };
    let received = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    let mut lines = Vec::with_capacity(bytes.len() + 32 * parsed.events.len());
    for event in &parsed.events {
        lines.extend_from_slice(stored_line(event, received).as_bytes());
    }
    if !parsed.events.is_empty() {
        if let Err(error) = state
            .writer
            .write(crate::dates::day_number(received), lines)
            .await
        {
            let reason = format!("events could not be stored: {error}");
            return refuse(
                &state,
                StatusCode::SERVICE_UNAVAILABLE,
                "storage",
                reason,
                origin,
            );
        }
    }
    let accepted = parsed.events.len() as u64;
    let rejected = parsed.errors.len() as u64;
    state
        .metrics
        .events_accepted
        .fetch_add(accepted, Ordering::Relaxed);
    state
        .metrics
        .events_rejected
        .fetch_add(rejected, Ordering::Relaxed);
    let (status, body) = if rejected == 0 {
        (StatusCode::OK, json!({ "accepted": accepted }))
    } else {
        state.metrics.reject_request("invalid_events");
        let errors: Vec<_> = parsed.errors.iter().take(20).collect();
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({ "error": "invalid_events", "accepted": accepted, "rejected": rejected, "errors": errors }),
        )
    };
    match origin {
        Some(origin) => (status, cors_headers(origin), Json(body)).into_response(),
        None => (status, Json(body)).into_response(),
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let m = &state.metrics;
    let mut text = String::new();
    let mut line = |name: &str, value: u64| text.push_str(&format!("{name} {value}\n"));
    line(
        "aisle_collect_requests_total",
        m.requests.load(Ordering::Relaxed),
    );
    line(
        "aisle_collect_request_bytes_total",
        m.request_bytes.load(Ordering::Relaxed),
    );
    line(
        "aisle_collect_events_accepted_total",
        m.events_accepted.load(Ordering::Relaxed),
    );
    line(
        "aisle_collect_events_rejected_total",
        m.events_rejected.load(Ordering::Relaxed),
    );
    line(
        "aisle_collect_bytes_written_total",
        state.writer_stats.bytes_written.load(Ordering::Relaxed),
    );
    line(
        "aisle_collect_syncs_total",
        state.writer_stats.syncs.load(Ordering::Relaxed),
    );
    let rejected = m
        .rejected_requests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    for (code, count) in rejected {
        text.push_str(&format!(
            "aisle_collect_requests_rejected_total{{reason=\"{code}\"}} {count}\n"
        ));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
