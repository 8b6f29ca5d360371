//! Legacy import: cases from a consulate's old spreadsheet log, opened as cases even when the
//! log lacks what today's intake requires.
//!
//! A legacy log records a case that happened; refusing it because the old log never asked for
//! the category's facts, the requesting relative, a minor's guardian or consent would drop the
//! case from the ministry's memory. This module is the distinct path for those records:
//!
//! 1. [`convert`] reads one [`LegacyRow`] (the log's documented columns, as text) through the
//!    pack's [`LegacyMap`] — office and category spellings, country names, the date formats
//!    consulates write (`23-11-2020`, `11/7/1979`, `2024-11-20`, `7 de marzo de 2021`; day
//!    first, never US order) — into an [`Intake`], validates it, and sorts the problems:
//!    - *incomplete*: requirements that exist for new intakes. The map's `incomplete` table
//!      says which rule codes these are ([`Policy::FollowUp`]), and which values that fail
//!      their check are left out and re-entered later ([`Policy::DropValue`], e.g. a phone
//!      number that cannot be dialled). Each becomes a [`FollowUp`] item.
//!    - *wrong*: every other error (an impossible document number, a birth date in the future,
//!      an office no mapping resolves, a row with no name). The row is held back, with the
//!      issues, for correction in the log.
//!
//!    Every mapping used is reported ([`Mapping`]), naming the pack's table entry, never the
//!    cell's text.
//! 2. [`open`] opens the converted record: a `case_opened` event whose payload carries a
//!    [`LegacyOrigin`] (the source file's reference and row, no personal data, and the follow-up
//!    items). The case ([`crate::Case::legacy`]) and its summary tell migrated and incomplete
//!    cases apart.
//! 3. A later `correct` command that supplies a missing item completes it: the
//!    `facts_corrected` event lists the items it resolves (see [`LegacyOrigin::resolved_by`]), and
//!    recording consent resolves the consent item.
//!
//! [`import`] runs the whole migration of a log against a [`CaseStore`]: idempotent by source
//! and row (the case id is derived from them, [`legacy_case_id`]), so re-running after fixing
//! held-back rows imports exactly those rows; with `dry_run` it decides and reports without
//! writing. [`find_duplicates`] finds candidate duplicates among a log's rows. A log may name
//! files (scans, photos) in its optional `Archivos` column: [`import_with_files`] (feature
//! `attachments`) attaches them to the migrated cases, a missing one a warning of the row.
//!
//! # Layout
//!
//! One concept per child: `log` reads the CSV into [`LegacyRow`]s (`row`: the documented
//! [`COLUMNS`]); `map` holds the pack's tables ([`LegacyMap`]); `cells` reads one cell (dates,
//! names, folded text); `resolve` finds the office or category a cell names; `mapping` is what a
//! conversion reports having used; `convert` turns a row into an intake and `problems` sorts its
//! issues into follow-ups and wrong values; `open` makes the `case_opened` event; `import` runs a
//! whole log against a store; `files` attaches the files a log names; `duplicates` compares a
//! log's nationals; `codes` lists the import's own problem codes.
//!
//! [`Intake`]: crate::Intake
//! [`LegacyOrigin`]: crate::LegacyOrigin
//! [`LegacyOrigin::resolved_by`]: crate::LegacyOrigin::resolved_by
//! [`CaseStore`]: crate::store::CaseStore
//! [`FollowUp`]: crate::FollowUp

mod cells;
pub mod codes;
mod convert;
mod duplicates;
#[cfg(feature = "attachments")]
mod files;
mod import;
mod log;
mod map;
mod mapping;
mod open;
mod problems;
mod resolve;
mod row;

pub use cells::{fold, parse_date, split_name};
pub use convert::{Conversion, Ready, convert};
pub use duplicates::find_duplicates;
#[cfg(feature = "attachments")]
pub use files::{FILE_DESCRIPTION, LogFiles, file_names, import_with_files};
pub use import::{ImportOptions, ImportReport, Outcome, RowReport, import};
pub use log::{LogError, read_log};
pub use map::{LegacyMap, Policy};
pub use mapping::Mapping;
pub use open::{legacy_case_id, open};
pub use row::{COLUMNS, FILES_COLUMN, LegacyRow};
