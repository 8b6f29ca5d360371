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

// The crate root is curated: every public item has exactly one path.
//
// - The data of a case and its validation are at the root: the modules below are private, and
//   everything public in them is re-exported here (`siproc_core::Case`, `siproc_core::Catalog`,
//   `siproc_core::validate_json`, …).
// - Each subsystem is a public module, and its items are reached through it only
//   (`siproc_core::history::Event`, `siproc_core::store::CaseStore`,
//   `siproc_core::workflow::Command`, `siproc_core::document::check_document`, …).
/// The `Visitor` items of a walk over any JSON that takes every scalar but strings as it comes
/// (`expecting`, booleans, numbers, null): `limits` and `reading` care only about strings and
/// containers, and write those visits themselves.
macro_rules! accept_json_scalars {
    () => {
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any JSON value")
        }

        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }

        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }

        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }

        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
            Ok(())
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
            Ok(())
        }
    };
}

mod actor;
mod case;
mod case_record;
mod catalog;
mod country;
#[cfg(feature = "pdf")]
mod fonts;
mod hex;
mod issue;
mod names;
mod normalize;
mod person;
mod phone;
mod reading;
mod validation;

pub mod access;
pub mod accounts;
pub mod archive;
#[cfg(feature = "attachments")]
pub mod attachments;
pub mod audit;
pub mod blobs;
pub mod document;
pub mod duplicates;
pub mod email;
pub mod erasure;
pub mod forms;
pub mod history;
pub mod keys;
pub mod legacy;
pub mod limits;
pub mod messages;
pub mod schema;
pub mod stats;
pub mod store;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod subject_access;
pub mod transitions;
pub mod workflow;

pub use actor::{Actor, Role};
pub use case::{
    Attachment, Case, Consent, ConsentScope, Facts, FollowUp, GeneratedForm, Intake, LegacyOrigin,
    Note, Priority, Referral, ReferralRequest, ReferralStatus, Service, SignedCopy, SignedForm,
    Status, Transfer, TransferStatus, case_number,
};
pub use catalog::{
    AccessReason, BuiltinPack, Catalog, CatalogError, CatalogView, Category, CategoryView, Choice,
    ChoiceView, DEFAULT_MAX_FACT_CHARS, Disclosure, FactDef, FactType, FieldView, Flag, FormView,
    Labels, MAX_RETENTION_YEARS, Office, OfficeKind, PACK_FILES, PackInfo, Paper, Partner,
    RequiredRelative, Retention, RetentionRule, ServiceKind, Sla, Text, VOCABULARIES,
};
pub use country::is_country;
pub use issue::{Issue, Locale, Misuse, Pointer, Report, Rule, Severity, list_rules, rule};
pub use names::{fold_name, is_valid_name, normalize_name};
pub use normalize::normalize_intake;
pub use person::{
    Contact, ContactKind, IdentityDocument, Location, LocationKind, MAX_NAME_CHARS,
    MAX_PLACE_CHARS, Person, PersonRole, Relationship, Sex,
};
pub use phone::normalize_phone;
pub use validation::{
    ADULT_AGE, MAX_SAFE_NUMBER, effective_priority, from_json_text, from_json_value,
    intake_from_value, parse_intake, validate, validate_field, validate_json, validate_json_bytes,
    validate_on, validate_value,
};
