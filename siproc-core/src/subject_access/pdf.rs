//! A [`SubjectReport`] printed as a readable PDF, in the person's language: the same pages,
//! fonts and PDF writer as the forms ([`crate::forms`]), a section per case.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{SubjectAccessError, SubjectCase, SubjectReport};
use crate::catalog::{Catalog, choice_label, label, label_of};
use crate::fonts::{Face, Fonts};
use crate::forms::FormError;
use crate::forms::layout::{Flow, Geometry, Item, grey, size};
use crate::issue::Locale;
use crate::person::Person;

/// The id errors name in place of a form's.
const FORM: &str = "subject_access";

/// A4, points.
const WIDTH: f32 = 595.0;
const HEIGHT: f32 = 842.0;
const MARGIN_X: f32 = 50.0;
const MARGIN_TOP: f32 = 42.0;
const FOOTER_Y: f32 = HEIGHT - 30.0;

/// Words the report prints besides the catalog's and the vocabularies' labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Title,
    Intro,
    SearchedBy,
    DocumentNumber,
    Name,
    CasesFound,
    NoCase,
    Case,
    Office,
    Category,
    Status,
    OpenedOn,
    Person,
    BirthDate,
    Sex,
    Nationality,
    Documents,
    Contacts,
    Locations,
    Consent,
    ConsentGiven,
    ConsentNotGiven,
    SharingWithdrawn,
    Facts,
    Notes,
    Services,
    SharedWith,
    Reads,
    ReadsTruncated,
    Others,
    Events,
    Erased,
    NoneRecorded,
    Generated,
    PageOf,
}

impl Word {
    /// The word in `locale`.
    fn get(self, locale: Locale) -> &'static str {
        let (es, en) = match self {
            Word::Title => (
                "Informe de acceso a datos personales",
                "Subject access report",
            ),
            Word::Intro => (
                "Datos personales que el Ministerio guarda sobre la persona buscada, caso por caso: los valores guardados, quién consultó cada caso y con qué organizaciones se compartió.",
                "Personal data the ministry holds about the person searched for, case by case: the values held, who read each case and which organisations it was shared with.",
            ),
            Word::SearchedBy => ("Búsqueda por", "Searched by"),
            Word::DocumentNumber => ("número de documento", "document number"),
            Word::Name => ("nombre", "name"),
            Word::CasesFound => ("Casos encontrados", "Cases found"),
            Word::NoCase => (
                "No se encontró ningún caso con esta persona.",
                "No case holds this person.",
            ),
            Word::Case => ("Caso núm.", "Case no."),
            Word::Office => ("Oficina", "Office"),
            Word::Category => ("Categoría", "Category"),
            Word::Status => ("Estado", "Status"),
            Word::OpenedOn => ("Abierto el", "Opened on"),
            Word::Person => ("Datos de la persona", "The person's data"),
            Word::BirthDate => ("Fecha de nacimiento", "Date of birth"),
            Word::Sex => ("Sexo", "Sex"),
            Word::Nationality => ("Nacionalidad", "Nationality"),
            Word::Documents => ("Documentos", "Documents"),
            Word::Contacts => ("Contactos", "Contacts"),
            Word::Locations => ("Lugares", "Places"),
            Word::Consent => ("Consentimiento", "Consent"),
            Word::ConsentGiven => ("otorgado para", "given for"),
            Word::ConsentNotGiven => ("no otorgado o retirado", "not given or withdrawn"),
            Word::SharingWithdrawn => (
                "Consentimiento para compartir con organizaciones retirado: ya no se comparte.",
                "Consent to share with organisations withdrawn: no longer shared.",
            ),
            Word::Facts => ("Hechos del caso", "Facts of the case"),
            Word::Notes => ("Notas", "Notes"),
            Word::Services => ("Servicios", "Services"),
            Word::SharedWith => ("Compartido con", "Shared with"),
            Word::Reads => ("Quién consultó el caso", "Who read the case"),
            Word::ReadsTruncated => (
                "(solo las consultas más recientes)",
                "(the most recent reads only)",
            ),
            Word::Others => ("Otras personas del caso", "Other persons of the case"),
            Word::Events => (
                "Registros del historial que guardan datos personales",
                "History records that hold personal data",
            ),
            Word::Erased => ("Datos borrados", "Erased data"),
            Word::NoneRecorded => ("Sin registros.", "None recorded."),
            Word::Generated => ("Generado el", "Generated on"),
            Word::PageOf => ("Página {n} de {m}", "Page {n} of {m}"),
        };
        match locale {
            Locale::Es => es,
            Locale::En => en,
        }
    }
}

/// Prints `report` as a PDF in `locale` (the person's language), with `catalog`'s labels for
/// offices, categories and partners. A character the fonts cannot print is
/// `forms.missing_glyph` (naming the field, never the value).
pub fn render_pdf(
    report: &SubjectReport,
    catalog: &Catalog,
    locale: Locale,
) -> Result<Vec<u8>, SubjectAccessError> {
    let fonts = Fonts::get().ok_or_else(|| pdf_error("the embedded fonts cannot be read"))?;
    let mut doc = Doc {
        flow: Flow::new(fonts, geometry(), MARGIN_TOP),
        locale,
        catalog,
    };
    doc.heading(Word::Title.get(locale))?;
    doc.line(Word::Intro.get(locale), "intro")?;
    let generated = format!(
        "{} {}",
        Word::Generated.get(locale),
        printed(report.generated_at)
    );
    doc.line(&generated, "generated_at")?;
    let fields: Vec<&str> = report
        .searched_by
        .iter()
        .map(|f| match f.as_str() {
            "document_number" => Word::DocumentNumber.get(locale),
            _ => Word::Name.get(locale),
        })
        .collect();
    doc.line(
        &format!("{}: {}", Word::SearchedBy.get(locale), fields.join(", ")),
        "searched_by",
    )?;
    doc.line(
        &format!("{}: {}", Word::CasesFound.get(locale), report.cases.len()),
        "cases",
    )?;
    if report.cases.is_empty() {
        doc.line(Word::NoCase.get(locale), "cases")?;
    }
    for case in &report.cases {
        doc.case(case)?;
    }
    let pages = doc.flow.pages;
    let pages = with_footers(fonts, pages, locale, &generated);
    let hash = crate::hex::to_hex(&Sha256::digest(
        serde_json::to_vec(report).unwrap_or_default(),
    ));
    let title = Word::Title.get(locale);
    let meta = crate::forms::pdf::Meta {
        title,
        author: "siproc",
        subject: title,
        keywords: vec!["siproc".to_owned(), FORM.to_owned()],
        hash: &hash,
        generated_at: report.generated_at,
    };
    crate::forms::pdf::write(fonts, pages, &geometry(), &meta)
        .map_err(|_| pdf_error("the PDF could not be written"))
}

fn pdf_error(reason: &str) -> SubjectAccessError {
    SubjectAccessError::Pdf(FormError::new("forms.pdf", FORM, None, reason))
}

fn geometry() -> Geometry {
    Geometry {
        width: WIDTH,
        height: HEIGHT,
        left: MARGIN_X,
        right: WIDTH - MARGIN_X,
        top: MARGIN_TOP,
        bottom: FOOTER_Y - 20.0,
    }
}

/// The pages with a footer each: the generation time and `Page n of m`.
fn with_footers(
    fonts: &Fonts,
    mut pages: Vec<Vec<Item>>,
    locale: Locale,
    generated: &str,
) -> Vec<Vec<Item>> {
    let total = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        let page_of = Word::PageOf
            .get(locale)
            .replace("{n}", &(i + 1).to_string())
            .replace("{m}", &total.to_string());
        let w = fonts.width(&page_of, Face::Regular, size::LABEL);
        for (x, text) in [
            (MARGIN_X, generated.to_owned()),
            (WIDTH - MARGIN_X - w, page_of),
        ] {
            page.push(Item::Text {
                x,
                y: FOOTER_Y,
                size: size::LABEL,
                face: Face::Regular,
                grey: grey::TEXT,
                text,
            });
        }
    }
    pages
}

/// The report being laid out.
struct Doc<'a> {
    flow: Flow<'a>,
    locale: Locale,
    catalog: &'a Catalog,
}

impl Doc<'_> {
    /// `text` checked against the fonts: `field` names it in an error.
    fn checked<'t>(&self, text: &'t str, field: &str) -> Result<&'t str, SubjectAccessError> {
        match self.flow.fonts.first_missing(text) {
            Some(c) => Err(SubjectAccessError::Pdf(FormError::missing_glyph(
                FORM, field, c,
            ))),
            None => Ok(text),
        }
    }

    fn heading(&mut self, text: &str) -> Result<(), SubjectAccessError> {
        let text = self.checked(text, "title")?;
        self.flow.paragraph(text, Face::Bold, 14.0, 18.0, 0.0);
        self.flow.gap(4.0);
        Ok(())
    }

    fn section(&mut self, title: &str) {
        self.flow.section(title, size::BODY_LEADING * 2.0);
    }

    fn line(&mut self, text: &str, field: &str) -> Result<(), SubjectAccessError> {
        let text = self.checked(text, field)?;
        self.flow
            .paragraph(text, Face::Regular, size::BODY, size::BODY_LEADING, 0.0);
        Ok(())
    }

    fn item(&mut self, text: &str, field: &str) -> Result<(), SubjectAccessError> {
        let text = self.checked(text, field)?;
        self.flow
            .paragraph(text, Face::Regular, size::BODY, size::BODY_LEADING, 10.0);
        Ok(())
    }

    /// `items` under `title`, or "none recorded".
    fn list(
        &mut self,
        title: &str,
        items: &[String],
        field: &str,
    ) -> Result<(), SubjectAccessError> {
        self.flow.gap(3.0);
        self.flow
            .paragraph(title, Face::Bold, size::BODY, size::BODY_LEADING, 0.0);
        if items.is_empty() {
            return self.item(Word::NoneRecorded.get(self.locale), field);
        }
        for (i, item) in items.iter().enumerate() {
            self.item(&format!("• {item}"), &format!("{field}/{i}"))?;
        }
        Ok(())
    }

    fn case(&mut self, case: &SubjectCase) -> Result<(), SubjectAccessError> {
        let l = self.locale;
        let w = |word: Word| word.get(l);
        self.section(&format!("{} {}", w(Word::Case), case.number));
        let office = self
            .catalog
            .office(&case.office)
            .map_or(case.office.as_str(), |o| o.name.get(l));
        let category = self
            .catalog
            .category(&case.category)
            .map_or(case.category.as_str(), |c| c.label.get(l));
        self.line(&format!("{}: {office}", w(Word::Office)), "office")?;
        self.line(&format!("{}: {category}", w(Word::Category)), "category")?;
        self.line(
            &format!(
                "{}: {}",
                w(Word::Status),
                label_of("status", case.status, l)
            ),
            "status",
        )?;
        self.line(
            &format!("{}: {}", w(Word::OpenedOn), case.opened_on),
            "opened_on",
        )?;
        for held in &case.subject {
            self.person(&held.person, held.index)?;
        }
        let consent = match &case.consent {
            Some(c) if c.given => {
                let scopes: Vec<&str> = c
                    .scope
                    .iter()
                    .map(|s| label("consent_scope", s.as_str(), l))
                    .collect();
                vec![format!("{} {}", w(Word::ConsentGiven), scopes.join(", "))]
            }
            Some(_) => vec![w(Word::ConsentNotGiven).to_owned()],
            None => Vec::new(),
        };
        self.list(w(Word::Consent), &consent, "consent")?;
        if case.sharing_withdrawn {
            self.item(w(Word::SharingWithdrawn), "sharing_withdrawn")?;
        }
        let facts: Vec<String> = case
            .facts
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                v => format!("{k}: {v}"),
            })
            .collect();
        self.list(w(Word::Facts), &facts, "facts")?;
        let notes: Vec<String> = case
            .notes
            .iter()
            .map(|n| match n.written_on {
                Some(d) => format!("{d}: {}", n.text),
                None => n.text.clone(),
            })
            .collect();
        self.list(w(Word::Notes), &notes, "notes")?;
        let services: Vec<String> = case
            .services
            .iter()
            .map(|s| {
                let kind = self
                    .catalog
                    .service(&s.kind)
                    .map_or(s.kind.as_str(), |k| k.label.get(l));
                match &s.description {
                    Some(d) => format!("{} {kind}: {d}", s.given_on),
                    None => format!("{} {kind}", s.given_on),
                }
            })
            .collect();
        self.list(w(Word::Services), &services, "services")?;
        let shared: Vec<String> = case
            .shared_with
            .iter()
            .map(|r| {
                let partner = self
                    .catalog
                    .partner(&r.partner)
                    .map_or(r.partner.as_str(), |p| p.name.get(l));
                format!("{partner} — {}", label_of("referral_status", r.status, l))
            })
            .collect();
        self.list(w(Word::SharedWith), &shared, "shared_with")?;
        let mut reads: Vec<String> = case
            .reads
            .iter()
            .map(|r| {
                format!(
                    "{} — {} ({}, {}) — {}",
                    printed(r.at),
                    r.user_id,
                    label_of("role", r.role, l),
                    r.office,
                    r.what.as_str()
                )
            })
            .collect();
        if case.reads_truncated {
            reads.push(w(Word::ReadsTruncated).to_owned());
        }
        self.list(w(Word::Reads), &reads, "reads")?;
        let others: Vec<String> = case
            .others
            .iter()
            .map(|o| {
                let role = choice_label("/persons/*/role", o.role, l);
                match o.relationship {
                    Some(r) => {
                        format!("{role} ({})", choice_label("/persons/*/relationship", r, l))
                    }
                    None => role.to_owned(),
                }
            })
            .collect();
        self.list(w(Word::Others), &others, "others")?;
        self.list(w(Word::Events), &case.events_holding_values, "events")?;
        if !case.erased.is_empty() {
            self.list(w(Word::Erased), &case.erased, "erased")?;
        }
        Ok(())
    }

    fn person(&mut self, p: &Person, index: usize) -> Result<(), SubjectAccessError> {
        let l = self.locale;
        let w = |word: Word| word.get(l);
        let field = |f: &str| format!("persons/{index}/{f}");
        let mut lines = vec![format!("{} {}", p.given_names, p.surnames)];
        if let Some(d) = p.birth_date {
            lines.push(format!("{}: {d}", w(Word::BirthDate)));
        }
        if let Some(s) = p.sex {
            lines.push(format!(
                "{}: {}",
                w(Word::Sex),
                choice_label("/persons/*/sex", s, l)
            ));
        }
        if let Some(n) = &p.nationality {
            lines.push(format!("{}: {n}", w(Word::Nationality)));
        }
        self.list(w(Word::Person), &lines, &field("name"))?;
        let documents: Vec<String> = p
            .documents
            .iter()
            .map(|d| format!("{} {}", d.kind, d.number))
            .collect();
        self.list(w(Word::Documents), &documents, &field("documents"))?;
        let contacts: Vec<String> = p
            .contacts
            .iter()
            .map(|c| {
                let kind = choice_label("/persons/*/contacts/*/kind", c.kind, l);
                format!("{kind}: {}", c.value)
            })
            .collect();
        self.list(w(Word::Contacts), &contacts, &field("contacts"))?;
        let places: Vec<String> = p
            .locations
            .iter()
            .map(|loc| match &loc.place {
                Some(place) => format!("{place}, {}", loc.country),
                None => loc.country.clone(),
            })
            .collect();
        self.list(w(Word::Locations), &places, &field("locations"))
    }
}

/// An instant as the report prints it.
fn printed(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}
