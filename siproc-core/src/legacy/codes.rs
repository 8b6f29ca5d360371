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
/// A file the row names is not in the log's folder (a warning: the case is migrated).
pub const FILE_MISSING: &str = "legacy.file_missing";
/// A file the row names was refused by the attachment checks (a warning, with the refusal's
/// code as `reason`).
pub const FILE_REFUSED: &str = "legacy.file_refused";
