//! Legacy log rows: `legacy::read_log` of any bytes (the CSV a consulate exports), then each
//! row through `legacy::convert`, `legacy::find_duplicates`, and `legacy::import` into a memory
//! store, dry and for real. Oracle: no panic; a dry run and a real run decide the same for every
//! row; each case opened verifies and replays; a second run opens nothing new.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use siproc_core::Locale;
use siproc_core::legacy::{self, ImportOptions, LegacyMap, Outcome};
use siproc_core::store::{self, CaseQuery, CaseStore, MemoryStore};
use siproc_fuzz::{assert_sound, catalog, directorate, now};

fn map() -> &'static LegacyMap {
    static MAP: OnceLock<LegacyMap> = OnceLock::new();
    MAP.get_or_init(|| LegacyMap::builtin("hn").unwrap())
}

/// What became of a row, without the case number a dry run leaves empty.
fn verdict(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Migrated { case_id, .. } => format!("migrated {case_id}"),
        other => format!("{other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(rows) = legacy::read_log(data) else {
        return;
    };
    // Past a few hundred rows a run only repeats itself, slower.
    let rows = &rows[..rows.len().min(200)];
    for (_, row) in rows {
        let conversion = legacy::convert(row, catalog(), map(), Locale::Es, now().date_naive());
        assert!(!(conversion.is_blank() && conversion.is_held_back()));
    }
    let _ = legacy::find_duplicates(
        rows.iter().map(|(_, r)| r),
        catalog(),
        map(),
        now().date_naive(),
    );
    let actor = directorate();
    let options = |dry_run| ImportOptions {
        source: "fuzz.csv",
        actor: &actor,
        now: now(),
        locale: Locale::En,
        dry_run,
    };
    let store = MemoryStore::new();
    let dry = legacy::import(&store, catalog(), map(), rows, &options(true));
    assert_eq!(store.len(), 0, "a dry run writes nothing");
    let real = legacy::import(&store, catalog(), map(), rows, &options(false));
    assert_eq!(dry.rows.len(), real.rows.len());
    for (d, r) in dry.rows.iter().zip(&real.rows) {
        assert_eq!(
            verdict(&d.outcome),
            verdict(&r.outcome),
            "a dry run decides as the real one"
        );
    }
    for summary in store.list(&CaseQuery::default()).unwrap() {
        let events = store.load(summary.id).unwrap();
        assert_sound(&events, &store::load_case(&store, summary.id).unwrap());
    }
    let opened = store.len();
    let again = legacy::import(&store, catalog(), map(), rows, &options(false));
    assert_eq!(store.len(), opened, "a second run opens nothing new");
    assert!(
        again
            .rows
            .iter()
            .all(|r| !matches!(r.outcome, Outcome::Migrated { .. }))
    );
});
