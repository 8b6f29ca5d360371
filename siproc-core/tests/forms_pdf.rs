//! Printable forms, read back with real PDF tools.
//!
//! Every form of the Honduran pack is rendered for realistic (invented) cases, then:
//! - `pdftotext` (poppler-utils) must find the exact Spanish strings, accents included, the case
//!   number and the page count on every page;
//! - `qpdf --check` must pass.
//!
//! `make test` installs both tools; by hand: `apt-get install -y poppler-utils qpdf`.
//!
//! `cargo test -p siproc-core --test forms_pdf -- --ignored write_sample_pngs` regenerates the
//! sample pages in `docs/forms/` (needs `pdftoppm`, also from poppler-utils).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg(feature = "pdf")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};
use siproc_core::forms::{self, FormError, RenderOptions, RenderedForm};
use siproc_core::{Case, Catalog, Locale};

const HASH: &str = "3f2a9c1b7e0455d0a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778a";

fn options() -> RenderOptions {
    RenderOptions {
        generated_at: Utc.with_ymd_and_hms(2026, 3, 2, 15, 30, 0).unwrap(),
        verification_hash: HASH.to_owned(),
        locale: Locale::Es,
        verify_origin: None,
    }
}

fn hn() -> Catalog {
    Catalog::honduras().unwrap()
}

fn case(overrides: Value) -> Case {
    let mut base = json!({
        "id": "01950000-0000-7000-8000-000000000001",
        "number": "MIA-2026-000123",
        "office": "MIA",
        "category": "detention",
        "flags": ["pregnant"],
        "priority": "high",
        "status": "in_progress",
        "opened_on": "2026-03-01",
        "persons": [
            {
                "role": "national", "given_names": "María José", "surnames": "Núñez Güity",
                "sex": "female", "birth_date": "1994-07-21", "nationality": "HN",
                "documents": [{"kind": "hn_dni", "number": "0801-1994-04512"}],
                "contacts": [{"kind": "phone", "value": "+1 305 555 0142"}],
                "locations": [
                    {"kind": "current", "country": "US", "place": "Krome North, Miami, Florida"},
                    {"kind": "residence", "country": "HN", "place": "San Pedro Sula, Cortés"}
                ]
            },
            {
                "role": "relative", "relationship": "parent", "sex": "male",
                "given_names": "José Ángel", "surnames": "Núñez Peña",
                "birth_date": "1968-02-11", "nationality": "HN",
                "documents": [{"kind": "hn_dni", "number": "0501-1968-00321"}],
                "contacts": [
                    {"kind": "phone", "value": "+504 9912 3456"},
                    {"kind": "address", "value": "Colonia Río de Piedras, 5.ª calle, San Pedro Sula, Cortés"}
                ]
            }
        ],
        "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-01",
                    "scope": ["processing", "contact_family", "share_with_authorities"]},
        "facts": {
            "authority": "U.S. Immigration and Customs Enforcement (ICE)",
            "facility": "Krome North Service Processing Center, Miami, Florida",
            "detention_kind": "immigration",
            "arrest_date": "2026-02-27",
            "charges": "Ingreso sin inspección; audiencia pendiente ante el juez de inmigración",
            "next_hearing": "2026-03-20",
            "visits_made": 1
        },
        "notes": [{"text": "La connacional refiere buen trato y pide que se avise a su padre en San Pedro Sula. ¿Tiene abogado? Aún no; se le ofrece la lista de defensores gratuitos.", "written_on": "2026-03-01"}],
        "services": [
            {"kind": "consular_visit", "given_on": "2026-03-01",
             "description": "Primera visita consular: entrevista en español, verificación de condiciones y de salud."},
            {"kind": "family_contact", "given_on": "2026-03-01",
             "description": "Llamada al padre, José Ángel Núñez Peña, para informarle de la detención."}
        ],
        "referrals": [],
        "attachments": [],
        "forms": [],
        "version": 4,
        "created_at": "2026-03-01T14:00:00Z",
        "updated_at": "2026-03-01T18:00:00Z",
        "head": "3f2a9c1b7e0455d03f2a9c1b7e0455d03f2a9c1b7e0455d03f2a9c1b7e0455d0"
    });
    merge(&mut base, overrides);
    serde_json::from_value(base).unwrap()
}

fn merge(base: &mut Value, over: Value) {
    if let (Value::Object(b), Value::Object(o)) = (base, over) {
        for (k, v) in o {
            b.insert(k, v);
        }
    }
}

fn repatriation() -> Case {
    case(json!({
        "number": "HOU-2026-000042", "office": "HOU", "category": "repatriation_of_remains",
        "flags": [], "priority": "high", "status": "registered", "opened_on": "2026-02-22",
        "persons": [
            {"role": "national", "given_names": "Óscar Adalberto", "surnames": "Güity Martínez",
             "sex": "male", "birth_date": "1987-11-30", "nationality": "HN",
             "documents": [{"kind": "hn_dni", "number": "0101-1987-02233"}],
             "locations": [{"kind": "destination", "country": "HN", "place": "La Ceiba, Atlántida"}]},
            {"role": "relative", "relationship": "spouse", "sex": "female",
             "given_names": "Ana Lucía", "surnames": "Martínez de Güity", "nationality": "HN",
             "documents": [{"kind": "hn_dni", "number": "0101-1990-01876"}],
             "contacts": [{"kind": "phone", "value": "+504 3312 8899"},
                          {"kind": "address", "value": "Barrio El Iman, La Ceiba, Atlántida"}]}
        ],
        "consent": {"given": true, "given_by": 1, "recorded_on": "2026-02-22", "scope": ["processing"]},
        "facts": {
            "date_of_death": "2026-02-20",
            "place_of_death": "Hospital Memorial Hermann, Houston, Texas",
            "country_of_death": "US", "cause_of_death": "accident", "death_certificate": true,
            "funeral_home": "Funeraria Nuestra Señora de Guadalupe",
            "destination_municipality": "La Ceiba, Atlántida"
        },
        "notes": [], "services": []
    }))
}

fn missing_person() -> Case {
    case(json!({
        "number": "TAP-2026-000007", "office": "TAP", "category": "missing_person",
        "flags": [], "priority": "urgent", "status": "awaiting_authority", "opened_on": "2026-01-20",
        "persons": [
            {"role": "national", "given_names": "Wilmer Antonio", "surnames": "Cárcamo Ñamendi",
             "sex": "male", "birth_date": "2001-04-09", "nationality": "HN",
             "documents": [{"kind": "hn_dni", "number": "1804-2001-00456"}],
             "locations": [{"kind": "residence", "country": "HN", "place": "Olanchito, Yoro"},
                           {"kind": "last_known", "country": "MX", "place": "Albergue La 72, Tenosique, Tabasco"}]},
            {"role": "relative", "relationship": "parent", "sex": "female",
             "given_names": "Gloria", "surnames": "Ñamendi Zúniga", "nationality": "HN",
             "documents": [{"kind": "hn_dni", "number": "1804-1975-00123"}],
             "contacts": [{"kind": "phone", "value": "+504 9876 5432"},
                          {"kind": "email", "value": "gloria.namendi@example.org"},
                          {"kind": "address", "value": "Aldea San Antonio, Olanchito, Yoro"}]}
        ],
        "consent": {"given": true, "given_by": 1, "recorded_on": "2026-01-20",
                    "scope": ["processing", "share_with_partners", "share_with_authorities"]},
        "facts": {
            "last_known_place": "Albergue La 72, Tenosique, Tabasco",
            "last_known_country": "MX", "last_seen_date": "2026-01-10",
            "last_communication_date": "2026-01-12", "last_communication_means": "messaging"
        },
        "notes": [{"text": "Tatuaje de una paloma en el antebrazo izquierdo; viajaba con dos primos.", "written_on": "2026-01-20"}],
        "services": []
    }))
}

fn minor() -> Case {
    case(json!({
        "number": "MFE-2026-000311", "office": "MFE", "category": "unaccompanied_minor",
        "flags": ["minor"], "priority": "urgent", "status": "in_progress", "opened_on": "2026-02-28",
        "persons": [
            {"role": "national", "given_names": "Kevin Josué", "surnames": "Ramírez Pineda",
             "sex": "male", "birth_date": "2011-05-03", "nationality": "HN",
             "documents": [{"kind": "hn_passport", "number": "F1234567"}]},
            {"role": "relative", "relationship": "other_relative", "sex": "female",
             "given_names": "Lourdes", "surnames": "Pineda Ávila", "nationality": "HN",
             "contacts": [{"kind": "phone", "value": "+504 9955 1122"}],
             "locations": [{"kind": "residence", "country": "HN", "place": "Choluteca, Choluteca"}]}
        ],
        "consent": {"given": true, "given_by": 1, "recorded_on": "2026-02-28", "scope": ["processing", "contact_family"]},
        "facts": {
            "shelter": "Albergue temporal de la Oficina de Reasentamiento, McAllen, Texas",
            "child_protection_authority": "Dirección de Niñez, Adolescencia y Familia (DINAF)",
            "handed_over": true, "located_date": "2026-02-27"
        },
        "notes": [], "services": []
    }))
}

/// The case each form is rendered for, and strings `pdftotext` must find in it.
fn fixtures() -> Vec<(&'static str, Case, Vec<&'static str>)> {
    vec![
        (
            "intake_sheet",
            case(json!({})),
            vec![
                "Ficha de registro del caso",
                "María José Núñez Güity",
                "San Pedro Sula, Cortés",
                "Persona detenida / privada de libertad",
                "Embarazada",
                "José Ángel Núñez Peña",
                "Krome North Service Processing Center",
                "¿Tiene abogado? Aún no",
                "Secretaría de Estado en el Despacho de Relaciones Exteriores",
                "Consulado General de Honduras en Miami",
            ],
        ),
        (
            "informed_consent",
            case(json!({})),
            vec![
                "Consentimiento informado",
                "Yo, María José Núñez Güity, declaro",
                "¿Tiene alguna pregunta? ¡Pregunte antes de firmar!",
                "Tratamiento de sus datos para el caso, Contactar a su familia, Compartir con autoridades extranjeras",
                "el personal de la oficina consular en Miami",
                "Miami, 2 de marzo de 2026",
            ],
        ),
        (
            "remains_repatriation_request",
            repatriation(),
            vec![
                "Solicitud de repatriación de restos",
                "Óscar Adalberto Güity Martínez",
                "Ana Lucía Martínez de Güity",
                "en mi calidad de cónyuge o pareja de Óscar Adalberto Güity Martínez",
                "La Ceiba, Atlántida",
                "Fondo de Solidaridad con el Migrante Hondureño (FOSMIH)",
                "Consulado General de Honduras en Houston",
            ],
        ),
        (
            "power_of_attorney",
            repatriation(),
            vec![
                "Carta poder",
                "PODER AMPLIO Y SUFICIENTE",
                "quien en vida se llamó Óscar Adalberto Güity Martínez",
                "hospitales, servicios médico-forenses y funerarias",
                "Testigo",
            ],
        ),
        (
            "consular_transfer_certificate",
            repatriation(),
            vec![
                "Certificado consular de traslado",
                "CERTIFICA que los restos mortales de Óscar Adalberto Güity Martínez",
                "Funeraria Nuestra Señora de Guadalupe",
            ],
        ),
        (
            "search_request",
            missing_person(),
            vec![
                "Solicitud de búsqueda",
                "Wilmer Antonio Cárcamo Ñamendi",
                "Gloria Ñamendi Zúniga",
                "en mi calidad de madre de Wilmer Antonio Cárcamo Ñamendi",
                "Albergue La 72, Tenosique, Tabasco",
                "Mensajería",
                "12/01/2026",
                "Consulado de Honduras en Tapachula",
            ],
        ),
        (
            "family_authorization",
            missing_person(),
            vec![
                "Autorización familiar",
                "Comité Internacional de la Cruz Roja",
                "Gloria Ñamendi Zúniga",
            ],
        ),
        (
            "authority_information_request",
            case(json!({})),
            vec![
                "Solicitud de información a la autoridad",
                "artículo 36 de la Convención de Viena sobre Relaciones Consulares",
                "U.S. Immigration and Customs Enforcement (ICE)",
                "María José Núñez Güity",
                "27/02/2026",
            ],
        ),
        (
            "consular_visit_report",
            case(json!({})),
            vec![
                "Informe de visita consular",
                "Visita consular",
                "Primera visita consular: entrevista en español",
                "Próxima audiencia",
                "20/03/2026",
            ],
        ),
        (
            "minor_handover_record",
            minor(),
            vec![
                "Acta de entrega",
                "Kevin Josué Ramírez Pineda",
                "Dirección de Niñez, Adolescencia y Familia (DINAF)",
                "Lourdes Pineda Ávila",
                "interés superior",
                "Consulado de Honduras en McAllen",
            ],
        ),
    ]
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("forms_pdf");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tool(name: &str, args: &[&str]) -> std::process::Output {
    Command::new(name).args(args).output().unwrap_or_else(|e| {
        panic!(
            "cannot run `{name}` ({e}): install poppler-utils and qpdf \
             (`apt-get install -y poppler-utils qpdf`; `make test` does it)"
        )
    })
}

fn write(name: &str, pdf: &RenderedForm) -> PathBuf {
    let path = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&path, &pdf.bytes).unwrap();
    path
}

/// The text of every page, whitespace collapsed (lines wrap anywhere).
fn pdftotext(path: &Path) -> Vec<String> {
    let out = tool("pdftotext", &["-enc", "UTF-8", path.to_str().unwrap(), "-"]);
    assert!(out.status.success(), "pdftotext failed: {out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

fn qpdf_check(path: &Path) {
    let out = tool("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "qpdf --check {}: {}{}",
        path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn check_pages(pages: &[String], pdf: &RenderedForm, number: &str) {
    assert_eq!(pages.len(), pdf.pages);
    for (i, page) in pages.iter().enumerate() {
        let page_of = format!("Página {} de {}", i + 1, pdf.pages);
        for needle in [
            number,
            page_of.as_str(),
            "Generado el 02/03/2026",
            "3F2A-9C1B-7E04",
        ] {
            assert!(
                page.contains(needle),
                "page {} lacks {needle:?}:\n{page}",
                i + 1
            );
        }
    }
}

#[test]
fn every_honduran_form_renders_searchable_and_valid() {
    let catalog = hn();
    let fixtures = fixtures();
    let ids: Vec<&str> = catalog.forms.iter().map(|f| f.id.as_str()).collect();
    for (id, _, _) in &fixtures {
        assert!(ids.contains(id), "{id}");
    }
    assert_eq!(fixtures.len(), ids.len(), "a fixture per form");
    for (id, case, needles) in fixtures {
        let pdf = forms::render_form(&case, &catalog, id, &options()).unwrap();
        let path = write(id, &pdf);
        qpdf_check(&path);
        let pages = pdftotext(&path);
        check_pages(&pages, &pdf, &case.number);
        let all = pages.join(" ");
        for needle in needles {
            assert!(all.contains(needle), "{id} lacks {needle:?}:\n{all}");
        }
        assert!(
            pdf.bytes.len() < 40 * 1024,
            "{id}: {} bytes",
            pdf.bytes.len()
        );
        assert_eq!(pdf.sha256.len(), 64);
    }
}

#[test]
fn times_print_in_the_office_time_zone() {
    // 15:30 UTC is 10:30 in Miami (EST) and 16:30 in Madrid (CET).
    let catalog = hn();
    let pdf = forms::render_form(&case(json!({})), &catalog, "intake_sheet", &options()).unwrap();
    let pages = pdftotext(&write("tz_miami", &pdf));
    assert!(pages[0].contains("02/03/2026 10:30 EST"), "{}", pages[0]);
    let madrid = case(json!({"office": "MAD", "number": "MAD-2026-000009"}));
    let pdf = forms::render_form(&madrid, &catalog, "intake_sheet", &options()).unwrap();
    let path = write("tz_madrid", &pdf);
    let pages = pdftotext(&path);
    assert!(pages[0].contains("02/03/2026 16:30 CET"), "{}", pages[0]);
    // Madrid prints on A4.
    let out = tool("pdfinfo", &[path.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(
        info.contains("595.28 x 841.89") || info.contains("(A4)"),
        "{info}"
    );
}

#[test]
fn a_long_note_flows_onto_more_pages() {
    let catalog = hn();
    let sentence = "El connacional relata que salió de Choluteca en diciembre, cruzó Guatemala \
                    en autobús y fue retenido en Tapachula; pide que se informe a su esposa, \
                    doña Mayra Ñáñez, y que se revise su solicitud de asilo. ";
    let mut note = String::new();
    while note.chars().count() < 3000 {
        note.push_str(sentence);
    }
    let note: String = note.chars().take(2990).collect::<String>() + " ¡FIN!";
    assert!(note.chars().count() >= 2990);
    let long = case(json!({"notes": [{"text": note, "written_on": "2026-03-02"}]}));
    let short = forms::render_form(&case(json!({})), &catalog, "intake_sheet", &options()).unwrap();
    let pdf = forms::render_form(&long, &catalog, "intake_sheet", &options()).unwrap();
    assert!(pdf.pages > short.pages, "{} pages", pdf.pages);
    assert!(pdf.pages >= 2);
    let path = write("long_note", &pdf);
    qpdf_check(&path);
    let pages = pdftotext(&path);
    check_pages(&pages, &pdf, "MIA-2026-000123");
    let all = pages.join(" ");
    // Every word of the note made it, in order, across the page break.
    let mut rest = all.as_str();
    for word in note.split_whitespace() {
        let at = rest.find(word).unwrap_or_else(|| panic!("lost {word:?}"));
        rest = &rest[at + word.len()..];
    }
    assert!(all.contains("¡FIN!"));
    // Later pages carry the running header.
    assert!(pages[1].contains("continuación"), "{}", pages[1]);
}

#[test]
fn output_is_deterministic() {
    let catalog = hn();
    let c = missing_person();
    let a = forms::render_form(&c, &catalog, "search_request", &options()).unwrap();
    let b = forms::render_form(&c, &catalog, "search_request", &options()).unwrap();
    assert_eq!(a.bytes, b.bytes);
    assert_eq!(a.sha256, b.sha256);
    let mut other = options();
    other.verification_hash = "0".repeat(64);
    let c2 = forms::render_form(&c, &catalog, "search_request", &other).unwrap();
    assert_ne!(a.sha256, c2.sha256);
}

#[test]
fn the_full_verification_hash_is_in_the_metadata() {
    let catalog = hn();
    let pdf =
        forms::render_form(&case(json!({})), &catalog, "informed_consent", &options()).unwrap();
    let path = write("metadata", &pdf);
    let out = tool("pdfinfo", &[path.to_str().unwrap()]);
    let info = String::from_utf8_lossy(&out.stdout);
    assert!(info.contains(HASH), "{info}");
    assert!(
        info.contains("Consentimiento informado — MIA-2026-000123"),
        "{info}"
    );
    let raw = String::from_utf8_lossy(&pdf.bytes);
    assert!(
        raw.contains(&format!("/SiprocVerification ({HASH})"))
            || raw.contains("SiprocVerification")
    );
}

/// The web application and every other face show a case's status, its priority and the scopes of
/// its consent with the labels of the catalog view (`Catalog::view(locale).labels`); the PDF
/// forms must print exactly those words, for every value, in both locales.
#[test]
fn forms_print_the_catalog_views_labels_for_every_status_priority_and_scope() {
    let catalog = hn();
    let statuses = [
        "registered",
        "in_progress",
        "awaiting_authority",
        "resolved",
        "closed",
        "archived",
    ];
    let priorities = ["low", "normal", "high", "urgent"];
    let scopes = [
        "processing",
        "share_with_partners",
        "share_with_authorities",
        "contact_family",
    ];
    for locale in [Locale::Es, Locale::En] {
        let labels = catalog.view(locale).labels;
        let mut opts = options();
        opts.locale = locale;
        let text = |case: &Case, form: &str, name: &str| -> String {
            let pdf = forms::render_form(case, &catalog, form, &opts).unwrap();
            pdftotext(&write(name, &pdf)).join(" ")
        };
        for (i, status) in statuses.iter().enumerate() {
            let priority = priorities[i % priorities.len()];
            let case = case(json!({"status": status, "priority": priority}));
            let all = text(&case, "intake_sheet", &format!("labels-{status}"));
            let wanted = [
                labels.get("status", status),
                labels.get("priority", priority),
            ];
            for label in wanted.map(Option::unwrap) {
                assert!(!label.is_empty());
                assert!(
                    all.contains(label),
                    "{locale:?} {status}: {label:?} not in\n{all}"
                );
            }
        }
        let case = case(json!({"consent": {
            "given": true, "given_by": 0, "recorded_on": "2026-03-01", "scope": scopes
        }}));
        let all = text(&case, "informed_consent", "labels-scopes");
        let printed: Vec<&str> = scopes
            .iter()
            .map(|s| labels.get("consent_scope", s).unwrap())
            .collect();
        assert!(
            all.contains(&printed.join(", ")),
            "{locale:?}: {printed:?} not in\n{all}"
        );
    }
    assert_eq!(
        catalog.view(Locale::Es).labels.get("status", "in_progress"),
        Some("En trámite")
    );
}

#[test]
fn english_versions_render() {
    let catalog = hn();
    let mut opts = options();
    opts.locale = Locale::En;
    let pdf = forms::render_form(
        &case(json!({})),
        &catalog,
        "authority_information_request",
        &opts,
    )
    .unwrap();
    let pages = pdftotext(&write("english", &pdf));
    let all = pages.join(" ");
    assert!(
        all.contains("Request for information to the authority"),
        "{all}"
    );
    assert!(all.contains("Article 36 of the Vienna Convention"), "{all}");
    assert!(all.contains("Page 1 of"), "{all}");
}

#[test]
fn case_data_the_fonts_cannot_print_is_an_error_without_the_value() {
    let catalog = hn();
    let mut c = case(json!({}));
    c.persons[0].given_names = "María 中文".to_owned();
    let err: FormError = forms::render_form(&c, &catalog, "intake_sheet", &options()).unwrap_err();
    assert_eq!(err.code, "forms.missing_glyph");
    assert_eq!(err.field.as_deref(), Some("national.full_name"));
    let msg = err.to_string();
    assert!(msg.contains("U+4E2D"), "{msg}");
    assert!(!msg.contains("María"), "{msg}");
}

#[test]
fn bad_options_are_errors() {
    let catalog = hn();
    let mut opts = options();
    opts.verification_hash = "nothex".to_owned();
    let err = forms::render_form(&case(json!({})), &catalog, "intake_sheet", &opts).unwrap_err();
    assert_eq!(err.code, "forms.bad_verification_hash");
    let err =
        forms::render_form(&case(json!({})), &catalog, "no_such_form", &options()).unwrap_err();
    assert_eq!(err.code, "forms.unknown_form");
}

fn pack_files() -> BTreeMap<&'static str, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("packs/hn");
    siproc_core::PACK_FILES
        .iter()
        .map(|n| (*n, std::fs::read_to_string(dir.join(n)).unwrap()))
        .collect()
}

fn load_with_forms(edit: impl FnOnce(&mut Value)) -> Result<Catalog, siproc_core::CatalogError> {
    let mut files = pack_files();
    let mut forms: Value = serde_json::from_str(&files["forms.json"]).unwrap();
    edit(&mut forms);
    files.insert("forms.json", forms.to_string());
    Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str())))
}

#[test]
fn template_errors_are_caught_when_the_pack_loads() {
    // The shipped pack loads.
    load_with_forms(|_| {}).unwrap();

    let err = load_with_forms(|f| {
        f[0]["blocks"][0]["fields"][0]["bind"] = json!("national.shoe_size");
    })
    .unwrap_err();
    assert_eq!(
        (err.code, err.file.as_str()),
        ("catalog.unknown_reference", "forms.json")
    );
    assert_eq!(err.entry.as_deref(), Some("intake_sheet/blocks/0/fields/0"));
    assert!(err.reason.contains("national.shoe_size"), "{err}");

    let err = load_with_forms(|f| {
        f[1]["blocks"][1]["text"]["es"] = json!("Yo, {consent.given_by}, y {national.apodo}.");
    })
    .unwrap_err();
    assert_eq!(err.code, "catalog.unknown_reference");
    assert!(
        err.entry
            .as_deref()
            .unwrap()
            .starts_with("informed_consent/blocks/1/text/es")
    );

    let err = load_with_forms(|f| {
        f[1]["blocks"][1]["text"]["es"] = json!("Yo, {consent.given_by, declaro.");
    })
    .unwrap_err();
    assert_eq!(err.code, "catalog.bad_value");
    assert!(err.reason.contains("placeholder"), "{err}");

    let err = load_with_forms(|f| {
        f[2]["blocks"][0]["fields"][4]["bind"] = json!("fact.facility");
    })
    .unwrap_err();
    assert_eq!(err.code, "catalog.unknown_reference");
    assert!(err.reason.contains("facility"), "{err}");

    let err = load_with_forms(|f| {
        f[0]["title"]["es"] = json!("Ficha de registro 中");
    })
    .unwrap_err();
    assert_eq!(err.code, "catalog.bad_value");
    assert_eq!(err.entry.as_deref(), Some("intake_sheet/title/es"));
    assert!(err.reason.contains("U+4E2D"), "{err}");

    let err = load_with_forms(|f| {
        f[0]["blocks"][3]["columns"][0]["bind"] = json!("service.kind");
    })
    .unwrap_err();
    assert_eq!(
        err.entry.as_deref(),
        Some("intake_sheet/blocks/3/columns/0")
    );
}

#[test]
fn a_pack_label_the_fonts_cannot_print_is_an_error() {
    let mut files = pack_files();
    let offices = files["offices.json"].replacen("Miami", "Miami \u{4E2D}", 1);
    files.insert("offices.json", offices);
    let Err(err) = Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str()))) else {
        panic!("a label the fonts lack must fail the pack");
    };
    assert_eq!(err.file, "offices.json");
    assert!(err.reason.contains("U+4E2D"), "{err}");
}

#[test]
fn required_forms_follow_category_and_state() {
    let catalog = hn();
    let ids = |c: &Case| -> Vec<(String, bool)> {
        forms::required_forms(c, &catalog)
            .into_iter()
            .map(|r| (r.form, r.generated))
            .collect()
    };
    let mut c = repatriation();
    assert_eq!(
        ids(&c),
        vec![
            ("intake_sheet".to_owned(), false),
            ("informed_consent".to_owned(), false),
            ("remains_repatriation_request".to_owned(), false),
            ("power_of_attorney".to_owned(), false),
        ]
    );
    let pdf = forms::render_form(&c, &catalog, "intake_sheet", &options()).unwrap();
    c.forms.push(pdf.generated_form());
    c.status = siproc_core::Status::Resolved;
    let now = ids(&c);
    assert_eq!(now.len(), 5);
    assert_eq!(now[0], ("intake_sheet".to_owned(), true));
    assert_eq!(now[4], ("consular_transfer_certificate".to_owned(), false));
    let titles: Vec<String> = forms::required_forms(&missing_person(), &catalog)
        .into_iter()
        .map(|r| r.title)
        .collect();
    assert_eq!(
        titles,
        [
            "Ficha de registro del caso",
            "Consentimiento informado",
            "Solicitud de búsqueda",
            "Autorización familiar"
        ]
    );
}

#[test]
fn guatemalan_pack_forms_render() {
    let gt = Catalog::guatemala().unwrap();
    let office = gt.offices[1].code.clone();
    let category = gt.categories[0].code.clone();
    let c = case(json!({"office": office, "category": category, "facts": {}, "flags": []}));
    for id in ["intake_sheet", "informed_consent"] {
        let pdf = forms::render_form(&c, &gt, id, &options()).unwrap();
        let path = write(&format!("gt_{id}"), &pdf);
        qpdf_check(&path);
        let all = pdftotext(&path).join(" ");
        assert!(
            all.contains("Ministerio de Relaciones Exteriores de Guatemala"),
            "{all}"
        );
    }
}

/// Regenerates `docs/forms/<form>.png`, the first page of each form at 60 dpi.
#[test]
#[ignore = "writes docs/forms; run by hand"]
fn write_sample_pngs() {
    let catalog = hn();
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/forms");
    std::fs::create_dir_all(&docs).unwrap();
    for (id, case, _) in fixtures() {
        let pdf = forms::render_form(&case, &catalog, id, &options()).unwrap();
        let path = write(id, &pdf);
        let prefix = docs.join(id);
        let out = tool(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                path.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
    }
}

/// The QR code reads back as the case number and the full hash. Needs `zbarimg` (zbar-tools,
/// which `make test` installs); a bare `cargo test` without it skips with a message.
#[test]
fn the_qr_code_decodes() {
    if Command::new("zbarimg").arg("--version").output().is_err() {
        eprintln!("skipped: zbarimg not installed (apt-get install -y zbar-tools)");
        return;
    }
    let catalog = hn();
    for (i, hash) in [
        HASH.to_owned(),
        "0".repeat(64),
        "f".repeat(64),
        "a1".repeat(32),
    ]
    .into_iter()
    .enumerate()
    {
        let mut opts = options();
        opts.verification_hash = hash.clone();
        let pdf =
            forms::render_form(&case(json!({})), &catalog, "informed_consent", &opts).unwrap();
        let path = write(&format!("qr_{i}"), &pdf);
        let png = out_dir().join(format!("qr_{i}"));
        let out = tool(
            "pdftoppm",
            &["-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"]
                .into_iter()
                .chain([path.to_str().unwrap(), png.to_str().unwrap()])
                .collect::<Vec<_>>(),
        );
        assert!(out.status.success());
        let out = tool(
            "zbarimg",
            &["-q", "--raw", &format!("{}.png", png.display())],
        );
        let text = String::from_utf8_lossy(&out.stdout);
        let expected = format!("SIPROC:MIA-2026-000123:{}", hash.to_uppercase());
        assert_eq!(text.trim(), expected);
    }
}

#[test]
fn generating_a_form_records_it_in_the_history() {
    use siproc_core::store::{self, CaseStore};
    use siproc_core::{Actor, Role};

    let catalog = hn();
    let intake: siproc_core::Intake = serde_json::from_value(json!({
        "office": "MIA", "category": "detention", "opened_on": "2026-03-01",
        "persons": [{"role": "national", "given_names": "María José", "surnames": "Núñez Güity",
                     "birth_date": "1994-07-21", "nationality": "HN",
                     "documents": [{"kind": "hn_dni", "number": "0801 1994 04512"}]}],
        "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-01", "scope": ["processing"]},
        "facts": {"authority": "ICE", "facility": "Krome North Service Processing Center",
                  "detention_kind": "immigration", "arrest_date": "2026-02-27"}
    }))
    .unwrap();
    let memory = store::MemoryStore::new();
    let officer = Actor::new("u-17", Role::Officer, "MIA");
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 15, 0, 0).unwrap();
    let case = store::open_case(&memory, &catalog, &officer, &intake, now).unwrap();
    let head = case.head.clone();
    let missing: Vec<String> = forms::required_forms(&case, &catalog)
        .into_iter()
        .filter(|f| !f.generated)
        .map(|f| f.form)
        .collect();
    assert!(missing.contains(&"intake_sheet".to_owned()));

    let later = now + chrono::Duration::minutes(5);
    let (case, pdf) = store::generate_form(
        &memory,
        &catalog,
        &officer,
        case.id,
        "intake_sheet",
        &forms::Generating {
            locale: Locale::Es,
            now: later,
            verify_origin: None,
        },
    )
    .unwrap();
    assert_eq!(case.version, 2);
    assert_eq!(case.forms.len(), 1);
    assert_eq!(case.forms[0].sha256, pdf.sha256);
    let required = forms::required_forms(&case, &catalog);
    assert!(
        required
            .iter()
            .any(|f| f.form == "intake_sheet" && f.generated)
    );

    // The printed verification code is the hash of the event the form was generated from.
    let pages = pdftotext(&write("generated_intake_sheet", &pdf));
    assert!(
        pages[0].contains(&forms::verification_code(&head)),
        "the code of the head event is printed"
    );
    let events = memory.load(case.id).unwrap();
    assert_eq!(events[1].prev_hash, head);
    siproc_core::history::verify(&events).unwrap();

    // Someone from another office may not generate this case's forms.
    let stranger = Actor::new("u-9", Role::Officer, "MAD");
    let err = store::generate_form(
        &memory,
        &catalog,
        &stranger,
        case.id,
        "informed_consent",
        &forms::Generating {
            locale: Locale::Es,
            now: later,
            verify_origin: None,
        },
    )
    .unwrap_err();
    assert!(err.code().starts_with("workflow."), "{}", err.code());
    assert_eq!(
        memory.load(case.id).unwrap().len(),
        2,
        "nothing was appended"
    );
}

/// A case of `category` in `pack`, registered at the pack's first consulate, every fact of the
/// category filled with a value of its type, the national carrying the pack's first document
/// kind and a relative as requester.
fn pack_case(pack: &Catalog, category: &str) -> Case {
    let office = pack
        .offices
        .iter()
        .find(|o| o.kind == siproc_core::OfficeKind::Consulate)
        .unwrap()
        .code
        .clone();
    let mut facts = serde_json::Map::new();
    for f in &pack.category(category).unwrap().facts {
        use siproc_core::FactType;
        let value = match f.kind {
            FactType::Text => json!("Texto de prueba, con acentos: ñandú, pingüino"),
            FactType::Date => json!("2026-02-20"),
            FactType::Country => json!("US"),
            FactType::Choice => json!(f.values[0].code),
            FactType::Boolean => json!(true),
            FactType::Count => json!(2),
        };
        facts.insert(f.key.clone(), value);
    }
    let (kind, number) = match pack.pack.documents[0].as_str() {
        "sv_dui" => ("sv_dui", "05128734-6"),
        "mx_curp" => ("mx_curp", "GOCM900215MCSMRR02"),
        "gt_dpi" => ("gt_dpi", "1234567890101"),
        _ => ("hn_dni", "0801-1994-04512"),
    };
    let mut c = case(json!({
        "number": format!("{office}-2026-000123"),
        "office": office,
        "category": category,
        "facts": facts,
        "flags": [],
    }));
    c.persons[0].nationality = Some(pack.pack.country.clone());
    c.persons[0].documents[0].kind = kind.to_owned();
    c.persons[0].documents[0].number = number.to_owned();
    c
}

#[test]
fn every_form_of_every_pack_renders_searchable_and_valid() {
    for id in ["hn", "gt", "sv", "mx"] {
        let pack = Catalog::builtin(id).unwrap();
        let mut rendered = std::collections::BTreeSet::new();
        for category in &pack.categories {
            let c = pack_case(&pack, &category.code);
            for form in pack.forms_for(&category.code) {
                let pdf = forms::render_form(&c, &pack, &form.id, &options())
                    .unwrap_or_else(|e| panic!("{id}/{}/{}: {e}", category.code, form.id));
                let path = write(&format!("{id}_{}_{}", category.code, form.id), &pdf);
                qpdf_check(&path);
                let pages = pdftotext(&path);
                check_pages(&pages, &pdf, &c.number);
                let all = pages.join(" ");
                for needle in [
                    pack.pack.ministry.es.as_str(),
                    form.title.es.as_str(),
                    "Texto de prueba",
                ] {
                    let needle = needle.split_whitespace().collect::<Vec<_>>().join(" ");
                    // The test text is printed where the form shows a text fact of this
                    // category: in its facts table, or as a field naming that fact.
                    let text_facts: Vec<&str> = category
                        .facts
                        .iter()
                        .filter(|f| matches!(f.kind, siproc_core::FactType::Text))
                        .map(|f| f.key.as_str())
                        .collect();
                    let blocks = serde_json::to_string(&form.blocks).unwrap();
                    let shows_text = !text_facts.is_empty() && blocks.contains("\"facts\"")
                        || text_facts
                            .iter()
                            .any(|k| blocks.contains(&format!("\"fact.{k}\"")));
                    let shows_facts = !needle.starts_with("Texto") || shows_text;
                    assert!(
                        !shows_facts || all.contains(&needle),
                        "{id}/{}/{} lacks {needle:?}:\n{all}",
                        category.code,
                        form.id
                    );
                }
                assert!(pdf.bytes.len() < 40 * 1024, "{id}/{}", form.id);
                rendered.insert(form.id.clone());
            }
        }
        let all: std::collections::BTreeSet<String> =
            pack.forms.iter().map(|f| f.id.clone()).collect();
        assert_eq!(
            rendered, all,
            "{id}: every form of the pack is used and renders"
        );
    }
}

/// Regenerates `docs/forms/sv_intake_sheet.png` and `docs/forms/mx_consular_visit_report.png`.
#[test]
#[ignore = "writes docs/forms; run by hand"]
fn write_pack_sample_pngs() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/forms");
    for (id, category, form) in [
        ("sv", "repatriation_of_remains", "intake_sheet"),
        ("mx", "criminal", "consular_visit_report"),
    ] {
        let pack = Catalog::builtin(id).unwrap();
        let c = pack_case(&pack, category);
        let pdf = forms::render_form(&c, &pack, form, &options()).unwrap();
        let path = write(&format!("{id}_{form}"), &pdf);
        let prefix = docs.join(format!("{id}_{form}"));
        let out = tool(
            "pdftoppm",
            &[
                "-png",
                "-r",
                "60",
                "-f",
                "1",
                "-l",
                "1",
                "-singlefile",
                path.to_str().unwrap(),
                prefix.to_str().unwrap(),
            ],
        );
        assert!(out.status.success(), "{out:?}");
    }
}
