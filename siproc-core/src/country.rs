//! ISO 3166-1 alpha-2 country codes, from `data/iso3166_alpha2.json`.

use std::collections::BTreeSet;
use std::sync::OnceLock;

fn codes() -> &'static BTreeSet<String> {
    static CODES: OnceLock<BTreeSet<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        serde_json::from_str::<Vec<String>>(include_str!("../data/iso3166_alpha2.json"))
            .unwrap_or_default()
            .into_iter()
            .collect()
    })
}

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code, upper case (`HN`, `US`).
pub fn is_country(code: &str) -> bool {
    code.len() == 2 && codes().contains(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_the_region() {
        for c in ["HN", "GT", "SV", "MX", "US", "ES", "IT", "AT"] {
            assert!(super::is_country(c), "{c}");
        }
        for c in ["hn", "XX", "HND", "", "ÑÑ"] {
            assert!(!super::is_country(c), "{c}");
        }
    }
}
