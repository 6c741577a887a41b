//! The binary records of the temporary files: little-endian numbers and length-prefixed
//! UTF-8 strings, each record prefixed with its length, so that a file can be read back
//! record by record without parsing JSON again and strings can be borrowed from the bytes.
use aisle::history::ActionKind;
use anyhow::{bail, Context};

use crate::event_log::{ActionBody, Interaction, Session, ShopperAction};

/// Appends numbers and strings to a byte buffer.
pub struct Encoder<'a>(pub &'a mut Vec<u8>);

impl Encoder<'_> {
    pub fn u8(&mut self, value: u8) {
        self.0.push(value);
    }
    pub fn u32(&mut self, value: u32) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    pub fn u64(&mut self, value: u64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    pub fn f64(&mut self, value: f64) {
        self.0.extend_from_slice(&value.to_le_bytes());
    }
    /// A string of at most 4 GiB (event fields are far smaller: a JSON line holds them).
    pub fn str(&mut self, value: &str) {
        self.u32(value.len() as u32);
        self.0.extend_from_slice(value.as_bytes());
    }
}

/// Reads back what an [`Encoder`] wrote; strings borrow from the bytes.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Decoder<'a> {
        Decoder { bytes, at: 0 }
    }

    /// True when every byte was read.
    pub fn is_done(&self) -> bool {
        self.at == self.bytes.len()
    }

    fn take(&mut self, len: usize) -> anyhow::Result<&'a [u8]> {
        let Some(slice) = self.bytes.get(self.at..self.at.saturating_add(len)) else {
            bail!(
                "a temporary record ends early at byte {} (the file was damaged)",
                self.at
            );
        };
        self.at += len;
        Ok(slice)
    }
    pub fn u8(&mut self) -> anyhow::Result<u8> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> anyhow::Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    pub fn u64(&mut self) -> anyhow::Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    pub fn f64(&mut self) -> anyhow::Result<f64> {
        Ok(f64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    pub fn str(&mut self) -> anyhow::Result<&'a str> {
        let len = self.u32()? as usize;
        std::str::from_utf8(self.take(len)?)
            .context("a temporary record holds a string that is not UTF-8 (the file was damaged)")
    }

    /// The next length-prefixed record, or `None` at the end.
    pub fn record(&mut self) -> anyhow::Result<Option<&'a [u8]>> {
        if self.is_done() {
            return Ok(None);
        }
        let len = self.u32()? as usize;
        self.take(len).map(Some)
    }
}

/// Appends one length-prefixed record written by `write`.
pub fn put_record(buffer: &mut Vec<u8>, write: impl FnOnce(&mut Encoder)) {
    let start = buffer.len();
    buffer.extend_from_slice(&[0; 4]);
    write(&mut Encoder(buffer));
    let len = (buffer.len() - start - 4) as u32;
    buffer[start..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// Action kinds by their code in the files.
const KINDS: [ActionKind; 6] = [
    ActionKind::ProductView,
    ActionKind::GridClick,
    ActionKind::AddToCart,
    ActionKind::RemoveFromCart,
    ActionKind::Purchase,
    ActionKind::CategoryView,
];

fn kind_code(kind: ActionKind) -> u8 {
    KINDS
        .iter()
        .position(|&k| k == kind)
        .expect("every kind has a code") as u8
}

fn kind_of(code: u8) -> anyhow::Result<ActionKind> {
    KINDS.get(usize::from(code)).copied().with_context(|| {
        format!("unknown action code {code} in a temporary file (the file was damaged)")
    })
}

/// One event as the visitor files hold it: who, which event, when, and the shopper action
/// it records (`None` for exposures, scores and errors, kept only to count duplicates and
/// the newest time).
#[derive(Clone, Debug, PartialEq)]
pub struct SpilledEvent<'a> {
    pub visitor: &'a str,
    pub id: &'a str,
    pub ts: u64,
    pub action: Option<ShopperAction<'a>>,
}

const NOT_AN_ACTION: u8 = 0;
const PRODUCT_VIEW: u8 = 1;
const CATEGORY_VIEW: u8 = 2;
const GRID_CLICK: u8 = 3;
const ADD_TO_CART: u8 = 4;
const REMOVE_FROM_CART: u8 = 5;
const PURCHASE: u8 = 6;
const BEGIN_CHECKOUT: u8 = 7;

/// Writes an event's record.
pub fn put_event(buffer: &mut Vec<u8>, event: &SpilledEvent) {
    put_record(buffer, |out| {
        out.str(event.visitor);
        out.str(event.id);
        out.u64(event.ts);
        let Some(action) = &event.action else {
            out.u8(NOT_AN_ACTION);
            return;
        };
        out.u8(match &action.body {
            ActionBody::ProductView { .. } => PRODUCT_VIEW,
            ActionBody::CategoryView { .. } => CATEGORY_VIEW,
            ActionBody::GridClick { .. } => GRID_CLICK,
            ActionBody::AddToCart { .. } => ADD_TO_CART,
            ActionBody::RemoveFromCart { .. } => REMOVE_FROM_CART,
            ActionBody::Purchase { .. } => PURCHASE,
            ActionBody::BeginCheckout { .. } => BEGIN_CHECKOUT,
        });
        out.str(action.session);
        match &action.body {
            ActionBody::ProductView { product } | ActionBody::GridClick { product } => {
                out.str(product)
            }
            ActionBody::CategoryView { category } => out.str(category),
            ActionBody::AddToCart {
                product,
                quantity,
                price,
            } => {
                out.str(product);
                out.u32(*quantity);
                out.u8(u8::from(price.is_some()));
                out.f64(price.unwrap_or(0.0));
            }
            ActionBody::RemoveFromCart { product, quantity } => {
                out.str(product);
                out.u32(*quantity);
            }
            ActionBody::Purchase { items } | ActionBody::BeginCheckout { items } => {
                out.u32(items.len() as u32);
                for &(product, quantity) in items {
                    out.str(product);
                    out.u32(quantity);
                }
            }
        }
    });
}

/// Reads an event's record (without its length prefix).
pub fn get_event(record: &[u8]) -> anyhow::Result<SpilledEvent<'_>> {
    let mut input = Decoder::new(record);
    let visitor = input.str()?;
    let id = input.str()?;
    let ts = input.u64()?;
    let mut event = SpilledEvent {
        visitor,
        id,
        ts,
        action: None,
    };
    let code = input.u8()?;
    if code == NOT_AN_ACTION {
        return Ok(event);
    }
    let session = input.str()?;
    let body = match code {
        PRODUCT_VIEW => ActionBody::ProductView {
            product: input.str()?,
        },
        CATEGORY_VIEW => ActionBody::CategoryView {
            category: input.str()?,
        },
        GRID_CLICK => ActionBody::GridClick {
            product: input.str()?,
        },
        ADD_TO_CART => {
            let product = input.str()?;
            let quantity = input.u32()?;
            let has_price = input.u8()? == 1;
            let price = input.f64()?;
            ActionBody::AddToCart {
                product,
                quantity,
                price: has_price.then_some(price),
            }
        }
        REMOVE_FROM_CART => ActionBody::RemoveFromCart {
            product: input.str()?,
            quantity: input.u32()?,
        },
        PURCHASE | BEGIN_CHECKOUT => {
            let count = input.u32()?;
            let items = (0..count)
                .map(|_| Ok((input.str()?, input.u32()?)))
                .collect::<anyhow::Result<_>>()?;
            if code == PURCHASE {
                ActionBody::Purchase { items }
            } else {
                ActionBody::BeginCheckout { items }
            }
        }
        other => bail!("unknown event code {other} in a temporary file (the file was damaged)"),
    };
    event.action = Some(ShopperAction { ts, session, body });
    Ok(event)
}

/// Writes a session's record: its start first, then visitor and session id, so that records
/// sort by [`crate::event_log::session_order`] on their first fields ([`session_key`]).
pub fn put_session(
    buffer: &mut Vec<u8>,
    visitor: &str,
    session: &str,
    interactions: &[(u64, ActionKind, &str)],
) {
    put_record(buffer, |out| {
        out.u64(interactions.first().map_or(0, |i| i.0));
        out.str(visitor);
        out.str(session);
        out.u32(interactions.len() as u32);
        for &(ts, kind, id) in interactions {
            out.u64(ts);
            out.u8(kind_code(kind));
            out.str(id);
        }
    });
}

/// A session record's sort key: start, visitor, session id.
pub fn session_key(record: &[u8]) -> anyhow::Result<(u64, &str, &str)> {
    let mut input = Decoder::new(record);
    Ok((input.u64()?, input.str()?, input.str()?))
}

/// Reads a session's record into `session`, reusing its allocations.
pub fn get_session(record: &[u8], session: &mut Session) -> anyhow::Result<()> {
    let mut input = Decoder::new(record);
    input.u64()?;
    session.visitor.clear();
    session.visitor.push_str(input.str()?);
    session.session.clear();
    session.session.push_str(input.str()?);
    let count = input.u32()? as usize;
    session.interactions.truncate(count);
    for index in 0..count {
        let ts = input.u64()?;
        let kind = kind_of(input.u8()?)?;
        let id = input.str()?;
        match session.interactions.get_mut(index) {
            Some(interaction) => {
                interaction.ts = ts;
                interaction.kind = kind;
                interaction.id.clear();
                interaction.id.push_str(id);
            }
            None => session.interactions.push(Interaction {
                ts,
                kind,
                id: id.to_string(),
            }),
        }
    }
    if !input.is_done() {
        bail!("a temporary session record is longer than its content (the file was damaged)");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(event: SpilledEvent) {
        let mut buffer = Vec::new();
        put_event(&mut buffer, &event);
        let mut input = Decoder::new(&buffer);
        let record = input.record().unwrap().unwrap();
        assert_eq!(get_event(record).unwrap(), event);
        assert!(input.record().unwrap().is_none());
    }

    #[test]
    fn every_kind_of_event_reads_back_as_written() {
        let action = |body| {
            Some(ShopperAction {
                ts: 7,
                session: "s1",
                body,
            })
        };
        let event = |action| SpilledEvent {
            visitor: "v",
            id: "e",
            ts: 7,
            action,
        };
        round_trip(event(None));
        round_trip(event(action(ActionBody::ProductView { product: "p" })));
        round_trip(event(action(ActionBody::CategoryView { category: "c" })));
        round_trip(event(action(ActionBody::GridClick { product: "p" })));
        round_trip(event(action(ActionBody::AddToCart {
            product: "p",
            quantity: 2,
            price: Some(9.5),
        })));
        round_trip(event(action(ActionBody::AddToCart {
            product: "é",
            quantity: 1,
            price: None,
        })));
        round_trip(event(action(ActionBody::RemoveFromCart {
            product: "p",
            quantity: 0,
        })));
        round_trip(event(action(ActionBody::Purchase {
            items: vec![("p", 1), ("q", 3)],
        })));
        round_trip(event(action(ActionBody::Purchase { items: vec![] })));
        round_trip(event(action(ActionBody::BeginCheckout {
            items: vec![("p", 2)],
        })));
    }

    #[test]
    fn sessions_read_back_into_a_reused_buffer() {
        let mut buffer = Vec::new();
        put_session(
            &mut buffer,
            "v",
            "s",
            &[
                (5, ActionKind::ProductView, "p1"),
                (9, ActionKind::Purchase, "p2"),
            ],
        );
        put_session(&mut buffer, "w", "t", &[(3, ActionKind::CategoryView, "c")]);
        let mut input = Decoder::new(&buffer);
        let mut session = Session::default();
        let first = input.record().unwrap().unwrap();
        assert_eq!(session_key(first).unwrap(), (5, "v", "s"));
        get_session(first, &mut session).unwrap();
        assert_eq!(session.interactions.len(), 2);
        get_session(input.record().unwrap().unwrap(), &mut session).unwrap();
        let expected = Session {
            visitor: "w".into(),
            session: "t".into(),
            interactions: vec![Interaction {
                ts: 3,
                kind: ActionKind::CategoryView,
                id: "c".into(),
            }],
        };
        assert_eq!(session, expected);
    }

    #[test]
    fn damaged_records_are_errors() {
        let mut buffer = Vec::new();
        put_event(
            &mut buffer,
            &SpilledEvent {
                visitor: "v",
                id: "e",
                ts: 1,
                action: None,
            },
        );
        assert!(get_event(&buffer[4..buffer.len() - 1]).is_err());
        assert!(Decoder::new(&buffer[..6]).record().is_err());
    }
}
