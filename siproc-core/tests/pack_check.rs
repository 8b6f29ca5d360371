//! `Catalog::check_dir`: every problem of a pack folder, with its file and entry. Broken packs
//! are written to copies of the built-in ones under the test's temporary folder.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use siproc_core::Catalog;
use siproc_core::PACK_FILES;

fn pack_dir(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("packs").join(id)
}

/// A copy of built-in pack `id` in a fresh folder named `name`.
fn copy_of(id: &str, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("pack_check")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for file in PACK_FILES {
        std::fs::copy(pack_dir(id).join(file), dir.join(file)).unwrap();
    }
    dir
}

fn edit(dir: &Path, file: &str, change: impl FnOnce(&mut Value)) {
    let path = dir.join(file);
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut value);
    std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
}

fn triples(dir: &Path) -> Vec<(String, String, Option<String>)> {
    Catalog::check_dir(dir)
        .into_iter()
        .map(|p| (p.code.to_owned(), p.file, p.entry))
        .collect()
}

fn t(code: &str, file: &str, entry: Option<&str>) -> (String, String, Option<String>) {
    (code.to_owned(), file.to_owned(), entry.map(str::to_owned))
}

#[test]
fn the_built_in_pack_folders_are_clean_and_equal_the_built_in_packs() {
    for id in ["hn", "gt", "sv", "mx"] {
        assert_eq!(Catalog::check_dir(pack_dir(id)), vec![], "{id}");
        assert_eq!(
            Catalog::load_dir(pack_dir(id)).unwrap(),
            Catalog::builtin(id).unwrap()
        );
    }
}

#[test]
fn every_problem_across_files_is_reported_with_its_file_and_entry() {
    let dir = copy_of("mx", "across_files");
    edit(&dir, "pack.json", |p| {
        p["documents"]
            .as_array_mut()
            .unwrap()
            .push(json!("xx_card"));
        p["country"] = json!("XX");
    });
    edit(&dir, "offices.json", |o| {
        let list = o.as_array_mut().unwrap();
        let lax = list.iter_mut().find(|x| x["code"] == "LAX").unwrap();
        lax["time_zone"] = json!("America/Atlantis");
        let copy = list[2].clone();
        list.push(copy);
    });
    edit(&dir, "categories.json", |c| {
        let list = c.as_array_mut().unwrap();
        list[0]["facts"][1]["type"] = json!("choice");
        list[1]["forms"] = json!(["no_such_form"]);
        list[2]["code"] = json!("civil matters");
    });
    edit(&dir, "sla.json", |s| {
        s.as_object_mut().unwrap().remove("labour");
    });
    edit(&dir, "forms.json", |f| {
        f[0]["blocks"][0]["fields"][0]["bind"] = json!("national.nickname");
        f[1]["blocks"][0]["columns"] = json!(9);
    });
    let found = triples(&dir);
    let office = Catalog::builtin("mx").unwrap().offices[2].code.clone();
    for expected in [
        t("catalog.bad_value", "pack.json", Some("country")),
        t("catalog.unknown_reference", "pack.json", Some("xx_card")),
        t("catalog.bad_value", "offices.json", Some("LAX")),
        t("catalog.duplicate", "offices.json", Some(&office)),
        t(
            "catalog.bad_value",
            "categories.json",
            Some("human_rights/authority_involved"),
        ),
        t(
            "catalog.unknown_reference",
            "categories.json",
            Some("criminal/no_such_form"),
        ),
        t(
            "catalog.bad_value",
            "categories.json",
            Some("civil matters"),
        ),
        t("catalog.unknown_reference", "sla.json", Some("labour")),
        t(
            "catalog.unknown_reference",
            "sla.json",
            Some("civil matters"),
        ),
        t("catalog.unknown_reference", "sla.json", Some("immigration")),
        t(
            "catalog.unknown_reference",
            "forms.json",
            Some("intake_sheet/blocks/0/fields/0"),
        ),
        t(
            "catalog.bad_value",
            "forms.json",
            Some("informed_consent/blocks/0"),
        ),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:#?}");
    }
    // `Catalog::load_dir` gives the first of them; the message names file and entry.
    let first = Catalog::load_dir(&dir).unwrap_err();
    assert_eq!(
        (first.code, first.file.as_str()),
        ("catalog.bad_value", "pack.json")
    );
    assert_eq!(
        first.to_string(),
        "pack.json [country]: not an ISO 3166-1 alpha-2 code"
    );
}

#[test]
fn unreadable_files_and_entries_are_each_reported() {
    let dir = copy_of("sv", "unreadable");
    edit(&dir, "flags.json", |f| {
        f[0]["colour"] = json!("red");
        f[2]["priority"] = json!("whenever");
    });
    edit(&dir, "sla.json", |s| {
        s["labour"]["resolution_days"] = json!(-3);
    });
    std::fs::write(dir.join("partners.json"), "[{\"code\": \"iom\",").unwrap();
    std::fs::remove_file(dir.join("forms.json")).unwrap();
    let found = triples(&dir);
    assert_eq!(
        found,
        vec![
            t("catalog.missing_file", "forms.json", None),
            t("catalog.bad_json", "flags.json", Some("minor")),
            t("catalog.bad_json", "flags.json", Some("disability")),
            t("catalog.bad_json", "partners.json", None),
            t("catalog.bad_json", "sla.json", Some("labour")),
        ]
    );
    let problems = Catalog::check_dir(&dir);
    assert!(
        problems[1].reason.contains("colour"),
        "{}",
        problems[1].reason
    );
    assert!(
        problems[3].reason.starts_with("line "),
        "{}",
        problems[3].reason
    );
}

#[test]
fn a_folder_without_a_pack_lacks_every_file() {
    let problems = Catalog::check_dir(Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-pack"));
    let files: Vec<&str> = problems.iter().map(|p| p.file.as_str()).collect();
    assert_eq!(files, PACK_FILES);
    assert!(problems.iter().all(|p| p.code == "catalog.missing_file"));
}

#[test]
fn problems_serialise_for_a_command_line_or_an_http_answer() {
    let dir = copy_of("gt", "serialise");
    edit(&dir, "sla.json", |s| {
        s["ghost"] = json!({"first_contact_hours": 1, "resolution_days": 1});
    });
    let json = serde_json::to_value(Catalog::check_dir(&dir)).unwrap();
    assert_eq!(
        json,
        json!([{"code": "catalog.unknown_reference", "file": "sla.json", "entry": "ghost",
                "reason": "no such category"}])
    );
}
