//! # siproc-core
//!
//! The engine of siproc, a consular protection case management library.
#![deny(missing_docs)]

pub mod issue;

pub use issue::{Issue, Locale, Pointer, Report, Rule, Severity, list_rules};
