//! Printable forms: which forms a case needs, and rendering them as real, searchable PDFs.
//!
//! When a case is entered, its procedure needs forms for the paper file (*expediente*): the
//! intake sheet and informed consent for every case, and by category a repatriation-of-remains
//! request, a power of attorney, a search request, … The pack's `forms.json` holds their
//! templates ([`FormTemplate`]); [`required_forms`] says which a case needs now and which are
//! still missing; [`render_form`] prints one as a PDF.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use siproc_core::{Catalog, forms, Locale};
//! # let case: siproc_core::Case = serde_json::from_value(serde_json::json!({
//! #   "id": "01950000-0000-7000-8000-000000000001", "number": "MIA-2026-000123", "office": "MIA",
//! #   "category": "detention", "flags": [], "priority": "normal", "status": "registered",
//! #   "opened_on": "2026-03-02", "persons": [{"role": "national", "given_names": "Ana Lucía",
//! #   "surnames": "Peña Güity"}], "facts": {}, "notes": [], "services": [], "referrals": [],
//! #   "attachments": [], "forms": [], "version": 1,
//! #   "created_at": "2026-03-02T15:00:00Z", "updated_at": "2026-03-02T15:00:00Z",
//! #   "head": "3f2a9c1b7e0455d03f2a9c1b7e0455d03f2a9c1b7e0455d03f2a9c1b7e0455d0"})).unwrap();
//!
//! let catalog = Catalog::honduras()?;
//! for need in forms::required_forms(&case, &catalog).iter().filter(|f| !f.generated) {
//!     let pdf = forms::render_form(&case, &catalog, &need.form, &forms::RenderOptions {
//!         generated_at: Utc.with_ymd_and_hms(2026, 3, 2, 15, 30, 0).unwrap(),
//!         verification_hash: "3f2a9c1b7e0455d0".repeat(4),
//!         locale: Locale::Es,
//!         verify_origin: Some("https://siproc.example.org".into()),
//!     })?;
//!     assert!(pdf.bytes.starts_with(b"%PDF-"));
//!     // The integrator appends a "form generated" history event carrying `pdf.sha256`.
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Verification
//! Every form carries a verification code: the SHA-256 of the history event the form was
//! generated from (the head of the case's history when it was rendered), passed in
//! [`RenderOptions::verification_hash`]. Its short form (`3F2A-9C1B-7E04`) is printed under the
//! QR code and in every page's footer; the full hash is in the QR code and in the PDF's
//! metadata (`/Identifier`, `/SiprocVerification`, and the file `/ID`), so a printed page can be
//! checked against the digital record. The *form generated* event appended afterwards carries
//! [`RenderedForm::sha256`], the SHA-256 of the PDF bytes. [`verification`] goes back from a
//! printed code to the form.
//!
//! # Determinism
//! The same case, template, options and siproc version give the same bytes: no random ids, no
//! clock reads. Golden tests may compare hashes.
//!
//! # Characters
//! Template texts and pack labels are checked against the fonts when the pack is loaded. Case
//! data is checked when a form is rendered: a character the fonts lack (say, a name in a script
//! DejaVu Sans does not cover) is a [`FormError`] with code `forms.missing_glyph` naming the field
//! and the code point, never a silently dropped or blank glyph.

#[cfg(feature = "pdf")]
mod compose;
#[cfg(feature = "pdf")]
pub mod fields;
#[cfg(feature = "pdf")]
pub(crate) mod layout;
#[cfg(feature = "pdf")]
pub(crate) mod pdf;
#[cfg(feature = "pdf")]
mod qr;
pub mod verification;

#[cfg(feature = "pdf")]
use chrono::{DateTime, Utc};
#[cfg(feature = "pdf")]
use sha2::{Digest, Sha256};

pub use crate::catalog::template::{
    Block, Column, Field, FormTemplate, Requirement, Signer, TableSource,
};

#[cfg(feature = "pdf")]
use crate::actor::Actor;
use crate::case::Case;
#[cfg(feature = "pdf")]
use crate::case::GeneratedForm;
use crate::catalog::Catalog;
#[cfg(feature = "pdf")]
use crate::history::Event;
#[cfg(feature = "pdf")]
use crate::issue::Locale;
#[cfg(feature = "pdf")]
use crate::workflow::{self, Command, WorkflowError};

#[cfg(feature = "pdf")]
/// How to render a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// When the form is generated; printed in the office's time zone and written as the PDF's
    /// creation date.
    pub generated_at: DateTime<Utc>,
    /// SHA-256 (64 hex digits) of the history event the form is generated from.
    pub verification_hash: String,
    /// The language of the form; English falls back to Spanish where a text has no English.
    pub locale: Locale,
    /// The public origin of the server that checks forms (`https://siproc.example.org`): the QR
    /// code is then the address of its verification page carrying the code
    /// ([`verification::verification_url`]). `None` prints the `SIPROC:` payload instead.
    pub verify_origin: Option<String>,
}

#[cfg(feature = "pdf")]
/// How a form is generated from a case ([`generate_form`]): when, in which language, and which
/// verification page its QR code points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Generating<'a> {
    /// The language of the form.
    pub locale: Locale,
    /// When it is generated (the *form generated* event's time).
    pub now: DateTime<Utc>,
    /// [`RenderOptions::verify_origin`].
    pub verify_origin: Option<&'a str>,
}

#[cfg(feature = "pdf")]
/// A rendered form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedForm {
    /// The form id.
    pub form: String,
    /// The PDF.
    pub bytes: Vec<u8>,
    /// SHA-256 of `bytes`, 64 lowercase hex digits: what the *form generated* event carries.
    pub sha256: String,
    /// Number of pages.
    pub pages: usize,
    /// When it was generated.
    pub generated_at: DateTime<Utc>,
    /// The verification code printed on it (`3F2A-9C1B-7E04`).
    pub code: String,
}

#[cfg(feature = "pdf")]
impl RenderedForm {
    /// The record of this form in a case's `forms`.
    pub fn generated_form(&self) -> GeneratedForm {
        GeneratedForm {
            form: self.form.clone(),
            sha256: self.sha256.clone(),
            generated_at: self.generated_at,
            code: self.code.clone(),
            signed_copy: None,
        }
    }
}

/// A form a case needs. Serialised as `{form, title, generated}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RequiredForm {
    /// The form id.
    pub form: String,
    /// Its title, in Spanish.
    pub title: String,
    /// Whether the case already has it (it is in the case's `forms`).
    pub generated: bool,
}

#[cfg(feature = "pdf")]
/// A form generated for a case: the PDF and the *form generated* event that records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generation {
    /// The PDF, whose verification code is the hash of the case's head event.
    pub rendered: RenderedForm,
    /// The event to append to the case's history; it carries the PDF's SHA-256 and links to
    /// the event the form was generated from.
    pub event: Event,
}

#[cfg(feature = "pdf")]
/// Why a form could not be generated: the form could not be rendered, or the workflow refused
/// the *form generated* event (the actor's role or office, an archived case).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// Rendering failed.
    #[error(transparent)]
    Form(#[from] FormError),
    /// The workflow refused the event.
    #[error(transparent)]
    Workflow(#[from] WorkflowError),
}

#[cfg(feature = "pdf")]
impl GenerateError {
    /// The stable code of the underlying error.
    pub fn code(&self) -> &'static str {
        match self {
            GenerateError::Form(e) => e.code,
            GenerateError::Workflow(e) => e.code(),
        }
    }
}

#[cfg(feature = "pdf")]
/// Renders form `form_id` for `case` as it stands (its verification code is the case's head
/// hash; its QR code the address of the verification page at [`Generating::verify_origin`])
/// and builds the *form generated* event that records the PDF's SHA-256, checked by the
/// workflow like any other command. Append [`Generation::event`] to the case's history (with
/// the case's version as the expected version) to keep the two together.
pub fn generate_form(
    case: &Case,
    catalog: &Catalog,
    actor: &Actor,
    form_id: &str,
    how: &Generating<'_>,
) -> Result<Generation, GenerateError> {
    let now = how.now;
    let options = RenderOptions {
        generated_at: now,
        verification_hash: case.head.clone(),
        locale: how.locale,
        verify_origin: how.verify_origin.map(str::to_owned),
    };
    let rendered = render_form(case, catalog, form_id, &options)?;
    let command = Command::RecordForm {
        form: rendered.form.clone(),
        sha256: rendered.sha256.clone(),
    };
    let event = workflow::execute(case, catalog, actor, &command, now)?;
    Ok(Generation { rendered, event })
}

/// The forms `case` needs in its current state: the pack's common forms, then its category's,
/// keeping those whose `required_when` (if any) lists the case's status; each says whether it
/// was generated already.
pub fn required_forms(case: &Case, catalog: &Catalog) -> Vec<RequiredForm> {
    catalog
        .forms_needed(&case.category, case.status)
        .into_iter()
        .map(|t| RequiredForm {
            form: t.id.clone(),
            title: t.title.es.clone(),
            generated: case.forms.iter().any(|g| g.form == t.id),
        })
        .collect()
}

/// Every code a [`FormError`] can have.
pub const ERROR_CODES: &[&str] = &[
    "forms.unknown_form",
    "forms.unknown_office",
    "forms.missing_glyph",
    "forms.bad_verification_hash",
    "forms.bad_template",
    "forms.pdf",
];

/// Why a form could not be rendered. Never holds a value from the case: at most the field's
/// binding and, for a missing glyph, the code point.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{form}: {reason}")]
#[non_exhaustive]
pub struct FormError {
    /// Stable code: `forms.unknown_form`, `forms.unknown_office`, `forms.missing_glyph`,
    /// `forms.bad_verification_hash`, `forms.bad_template` or `forms.pdf`.
    pub code: &'static str,
    /// The form id.
    pub form: String,
    /// The field whose value is at fault (`national.full_name`, `notes/0/text`).
    pub field: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl FormError {
    #[cfg(feature = "pdf")]
    pub(crate) fn new(
        code: &'static str,
        form: &str,
        field: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        FormError {
            code,
            form: form.to_owned(),
            field: field.map(str::to_owned),
            reason: reason.into(),
        }
    }

    #[cfg(feature = "pdf")]
    pub(crate) fn missing_glyph(form: &str, field: &str, c: char) -> Self {
        FormError::new(
            "forms.missing_glyph",
            form,
            Some(field),
            format!(
                "`{field}` has a character the form fonts cannot print ({})",
                crate::fonts::code_point(c)
            ),
        )
    }

    #[cfg(feature = "pdf")]
    pub(crate) fn template(form: &str) -> Self {
        FormError::new(
            "forms.bad_template",
            form,
            None,
            "the template has an unbalanced placeholder",
        )
    }
}

/// The short verification code printed on the form: the first 12 hex digits, in groups of 4.
pub fn verification_code(hash: &str) -> String {
    let upper = hash.to_ascii_uppercase();
    let mut out = String::with_capacity(14);
    for (i, c) in upper.chars().take(12).enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(c);
    }
    out
}

#[cfg(feature = "pdf")]
/// Renders form `form_id` of `catalog` for `case` as a PDF.
pub fn render_form(
    case: &Case,
    catalog: &Catalog,
    form_id: &str,
    options: &RenderOptions,
) -> Result<RenderedForm, FormError> {
    let form = catalog.form(form_id).ok_or_else(|| {
        FormError::new(
            "forms.unknown_form",
            form_id,
            None,
            "the pack has no such form",
        )
    })?;
    let hash = options.verification_hash.to_ascii_lowercase();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(FormError::new(
            "forms.bad_verification_hash",
            form_id,
            None,
            "the verification hash is not 64 hex digits",
        ));
    }
    let office = catalog.office(&case.office).ok_or_else(|| {
        FormError::new(
            "forms.unknown_office",
            form_id,
            Some("office"),
            "the case's office is not in the pack",
        )
    })?;
    let tz: chrono_tz::Tz = office.time_zone.parse().map_err(|_| {
        FormError::new(
            "forms.unknown_office",
            form_id,
            Some("office"),
            "the office's time zone is unknown",
        )
    })?;
    let fonts = crate::fonts::Fonts::get().ok_or_else(|| {
        FormError::new(
            "forms.pdf",
            form_id,
            None,
            "the embedded fonts cannot be read",
        )
    })?;
    let code = verification_code(&hash);
    let ctx = fields::Ctx {
        case,
        catalog,
        office,
        form,
        locale: options.locale,
        generated: options.generated_at.with_timezone(&tz),
        verification_code: &code,
        verification_hash: &hash,
        verify_origin: options.verify_origin.as_deref(),
        fonts,
    };
    let (pages, geo) = compose::compose(&ctx)?;
    let page_count = pages.len();
    let title = format!("{} — {}", form.title.get(options.locale), case.number);
    let subject = format!("{}: {hash}", fields::Word::Verification.get(options.locale));
    let meta = pdf::Meta {
        title: &title,
        author: office.name.get(options.locale),
        subject: &subject,
        keywords: vec![
            "siproc".to_owned(),
            form.id.clone(),
            case.number.clone(),
            format!("verification:{hash}"),
        ],
        hash: &hash,
        generated_at: options.generated_at,
    };
    let bytes = pdf::write(fonts, pages, &geo, &meta)
        .map_err(|_| FormError::new("forms.pdf", form_id, None, "the PDF could not be written"))?;
    let sha256 = hex(&Sha256::digest(&bytes));
    Ok(RenderedForm {
        form: form.id.clone(),
        bytes,
        sha256,
        pages: page_count,
        generated_at: options.generated_at,
        code,
    })
}

#[cfg(feature = "pdf")]
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(all(test, feature = "pdf"))]
mod tests {
    use super::*;

    #[test]
    fn verification_codes_are_short_and_grouped() {
        assert_eq!(
            verification_code(&"3f2a9c1b7e04".repeat(6)),
            "3F2A-9C1B-7E04"
        );
    }
}
