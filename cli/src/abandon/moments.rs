//! Replays past events through the same [`History`] the browser keeps and records a scoring
//! moment wherever the browser would score, with the features it would have seen then.
//!
//! A session is, by default, what `History` calls one: actions of one visitor with no idle
//! gap longer than `session_idle_ms` (30 minutes); a dataset's own session ids can be used
//! instead ([`LabelSessions::EventField`]). A moment is labelled *abandoned* when no
//! purchase by that visitor follows it before the session ends. Features are computed from
//! the history as it stands right after the moment's event, before any later event is
//! replayed, so nothing after the moment can leak into them.
use std::collections::{BTreeMap, HashMap};

use aisle::abandon::AbandonFeatures;
use aisle::bundle::Model;
use aisle::events::Event;
use aisle::history::{ActionKind, History, HistoryConfig};

use crate::event_log::{ActionBody, ShopperAction};

const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// Where the browser would score.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MomentRule {
    /// After each add or remove that leaves a non-empty cart.
    CartChanges,
    /// As `cart-changes`, and after every later action while the cart is not empty (the
    /// browser also scores when a page is hidden, that is after each page).
    CartActivity,
    /// After every product view, cart or not (purchase-intent proxy for view-only data).
    ProductViews,
}

/// What the events say about the local clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ClockKnown {
    /// Time stamps give hour and weekday (UTC plus the configured offset).
    HourAndWeekday,
    /// Only the day is real (times are a date plus an offset into the session).
    WeekdayOnly,
}

/// Which session a label is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LabelSessions {
    /// The browser's own sessions: split after `session_idle_ms` without activity.
    Idle,
    /// The events' `session` field (a dataset's session id), however long it lasts.
    EventField,
}

/// How to replay.
#[derive(Clone, Debug)]
pub struct ReplayConfig {
    /// The history settings the browser uses (capacity, session idle time).
    pub history: HistoryConfig,
    /// Where to score.
    pub rule: MomentRule,
    /// What the time stamps tell about the local clock.
    pub clock: ClockKnown,
    /// Minutes added to UTC to get the shoppers' local time.
    pub utc_offset_minutes: i64,
    /// What "the session" in the label means.
    pub label_sessions: LabelSessions,
}

impl Default for ReplayConfig {
    fn default() -> Self {
        ReplayConfig {
            history: HistoryConfig::default(),
            rule: MomentRule::CartActivity,
            clock: ClockKnown::HourAndWeekday,
            utc_offset_minutes: 0,
            label_sessions: LabelSessions::Idle,
        }
    }
}

/// One place the browser would have scored.
#[derive(Clone, Debug)]
pub struct Moment {
    /// Index into [`Replay::sessions`].
    pub session: usize,
    /// When.
    pub at_ms: u64,
    /// What the browser would have seen.
    pub features: AbandonFeatures,
    /// True when the session ended without a purchase after this moment.
    pub abandoned: bool,
}

/// One visitor session as the labels see it (see [`LabelSessions`]).
#[derive(Clone, Debug)]
pub struct Session {
    /// First event.
    pub started_ms: u64,
    /// Last event.
    pub last_ms: u64,
    /// True when the data ends less than one idle period after the session's last event, so
    /// the session may still have been going on.
    pub maybe_open: bool,
}

/// Everything a replay produced.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    /// Scoring moments in replay order (visitor by visitor, time within each).
    pub moments: Vec<Moment>,
    /// Sessions, including ones without moments.
    pub sessions: Vec<Session>,
    /// Idle gaps before every return of any visitor, for the population nudge default.
    pub return_gaps_ms: Vec<u64>,
}

/// Replays events visitor by visitor in time order (file order breaks ties).
pub fn replay(events: &[Event], catalog: Option<&Model>, config: &ReplayConfig) -> Replay {
    let mut out = Replay::default();
    for (_, actions) in actions_by_visitor(events) {
        replay_visitor(&actions, catalog, config, &mut out);
    }
    mark_open_sessions(
        &mut out,
        events.iter().map(|e| e.ts).max().unwrap_or(0),
        config,
    );
    out
}

/// Each visitor's shopper actions in time order (file order breaks ties), visitors in id
/// order.
pub fn actions_by_visitor(events: &[Event]) -> BTreeMap<&str, Vec<ShopperAction<'_>>> {
    let mut by_visitor: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, event) in events.iter().enumerate() {
        if ShopperAction::from_event(event).is_some() {
            by_visitor.entry(&event.visitor).or_default().push(index);
        }
    }
    by_visitor
        .into_iter()
        .map(|(visitor, mut indices)| {
            indices.sort_by_key(|&i| (events[i].ts, i));
            (
                visitor,
                indices
                    .iter()
                    .filter_map(|&i| ShopperAction::from_event(&events[i]))
                    .collect(),
            )
        })
        .collect()
}

/// Marks the sessions whose last event is less than one idle period before `data_end_ms`.
pub fn mark_open_sessions(replay: &mut Replay, data_end_ms: u64, config: &ReplayConfig) {
    for session in &mut replay.sessions {
        session.maybe_open = session
            .last_ms
            .saturating_add(config.history.session_idle_ms)
            > data_end_ms;
    }
}

/// Replays one visitor's actions (in time order) and appends the sessions, moments and
/// return gaps to `out`.
pub fn replay_visitor(
    actions: &[ShopperAction],
    catalog: Option<&Model>,
    config: &ReplayConfig,
    out: &mut Replay,
) {
    let mut history: Option<History> = None;
    let mut session_index: HashMap<String, usize> = HashMap::new();
    // Per session: position of its last purchase in this visitor's sequence.
    let mut last_purchase: HashMap<usize, usize> = HashMap::new();
    let mut moments: Vec<(Moment, usize)> = Vec::new();
    for (position, action) in actions.iter().enumerate() {
        if matches!(action.body, ActionBody::BeginCheckout { .. }) {
            // The browser does not see checkout (the loader is not on the shop's checkout
            // pages): its history, sessions and scores never hold one, so the replay skips it.
            continue;
        }
        let history = history.get_or_insert_with(|| History::new(config.history, action.ts));
        let previous_active = history.last_active_ms();
        let previous_session = history.session();
        record(history, &action.body, action.ts);
        if history.session() != previous_session {
            out.return_gaps_ms
                .push(action.ts.saturating_sub(previous_active));
        }
        let key = match config.label_sessions {
            LabelSessions::Idle => history.session().to_string(),
            LabelSessions::EventField => action.session.to_string(),
        };
        let session = *session_index.entry(key).or_insert_with(|| {
            out.sessions.push(Session {
                started_ms: action.ts,
                last_ms: action.ts,
                maybe_open: false,
            });
            out.sessions.len() - 1
        });
        out.sessions[session].last_ms = action.ts;
        if matches!(action.body, ActionBody::Purchase { .. }) {
            last_purchase.insert(session, position);
        }
        if is_moment(config.rule, &action.body, history) {
            let (hour, weekday) = local_clock(action.ts, config);
            let features =
                AbandonFeatures::from_history(history, catalog, action.ts, hour, weekday);
            moments.push((
                Moment {
                    session,
                    at_ms: action.ts,
                    features,
                    abandoned: true,
                },
                position,
            ));
        }
    }
    for (mut moment, position) in moments {
        moment.abandoned = !matches!(last_purchase.get(&moment.session), Some(&p) if p > position);
        out.moments.push(moment);
    }
}

/// Feeds one action into the history the way the browser records it.
fn record(history: &mut History, body: &ActionBody, ts: u64) {
    match body {
        ActionBody::BeginCheckout { .. } => {} // skipped by `replay_visitor`
        ActionBody::ProductView { product } => {
            history.record(ActionKind::ProductView, product, 1, None, ts)
        }
        ActionBody::CategoryView { category } => {
            history.record(ActionKind::CategoryView, category, 1, None, ts)
        }
        ActionBody::GridClick { product } => {
            history.record(ActionKind::GridClick, product, 1, None, ts)
        }
        ActionBody::AddToCart {
            product,
            quantity,
            price,
        } => history.record(
            ActionKind::AddToCart,
            product,
            *quantity,
            price.map(|p| p as f32),
            ts,
        ),
        ActionBody::RemoveFromCart { product, quantity } => {
            history.record(ActionKind::RemoveFromCart, product, *quantity, None, ts)
        }
        ActionBody::Purchase { items } => {
            if items.is_empty() {
                history.touch(ts);
                history.clear_cart();
            }
            for &(product, quantity) in items {
                history.record(ActionKind::Purchase, product, quantity, None, ts);
            }
        }
    }
}

fn is_moment(rule: MomentRule, body: &ActionBody, history: &History) -> bool {
    let cart_change = matches!(
        body,
        ActionBody::AddToCart { .. } | ActionBody::RemoveFromCart { .. }
    );
    let purchase = matches!(body, ActionBody::Purchase { .. });
    match rule {
        MomentRule::CartChanges => cart_change && !history.cart().is_empty(),
        MomentRule::CartActivity => !purchase && !history.cart().is_empty(),
        MomentRule::ProductViews => matches!(body, ActionBody::ProductView { .. }),
    }
}

/// Local hour (0..=23) and weekday (0 = Sunday), 255 where unknown.
pub fn local_clock(ts: u64, config: &ReplayConfig) -> (u8, u8) {
    let local = (ts as i64 + config.utc_offset_minutes * 60_000).max(0) as u64;
    // 1970-01-01 was a Thursday (4).
    let weekday = ((local / DAY_MS + 4) % 7) as u8;
    match config.clock {
        ClockKnown::HourAndWeekday => (((local % DAY_MS) / HOUR_MS) as u8, weekday),
        ClockKnown::WeekdayOnly => (255, weekday),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aisle::abandon::Feature;
    use aisle::events::{EventBody, LineItem, EVENT_SCHEMA_VERSION};

    const T0: u64 = 1_569_888_000_000; // 2019-10-01 00:00 UTC, a Tuesday.
    const MINUTE: u64 = 60_000;

    fn event(visitor: &str, minute: u64, body: EventBody) -> Event {
        Event {
            v: EVENT_SCHEMA_VERSION,
            id: String::new(),
            ts: T0 + minute * MINUTE,
            visitor: visitor.into(),
            session: String::new(),
            arms: Default::default(),
            body,
        }
    }
    fn view(visitor: &str, minute: u64, product: &str) -> Event {
        event(
            visitor,
            minute,
            EventBody::ProductView {
                product: product.into(),
            },
        )
    }
    fn add(visitor: &str, minute: u64, product: &str) -> Event {
        event(
            visitor,
            minute,
            EventBody::AddToCart {
                product: product.into(),
                quantity: 1,
                price: Some(10.0),
            },
        )
    }
    fn buy(visitor: &str, minute: u64, product: &str) -> Event {
        let items = vec![LineItem {
            product: product.into(),
            quantity: 1,
            price: None,
        }];
        event(
            visitor,
            minute,
            EventBody::Purchase {
                order_id: None,
                revenue: None,
                currency: None,
                items,
            },
        )
    }

    fn config(rule: MomentRule) -> ReplayConfig {
        ReplayConfig {
            rule,
            ..Default::default()
        }
    }

    /// (session index, minute, abandoned) of every moment.
    fn check(events: &[Event], rule: MomentRule, expected: &[(usize, u64, bool)]) {
        let replay = replay(events, None, &config(rule));
        let got: Vec<(usize, u64, bool)> = replay
            .moments
            .iter()
            .map(|m| (m.session, (m.at_ms - T0) / MINUTE, m.abandoned))
            .collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn labels_follow_purchases_in_the_same_session() {
        // Bought after adding: not abandoned.
        check(
            &[view("a", 0, "p"), add("a", 1, "p"), buy("a", 5, "p")],
            MomentRule::CartChanges,
            &[(0, 1, false)],
        );
        // Never bought: abandoned.
        check(
            &[view("a", 0, "p"), add("a", 1, "p"), view("a", 2, "q")],
            MomentRule::CartChanges,
            &[(0, 1, true)],
        );
        // Bought only in a later session (after 31 idle minutes): this session was abandoned.
        check(
            &[add("a", 1, "p"), buy("a", 40, "p")],
            MomentRule::CartChanges,
            &[(0, 1, true)],
        );
        // A purchase before the add does not rescue a later cart.
        check(
            &[add("a", 0, "p"), buy("a", 1, "p"), add("a", 2, "q")],
            MomentRule::CartChanges,
            &[(0, 0, false), (0, 2, true)],
        );
    }

    #[test]
    fn labels_can_follow_the_events_session_field() {
        let mut late_buy = buy("a", 90, "p");
        late_buy.session = "s1".into();
        let mut cart = add("a", 1, "p");
        cart.session = "s1".into();
        let events = [cart, late_buy];
        check(&events, MomentRule::CartChanges, &[(0, 1, true)]);
        let config = ReplayConfig {
            rule: MomentRule::CartChanges,
            label_sessions: LabelSessions::EventField,
            ..Default::default()
        };
        let labels: Vec<bool> = replay(&events, None, &config)
            .moments
            .iter()
            .map(|m| m.abandoned)
            .collect();
        assert_eq!(labels, [false]);
    }

    #[test]
    fn visitors_are_replayed_apart_and_in_time_order() {
        let events = [
            add("b", 3, "p"),
            add("a", 2, "p"),
            buy("b", 4, "p"),
            view("a", 1, "q"),
        ];
        check(
            &events,
            MomentRule::CartChanges,
            &[(0, 2, true), (1, 3, false)],
        );
    }

    #[test]
    fn rules_pick_different_moments() {
        let events = [
            view("a", 0, "p"),
            add("a", 1, "p"),
            view("a", 2, "q"),
            buy("a", 3, "p"),
            view("a", 4, "r"),
        ];
        check(&events, MomentRule::CartChanges, &[(0, 1, false)]);
        check(
            &events,
            MomentRule::CartActivity,
            &[(0, 1, false), (0, 2, false)],
        );
        check(
            &events,
            MomentRule::ProductViews,
            &[(0, 0, false), (0, 2, false), (0, 4, true)],
        );
    }

    /// Features at a moment must not change when every later event is dropped.
    #[test]
    fn features_do_not_see_the_future() {
        let events = [
            view("a", 0, "p"),
            add("a", 1, "p"),
            view("a", 2, "q"),
            add("a", 3, "q"),
            event(
                "a",
                4,
                EventBody::RemoveFromCart {
                    product: "p".into(),
                    quantity: 0,
                },
            ),
            buy("a", 9, "q"),
            view("a", 50, "r"),
            add("a", 51, "r"),
        ];
        let full = replay(&events, None, &config(MomentRule::CartActivity));
        assert_eq!(full.moments.len(), 5);
        for moment in &full.moments {
            let prefix: Vec<Event> = events
                .iter()
                .filter(|e| e.ts <= moment.at_ms)
                .cloned()
                .collect();
            let cut = replay(&prefix, None, &config(MomentRule::CartActivity));
            let same = cut
                .moments
                .iter()
                .find(|m| m.at_ms == moment.at_ms)
                .unwrap();
            assert_eq!(same.features, moment.features);
        }
        // And the label does depend on the future: the first four moments precede the purchase.
        let labels: Vec<bool> = full.moments.iter().map(|m| m.abandoned).collect();
        assert_eq!(labels, [false, false, false, false, true]);
        assert_eq!(full.moments[4].features.get(Feature::ReturningVisitor), 1.0);
        assert_eq!(full.return_gaps_ms, [41 * MINUTE]);
    }

    #[test]
    fn sessions_near_the_end_of_the_data_may_be_open() {
        let replay = replay(
            &[add("a", 0, "p"), add("b", 40, "p")],
            None,
            &config(MomentRule::CartChanges),
        );
        let open: Vec<bool> = replay.sessions.iter().map(|s| s.maybe_open).collect();
        assert_eq!(open, [false, true]);
    }

    #[test]
    fn local_clock_knows_the_weekday_and_hour() {
        let check = |ts: u64, clock: ClockKnown, offset: i64, expected: (u8, u8)| {
            let config = ReplayConfig {
                clock,
                utc_offset_minutes: offset,
                ..Default::default()
            };
            assert_eq!(local_clock(ts, &config), expected);
        };
        check(T0, ClockKnown::HourAndWeekday, 0, (0, 2));
        check(T0 + 90 * MINUTE, ClockKnown::HourAndWeekday, 180, (4, 2));
        check(T0, ClockKnown::HourAndWeekday, -60, (23, 1));
        check(T0, ClockKnown::WeekdayOnly, 0, (255, 2));
    }
}
