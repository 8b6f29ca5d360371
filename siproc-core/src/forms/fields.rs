//! The case data a template may print: the binding vocabulary, and how each value is written.
//!
//! A binding is a dotted name. In a `fields` block, a signer's `name` and a `{…}` placeholder of a
//! text it is one of [`CASE_FIELDS`], a person field ([`PERSON_FIELDS`]) after `national.`,
//! `requester.` (the first relative) or `guardian.` (the first guardian), or `fact.<key>` for a
//! fact of the case's category. In a table column it is one of the row fields of the table's
//! source ([`ROW_FIELDS`]), or any of the above.
//!
//! Values are written in the form's language: dates as `02/03/2026` (Spanish) or `2026-03-02`
//! (English), choices and codes by their labels, booleans as *Sí* / *No*. A value the case lacks
//! prints as a blank line, to be filled in by hand.

use chrono::{DateTime, Datelike, NaiveDate};
use chrono_tz::Tz;
use unicode_normalization::{UnicodeNormalization, is_nfc};

use super::FormError;
use crate::case::{Case, ConsentScope, Priority, Referral, ReferralStatus, Service, Status};
pub use crate::catalog::template::{CASE_FIELDS, PERSON_FIELDS, ROW_FIELDS, all_case_bindings};
use crate::catalog::template::{FormTemplate, TableSource};
use crate::catalog::{Catalog, FactType, Office, choice_label, label, label_of};
use crate::document::DocumentKind;
use crate::fonts::Fonts;
use crate::issue::Locale;
use crate::person::{
    ContactKind, IdentityDocument, LocationKind, Person, PersonRole, Relationship, Sex,
};

/// Words forms print besides the pack's texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Word {
    /// Before the case number.
    CaseNo,
    /// `Página {n} de {m}`.
    PageOf,
    /// Before the generation time.
    Generated,
    /// Before the verification code.
    Verification,
    /// After the title on later pages.
    Continued,
    /// Under a signature line.
    Signature,
    /// In the stamp box.
    Stamp,
    /// Under a signature line, before the name.
    Name,
    /// True.
    Yes,
    /// False.
    No,
    /// An empty table.
    NoneRecorded,
    /// Before a note's date.
    Note,
    /// Where an erased personal value was ([`crate::Case::erased`]).
    Erased,
}

impl Word {
    /// Every word (the fonts must print them all: a test checks).
    #[cfg(test)]
    const ALL: [Word; 13] = [
        Word::CaseNo,
        Word::PageOf,
        Word::Generated,
        Word::Verification,
        Word::Continued,
        Word::Signature,
        Word::Stamp,
        Word::Name,
        Word::Yes,
        Word::No,
        Word::NoneRecorded,
        Word::Note,
        Word::Erased,
    ];

    /// The word in Spanish and English.
    fn both(self) -> (&'static str, &'static str) {
        match self {
            Word::CaseNo => ("Caso núm.", "Case no."),
            Word::PageOf => ("Página {n} de {m}", "Page {n} of {m}"),
            Word::Generated => ("Generado el", "Generated on"),
            Word::Verification => ("Código de verificación", "Verification code"),
            Word::Continued => ("continuación", "continued"),
            Word::Signature => ("Firma", "Signature"),
            Word::Stamp => ("Sello", "Stamp"),
            Word::Name => ("Nombre", "Name"),
            Word::Yes => ("Sí", "Yes"),
            Word::No => ("No", "No"),
            Word::NoneRecorded => ("Sin registros.", "None recorded."),
            Word::Note => ("Nota", "Note"),
            Word::Erased => ("borrado", "erased"),
        }
    }

    /// The word in `locale`.
    pub(crate) fn get(self, locale: Locale) -> &'static str {
        let (es, en) = self.both();
        match locale {
            Locale::Es => es,
            Locale::En => en,
        }
    }
}

const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

#[cfg(test)]
/// Every built-in word and label, in both languages, for the glyph check.
pub(crate) fn builtin_words() -> Vec<&'static str> {
    let mut out = Vec::new();
    for w in Word::ALL {
        let (es, en) = w.both();
        out.extend([es, en]);
    }
    for l in [Locale::Es, Locale::En] {
        for s in Status::ALL {
            out.push(status_label(s, l));
        }
        for p in [
            Priority::Low,
            Priority::Normal,
            Priority::High,
            Priority::Urgent,
        ] {
            out.push(priority_label(p, l));
        }
        for r in [
            PersonRole::National,
            PersonRole::Relative,
            PersonRole::Guardian,
            PersonRole::Other,
        ] {
            out.push(role_label(r, l));
        }
        for r in [
            Relationship::Parent,
            Relationship::Child,
            Relationship::Spouse,
            Relationship::Sibling,
            Relationship::Grandparent,
            Relationship::Grandchild,
            Relationship::OtherRelative,
        ] {
            for sex in [Some(Sex::Female), Some(Sex::Male), None] {
                out.push(relationship_label(r, sex, l));
            }
        }
        for s in [Sex::Female, Sex::Male, Sex::Unspecified] {
            out.push(sex_label(s, l));
        }
        for s in [
            ConsentScope::Processing,
            ConsentScope::ShareWithPartners,
            ConsentScope::ShareWithAuthorities,
            ConsentScope::ContactFamily,
        ] {
            out.push(scope_label(s, l));
        }
        for s in [
            ReferralStatus::Pending,
            ReferralStatus::Accepted,
            ReferralStatus::Rejected,
            ReferralStatus::Done,
            ReferralStatus::Cancelled,
        ] {
            out.push(referral_status_label(s, l));
        }
        for k in DocumentKind::ALL {
            out.push(k.short_label(l));
        }
    }
    out.extend(MONTHS_ES);
    out.extend(MONTHS_EN);
    out
}

/// A case's status as every face words it (`data/vocabulary.json`).
pub(crate) fn status_label(s: Status, l: Locale) -> &'static str {
    label("status", s.as_str(), l)
}

/// A case's priority as every face words it (`data/vocabulary.json`).
pub(crate) fn priority_label(p: Priority, l: Locale) -> &'static str {
    label("priority", p.as_str(), l)
}

fn role_label(r: PersonRole, l: Locale) -> &'static str {
    choice_label("/persons/*/role", r, l)
}

/// A relationship as prose writes it (`madre`, `hijo`), by the relative's sex when known.
fn relationship_label(r: Relationship, sex: Option<Sex>, l: Locale) -> &'static str {
    let (f, m) = match sex {
        Some(Sex::Female) => (true, false),
        Some(Sex::Male) => (false, true),
        _ => (false, false),
    };
    let pick3 = |fe: &'static str, ma: &'static str, any: &'static str| {
        if f {
            fe
        } else if m {
            ma
        } else {
            any
        }
    };
    match (r, l) {
        (Relationship::Parent, Locale::Es) => pick3("madre", "padre", "madre o padre"),
        (Relationship::Parent, Locale::En) => pick3("mother", "father", "parent"),
        (Relationship::Child, Locale::Es) => pick3("hija", "hijo", "hija o hijo"),
        (Relationship::Child, Locale::En) => pick3("daughter", "son", "child"),
        (Relationship::Spouse, Locale::Es) => "cónyuge o pareja",
        (Relationship::Spouse, Locale::En) => "spouse or partner",
        (Relationship::Sibling, Locale::Es) => pick3("hermana", "hermano", "hermana o hermano"),
        (Relationship::Sibling, Locale::En) => pick3("sister", "brother", "sibling"),
        (Relationship::Grandparent, Locale::Es) => pick3("abuela", "abuelo", "abuela o abuelo"),
        (Relationship::Grandparent, Locale::En) => {
            pick3("grandmother", "grandfather", "grandparent")
        }
        (Relationship::Grandchild, Locale::Es) => pick3("nieta", "nieto", "nieta o nieto"),
        (Relationship::Grandchild, Locale::En) => pick3("granddaughter", "grandson", "grandchild"),
        (Relationship::OtherRelative, Locale::Es) => "familiar",
        (Relationship::OtherRelative, Locale::En) => "relative",
    }
}

fn sex_label(s: Sex, l: Locale) -> &'static str {
    choice_label("/persons/*/sex", s, l)
}

/// A consent scope as every face words it (`data/vocabulary.json`).
pub(crate) fn scope_label(s: ConsentScope, l: Locale) -> &'static str {
    label("consent_scope", s.as_str(), l)
}

/// A referral's status as every face words it (`data/vocabulary.json`).
fn referral_status_label(s: ReferralStatus, l: Locale) -> &'static str {
    label_of("referral_status", s, l)
}

/// The short name of a document kind (from [`DocumentKind`]'s table); a kind siproc does not
/// know (a case imported from elsewhere) prints as its code.
fn document_label(kind: &str, l: Locale) -> &str {
    kind.parse::<DocumentKind>()
        .map_or(kind, |k| k.short_label(l))
}

/// A row of a table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Row<'a> {
    /// A person.
    Person(&'a Person),
    /// An identity document and its holder.
    Document(&'a Person, &'a IdentityDocument),
    /// A service.
    Service(&'a Service),
    /// A referral.
    Referral(&'a Referral),
}

/// The rows of `source` in `case`.
pub(crate) fn rows(case: &Case, source: TableSource) -> Vec<Row<'_>> {
    match source {
        TableSource::Persons => case.persons.iter().map(Row::Person).collect(),
        TableSource::Relatives => case
            .persons
            .iter()
            .filter(|p| p.role != PersonRole::National)
            .map(Row::Person)
            .collect(),
        TableSource::Documents => case
            .persons
            .iter()
            .flat_map(|p| p.documents.iter().map(move |d| Row::Document(p, d)))
            .collect(),
        TableSource::Services => case.services.iter().map(Row::Service).collect(),
        TableSource::Referrals => case.referrals.iter().map(Row::Referral).collect(),
    }
}

/// Everything a value may depend on.
pub(crate) struct Ctx<'a> {
    /// The case.
    pub(crate) case: &'a Case,
    /// The pack.
    pub(crate) catalog: &'a Catalog,
    /// The office whose letterhead the form carries.
    pub(crate) office: &'a Office,
    /// The form.
    pub(crate) form: &'a FormTemplate,
    /// The language.
    pub(crate) locale: Locale,
    /// Generation time, in the office's time zone.
    pub(crate) generated: DateTime<Tz>,
    /// The short verification code.
    pub(crate) verification_code: &'a str,
    /// The full verification hash, hex.
    pub(crate) verification_hash: &'a str,
    /// The origin of the verification page the QR code points at, if any.
    pub(crate) verify_origin: Option<&'a str>,
    /// The fonts, for the glyph check.
    pub(crate) fonts: &'a Fonts,
}

impl Ctx<'_> {
    /// A date, as forms write it.
    pub(crate) fn date(&self, d: NaiveDate) -> String {
        match self.locale {
            Locale::Es => d.format("%d/%m/%Y").to_string(),
            Locale::En => d.format("%Y-%m-%d").to_string(),
        }
    }

    /// A date in words: `2 de marzo de 2026`, `2 March 2026`.
    pub(crate) fn date_long(&self, d: NaiveDate) -> String {
        let i = usize::try_from(d.month0()).unwrap_or_default();
        match self.locale {
            Locale::Es => format!(
                "{} de {} de {}",
                d.day(),
                MONTHS_ES.get(i).copied().unwrap_or_default(),
                d.year()
            ),
            Locale::En => format!(
                "{} {} {}",
                d.day(),
                MONTHS_EN.get(i).copied().unwrap_or_default(),
                d.year()
            ),
        }
    }

    /// The generation time, as the footer writes it: `02/03/2026 10:15 EST`.
    pub(crate) fn generated_on(&self) -> String {
        format!(
            "{} {}",
            self.date(self.generated.date_naive()),
            self.generated.format("%H:%M %Z")
        )
    }

    fn yes_no(&self, b: bool) -> String {
        let w = if b { Word::Yes } else { Word::No };
        w.get(self.locale).to_owned()
    }

    /// The value of `bind` for the case (or `row`), checked: normalised to NFC, control
    /// characters turned into spaces, and every character printable by the fonts. An absent
    /// value is the empty string.
    pub(crate) fn value(&self, bind: &str, row: Option<Row<'_>>) -> Result<String, FormError> {
        let raw = self.raw(bind, row);
        self.clean(raw, bind)
    }

    /// Checks and cleans a value that came from case data (or a pack text) under `field`.
    pub(crate) fn clean(&self, raw: String, field: &str) -> Result<String, FormError> {
        let mut s = if is_nfc(&raw) {
            raw
        } else {
            raw.nfc().collect()
        };
        if s.chars().any(|c| c.is_control() && c != '\n') {
            s = s
                .chars()
                .filter(|c| *c != '\r')
                .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
                .collect();
        }
        match self.fonts.first_missing(&s) {
            Some(c) => Err(FormError::missing_glyph(&self.form.id, field, c)),
            None => Ok(s),
        }
    }

    fn raw(&self, bind: &str, row: Option<Row<'_>>) -> String {
        let l = self.locale;
        let case = self.case;
        if self.was_erased(bind) {
            return Word::Erased.get(l).to_owned();
        }
        if let Some(row) = row
            && let Some(v) = self.row_value(bind, row)
        {
            return v;
        }
        if let Some(key) = bind.strip_prefix("fact.") {
            return self.fact(key);
        }
        if let Some((who, field)) = bind.split_once('.') {
            let person = match who {
                "national" => Some(case.national()),
                "requester" => Some(first_of(case, PersonRole::Relative)),
                "guardian" => Some(first_of(case, PersonRole::Guardian)),
                _ => None,
            };
            if let Some(p) = person {
                return p.map(|p| self.person(p, field)).unwrap_or_default();
            }
        }
        match bind {
            "case.number" => case.number.clone(),
            "case.opened_on" => self.date(case.opened_on),
            "case.category" => self
                .catalog
                .category(&case.category)
                .map(|c| c.label.get(l).to_owned())
                .unwrap_or_else(|| case.category.clone()),
            "case.status" => status_label(case.status, l).to_owned(),
            "case.priority" => priority_label(case.priority, l).to_owned(),
            "case.flags" => join(case.flags.iter().map(|f| {
                self.catalog
                    .flag(f)
                    .map(|x| x.label.get(l).to_owned())
                    .unwrap_or_else(|| f.clone())
            })),
            "case.outcome" => case.outcome.clone().unwrap_or_default(),
            "case.referrals" => join(case.referrals.iter().map(|r| self.partner(&r.partner))),
            "office.name" => self.office.name.get(l).to_owned(),
            "office.city" => self.office.city.clone(),
            "office.address" => self.office.address.clone().unwrap_or_default(),
            "office.country" => self.office.country.clone(),
            "pack.ministry" => self.catalog.pack.ministry.get(l).to_owned(),
            "pack.directorate" => self.catalog.pack.directorate.get(l).to_owned(),
            "form.title" => self.form.title.get(l).to_owned(),
            "form.generated_on" => self.generated_on(),
            "form.generated_date" => self.date(self.generated.date_naive()),
            "form.generated_date_long" => self.date_long(self.generated.date_naive()),
            "form.place_date" => format!(
                "{}, {}",
                self.office.city,
                self.date_long(self.generated.date_naive())
            ),
            "form.verification_code" => self.verification_code.to_owned(),
            "consent.given" => case
                .consent
                .as_ref()
                .map(|c| self.yes_no(c.given))
                .unwrap_or_default(),
            "consent.recorded_on" => case
                .consent
                .as_ref()
                .map(|c| self.date(c.recorded_on))
                .unwrap_or_default(),
            "consent.scope" => case
                .consent
                .as_ref()
                .map(|c| join(c.scope.iter().map(|s| scope_label(*s, l).to_owned())))
                .unwrap_or_default(),
            "consent.given_by" => case
                .consent
                .as_ref()
                .and_then(|c| case.persons.get(c.given_by))
                .map(Person::full_name)
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    /// Whether `bind` draws on personal values the case's erasure removed: a person's (of the
    /// national, the requester, the guardian, a row of persons or documents) once a person was
    /// erased, a fact once the facts were.
    fn was_erased(&self, bind: &str) -> bool {
        let erased = |prefix: &str| self.case.erased.iter().any(|e| e.starts_with(prefix));
        let (who, _) = bind.split_once('.').unwrap_or((bind, ""));
        match who {
            "national" | "requester" | "guardian" | "person" | "document" => erased("/persons/"),
            "fact" => erased("/facts"),
            _ => false,
        }
    }

    fn row_value(&self, bind: &str, row: Row<'_>) -> Option<String> {
        let l = self.locale;
        let (table, field) = bind.split_once('.')?;
        Some(match (row, table) {
            (Row::Person(p) | Row::Document(p, _), "person") => self.person(p, field),
            (Row::Document(_, d), "document") => match field {
                "kind" => document_label(&d.kind, l).to_owned(),
                _ => d.number.clone(),
            },
            (Row::Service(s), "service") => match field {
                "kind" => self
                    .catalog
                    .service(&s.kind)
                    .map(|k| k.label.get(l).to_owned())
                    .unwrap_or_else(|| s.kind.clone()),
                "given_on" => self.date(s.given_on),
                _ => s.description.clone().unwrap_or_default(),
            },
            (Row::Referral(r), "referral") => match field {
                "partner" => self.partner(&r.partner),
                "status" => referral_status_label(r.status, l).to_owned(),
                _ => r.reason.clone().unwrap_or_default(),
            },
            _ => return None,
        })
    }

    fn partner(&self, code: &str) -> String {
        self.catalog
            .partner(code)
            .map(|p| p.name.get(self.locale).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }

    fn person(&self, p: &Person, field: &str) -> String {
        let l = self.locale;
        let contact = |kind: ContactKind| {
            p.contacts
                .iter()
                .find(|c| c.kind == kind)
                .map(|c| c.value.clone())
                .unwrap_or_default()
        };
        let location = |kind: LocationKind| {
            p.locations
                .iter()
                .find(|x| x.kind == kind)
                .map(|x| match &x.place {
                    Some(place) => format!("{place} ({})", x.country),
                    None => x.country.clone(),
                })
                .unwrap_or_default()
        };
        let doc = p.documents.first();
        match field {
            "full_name" => p.full_name(),
            "given_names" => p.given_names.clone(),
            "surnames" => p.surnames.clone(),
            "birth_date" => p.birth_date.map(|d| self.date(d)).unwrap_or_default(),
            "age" => p
                .age_on(self.case.opened_on)
                .map(|a| a.to_string())
                .unwrap_or_default(),
            "sex" => p
                .sex
                .map(|s| sex_label(s, l).to_owned())
                .unwrap_or_default(),
            "nationality" => p.nationality.clone().unwrap_or_default(),
            "role" => role_label(p.role, l).to_owned(),
            "relationship" => p
                .relationship
                .map(|r| relationship_label(r, p.sex, l).to_owned())
                .unwrap_or_default(),
            "document" => doc
                .map(|d| format!("{} {}", document_label(&d.kind, l), d.number))
                .unwrap_or_default(),
            "document_kind" => doc
                .map(|d| document_label(&d.kind, l).to_owned())
                .unwrap_or_default(),
            "document_number" => doc.map(|d| d.number.clone()).unwrap_or_default(),
            "phone" => contact(ContactKind::Phone),
            "email" => contact(ContactKind::Email),
            "address" => contact(ContactKind::Address),
            "current_location" => location(LocationKind::Current),
            "residence" => location(LocationKind::Residence),
            "last_known_location" => location(LocationKind::LastKnown),
            "birth_place" => location(LocationKind::Birth),
            "destination" => location(LocationKind::Destination),
            _ => String::new(),
        }
    }

    /// A fact of the case, written by its type in the category.
    fn fact(&self, key: &str) -> String {
        let Some(value) = self.case.facts.get(key) else {
            return String::new();
        };
        let def = self
            .catalog
            .category(&self.case.category)
            .and_then(|c| c.fact(key));
        match (def.map(|d| d.kind), value) {
            (_, serde_json::Value::Null) => String::new(),
            (_, serde_json::Value::Bool(b)) => self.yes_no(*b),
            (Some(FactType::Date), serde_json::Value::String(s)) => s
                .parse::<NaiveDate>()
                .map(|d| self.date(d))
                .unwrap_or_else(|_| s.clone()),
            (Some(FactType::Choice), serde_json::Value::String(s)) => def
                .and_then(|d| d.values.iter().find(|v| v.code == *s))
                .map(|v| v.label.get(self.locale).to_owned())
                .unwrap_or_else(|| s.clone()),
            (_, serde_json::Value::String(s)) => s.clone(),
            (_, other) => other.to_string(),
        }
    }
}

fn first_of(case: &Case, role: PersonRole) -> Option<&Person> {
    case.persons.iter().find(|p| p.role == role)
}

fn join(items: impl Iterator<Item = String>) -> String {
    items.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_words_print() {
        let fonts = Fonts::get().unwrap();
        for w in builtin_words() {
            assert_eq!(fonts.first_missing(w), None, "{w}");
        }
    }
}
