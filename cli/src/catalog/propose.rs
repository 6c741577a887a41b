//! Where an attribute the catalog lacks may live: the audit's proposals. For each attribute
//! below the coverage threshold it looks at tags with a common prefix (`SUBDEPT_Robes`), at
//! option and attribute names in other languages (`Taille`, `Grandeur`, `Größe`, `Couleur`,
//! `Farbe`) and at other columns (`Google Shopping / …`, metafields), and proposes the source
//! that would cover most products, with the coverage it would reach.
use serde::Serialize;

use super::mapping::{Mapping, Rule, MAPPABLE};
use super::{AttributeSources, Catalog, Product};

/// Words that name an attribute, in the languages shops commonly use (lowercase, without the
/// separator a tag prefix ends with).
fn words(attribute: &str) -> &'static [&'static str] {
    match attribute {
        "category" => &[
            "category",
            "categories",
            "cat",
            "dept",
            "subdept",
            "department",
            "type",
            "product type",
            "catégorie",
            "categorie",
            "kategorie",
            "categoría",
            "categoria",
            "rayon",
            "rubrik",
            "google product category",
        ],
        "price" => &[
            "price", "prix", "preis", "precio", "prezzo", "prijs", "preço",
        ],
        "brand" => &[
            "brand",
            "brands",
            "marque",
            "marke",
            "marca",
            "merk",
            "vendor",
            "hersteller",
        ],
        "color" => &[
            "color",
            "colour",
            "couleur",
            "farbe",
            "colore",
            "kleur",
            "cor",
            "color-pattern",
        ],
        "size" => &[
            "size",
            "taille",
            "grandeur",
            "pointure",
            "größe",
            "groesse",
            "grösse",
            "talla",
            "taglia",
            "maat",
            "tamanho",
            "tamaño",
            "storlek",
            "størrelse",
        ],
        _ => &[
            "material",
            "materials",
            "matière",
            "matiere",
            "materiau",
            "matériau",
            "stoff",
            "materiale",
            "tessuto",
            "fabric",
            "materiaal",
            "tejido",
        ],
    }
}

/// Values a tag may be by itself (`Black, Lamp`, `Brown, Wicker`): common colour and material
/// names in the same languages, lowercase.
fn tag_values(attribute: &str) -> &'static [&'static str] {
    match attribute {
        "color" => &[
            "black",
            "white",
            "grey",
            "gray",
            "red",
            "blue",
            "green",
            "yellow",
            "brown",
            "pink",
            "purple",
            "orange",
            "beige",
            "navy",
            "cream",
            "ivory",
            "gold",
            "silver",
            "khaki",
            "burgundy",
            "turquoise",
            "noir",
            "blanc",
            "gris",
            "rouge",
            "bleu",
            "vert",
            "jaune",
            "marron",
            "rose",
            "violet",
            "écru",
            "doré",
            "argent",
            "schwarz",
            "weiß",
            "weiss",
            "grau",
            "rot",
            "blau",
            "grün",
            "gelb",
            "braun",
            "rosa",
            "lila",
            "silber",
            "negro",
            "blanco",
            "rojo",
            "azul",
            "verde",
            "amarillo",
            "marrón",
            "nero",
            "bianco",
            "grigio",
            "rosso",
            "blu",
            "giallo",
            "marrone",
            "zwart",
            "wit",
            "rood",
            "blauw",
            "groen",
        ],
        "material" => &[
            "cotton",
            "linen",
            "wool",
            "silk",
            "leather",
            "suede",
            "wood",
            "metal",
            "plastic",
            "glass",
            "ceramic",
            "clay",
            "wicker",
            "bamboo",
            "cashmere",
            "denim",
            "polyester",
            "steel",
            "stone",
            "marble",
            "rattan",
            "coton",
            "lin",
            "laine",
            "soie",
            "cuir",
            "bois",
            "métal",
            "verre",
            "céramique",
            "osier",
            "baumwolle",
            "leinen",
            "wolle",
            "seide",
            "leder",
            "holz",
            "metall",
            "glas",
            "keramik",
            "algodón",
            "lana",
            "seda",
            "cuero",
            "madera",
            "cotone",
            "lino",
            "seta",
            "pelle",
            "legno",
        ],
        _ => &[],
    }
}

/// Whether a name (an option, a tag prefix, a column) names the attribute.
fn names(attribute: &str, name: &str) -> bool {
    let name = name.trim().to_lowercase();
    if name.contains("compare") {
        // `Compare At Price / …` is the struck-through price, not the price.
        return false;
    }
    let label = column_label(&name);
    let label = label.trim_end_matches(['_', ':', '-', '/', '=', ' ']);
    words(attribute).contains(&label)
}

/// What a column's name says it holds: `Google Shopping / Google Product Category` →
/// `google product category`, `Price / France` → `price`, `Color (product.metafields.shopify.
/// color-pattern)` → `color`, `Variant Metafield: custom.size` → `size`. Other names are
/// their own label.
fn column_label(name: &str) -> &str {
    if let Some((head, _)) = name.split_once(" (") {
        return head.trim();
    }
    if let Some((head, tail)) = name.split_once(" / ") {
        return if head.trim() == "google shopping" {
            tail.trim()
        } else {
            head.trim()
        };
    }
    if let Some((_, key)) = name.rsplit_once("metafield:") {
        let key = key.trim();
        return key.rsplit_once('.').map_or(key, |(_, last)| last);
    }
    name
}

/// One proposed source for an attribute.
#[derive(Clone, Debug, Serialize)]
pub struct Proposal {
    pub attribute: String,
    /// What the mapping file would say.
    #[serde(skip)]
    pub rule: Rule,
    /// The rule in words (`tags SUBDEPT_…`, `options Taille, Grandeur`).
    pub source: String,
    pub products_before: usize,
    pub products_after: usize,
    pub percent_before: f64,
    pub percent_after: f64,
    /// Up to three values it finds, for the merchant to judge.
    pub examples: Vec<String>,
}

fn has(product: &Product, attribute: &str) -> bool {
    match attribute {
        "category" => !product.category.is_empty(),
        "price" => product.price.is_some(),
        "brand" => product.brand.is_some(),
        "color" => product.color.is_some(),
        "size" => product.size.is_some(),
        _ => product.material.is_some(),
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// Candidate rules for an attribute, from what the catalog's sources hold.
fn candidates(attribute: &str, catalog: &Catalog) -> Vec<Rule> {
    let mut rules = Vec::new();
    // Tag prefixes: the part of a tag up to and including its first separator.
    let mut prefixes: Vec<String> = catalog
        .sources
        .iter()
        .flat_map(|s| &s.tags)
        .filter_map(|tag| {
            let end = tag.find(['_', ':', '-', '/', '='])?;
            (end > 0 && end + 1 < tag.len()).then(|| tag[..=end].to_string())
        })
        .filter(|prefix| names(attribute, prefix))
        .collect();
    prefixes.sort_by_key(|p| p.to_lowercase());
    prefixes.dedup_by_key(|p| p.to_lowercase());
    for prefix in prefixes {
        rules.push(Rule {
            tag_prefix: Some(prefix),
            ..Rule::default()
        });
    }
    // Tags that are themselves colours or materials, together.
    let values = tag_values(attribute);
    let mut tags: Vec<String> = catalog
        .sources
        .iter()
        .flat_map(|s| &s.tags)
        .filter(|tag| values.contains(&tag.to_lowercase().as_str()))
        .cloned()
        .collect();
    tags.sort_by_key(|t| t.to_lowercase());
    tags.dedup_by_key(|t| t.to_lowercase());
    if !tags.is_empty() {
        rules.push(Rule {
            tags,
            ..Rule::default()
        });
    }
    // Options in any language, together.
    let mut options: Vec<String> = catalog
        .sources
        .iter()
        .flat_map(|s| s.options.iter().map(|(name, _)| name.clone()))
        .filter(|name| names(attribute, name))
        .collect();
    options.sort_by_key(|o| o.to_lowercase());
    options.dedup_by_key(|o| o.to_lowercase());
    if !options.is_empty() {
        rules.push(Rule {
            option: options,
            ..Rule::default()
        });
    }
    for column in &catalog.columns {
        if names(attribute, column)
            && catalog
                .sources
                .iter()
                .any(|s| s.column_values(column).next().is_some())
        {
            rules.push(Rule {
                column: Some(column.clone()),
                ..Rule::default()
            });
        }
    }
    rules
}

/// How many products would have the attribute with a rule applied on top of the catalog.
fn covered_with(
    attribute: &str,
    rule: &Rule,
    products: &[Product],
    sources: &[AttributeSources],
) -> usize {
    products
        .iter()
        .zip(sources)
        .filter(|(product, source)| has(product, attribute) || !rule.values(source).is_empty())
        .count()
}

/// Proposals that add fewer products than this (percentage points of coverage) are noise
/// more often than help (an option named `Type` on two products is no category).
pub const MIN_GAIN_PERCENT: f64 = 5.0;

/// The rule that covers the most products: the best candidate (among equals the longer,
/// more specific tag prefix), joined by others of another kind (tags, options, a column)
/// that cover products it misses, as when some products carry a colour option and others a
/// colour tag.
fn best_rule(attribute: &str, catalog: &Catalog) -> Option<Rule> {
    let covered = |rule: &Rule| covered_with(attribute, rule, &catalog.products, &catalog.sources);
    let mut ranked: Vec<(usize, Rule)> = candidates(attribute, catalog)
        .into_iter()
        .map(|rule| (covered(&rule), rule))
        .collect();
    ranked.sort_by_key(|(after, rule)| {
        std::cmp::Reverse((*after, rule.tag_prefix.as_ref().map_or(0, String::len)))
    });
    let mut ranked = ranked.into_iter().map(|(_, rule)| rule);
    let mut best = ranked.next()?;
    for candidate in ranked {
        let mut joined = best.clone();
        match (&candidate.tag_prefix, &candidate.column) {
            (Some(_), _) if joined.tag_prefix.is_none() => joined.tag_prefix = candidate.tag_prefix,
            (_, Some(_)) if joined.column.is_none() => joined.column = candidate.column,
            (None, None) if joined.option.is_empty() => joined.option = candidate.option,
            _ => continue,
        }
        if covered(&joined) > covered(&best) {
            best = joined;
        }
    }
    Some(best)
}

/// The best proposal for each mappable attribute below `threshold` percent, when some source
/// would raise its coverage. Attributes the catalog fills from a mapping already are skipped.
pub fn propose(catalog: &Catalog, threshold: f64, mapped: &Mapping) -> Vec<Proposal> {
    let total = catalog.products.len();
    let mut proposals = Vec::new();
    for attribute in MAPPABLE {
        if mapped.rules.contains_key(attribute) {
            continue;
        }
        let before = catalog
            .products
            .iter()
            .filter(|p| has(p, attribute))
            .count();
        if percent(before, total) >= threshold {
            continue;
        }
        let Some(rule) = best_rule(attribute, catalog) else {
            continue;
        };
        let after = covered_with(attribute, &rule, &catalog.products, &catalog.sources);
        if percent(after, total) - percent(before, total) < MIN_GAIN_PERCENT {
            continue;
        }
        let mut examples: Vec<String> = Vec::new();
        for source in &catalog.sources {
            for value in rule.values(source) {
                if examples.len() < 3 && !examples.iter().any(|e| e == value) {
                    examples.push(value.to_string());
                }
            }
        }
        let mut parts = Vec::new();
        if let Some(prefix) = &rule.tag_prefix {
            parts.push(format!("tags {prefix}…"));
        }
        if !rule.tags.is_empty() {
            let mut shown: Vec<&str> = rule.tags.iter().take(4).map(String::as_str).collect();
            if rule.tags.len() > 4 {
                shown.push("…");
            }
            parts.push(format!("tags {}", shown.join(", ")));
        }
        if !rule.option.is_empty() {
            parts.push(format!("options {}", rule.option.join(", ")));
        }
        if let Some(column) = &rule.column {
            parts.push(format!("column {column:?}"));
        }
        let source = parts.join(" + ");
        proposals.push(Proposal {
            attribute: attribute.to_string(),
            rule,
            source,
            products_before: before,
            products_after: after,
            percent_before: percent(before, total),
            percent_after: percent(after, total),
            examples,
        });
    }
    proposals
}

/// A mapping file: the mapping already in use, then the proposals, each with a comment.
pub fn proposal_toml(mapped: &Mapping, proposals: &[Proposal]) -> String {
    let mut out = String::from(
        "# aisle catalog mapping: where attributes live in this export.\n# Check each source, then pass this file to `aisle audit --map` and `aisle build --map`.\n\n",
    );
    out += &mapped.to_toml();
    for p in proposals {
        out += &format!(
            "# {}: {:.1}% → {:.1}% of products, from {} (e.g. {})\n[{}]\n{}\n",
            p.attribute,
            p.percent_before,
            p.percent_after,
            p.source,
            p.examples.join(", "),
            p.attribute,
            p.rule.to_toml()
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_and_materials_that_are_tags_by_themselves() {
        // Tags as a real Shopify export has them: `"Black, Lamp"`, `"Brown, Wicker"`.
        let mut catalog = Catalog::plain(
            vec![Product::default(); 3],
            vec!["Handle".into()],
            super::super::CatalogFormat::Shopify,
            Default::default(),
        );
        catalog.sources[0].tags = vec!["Black".into(), "Lamp".into()];
        catalog.sources[1].tags = vec!["Brown".into(), "Wicker".into()];
        catalog.sources[2].tags = vec!["Table".into(), "Wood".into(), "brown".into()];
        let proposals = propose(&catalog, 95.0, &Mapping::default());
        let found: Vec<(&str, &str, usize)> = proposals
            .iter()
            .map(|p| (p.attribute.as_str(), p.source.as_str(), p.products_after))
            .collect();
        assert_eq!(
            found,
            [
                ("color", "tags Black, Brown", 3),
                ("material", "tags Wicker, Wood", 2)
            ]
        );
        let mut mapped = catalog.clone();
        proposals[0]
            .rule
            .apply("color", &mut mapped.products[2], &catalog.sources[2]);
        assert_eq!(mapped.products[2].color.as_deref(), Some("brown"));
    }

    #[test]
    fn names_in_other_languages_and_prefixed_columns() {
        assert!(names("size", "Grandeur"));
        assert!(names("size", "Größe"));
        assert!(names("color", "Farbe"));
        assert!(names("category", "SUBDEPT_"));
        assert!(names(
            "category",
            "Google Shopping / Google Product Category"
        ));
        assert!(names(
            "color",
            "Color (product.metafields.shopify.color-pattern)"
        ));
        assert!(!names("color", "Google Shopping / Gender"));
        assert!(names("price", "Price / France"));
        assert!(!names("price", "Compare At Price / France"));
        assert!(!names("size", "Sizeable"));
        assert!(names("size", "Variant Metafield: custom.size"));
        assert!(!names(
            "color",
            "Lace Color (product.metafields.custom.lace_color)"
        ));
        assert!(!names("material", "Title"));
    }
}
