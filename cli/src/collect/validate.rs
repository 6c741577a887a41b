//! Turns one beacon body into validated events: a JSON array of events, or NDJSON (one event
//! per line; `sendBeacon` with a string sends it as `text/plain`). Pure, so it is tested
//! without a server.
use aisle::events::{Event, EventBody, EVENT_SCHEMA_VERSION};
use serde::Serialize;
use serde_json::value::RawValue;

/// Size limits of one request.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Largest single event, bytes of its JSON.
    pub max_event_bytes: usize,
    /// Most events in one request.
    pub max_events: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body_bytes: 1 << 20,
            max_event_bytes: 16 << 10,
            max_events: 500,
        }
    }
}

/// Longest id, visitor or session string accepted, bytes.
pub const MAX_ID_BYTES: usize = 200;
/// Most experiments in one event's `arms` map.
pub const MAX_ARMS: usize = 32;

/// Why a whole request was refused: nothing of it is written.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyError {
    /// Not UTF-8.
    NotUtf8,
    /// Empty, or only whitespace.
    Empty,
    /// Starts with `[` but is not a JSON array.
    BadArray(String),
    /// More events than [`Limits::max_events`].
    TooManyEvents(usize),
}

impl BodyError {
    /// A stable machine-readable label, used as the metrics label and in the JSON answer.
    pub fn code(&self) -> &'static str {
        match self {
            BodyError::NotUtf8 => "not_utf8",
            BodyError::Empty => "empty",
            BodyError::BadArray(_) => "bad_json",
            BodyError::TooManyEvents(_) => "too_many_events",
        }
    }

    /// A human-readable reason.
    pub fn reason(&self, limits: &Limits) -> String {
        match self {
            BodyError::NotUtf8 => "body is not UTF-8".into(),
            BodyError::Empty => "body holds no event".into(),
            BodyError::BadArray(error) => format!("body is not a JSON array of events: {error}"),
            BodyError::TooManyEvents(count) => format!(
                "{count} events in one request, at most {} allowed",
                limits.max_events
            ),
        }
    }
}

/// One event of a request that was refused; the others may still be stored.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventError {
    /// Zero-based position in the request (array index, or NDJSON line among non-empty lines).
    pub index: usize,
    /// Why.
    pub reason: String,
}

/// A parsed request: the valid events and the reasons for the others.
#[derive(Debug, Default)]
pub struct ParsedBody {
    /// Events that passed every check.
    pub events: Vec<Event>,
    /// Events that did not.
    pub errors: Vec<EventError>,
}

/// Parses and validates a request body.
pub fn parse_body(body: &[u8], limits: &Limits) -> Result<ParsedBody, BodyError> {
    let text = std::str::from_utf8(body).map_err(|_| BodyError::NotUtf8)?;
    let text = text.trim_start_matches('\u{feff}').trim();
    if text.is_empty() {
        return Err(BodyError::Empty);
    }
    let items: Vec<&str> = if text.starts_with('[') {
        let raw: Vec<&RawValue> =
            serde_json::from_str(text).map_err(|e| BodyError::BadArray(e.to_string()))?;
        raw.into_iter().map(RawValue::get).collect()
    } else {
        text.lines()
            .map(str::trim)
            .filter(|line| !line.is_empty())
            .collect()
    };
    if items.is_empty() {
        return Err(BodyError::Empty);
    }
    if items.len() > limits.max_events {
        return Err(BodyError::TooManyEvents(items.len()));
    }
    let mut parsed = ParsedBody::default();
    for (index, item) in items.into_iter().enumerate() {
        match parse_event(item, limits) {
            Ok(event) => parsed.events.push(event),
            Err(reason) => parsed.errors.push(EventError { index, reason }),
        }
    }
    Ok(parsed)
}

/// Parses and validates one event's JSON.
pub fn parse_event(json: &str, limits: &Limits) -> Result<Event, String> {
    if json.len() > limits.max_event_bytes {
        return Err(format!(
            "event is {} bytes, at most {} allowed",
            json.len(),
            limits.max_event_bytes
        ));
    }
    let event: Event = serde_json::from_str(json)
        .map_err(|e| format!("not a schema v{EVENT_SCHEMA_VERSION} event: {e}"))?;
    check_event(&event)?;
    Ok(event)
}

/// The checks serde cannot express.
pub fn check_event(event: &Event) -> Result<(), String> {
    if event.v != EVENT_SCHEMA_VERSION {
        return Err(format!(
            "schema version {} is not {EVENT_SCHEMA_VERSION}",
            event.v
        ));
    }
    for (field, value) in [
        ("id", &event.id),
        ("visitor", &event.visitor),
        ("session", &event.session),
    ] {
        if value.is_empty() {
            return Err(format!("field {field} is empty"));
        }
        if value.len() > MAX_ID_BYTES {
            return Err(format!("field {field} is longer than {MAX_ID_BYTES} bytes"));
        }
    }
    if event.ts == 0 {
        return Err("field ts is 0".into());
    }
    if event.arms.len() > MAX_ARMS {
        return Err(format!("more than {MAX_ARMS} experiments in arms"));
    }
    if event
        .arms
        .iter()
        .any(|(experiment, arm)| experiment.is_empty() || arm.is_empty())
    {
        return Err("arms has an empty experiment or arm key".into());
    }
    match &event.body {
        EventBody::Exposure {
            experiment, arm, ..
        } if experiment.is_empty() || arm.is_empty() => {
            Err("exposure has an empty experiment or arm".into())
        }
        EventBody::Purchase {
            revenue: Some(revenue),
            ..
        } if !(revenue.is_finite() && *revenue >= 0.0) => {
            Err("purchase revenue is negative".into())
        }
        EventBody::Purchase {
            currency: Some(currency),
            ..
        }
        | EventBody::BeginCheckout {
            currency: Some(currency),
            ..
        } if currency.len() != 3 => Err(format!("currency {currency:?} is not an ISO 4217 code")),
        EventBody::BeginCheckout {
            value: Some(value), ..
        } if !(value.is_finite() && *value >= 0.0) => {
            Err("begin_checkout value is negative".into())
        }
        _ => Ok(()),
    }
}

/// The line stored for one event: its canonical JSON with the receipt time (`received`, Unix
/// ms, the collector's clock) as first field, and a newline.
pub fn stored_line(event: &Event, received_ms: u64) -> String {
    let json = serde_json::to_string(event).expect("events always serialize");
    // `json` is an object with at least the required fields, so it starts with `{"`.
    format!("{{\"received\":{received_ms},{}\n", &json[1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = r#"{"v":1,"id":"e1","ts":5,"visitor":"v","session":"1","type":"product_view","product":"p"}"#;

    fn check(body: &str, expected_events: usize, expected_errors: &[usize]) {
        let parsed = parse_body(body.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(parsed.events.len(), expected_events, "{body}");
        let indexes: Vec<usize> = parsed.errors.iter().map(|e| e.index).collect();
        assert_eq!(indexes, expected_errors, "{body}: {:?}", parsed.errors);
    }

    fn check_refused(body: &[u8], limits: &Limits, expected: &str) {
        assert_eq!(parse_body(body, limits).unwrap_err().code(), expected);
    }

    #[test]
    fn arrays_and_ndjson_parse() {
        check(&format!("[{OK},{OK}]"), 2, &[]);
        check(&format!("{OK}\n{OK}\r\n\n{OK}\n"), 3, &[]);
        check(&format!("\u{feff}  {OK}  "), 1, &[]);
        check(&format!("[{OK}, {{\"v\":1}}, 3]"), 1, &[1, 2]);
        check(&format!("{OK}\nnot json\n{OK}"), 2, &[1]);
        let checkout = r#"{"v":1,"id":"e2","ts":6,"visitor":"v","session":"1","type":"begin_checkout","value":9.5,"currency":"EUR","items":[{"product":"p","quantity":1,"price":9.5}]}"#;
        check(&format!("[{OK},{checkout}]"), 2, &[]);
    }

    #[test]
    fn bad_events_are_named() {
        let cases = [
            (OK.replace("\"v\":1", "\"v\":2"), "schema version 2"),
            (OK.replace("\"id\":\"e1\"", "\"id\":\"\""), "field id is empty"),
            (OK.replace("\"ts\":5", "\"ts\":0"), "field ts is 0"),
            (OK.replace("product_view", "teleport"), "not a schema v1 event"),
            (OK.replace("\"visitor\":\"v\"", &format!("\"visitor\":\"{}\"", "x".repeat(201))), "longer than 200"),
            (
                r#"{"v":1,"id":"e","ts":5,"visitor":"v","session":"1","type":"purchase","revenue":-3}"#.to_string(),
                "revenue is negative",
            ),
            (
                r#"{"v":1,"id":"e","ts":5,"visitor":"v","session":"1","type":"purchase","revenue":3,"currency":"euro"}"#.to_string(),
                "ISO 4217",
            ),
            (OK.replace("\"session\":\"1\"", "\"session\":\"1\",\"arms\":{\"x\":\"\"}"), "empty experiment or arm"),
            (
                r#"{"v":1,"id":"e","ts":5,"visitor":"v","session":"1","type":"begin_checkout","value":-1,"items":[]}"#.to_string(),
                "begin_checkout value is negative",
            ),
            (
                r#"{"v":1,"id":"e","ts":5,"visitor":"v","session":"1","type":"begin_checkout","currency":"euro"}"#.to_string(),
                "ISO 4217",
            ),
        ];
        for (json, expected) in cases {
            let error = parse_event(&json, &Limits::default()).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }

    #[test]
    fn limits_hold() {
        let small = Limits {
            max_body_bytes: 1 << 20,
            max_event_bytes: 60,
            max_events: 2,
        };
        check_refused(
            format!("{OK}\n{OK}\n{OK}").as_bytes(),
            &small,
            "too_many_events",
        );
        check_refused(b"\xff\xfe", &small, "not_utf8");
        check_refused(b"  \n ", &small, "empty");
        check_refused(b"[]", &small, "empty");
        check_refused(b"[{\"v\":1}", &small, "bad_json");
        let parsed = parse_body(OK.as_bytes(), &small).unwrap();
        assert!(parsed.errors[0].reason.contains("at most 60"));
    }

    #[test]
    fn stored_lines_parse_back() {
        let event = parse_event(OK, &Limits::default()).unwrap();
        let line = stored_line(&event, 1_700_000_000_123);
        assert!(
            line.starts_with("{\"received\":1700000000123,\"v\":1,") && line.ends_with("}\n"),
            "{line}"
        );
        assert_eq!(serde_json::from_str::<Event>(&line).unwrap(), event);
    }
}
