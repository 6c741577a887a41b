//! Finding a merchant's grids and products in the page, and moving the merchant's own nodes
//! into a new order. aisle never writes HTML: it only re-inserts existing children.

use wasm_bindgen::JsCast;
use web_sys::{Element, Node};

/// The CSS selectors and attribute the merchant named on the script tag.
#[derive(Clone, Debug)]
pub struct Selectors {
    /// Matches each product grid (`data-grid`).
    pub grid: String,
    /// Matches a product card inside a grid (`data-item`).
    pub item: String,
    /// Attribute holding the product id (`data-item-id`), on the card or inside it.
    pub id_attribute: String,
    /// Reads the id out of the attribute's value (`data-item-id-pattern`): the first capture
    /// group, or the whole match when the pattern has no group. None: the whole value.
    pub id_pattern: Option<js_sys::RegExp>,
}

/// One direct child of a grid.
pub struct Child {
    /// The grid's child node: the node aisle moves.
    pub node: Element,
    /// The product card inside it (or the child itself).
    pub card: Option<Element>,
    /// Product id, when the child is a product.
    pub product_id: Option<String>,
    /// Two different ids read inside one card: the card cannot be placed safely.
    pub conflict: Option<(String, String)>,
}

/// What a card says about its product id.
enum CardId {
    Found(String),
    Missing,
    Conflict(String, String),
}

/// Every element matching the grid selector, in document order. An invalid selector matches
/// nothing (and is reported by the caller).
pub fn find_grids(root: &web_sys::Document, selectors: &Selectors) -> Result<Vec<Element>, ()> {
    let list = root.query_selector_all(&selectors.grid).map_err(|_| ())?;
    Ok((0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect())
}

/// The grid's children, each marked as a product (with its id) or not (banners, promos).
pub fn children(grid: &Element, selectors: &Selectors) -> Vec<Child> {
    let nodes = grid.children();
    (0..nodes.length())
        .filter_map(|i| nodes.item(i))
        .map(|node| {
            let card = if node.matches(&selectors.item).unwrap_or(false) {
                Some(node.clone())
            } else {
                node.query_selector(&selectors.item).ok().flatten()
            };
            let reading = match &card {
                Some(card) => read_card_id(card, selectors),
                None => CardId::Missing,
            };
            let (product_id, conflict) = match reading {
                CardId::Found(id) => (Some(id), None),
                CardId::Missing => (None, None),
                CardId::Conflict(first, second) => (None, Some((first, second))),
            };
            Child {
                node,
                card,
                product_id,
                conflict,
            }
        })
        .collect()
}

/// The card's product id: from the card's own attribute when it has one that reads as an id,
/// else from the elements inside the card that carry the attribute. Themes print the id more
/// than once per card (Dawn's two title links), so repeats of one id are fine; two different
/// ids are a conflict.
fn read_card_id(card: &Element, selectors: &Selectors) -> CardId {
    if let Some(id) = id_in(card, selectors) {
        return CardId::Found(id);
    }
    let holder = crate::text::concat(&["[", &selectors.id_attribute, "]"]);
    let Ok(holders) = card.query_selector_all(&holder) else {
        return CardId::Missing;
    };
    let mut found: Option<String> = None;
    for index in 0..holders.length() {
        let Some(element) = holders
            .item(index)
            .and_then(|n| n.dyn_into::<Element>().ok())
        else {
            continue;
        };
        let Some(id) = id_in(&element, selectors) else {
            continue;
        };
        match &found {
            None => found = Some(id),
            Some(first) if *first != id => return CardId::Conflict(first.clone(), id),
            Some(_) => {}
        }
    }
    found.map_or(CardId::Missing, CardId::Found)
}

/// The id one element's attribute holds: the value, or what the pattern captures from it.
fn id_in(element: &Element, selectors: &Selectors) -> Option<String> {
    let value = element.get_attribute(&selectors.id_attribute)?;
    let id = match &selectors.id_pattern {
        None => value,
        Some(pattern) => {
            let matched = pattern.exec(&value)?;
            let group = if matched.length() > 1 { 1 } else { 0 };
            matched.get(group).as_string()?
        }
    };
    let id = id.trim();
    (!id.is_empty()).then(|| String::from(id))
}

/// Re-inserts the grid's children so that product slot `k` shows product child `order[k]`;
/// non-product children stay where they are. Moves only nodes that are out of place.
/// Returns how many nodes moved.
pub fn apply_order(grid: &Element, children: &[Child], order: &[usize]) -> u32 {
    let products: Vec<&Element> = children
        .iter()
        .filter(|c| c.product_id.is_some())
        .map(|c| &c.node)
        .collect();
    if products.len() != order.len() {
        return 0;
    }
    let mut next_product = 0;
    let desired: Vec<&Element> = children
        .iter()
        .map(|child| {
            if child.product_id.is_some() {
                let node = products[order[next_product]];
                next_product += 1;
                node
            } else {
                &child.node
            }
        })
        .collect();
    let grid_node: &Node = grid.as_ref();
    let mut moved = 0;
    // A live collection: it follows the moves below, so one is enough for the whole loop.
    let live = grid.children();
    for (index, want) in desired.iter().enumerate() {
        let current = live.item(index as u32);
        let in_place = current
            .as_ref()
            .map(|c| c.is_same_node(Some(want.as_ref())))
            .unwrap_or(false);
        if !in_place {
            let reference: Option<&Node> = current.as_ref().map(|c| c.as_ref());
            if grid_node.insert_before(want.as_ref(), reference).is_ok() {
                moved += 1;
            }
        }
    }
    moved
}
