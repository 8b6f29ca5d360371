//! # siproc-core
//!
//! The engine of siproc, a consular protection case management library.
#![deny(missing_docs)]

pub mod document;
pub mod issue;

pub use document::{
    DocumentKind, Mrz, check_document, check_document_at, check_document_in, normalize_document,
    parse_mrz,
};
pub use issue::{Issue, Locale, Pointer, Report, Rule, Severity, list_rules};
