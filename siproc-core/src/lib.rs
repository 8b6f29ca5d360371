//! # siproc-core
//!
//! The engine of siproc, a consular protection case management library for ministries of foreign
//! affairs: cases and their validation (with the region's identity documents), country packs,
//! tamper-evident case [`history`] (hash-chained events), the [`workflow`] that produces them,
//! the [`store`] that keeps them, a portable [`archive`], printable [`forms`] as searchable PDFs,
//! and duplicate detection.
//!
//! ```
//! use siproc_core::{Catalog, Locale, validate_json};
//!
//! let catalog = Catalog::honduras()?;
//! let report = validate_json(r#"{
//!     "office": "TAP", "category": "detention", "opened_on": "2026-03-02",
//!     "persons": [{"role": "national", "given_names": "Ana Lucía", "surnames": "Peña Güity",
//!                  "birth_date": "1994-07-21", "nationality": "HN",
//!                  "documents": [{"kind": "hn_dni", "number": "0801 1994 04512"}]}],
//!     "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-02", "scope": ["processing"]},
//!     "facts": {"authority": "Instituto Nacional de Migración", "facility": "Estación Siglo XXI",
//!               "detention_kind": "immigration", "arrest_date": "2026-02-27"}
//! }"#, &catalog, Locale::Es);
//! assert!(report.ok, "{:?}", report.issues);
//! # Ok::<(), siproc_core::CatalogError>(())
//! ```
#![deny(missing_docs)]

#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub mod access;
pub mod actor;
pub mod archive;
pub mod case;
pub mod catalog;
pub mod country;
pub mod document;
pub mod duplicates;
pub mod email;
pub mod forms;
pub mod history;
pub mod issue;
pub mod legacy;
pub mod limits;
pub mod names;
pub mod normalize;
pub mod person;
pub mod phone;
pub mod schema;
pub mod stats;
pub mod store;
pub mod transitions;
pub mod validation;
pub mod workflow;

pub use actor::{Actor, Role};
pub use case::{Case, Intake};
pub use catalog::{Catalog, CatalogError};
pub use document::{
    DocumentKind, Mrz, check_document, check_document_at, check_document_in, normalize_document,
    parse_mrz,
};
pub use duplicates::{DuplicatePair, DuplicateReason, find_duplicates};
pub use history::{Anchor, Event, EventKind, HistoryError, Sealed, Tamper, replay, verify};
pub use issue::{Issue, Locale, Misuse, Pointer, Report, Rule, Severity, list_rules};
pub use normalize::normalize_intake;
pub use phone::normalize_phone;
pub use store::{CaseQuery, CaseStore, CaseSummary, MemoryStore, StoreError};
pub use transitions::CommandKind;
pub use validation::{
    parse_intake, validate, validate_json, validate_json_bytes, validate_on, validate_value,
};
pub use workflow::{Command, WorkflowError};
