//! Country packs: the data a ministry may change without touching code.
//!
//! A pack is a folder of JSON files:
//!
//! | file | holds |
//! |---|---|
//! | `pack.json` | the country, ministry and directorate names, the document kinds, the forms every case needs |
//! | `categories.json` | case categories, their facts (type, label, whether required, date order), forms and retention rules ([`Retention`]) |
//! | `offices.json` | consulates, embassy sections and the directorate: code, country, IANA time zone, paper size |
//! | `flags.json` | vulnerability flags and the priority they raise a case to |
//! | `partners.json` | partner organisations cases may be referred to |
//! | `services.json` | the services an office gives |
//! | `sla.json` | targets per category: first contact (hours) and resolution (days) |
//! | `forms.json` | the forms the pack can print, with their templates (see [`crate::forms::FormTemplate`]) |
//!
//! The default Honduran pack (`packs/hn`), a Guatemalan (`packs/gt`), a Salvadoran (`packs/sv`)
//! and a Mexican one (`packs/mx`) are built in. A pack is checked when it is loaded: a broken pack
//! is a [`CatalogError`] naming the file and the entry, and [`Catalog::check_dir`] lists every
//! problem of a pack folder. `docs/packs.md` tells a ministry how to write one.

//!
//! # Layout
//!
//! One concept a file: the pack's types and lookups ([`Catalog`], [`CatalogError`], `types.rs`),
//! loading a pack (`load.rs`), checking it across files (`check.rs`), the common fields of
//! `data/fields.json` (`fields.rs`), the labelled view a form builder reads ([`CatalogView`],
//! `view.rs`), the retention rules (`retention.rs`), the labels of every enumerated value ([`Labels`], `labels.rs`) and the forms'
//! templates (`template.rs`).

mod check;
mod fields;
mod labels;
mod load;
mod retention;
pub(crate) mod template;
mod types;
mod view;

#[cfg(feature = "pdf")]
pub(crate) use fields::choice_label;
pub(crate) use labels::label;
#[cfg(feature = "pdf")]
pub(crate) use labels::label_of;
pub use labels::{Labels, VOCABULARIES};
pub use load::{BuiltinPack, PACK_FILES};
pub use retention::{MAX_RETENTION_YEARS, Retention, RetentionRule};
pub use types::{
    AccessReason, Catalog, CatalogError, Category, Choice, DEFAULT_MAX_FACT_CHARS, Disclosure,
    FactDef, FactType, Flag, Office, OfficeKind, PackInfo, Paper, Partner, RequiredRelative,
    ServiceKind, Sla, Text,
};
pub use view::{CatalogView, CategoryView, ChoiceView, FieldView, FormView};
