//! The publish gate scores the held-out days with their ids resolved as the build resolves
//! them: views keyed by SKU count against the product, so there is something to compare.
use crate::{build, fixture, proposed_map, temp_path};

/// Day `day` (0-based, from 2023-11-14) of views keyed by SKU, in `aisle collect`'s file.
fn write_day(days: &str, day: u64) {
    let skus = [
        "RLMC-S-ECR",
        "CLH-M-BLC",
        "PLC-36-SAB",
        "VDT-M",
        "FS-ROU",
        "TCB-S-BLA",
    ];
    let mut lines = String::new();
    for visitor in 0..30u64 {
        for step in 0..3u64 {
            let sku = skus[((visitor + step * (1 + visitor % 2)) % skus.len() as u64) as usize];
            let ts = 1_699_920_000_000 + day * 86_400_000 + visitor * 600_000 + step * 60_000;
            lines += &format!(
                "{{\"v\":1,\"id\":\"d{day}v{visitor}s{step}\",\"ts\":{ts},\"visitor\":\"v{day}-{visitor}\",\"session\":\"1\",\"type\":\"product_view\",\"product\":\"{sku}\"}}\n"
            );
        }
    }
    std::fs::write(format!("{days}/events-2023-11-{}.ndjson", 14 + day), lines).unwrap();
}

#[test]
fn the_gate_compares_on_held_out_views_keyed_by_sku() {
    let dir = tempfile::tempdir().unwrap();
    let map = proposed_map(&dir);
    let (days, site) = (temp_path(&dir, "collected"), temp_path(&dir, "site"));
    std::fs::create_dir_all(&days).unwrap();
    let ids = fixture("shopify-products.json");
    let more = ["--map", &map, "--ids", &ids, "--gate-days", "1"];
    write_day(&days, 0);
    let first = build(
        &fixture("shopify-products-fr.csv"),
        Some(&days),
        &site,
        &more,
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    write_day(&days, 1);
    let second = build(
        &fixture("shopify-products-fr.csv"),
        Some(&days),
        &site,
        &more,
    );
    assert!(
        !second.stderr.contains("no next-item targets"),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("held out from"), "{}", second.stderr);
}
