//! What a conversion reports having used to read a cell ([`Mapping`]): never the cell's text.

use serde::{Deserialize, Serialize};

/// A mapping the conversion used: which field, which table or rule, which entry. Never the
/// cell's text (for dates, the format; for offices and categories, the pack's entry).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mapping {
    /// The field mapped (`office`, `category`, `country`, `opened_on`, `birth_date`, `sex`,
    /// `identity`).
    pub field: &'static str,
    /// How: `code`, `alias`, `name`, `city`, `date_format`, `document_kind`, …
    pub via: &'static str,
    /// The table entry or format (`consulado tapachula → TAP`, `d/m/yyyy`).
    pub entry: String,
}

impl std::fmt::Display for Mapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.field, self.via, self.entry)
    }
}
