//! Loading a pack: the built-in ones ([`Catalog::BUILTIN`]), a folder, or its files' texts; a
//! pack that does not read gives every problem, file by file and entry by entry.

use std::collections::BTreeMap;
use std::path::Path;

use super::template::FormTemplate;
use super::{Catalog, CatalogError, Category, Flag, Office, Partner, ServiceKind, Sla};
use crate::issue::Misuse;

/// The files of a pack, in the order they are read.
pub const PACK_FILES: [&str; 8] = [
    "pack.json",
    "categories.json",
    "offices.json",
    "flags.json",
    "partners.json",
    "services.json",
    "sla.json",
    "forms.json",
];

/// The files of built-in pack `$dir`, as `build.rs` writes them: as they are in `packs/`, or, in
/// a build without PDF forms, minified and without the forms' layout, which it never reads.
macro_rules! builtin_pack {
    ($dir:literal) => {
        [
            (
                "pack.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/pack.json")),
            ),
            (
                "categories.json",
                include_str!(concat!(
                    env!("OUT_DIR"),
                    "/packs/",
                    $dir,
                    "/categories.json"
                )),
            ),
            (
                "offices.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/offices.json")),
            ),
            (
                "flags.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/flags.json")),
            ),
            (
                "partners.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/partners.json")),
            ),
            (
                "services.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/services.json")),
            ),
            (
                "sla.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/sla.json")),
            ),
            (
                "forms.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/forms.json")),
            ),
        ]
    };
}

/// A pack built into the library: its id and its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinPack {
    /// The pack id (`hn`).
    pub id: &'static str,
    files: [(&'static str, &'static str); 8],
}

/// Reads `text`, the pack file `file`. When it does not parse, its problems are added to
/// `problems`: the JSON syntax error, or else every entry that does not read, by its code (see
/// [`entry_problems`]).
fn parse<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    problems: &mut Vec<CatalogError>,
) -> Option<T> {
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let mut found = entry_problems(file, text);
            if found.is_empty() {
                found.push(CatalogError::new(
                    "catalog.bad_json",
                    file,
                    None,
                    format!("line {}, column {}: {e}", e.line(), e.column()),
                ));
            }
            problems.append(&mut found);
            None
        }
    }
}

/// The entries of a list (or of `sla.json`'s object) that do not read as their type, each named
/// by its `code` (or `id`, or key, or `#index`). Empty when the file is not valid JSON, is not
/// a list or an object of entries, or when its fault is not in one entry.
fn entry_problems(file: &str, text: &str) -> Vec<CatalogError> {
    fn one<T: serde::de::DeserializeOwned>(
        file: &str,
        entry: &str,
        value: &serde_json::Value,
    ) -> Option<CatalogError> {
        T::deserialize(value)
            .err()
            .map(|e| CatalogError::new("catalog.bad_json", file, Some(entry), e.to_string()))
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    if let (Some(map), "sla.json") = (value.as_object(), file) {
        return map
            .iter()
            .filter_map(|(key, v)| one::<Sla>(file, key, v))
            .collect();
    }
    let Some(list) = value.as_array() else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let entry = ["code", "id", "key"]
                .into_iter()
                .find_map(|k| v.get(k).and_then(serde_json::Value::as_str))
                .map_or_else(|| format!("#{i}"), str::to_owned);
            match file {
                "categories.json" => one::<Category>(file, &entry, v),
                "offices.json" => one::<Office>(file, &entry, v),
                "flags.json" => one::<Flag>(file, &entry, v),
                "partners.json" => one::<Partner>(file, &entry, v),
                "services.json" => one::<ServiceKind>(file, &entry, v),
                "forms.json" => one::<FormTemplate>(file, &entry, v),
                _ => None,
            }
        })
        .collect()
}

/// The first problem of a non-empty list (a list is never empty when a pack fails to load).
fn first(problems: Vec<CatalogError>) -> CatalogError {
    problems.into_iter().next().unwrap_or_else(|| {
        CatalogError::new(
            "catalog.bad_value",
            "pack.json",
            None,
            "the pack does not load",
        )
    })
}

impl Catalog {
    /// The packs built into the library, the default (`hn`) first. Adding one is one line here
    /// (and its folder under `packs/`).
    pub const BUILTIN: &'static [BuiltinPack] = &[
        BuiltinPack {
            id: "hn",
            files: builtin_pack!("hn"),
        },
        BuiltinPack {
            id: "gt",
            files: builtin_pack!("gt"),
        },
        BuiltinPack {
            id: "sv",
            files: builtin_pack!("sv"),
        },
        BuiltinPack {
            id: "mx",
            files: builtin_pack!("mx"),
        },
    ];

    /// The built-in Honduran pack, the default.
    pub fn honduras() -> Result<Catalog, CatalogError> {
        Catalog::builtin("hn")
    }

    /// The built-in Guatemalan pack.
    pub fn guatemala() -> Result<Catalog, CatalogError> {
        Catalog::builtin("gt")
    }

    /// The built-in Salvadoran pack.
    pub fn el_salvador() -> Result<Catalog, CatalogError> {
        Catalog::builtin("sv")
    }

    /// The built-in Mexican pack.
    pub fn mexico() -> Result<Catalog, CatalogError> {
        Catalog::builtin("mx")
    }

    /// A built-in pack by id (one of [`Catalog::BUILTIN`]); another id is misuse
    /// (`siproc.unknown_catalog`, [`crate::issue::Misuse::UnknownPack`]).
    pub fn builtin(id: &str) -> Result<Catalog, CatalogError> {
        match Catalog::BUILTIN.iter().find(|p| p.id == id) {
            Some(pack) => Catalog::from_files(pack.files),
            None => {
                let known: Vec<&str> = Catalog::BUILTIN.iter().map(|p| p.id).collect();
                Err(CatalogError::new(
                    Misuse::UnknownPack.code(),
                    "pack.json",
                    None,
                    format!(
                        "no built-in pack has this id (built in: {})",
                        known.join(", ")
                    ),
                ))
            }
        }
    }

    /// Loads and checks the pack in folder `dir`; a broken pack gives its first problem (see
    /// [`Catalog::check_dir`] for all of them).
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        Catalog::load_dir_all(dir).map_err(first)
    }

    /// Every problem of the pack in folder `dir`, each with its file and entry, in file order;
    /// empty when the pack loads. This is what a ministry runs on the pack it writes.
    ///
    /// Unreadable files and entries are reported first, every one of them; the checks across
    /// files (references, SLA targets, templates) run once every file reads, and then report
    /// every problem they find.
    ///
    /// ```
    /// use siproc_core::Catalog;
    /// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packs/mx");
    /// assert!(Catalog::check_dir(&dir).is_empty());
    /// let problems = Catalog::check_dir("/nonexistent");
    /// assert_eq!(problems.len(), 8); // every file is missing
    /// assert_eq!(problems[0].code, "catalog.missing_file");
    /// ```
    pub fn check_dir(dir: impl AsRef<Path>) -> Vec<CatalogError> {
        Catalog::load_dir_all(dir).err().unwrap_or_default()
    }

    /// Loads and checks the pack in folder `dir`, or gives every problem found (see
    /// [`Catalog::check_dir`]).
    pub fn load_dir_all(dir: impl AsRef<Path>) -> Result<Catalog, Vec<CatalogError>> {
        let dir = dir.as_ref();
        let mut texts = Vec::with_capacity(PACK_FILES.len());
        let mut problems = Vec::new();
        for name in PACK_FILES {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(text) => texts.push((name, text)),
                Err(e) => problems.push(CatalogError::new(
                    "catalog.missing_file",
                    name,
                    None,
                    format!("cannot read it: {}", e.kind()),
                )),
            }
        }
        let loaded = Catalog::from_files_all(texts.iter().map(|(n, t)| (*n, t.as_str())));
        match (loaded, problems.is_empty()) {
            (Ok(catalog), true) => Ok(catalog),
            // The missing files are reported once, by the read above.
            (Ok(_), false) => Err(problems),
            (Err(more), _) => {
                problems.extend(
                    more.into_iter()
                        .filter(|p| p.code != "catalog.missing_file"),
                );
                Err(problems)
            }
        }
    }

    /// Loads and checks a pack from its files' names and contents (every name of [`PACK_FILES`]);
    /// a broken pack gives its first problem.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, CatalogError> {
        Catalog::from_files_all(files).map_err(first)
    }

    /// Loads and checks a pack from its files' names and contents, or gives every problem found
    /// (see [`Catalog::check_dir`]).
    pub fn from_files_all<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, Vec<CatalogError>> {
        let files: BTreeMap<&str, &str> = files.into_iter().collect();
        let mut problems = Vec::new();
        let read = |name: &str, problems: &mut Vec<CatalogError>| match files.get(name) {
            Some(text) => Some(*text),
            None => {
                problems.push(CatalogError::new(
                    "catalog.missing_file",
                    name,
                    None,
                    "the pack has no such file",
                ));
                None
            }
        };
        // Each file is read even when an earlier one failed, so that every problem is found.
        let pack =
            read("pack.json", &mut problems).and_then(|t| parse("pack.json", t, &mut problems));
        let categories = read("categories.json", &mut problems)
            .and_then(|t| parse("categories.json", t, &mut problems));
        let offices = read("offices.json", &mut problems)
            .and_then(|t| parse("offices.json", t, &mut problems));
        let flags =
            read("flags.json", &mut problems).and_then(|t| parse("flags.json", t, &mut problems));
        let partners = read("partners.json", &mut problems)
            .and_then(|t| parse("partners.json", t, &mut problems));
        let services = read("services.json", &mut problems)
            .and_then(|t| parse("services.json", t, &mut problems));
        let sla = read("sla.json", &mut problems).and_then(|t| parse("sla.json", t, &mut problems));
        let forms =
            read("forms.json", &mut problems).and_then(|t| parse("forms.json", t, &mut problems));
        if let (
            Some(pack),
            Some(categories),
            Some(offices),
            Some(flags),
            Some(partners),
            Some(services),
            Some(sla),
            Some(forms),
        ) = (
            pack, categories, offices, flags, partners, services, sla, forms,
        ) {
            let catalog = Catalog {
                pack,
                categories,
                offices,
                flags,
                partners,
                services,
                sla,
                forms,
            };
            catalog.check(&mut problems);
            if problems.is_empty() {
                return Ok(catalog);
            }
        }
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_packs_load() {
        let hn = Catalog::honduras().unwrap();
        assert_eq!(hn.pack.country, "HN");
        assert!(hn.categories.len() >= 12);
        assert!(hn.offices.len() >= 10);
        let gt = Catalog::guatemala().unwrap();
        assert_eq!(gt.pack.country, "GT");
    }

    #[test]
    fn a_broken_pack_names_file_and_entry() {
        let mut files: BTreeMap<&str, String> = Catalog::BUILTIN[0]
            .files
            .iter()
            .map(|(n, t)| (*n, (*t).to_owned()))
            .collect();
        let offices = files["offices.json"].replacen("America/New_York", "America/Atlantis", 1);
        files.insert("offices.json", offices);
        let err = Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str()))).unwrap_err();
        assert_eq!(err.code, "catalog.bad_value");
        assert_eq!(err.file, "offices.json");
        assert!(err.entry.is_some());

        let mut files: BTreeMap<&str, String> = Catalog::BUILTIN[0]
            .files
            .iter()
            .map(|(n, t)| (*n, (*t).to_owned()))
            .collect();
        files.insert("flags.json", "[{\"code\": \"minor\"".to_owned());
        let err = Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str()))).unwrap_err();
        assert_eq!(
            (err.code, err.file.as_str()),
            ("catalog.bad_json", "flags.json")
        );
    }
}
