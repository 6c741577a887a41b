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
    /// Attribute on the card holding the product id (`data-item-id`).
    pub id_attribute: String,
}

/// One direct child of a grid.
pub struct Child {
    /// The grid's child node: the node aisle moves.
    pub node: Element,
    /// The product card inside it (or the child itself).
    pub card: Option<Element>,
    /// Product id, when the child is a product.
    pub product_id: Option<String>,
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
            let product_id = card
                .as_ref()
                .and_then(|c| c.get_attribute(&selectors.id_attribute))
                .map(|id| String::from(id.trim()))
                .filter(|id| !id.is_empty());
            Child {
                node,
                card,
                product_id,
            }
        })
        .collect()
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
