//! Pack and form-template loading: `Catalog::from_files_all` with one file of the Honduran pack
//! (the first byte picks which: `pack.json` … `forms.json`, the form templates) replaced by the
//! rest of the input, and `LegacyMap::from_json` (the pack's `legacy.json`). Oracle: no panic;
//! a pack is refused with problems, each with a stable code and its file; a pack that loads
//! gives its views in both locales and validates the sample intakes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::legacy::LegacyMap;
use siproc_core::{Catalog, Locale, PACK_FILES, validate_on};
use siproc_fuzz::{now, sample_intake, text};

macro_rules! hn {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!("../../siproc-core/packs/hn/", $name)),
        )
    };
}

const HN: [(&str, &str); 8] = [
    hn!("pack.json"),
    hn!("categories.json"),
    hn!("offices.json"),
    hn!("flags.json"),
    hn!("partners.json"),
    hn!("services.json"),
    hn!("sla.json"),
    hn!("forms.json"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(file) = text(rest) else { return };
    let pick = usize::from(pick) % (PACK_FILES.len() + 1);
    if pick == PACK_FILES.len() {
        let honduras = Catalog::honduras().unwrap();
        if let Err(problem) = LegacyMap::from_json(file, &honduras) {
            assert!(
                problem.code.contains('.'),
                "a stable code: {}",
                problem.code
            );
        }
        return;
    }
    let files = HN
        .iter()
        .enumerate()
        .map(|(i, &(name, text))| (name, if i == pick { file } else { text }));
    match Catalog::from_files_all(files) {
        Ok(catalog) => {
            for locale in [Locale::Es, Locale::En] {
                let view = catalog.view(locale);
                let _ = serde_json::to_string(&view).unwrap();
            }
            for name in ["detention", "victim_of_crime"] {
                let intake = sample_intake(name, "TAP");
                let _ = validate_on(&intake, &catalog, Locale::Es, now().date_naive());
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty());
            for problem in problems {
                assert!(
                    problem.code.contains('.'),
                    "a stable code: {}",
                    problem.code
                );
            }
        }
    }
});
