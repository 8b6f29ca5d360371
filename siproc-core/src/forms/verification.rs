//! Checking a paper form: from the verification code printed on it to the form it belongs to.
//!
//! A form's verification code is the first 12 hex digits of the history event it was generated
//! from ([`verification_code`]), and the *form generated* event that records the PDF links to
//! that event through its `prev_hash`. So the forms a history has issued, and their codes, can
//! be read from the history alone: [`issued_forms`]. A [`FormRegistry`] keeps them by code for
//! the public "verify a paper form" check, which answers which form, which case number, which
//! office and when — never a person's data, which an [`IssuedForm`] does not hold.
//!
//! A form's QR code is the address of that check ([`verification_url`]: the public
//! verification page at the server's origin, carrying the code), so that a phone's own camera
//! app opens it. Forms printed before carry `SIPROC:<case number>:<hash>`; both, and the code
//! typed by hand, are read by [`parse_code`].
//!
//! ```
//! use siproc_core::forms::verification::parse_code;
//!
//! assert_eq!(parse_code(" 3f2a 9c1b-7e04 ").as_deref(), Some("3F2A-9C1B-7E04"));
//! assert_eq!(parse_code(&"3f2a9c1b7e04".repeat(6)[..64]).as_deref(), Some("3F2A-9C1B-7E04"));
//! assert_eq!(parse_code("SIPROC:TAP-2026-000001:3F2A9C1B7E04").as_deref(), Some("3F2A-9C1B-7E04"));
//! assert_eq!(parse_code("https://siproc.example.org/v/3F2A9C1B7E04").as_deref(), Some("3F2A-9C1B-7E04"));
//! assert_eq!(parse_code("3F2A-9C1B-7E0"), None);
//! ```

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use uuid::Uuid;

use super::verification_code;
use crate::history::{AddedAttachment, Event, EventKind};

/// A form a case's history says was generated, found by its verification code. No personal
/// data: the form id, the case number, the office, the time, and whether its signed copy was
/// filed back (and when).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedForm {
    /// The case it belongs to (never shown by the public check: the server files a signed copy
    /// to it, after checking that the uploader may write it).
    #[serde(skip)]
    pub case_id: Uuid,
    /// The short verification code printed on the form (`3F2A-9C1B-7E04`).
    pub code: String,
    /// The full verification hash (the event the form was generated from), 64 lowercase hex.
    #[serde(skip)]
    pub verification_hash: String,
    /// The form's id in the catalog.
    pub form: String,
    /// The case number printed on the form.
    pub case_number: String,
    /// The office responsible for the case.
    pub office: String,
    /// When the form was generated.
    pub generated_at: DateTime<Utc>,
    /// When its signed copy was filed back into the case file; `None` while none is on file.
    pub signed_copy_at: Option<DateTime<Utc>>,
}

/// The forms `events` (one case's history, numbered `case_number`, of `office`) record as
/// generated, in history order, each with the time its signed copy was last filed.
pub fn issued_forms(case_number: &str, office: &str, events: &[Event]) -> Vec<IssuedForm> {
    let mut forms: Vec<IssuedForm> = Vec::new();
    for e in events {
        match &e.kind {
            EventKind::FormGenerated { form, .. } => forms.push(IssuedForm {
                case_id: e.case_id,
                code: verification_code(&e.prev_hash),
                verification_hash: e.prev_hash.to_ascii_lowercase(),
                form: form.clone(),
                case_number: case_number.to_owned(),
                office: office.to_owned(),
                generated_at: e.at,
                signed_copy_at: None,
            }),
            EventKind::AttachmentAdded(AddedAttachment {
                signs: Some(signs), ..
            }) => {
                if let Some(f) = forms
                    .iter_mut()
                    .find(|f| f.code == signs.code && f.form == signs.form)
                {
                    f.signed_copy_at = Some(e.at);
                }
            }
            _ => {}
        }
    }
    forms
}

/// The path of the verification page's address, before the code: `<origin>/v/<code>`. The
/// server answers it with the public verification page, the code filled in.
pub const VERIFY_PATH: &str = "/v/";

/// The address a form's QR code holds: the public verification page at `origin` (the server's
/// public origin, `https://siproc.example.org`, without a trailing `/`) carrying the form's
/// short code without dashes (`https://siproc.example.org/v/3F2A9C1B7E04`). The short code,
/// not the full hash, keeps the symbol small enough to be read from paper (33 modules for a
/// 40-character origin); it is the code printed under the symbol and typed by hand.
pub fn verification_url(origin: &str, hash: &str) -> String {
    let code: String = verification_code(hash)
        .chars()
        .filter(|c| *c != '-')
        .collect();
    format!("{}{VERIFY_PATH}{code}", origin.trim_end_matches('/'))
}

/// The part of `input` that holds the code: the last segment of a QR code's payload (an
/// address, or the former `SIPROC:<case number>:<hash>`), or all of it.
fn code_part(input: &str) -> &str {
    let input = input.trim();
    let payload = input
        .get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("SIPROC:"))
        || input.contains("://");
    if payload {
        input.rsplit([':', '/']).next().unwrap_or_default()
    } else {
        input
    }
}

/// The code of a form's QR payload as printed ([`verification_url`]'s address, or the former
/// `SIPROC:<case number>:<hash>`), read by [`parse_code`]; `None` for any other QR code (a
/// payment code, an address elsewhere) or text that is not a code. A scanned page is filed by
/// this ([`crate::attachments`]), so a code typed by hand is not enough here.
///
/// ```
/// use siproc_core::forms::verification::form_code;
///
/// assert_eq!(form_code("https://siproc.example.org/v/3F2A9C1B7E04").as_deref(), Some("3F2A-9C1B-7E04"));
/// assert_eq!(form_code("SIPROC:TAP-2026-000001:3F2A9C1B7E04").as_deref(), Some("3F2A-9C1B-7E04"));
/// assert_eq!(form_code("3F2A9C1B7E04"), None);
/// assert_eq!(form_code("https://shop.example.com/item/3F2A9C1B7E04"), None);
/// ```
pub fn form_code(payload: &str) -> Option<String> {
    let payload = payload.trim();
    let legacy = payload
        .get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("SIPROC:"));
    let address = payload.contains("://")
        && payload
            .rsplit_once(VERIFY_PATH)
            .is_some_and(|(_, code)| !code.contains('/'));
    if legacy || address {
        parse_code(payload)
    } else {
        None
    }
}

/// What someone typed or scanned, as the canonical short code (`3F2A-9C1B-7E04`): the short
/// code in any case, with or without dashes and spaces; the full 64-digit hash; or a QR code's
/// payload: the verification page's address ([`verification_url`]) or the former
/// `SIPROC:<case number>:<hash>`. `None` when it is none of these.
pub fn parse_code(input: &str) -> Option<String> {
    let digits: String = code_part(input)
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    let well_formed =
        matches!(digits.len(), 12 | 64) && digits.bytes().all(|b| b.is_ascii_hexdigit());
    well_formed.then(|| verification_code(&digits))
}

/// Issued forms by verification code.
#[derive(Debug, Clone, Default)]
pub struct FormRegistry {
    by_code: HashMap<String, Vec<IssuedForm>>,
}

impl FormRegistry {
    /// Adds `forms`: a form already registered (same case, hash and time) is replaced, so that
    /// a signed copy filed since is known.
    pub fn add(&mut self, forms: impl IntoIterator<Item = IssuedForm>) {
        for form in forms {
            let entry = self.by_code.entry(form.code.clone()).or_default();
            match entry.iter_mut().find(|f| {
                f.case_id == form.case_id
                    && f.verification_hash == form.verification_hash
                    && f.generated_at == form.generated_at
            }) {
                Some(known) => *known = form,
                None => entry.push(form),
            }
        }
    }

    /// The forms whose verification code is `input` ([`parse_code`]'s forms). A full hash must
    /// match in full, not only its first 12 digits.
    pub fn lookup(&self, input: &str) -> Vec<&IssuedForm> {
        let Some(code) = parse_code(input) else {
            return Vec::new();
        };
        let full: String = code_part(input).to_ascii_lowercase();
        self.by_code
            .get(&code)
            .map(|forms| {
                forms
                    .iter()
                    .filter(|f| full.len() != 64 || f.verification_hash == full)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Number of forms registered.
    pub fn len(&self) -> usize {
        self.by_code.values().map(Vec::len).sum()
    }

    /// Whether no form is registered.
    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::{Actor, Role};
    use crate::history::GENESIS_HASH;

    fn event(seq: u64, prev: &str, kind: EventKind) -> Event {
        Event::seal(
            Uuid::nil(),
            seq,
            prev,
            Actor::new("ana", Role::Officer, "TAP"),
            Utc::now(),
            kind,
        )
        .unwrap()
    }

    #[test]
    fn a_generated_form_is_found_by_the_code_of_the_event_it_came_from() {
        let opened = event(1, GENESIS_HASH, EventKind::Archived);
        let form = event(
            2,
            &opened.hash,
            EventKind::FormGenerated {
                form: "intake_sheet".into(),
                sha256: "ab".repeat(32),
            },
        );
        let issued = issued_forms("TAP-2026-000001", "TAP", &[opened.clone(), form]);
        assert_eq!(issued.len(), 1);
        let mut registry = FormRegistry::default();
        registry.add(issued.clone());
        registry.add(issued);
        assert_eq!(registry.len(), 1);
        let code = verification_code(&opened.hash);
        let found = registry.lookup(&code.to_lowercase().replace('-', " "));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].form, "intake_sheet");
        assert_eq!(found[0].office, "TAP");
        assert_eq!(registry.lookup(&opened.hash).len(), 1);
        assert_eq!(
            registry
                .lookup(&format!(
                    "SIPROC:TAP-2026-000001:{}",
                    opened.hash.to_uppercase()
                ))
                .len(),
            1
        );
        let url = verification_url("https://siproc.example.org/", &opened.hash);
        assert_eq!(
            url,
            format!("https://siproc.example.org/v/{}", code.replace('-', ""))
        );
        assert_eq!(registry.lookup(&url).len(), 1);
        assert_eq!(registry.lookup(&format!(" {url} ")).len(), 1);
        // One changed digit, or a full hash that shares only the first 12 digits, is unknown.
        let mut changed = code.clone().into_bytes();
        changed[0] = if changed[0] == b'A' { b'B' } else { b'A' };
        assert!(
            registry
                .lookup(&String::from_utf8(changed).unwrap())
                .is_empty()
        );
        let mut other = opened.hash.clone();
        other.replace_range(63.., if opened.hash.ends_with('0') { "1" } else { "0" });
        assert!(registry.lookup(&other).is_empty());
    }

    #[test]
    fn a_signed_copy_filed_shows_on_the_form_it_signs() {
        let opened = event(1, GENESIS_HASH, EventKind::Archived);
        let form = event(
            2,
            &opened.hash,
            EventKind::FormGenerated {
                form: "intake_sheet".into(),
                sha256: "ab".repeat(32),
            },
        );
        let code = verification_code(&opened.hash);
        let mut registry = FormRegistry::default();
        let before = issued_forms("TAP-2026-000001", "TAP", &[opened.clone(), form.clone()]);
        assert_eq!(before[0].signed_copy_at, None);
        registry.add(before);
        let signed = event(
            3,
            &form.hash,
            EventKind::AttachmentAdded(AddedAttachment {
                sha256: "cd".repeat(32),
                media_type: "image/jpeg".into(),
                size: 10,
                description: None,
                signs: Some(crate::case::SignedForm {
                    form: "intake_sheet".into(),
                    code: code.clone(),
                }),
            }),
        );
        registry.add(issued_forms(
            "TAP-2026-000001",
            "TAP",
            &[opened, form, signed.clone()],
        ));
        let found = registry.lookup(&code);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].signed_copy_at, Some(signed.at));
        let json = serde_json::to_value(found[0]).unwrap();
        assert!(json.get("case_id").is_none() && json.get("signed_copy_at").is_some());
    }

    #[test]
    fn anything_else_is_not_a_code() {
        for bad in [
            "",
            "3F2A-9C1B",
            "XYZA-9C1B-7E04",
            "SIPROC:",
            "https://siproc.example.org/v/",
            "https://siproc.example.org/v/3F2A-9C1B",
            "3F2A-9C1B-7E04-0000",
            "é",
        ] {
            assert_eq!(parse_code(bad), None, "{bad:?}");
            assert_eq!(form_code(bad), None, "{bad:?}");
        }
        assert_eq!(
            form_code("https://siproc.example.org/v/3F2A9C1B7E04/x"),
            None
        );
    }
}
