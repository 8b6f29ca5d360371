//! Codes of the import's own problems (also in the rule catalogue, `data/rules/legacy.json`).

/// The date cannot be read in any format consulates write.
pub const UNREADABLE_DATE: &str = "legacy.unreadable_date";
/// The row has no name.
pub const NO_NAME: &str = "legacy.no_name";
/// The row has no date of opening.
pub const NO_DATE: &str = "legacy.no_date";
/// No mapping resolves the office.
pub const UNKNOWN_OFFICE: &str = "legacy.unknown_office";
/// No mapping resolves the case type.
pub const UNKNOWN_CATEGORY: &str = "legacy.unknown_category";
