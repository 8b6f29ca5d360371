//! Legacy import: conversion, follow-ups, provenance, idempotency, and completion by `correct`.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use siproc_core::history::{self, EventKind};
use siproc_core::legacy::{
    self, ImportOptions, LegacyMap, LegacyRow, Outcome, parse_date, split_name,
};
use siproc_core::store::{self, CaseStore, MemoryStore};
use siproc_core::workflow::Command;
use siproc_core::{Actor, Role};
use siproc_core::{Catalog, Locale};
use siproc_core::{Consent, ConsentScope, FollowUp};

fn now() -> DateTime<Utc> {
    "2026-06-01T12:00:00Z".parse().unwrap()
}

fn today() -> NaiveDate {
    now().date_naive()
}

fn catalog() -> Catalog {
    Catalog::honduras().unwrap()
}

fn map() -> LegacyMap {
    LegacyMap::builtin("hn").unwrap()
}

fn directorate() -> Actor {
    Actor::new("migracion-legado", Role::Directorate, "DGPHM")
}

/// A detention row as real logs have them: free-text notes, no category facts, no consent.
fn detention_row() -> LegacyRow {
    LegacyRow {
        number: "17".into(),
        opened_on: "23-11-2020".into(),
        office: "CONSULADO TAPACHULA".into(),
        category: "Detención migratoria".into(),
        full_name: "PEÑA GÜITY, Ana Lucía".into(),
        identity: "0801 1990 12345".into(),
        birth_date: "11/7/1990".into(),
        sex: "Mujer".into(),
        phone: "9876-5432".into(),
        email: "".into(),
        country: "México".into(),
        place: "Estación Migratoria Siglo XXI".into(),
        notes: "Caso referido a la Dirección. Contacto con el hermano en San Pedro Sula.".into(),
        files: String::new(),
    }
}

fn codes(c: &legacy::Conversion) -> Vec<&str> {
    c.issues
        .iter()
        .filter(|i| i.severity == siproc_core::Severity::Error)
        .map(|i| i.code.as_str())
        .collect()
}

fn follow(code: &str, path: &str) -> FollowUp {
    FollowUp {
        code: code.into(),
        path: path.into(),
    }
}

#[test]
fn the_pack_tables_load_and_check() {
    let catalog = catalog();
    map().check(&catalog).unwrap();
    let bad = r#"{"national_id": "hn_dni", "passport": "hn_passport", "phone_country": "HN",
                 "incomplete": {}, "office_aliases": {"marte": "XXX"}}"#;
    let err = LegacyMap::from_json(bad, &catalog).unwrap_err();
    assert_eq!(
        (err.code, err.entry.as_deref()),
        ("catalog.unknown_reference", Some("marte"))
    );
}

#[test]
fn dates_are_read_as_consulates_write_them() {
    let months = map().months;
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    for (text, date, format) in [
        ("23-11-2020", day(2020, 11, 23), "d-m-yyyy"),
        ("11/7/1979", day(1979, 7, 11), "d/m/yyyy"),
        ("2024-11-20", day(2024, 11, 20), "yyyy-mm-dd"),
        ("7 de marzo de 2021", day(2021, 3, 7), "d de mes de yyyy"),
        ("14.03.2019", day(2019, 3, 14), "d.m.yyyy"),
        ("14-03-19", day(2019, 3, 14), "d-m-yy"),
        ("14-03-85", day(1985, 3, 14), "d-m-yy"),
        ("14-mar-2019", day(2019, 3, 14), "d-mes-yyyy"),
        (
            "7 DE SETIEMBRE DE 2021",
            day(2021, 9, 7),
            "d de mes de yyyy",
        ),
        ("43538", day(2019, 3, 14), "excel_serial"),
    ] {
        assert_eq!(
            parse_date(text, &months, today()),
            Some((date, format)),
            "{text}"
        );
    }
    for text in [
        "31/02/2019",
        "ayer",
        "2019-13-01",
        "pendiente",
        "",
        "12/25/2020",
        "1/2/3/4",
    ] {
        assert_eq!(parse_date(text, &months, today()), None, "{text}");
    }
}

#[test]
fn names_are_split_and_remarks_left_out() {
    let cases = [
        ("Ana Lucía Peña Güity", ("Ana Lucía", "Peña Güity")),
        ("PEÑA GÜITY, ANA LUCIA", ("ANA LUCIA", "PEÑA GÜITY")),
        ("Wilmer Cálix", ("Wilmer", "Cálix")),
        ("José Cruz Mejía", ("José", "Cruz Mejía")),
        ("CARLOS MEJIA (hermano)", ("CARLOS", "MEJIA")),
        ("Rosa Amaya 2 / ver expediente", ("Rosa", "Amaya")),
    ];
    for (text, (given, surnames)) in cases {
        assert_eq!(split_name(text), (given.into(), surnames.into()), "{text}");
    }
}

#[test]
fn a_free_text_row_is_migrated_with_follow_ups() {
    let c = legacy::convert(&detention_row(), &catalog(), &map(), Locale::Es, today());
    assert!(c.ready.is_some(), "{:?}", c.issues);
    assert_eq!(codes(&c), Vec::<&str>::new());
    let intake = c.ready.as_ref().unwrap().intake();
    assert_eq!(
        (intake.office.as_str(), intake.category.as_str()),
        ("TAP", "detention")
    );
    assert_eq!(
        intake.opened_on,
        NaiveDate::from_ymd_opt(2020, 11, 23).unwrap()
    );
    let national = &intake.persons[0];
    assert_eq!(
        (national.given_names.as_str(), national.surnames.as_str()),
        ("Ana Lucía", "PEÑA GÜITY")
    );
    assert_eq!(national.documents[0].number, "0801-1990-12345");
    assert_eq!(national.birth_date, NaiveDate::from_ymd_opt(1990, 7, 11));
    // The notes are the case's first note; the place fills the facility.
    assert_eq!(intake.notes[0].text, detention_row().notes);
    assert_eq!(
        intake.facts["facility"],
        json!("Estación Migratoria Siglo XXI")
    );
    assert_eq!(
        c.follow_ups,
        vec![
            follow("consent.missing", "/consent"),
            follow("fact.required", "/facts/arrest_date"),
            follow("fact.required", "/facts/authority"),
            follow("fact.required", "/facts/detention_kind"),
        ]
    );
    let used: Vec<String> = c.mappings.iter().map(ToString::to_string).collect();
    for m in [
        "office alias: consulado tapachula → TAP",
        "category alias: detencion migratoria → detention",
        "opened_on date_format: d-m-yyyy",
        "birth_date date_format: d/m/yyyy",
        "country alias: mexico → MX",
    ] {
        assert!(used.contains(&m.to_owned()), "{m} not in {used:?}");
    }
}

#[test]
fn a_minor_without_guardian_and_a_missing_relative_are_follow_ups() {
    let mut row = detention_row();
    row.category = "NNA no acompañado".into();
    row.birth_date = "2012-05-01".into();
    row.identity = String::new();
    let c = legacy::convert(&row, &catalog(), &map(), Locale::Es, today());
    assert!(c.ready.is_some(), "{:?}", c.issues);
    assert!(
        c.follow_ups
            .contains(&follow("person.minor_without_guardian", "/persons"))
    );

    row.category = "Fallecido".into();
    row.birth_date = String::new();
    let c = legacy::convert(&row, &catalog(), &map(), Locale::Es, today());
    assert!(c.ready.is_some(), "{:?}", c.issues);
    assert!(
        c.follow_ups
            .contains(&follow("persons.relative_required", "/persons"))
    );
}

#[test]
fn a_bad_phone_is_left_out_and_followed_up() {
    let mut row = detention_row();
    row.phone = "123".into();
    row.email = "x@@hotmail.com".into();
    let c = legacy::convert(&row, &catalog(), &map(), Locale::Es, today());
    assert!(c.ready.is_some(), "{:?}", c.issues);
    assert!(
        c.ready.as_ref().unwrap().intake().persons[0]
            .contacts
            .is_empty()
    );
    assert!(
        c.follow_ups
            .contains(&follow("phone.invalid", "/persons/0/contacts"))
    );
    assert!(
        c.follow_ups
            .contains(&follow("email.invalid", "/persons/0/contacts"))
    );
}

#[test]
fn wrong_records_stay_errors() {
    type Change = fn(&mut LegacyRow);
    let cases: [(&str, Change, &str); 8] = [
        (
            "impossible dni",
            |r| r.identity = "2101-1990-00012".into(),
            "dni.bad_department",
        ),
        (
            "dni length",
            |r| r.identity = "0801-199-1234".into(),
            "dni.bad_length",
        ),
        (
            "future birth",
            |r| r.birth_date = "2031-01-01".into(),
            "date.in_future",
        ),
        (
            "unknown office",
            |r| r.office = "Consulado en Marte".into(),
            "legacy.unknown_office",
        ),
        ("no name", |r| r.full_name = " ".into(), "legacy.no_name"),
        (
            "unreadable date",
            |r| r.opened_on = "31/02/2019".into(),
            "legacy.unreadable_date",
        ),
        (
            "unknown type",
            |r| r.category = "Consulta general".into(),
            "legacy.unknown_category",
        ),
        ("no date", |r| r.opened_on = " ".into(), "legacy.no_date"),
    ];
    // Every rule of a legacy log (data/rules/legacy.json) has its case here: the conformance
    // corpus covers the intake's rules, this test the legacy ones (the files' warnings,
    // `legacy.file_*`, are not a row's conversion: `the_files_a_log_names_are_attached`).
    for rule in siproc_core::list_rules() {
        if rule.code.starts_with("legacy.") && !rule.code.starts_with("legacy.file_") {
            assert!(
                cases.iter().any(|(_, _, code)| *code == rule.code),
                "{} has no case",
                rule.code
            );
        }
    }
    for (what, change, code) in cases {
        let mut row = detention_row();
        change(&mut row);
        let c = legacy::convert(&row, &catalog(), &map(), Locale::En, today());
        assert!(c.ready.is_none() && c.is_held_back(), "{what}");
        assert!(codes(&c).contains(&code), "{what}: {:?}", codes(&c));
        for issue in &c.issues {
            for value in ["2101", "0801", "2031", "Marte", "Peña", "Consulta"] {
                assert!(!issue.message.contains(value), "{what}: {}", issue.message);
            }
        }
    }
    assert!(
        legacy::convert(
            &LegacyRow::default(),
            &catalog(),
            &map(),
            Locale::Es,
            today()
        )
        .is_blank()
    );
}

#[test]
fn a_ministry_extends_the_tables() {
    let mut row = detention_row();
    row.office = "Oficina Consular Sur".into();
    let mut map = map();
    assert!(legacy::convert(&row, &catalog(), &map, Locale::Es, today()).is_held_back());
    map.extend(LegacyMap {
        office_aliases: BTreeMap::from([("oficina consular sur".into(), "TAP".into())]),
        ..LegacyMap::default()
    });
    let c = legacy::convert(&row, &catalog(), &map, Locale::Es, today());
    assert_eq!(c.ready.unwrap().intake().office, "TAP");
}

fn import(store: &MemoryStore, rows: &[(u64, LegacyRow)], dry_run: bool) -> legacy::ImportReport {
    let actor = directorate();
    let options = ImportOptions {
        source: "legado_tapachula.csv",
        actor: &actor,
        now: now(),
        locale: Locale::Es,
        dry_run,
    };
    legacy::import(store, &catalog(), &map(), rows, &options)
}

#[test]
fn an_import_records_provenance_and_is_idempotent() {
    let store = MemoryStore::new();
    let mut wrong = detention_row();
    wrong.identity = "2101-1990-00012".into();
    let rows = vec![(2, detention_row()), (3, LegacyRow::default()), (4, wrong)];

    let dry = import(&store, &rows, true);
    assert!(matches!(dry.rows[0].outcome, Outcome::Migrated { .. }));
    assert!(store.is_empty(), "a dry run writes nothing");

    let first = import(&store, &rows, false);
    let outcomes: Vec<&Outcome> = first.rows.iter().map(|r| &r.outcome).collect();
    let Outcome::Migrated {
        case_id,
        case_number,
    } = outcomes[0].clone()
    else {
        panic!("{outcomes:?}")
    };
    assert_eq!(case_number, "TAP-2026-000001");
    assert_eq!(
        (outcomes[1], outcomes[2]),
        (&Outcome::Blank, &Outcome::HeldBack)
    );
    assert_eq!(first.rows[0].number, "17");
    assert!(
        first
            .mappings
            .contains_key("office alias: consulado tapachula → TAP")
    );

    // The case_opened event records the source and row and the missing items, nothing personal.
    let events = store.load(case_id).unwrap();
    let EventKind::CaseOpened(opened) = &events[0].kind else {
        panic!()
    };
    let origin = opened.legacy.as_ref().unwrap();
    assert_eq!(
        (origin.source.as_str(), origin.row),
        ("legado_tapachula.csv", 2)
    );
    assert_eq!(origin.follow_ups.len(), 4);
    history::verify(&events).unwrap();
    let case = store::load_case(&store, case_id).unwrap();
    assert!(case.legacy.as_ref().unwrap().is_incomplete());
    let summary = store.summary(case_id).unwrap();
    assert!(summary.migrated && summary.follow_ups == 4);

    // Again: nothing twice. After fixing the held-back row: exactly that row.
    let again = import(&store, &rows, false);
    assert!(
        matches!(&again.rows[0].outcome, Outcome::AlreadyImported { case_id: id, .. } if *id == case_id)
    );
    assert_eq!(store.len(), 1);
    let mut fixed = rows.clone();
    fixed[2].1.identity = "0801-1990-12346".into();
    let after = import(&store, &fixed, false);
    let migrated: Vec<u64> = after
        .rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Migrated { .. }))
        .map(|r| r.row)
        .collect();
    assert_eq!(migrated, vec![4]);
    assert_eq!(store.len(), 2);
}

#[test]
fn corrections_and_consent_complete_a_migrated_case() {
    let store = MemoryStore::new();
    let report = import(&store, &[(2, detention_row())], false);
    let Outcome::Migrated { case_id, .. } = report.rows[0].outcome.clone() else {
        panic!()
    };
    let (catalog, actor) = (catalog(), directorate());
    // Statistics tell a migrated case that still lacks items from a complete one.
    let origin_of_case = || {
        let events = store.load(case_id).unwrap();
        siproc_core::stats::CaseRecord::from_history(&events, &catalog)
            .unwrap()
            .origin
    };
    assert_eq!(
        origin_of_case(),
        siproc_core::stats::Origin::MigratedIncomplete
    );
    let run = |command: Command| store::run(&store, &catalog, &actor, case_id, &command, now());
    let correct = |path: &str, value| Command::Correct {
        path: path.into(),
        value,
    };
    // Correcting something else completes nothing.
    let case = run(correct("/facts/charges", json!("Ingreso irregular"))).unwrap();
    assert_eq!(case.legacy.as_ref().unwrap().follow_ups.len(), 4);
    let case = run(correct("/facts/arrest_date", json!("2020-11-20"))).unwrap();
    assert!(
        !case
            .legacy
            .as_ref()
            .unwrap()
            .follow_ups
            .contains(&follow("fact.required", "/facts/arrest_date"))
    );
    run(correct("/facts/authority", json!("INM"))).unwrap();
    run(correct("/facts/detention_kind", json!("immigration"))).unwrap();
    let consent = Consent {
        given: true,
        given_by: 0,
        recorded_on: NaiveDate::from_ymd_opt(2026, 5, 30).unwrap(),
        scope: vec![ConsentScope::Processing],
    };
    let case = run(Command::RecordConsent { consent }).unwrap();
    let origin = case.legacy.clone().unwrap();
    assert!(!origin.is_incomplete(), "{:?}", origin.follow_ups);
    assert_eq!(origin.source, "legado_tapachula.csv");
    // Replaying the stored history gives the same case.
    assert_eq!(store::load_case(&store, case_id).unwrap(), case);
    let summary = store.summary(case_id).unwrap();
    assert!(summary.migrated && summary.follow_ups == 0);
    assert_eq!(origin_of_case(), siproc_core::stats::Origin::Migrated);
}

#[test]
fn cases_not_migrated_serialize_as_before() {
    // No `legacy` member in case_opened, no `resolves` in facts_corrected: older histories hash
    // as they did.
    let store = MemoryStore::new();
    let report = import(&store, &[(2, detention_row())], false);
    let Outcome::Migrated { case_id, .. } = report.rows[0].outcome.clone() else {
        panic!()
    };
    let (catalog, actor) = (catalog(), directorate());
    let command = Command::Correct {
        path: "/facts/charges".into(),
        value: json!("Ingreso irregular"),
    };
    store::run(&store, &catalog, &actor, case_id, &command, now()).unwrap();
    let events = store.load(case_id).unwrap();
    let text = serde_json::to_value(&events[1]).unwrap();
    assert!(text["kind"]["data"].get("resolves").is_none());
    let mut opened = serde_json::to_value(&events[0]).unwrap();
    assert!(opened["kind"]["data"].get("legacy").is_some());
    opened["kind"]["data"]
        .as_object_mut()
        .unwrap()
        .remove("legacy");
    let plain: history::Event = serde_json::from_value(opened).unwrap();
    let again = serde_json::to_value(&plain).unwrap();
    assert!(again["kind"]["data"].get("legacy").is_none());
}

/// A small real PDF of one page `width` points wide.
#[cfg(feature = "attachments")]
fn small_pdf(width: i64) -> Vec<u8> {
    use lopdf::{Document, Object, dictionary};
    let mut doc = Document::with_version("1.5");
    let pages = doc.new_object_id();
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages,
        "MediaBox" => vec![0.into(), 0.into(), width.into(), 842.into()],
    });
    doc.objects.insert(
        pages,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A log's `Archivos` column: the files present (a real PNG and PDF) are attached to the
/// migrated case; a missing one, one outside the log's folder and one the checks refuse are the
/// row's warnings (by position, never by name); a dry run reads none; running again attaches a
/// file brought since, and nothing twice.
#[cfg(feature = "attachments")]
#[test]
fn the_files_a_log_names_are_attached() {
    use siproc_core::attachments::Limits;
    use siproc_core::blobs::{BlobStore, DirectoryBlobs};
    let dir = tempfile::tempdir().unwrap();
    let log_dir = dir.path().join("legado");
    std::fs::create_dir_all(log_dir.join("escaneos")).unwrap();
    let img = image::RgbImage::from_fn(40, 30, |x, y| {
        image::Rgb([(x * 5) as u8, (y * 7) as u8, 90])
    });
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    std::fs::write(log_dir.join("escaneos/pasaporte.png"), png.into_inner()).unwrap();
    std::fs::write(log_dir.join("acta.pdf"), small_pdf(595)).unwrap();
    std::fs::write(log_dir.join("notas.txt"), "Se habló con la madre").unwrap();
    std::fs::write(dir.path().join("fuera.pdf"), small_pdf(600)).unwrap();
    let kept = tempfile::tempdir().unwrap();
    let blobs = DirectoryBlobs::new(kept.path()).unwrap();
    let limits = Limits::default();
    let files = legacy::LogFiles {
        dir: &log_dir,
        blobs: &blobs,
        limits: &limits,
    };
    let mut row = detention_row();
    row.files = "escaneos/pasaporte.png; acta.pdf\nfalta.pdf; ../fuera.pdf;notas.txt".into();
    let rows = [(2, row)];
    let (store, actor) = (MemoryStore::new(), directorate());
    let run = |dry_run| {
        let options = ImportOptions {
            source: "legado_tapachula.csv",
            actor: &actor,
            now: now(),
            locale: Locale::Es,
            dry_run,
        };
        legacy::import_with_files(&store, &catalog(), &map(), &rows, &options, &files)
    };
    let warnings = |report: &legacy::ImportReport| -> Vec<(String, String)> {
        report.rows[0]
            .issues
            .iter()
            .filter(|i| i.code.starts_with("legacy.file"))
            .map(|i| {
                assert!(!i.message.contains("falta") && !i.message.contains("notas"));
                (i.code.clone(), i.path.clone())
            })
            .collect()
    };
    let warning = |code: &str, at: usize| (code.to_owned(), format!("/files/{at}"));
    let missing = [
        warning("legacy.file_missing", 2),
        warning("legacy.file_missing", 3),
    ];

    let dry = run(true);
    assert_eq!(warnings(&dry), missing);
    assert!(store.is_empty());

    let report = run(false);
    let Outcome::Migrated { case_id, .. } = report.rows[0].outcome.clone() else {
        panic!("{:?}", report.rows[0])
    };
    let mut expected = missing.to_vec();
    expected.push(warning("legacy.file_refused", 4));
    assert_eq!(warnings(&report), expected);
    let refused = &report.rows[0].issues.last().unwrap().message;
    assert!(refused.contains("attachment."), "{refused}");
    let case = store::load_case(&store, case_id).unwrap();
    let types: Vec<&str> = case
        .attachments
        .iter()
        .map(|a| a.media_type.as_str())
        .collect();
    assert_eq!(types, ["image/png", "application/pdf"]);
    assert!(
        case.attachments
            .iter()
            .all(|a| a.description.as_deref() == Some(legacy::FILE_DESCRIPTION))
    );
    assert_eq!(blobs.list(case_id).unwrap().len(), 2);

    // Brought since: the next run attaches it, and nothing twice.
    std::fs::write(log_dir.join("falta.pdf"), small_pdf(612)).unwrap();
    let again = run(false);
    assert!(matches!(
        again.rows[0].outcome,
        Outcome::AlreadyImported { .. }
    ));
    assert_eq!(
        warnings(&again),
        [
            warning("legacy.file_missing", 3),
            warning("legacy.file_refused", 4)
        ]
    );
    assert_eq!(
        store::load_case(&store, case_id).unwrap().attachments.len(),
        3
    );
    assert_eq!(blobs.list(case_id).unwrap().len(), 3);
}
